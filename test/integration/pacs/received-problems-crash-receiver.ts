/**
 * Child process for the received problems' crash test: the app's services on a data folder (as the
 * web host runs them), the PACS receiver on a free port of 127.0.0.1 taking calls from MODALITY;
 * prints `listening <port>` and waits to be killed. Run with tsx:
 *   node --import tsx received-problems-crash-receiver.ts <dataDir> <keySeed>
 */
import { freePort } from '../../support/orthanc.js';
import { openTestServices } from '../../support/services.js';
import { fixedKey } from '../deid-app/harness.js';

const [dataDir, keySeed] = process.argv.slice(2) as [string, string];
const services = openTestServices(dataDir, { keyProvider: fixedKey(keySeed) });
const port = await freePort();
const saved = await services.handlers['pacs.saveSettings']({
  enabled: true,
  aeTitle: 'RADLABEL',
  port,
  bindAddress: '127.0.0.1',
  allowedCallers: [{ aeTitle: 'MODALITY', host: '' }],
  acceptAnyCaller: false,
});
if (!saved.status.running) throw new Error(`the receiver did not start: ${saved.status.error}`);
process.stdout.write(`listening ${port}\n`);
setInterval(() => undefined, 60_000);
