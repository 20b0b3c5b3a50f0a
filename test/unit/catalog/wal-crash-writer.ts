/**
 * Child process for the WAL checkpointer's kill test (wal-checkpointer.test.ts): saves annotation
 * versions of one chain in a loop, with short pauses, on a catalog whose checkpointer runs often
 * (idle 30 ms, cap 50 frames), until the parent kills it with SIGKILL. Prints `ack <versionId>`
 * once a save returned (committed) and `ckpt` after each checkpoint of the worker. Run with tsx:
 *   node --import tsx wal-crash-writer.ts <catalogFile> <keyHex> <annotationUid>
 */
import crypto from 'node:crypto';
import { AnnotationStore } from '../../../main/annotation/store.js';
import { Catalog } from '../../../main/catalog/catalog.js';
import { lengthVersion } from '../../support/annotation-versions.js';

const [file, key, annotationUid] = process.argv.slice(2) as [string, string, string];
Catalog.open(file, {
  key,
  walCheckpointer: {
    idleMs: 30,
    capFrames: 50,
    tickMs: 5,
    onCheckpoint: () => process.stdout.write('ckpt\n'),
  },
});
const store = new AnnotationStore(file, { reader: () => 'dr-crash' });
const { heads } = store.list('1.2.826.0.1.3680043.8.498.77');
let parent = heads.find((head) => head.annotationUid === annotationUid)?.versionId ?? null;
process.stdout.write('ready\n');

for (let step = 0; ; step += 1) {
  const version = lengthVersion(
    { studyInstanceUID: '1.2.826.0.1.3680043.8.498.77', annotationUid, parentIds: parent ? [parent] : [] },
    { attributes: { step, note: crypto.randomBytes(600).toString('hex') } },
  );
  store.save([version]);
  // Pipes are written synchronously on Linux: printed means the parent can read it after a kill.
  process.stdout.write(`ack ${version.versionId}\n`);
  parent = version.versionId;
  // Bursts and pauses, so checkpoints run both at the cap and when idle, now and then mid-save.
  await new Promise((resolve) => setTimeout(resolve, step % 7 === 6 ? 40 : 1));
}
