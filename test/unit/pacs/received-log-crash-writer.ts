/**
 * Child process for the received problems' crash test: logs one received object with problems
 * after another on a catalog file, forever, printing each SOP Instance UID once its transaction
 * committed, until the parent kills it with SIGKILL at a random instant. Run with tsx:
 *   node --import tsx received-log-crash-writer.ts <catalogFile> <round>
 */
import { ReceivedProblemLog } from '../../../main/pacs/received-log.js';

const [catalogFile, round] = process.argv.slice(2) as [string, string];
const log = new ReceivedProblemLog(catalogFile, 500);
process.stdout.write('ready\n');

for (let index = 0; ; index += 1) {
  const sopInstanceUID = `2.25.${round}.${index}`;
  log.add([
    {
      studyInstanceUID: `2.25.${round}`,
      sopInstanceUID,
      kind: 'seg',
      callingAeTitle: 'MODALITY',
      receivedAt: new Date().toISOString(),
      problems: ['This segmentation has no valid number of frames.'],
    },
  ]);
  process.stdout.write(`logged ${sopInstanceUID}\n`);
  // Let the parent read the pipe now and then (the loop is otherwise synchronous).
  if (index % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
}
