/**
 * The C-STORE SCP against dcmtk's own tools: what a PACS or a modality sends arrives in the
 * catalog through the normal import, byte-exact; callers not allowed are refused; a sender killed
 * mid-association leaves nothing half-stored.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { encodePart10, ensureCtSeries, makeTempDir, pydicomTestFilesDir } from '../../fixtures/index.js';
import {
  LOCAL_AE,
  type Workstation,
  execFileAsync,
  filesUnder,
  openWorkstation,
  storedFiles,
} from './harness.js';
import { sendToScp, storeObjectOf } from '../../fuzz/send-to-scp.js';

const scratch = makeTempDir('pacs-scp');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
let ws: Workstation | undefined;
afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

const PYDICOM_FILES = ['CT_small.dcm', 'MR_small.dcm', 'rtplan.dcm', 'rtstruct.dcm', 'test-SR.dcm'];

async function storescu(port: number, files: string[], callingAe = 'MODALITY', calledAe = LOCAL_AE) {
  try {
    const { stderr } = await execFileAsync('storescu', [
      '-v',
      '-R',
      '-nh',
      '-aet',
      callingAe,
      '-aec',
      calledAe,
      '127.0.0.1',
      String(port),
      ...files,
    ]);
    return { code: 0, output: stderr };
  } catch (error) {
    const failure = error as { code: number; stderr: string };
    return { code: failure.code, output: failure.stderr };
  }
}

/** The dataset of a Part 10 file: the bytes after the file meta group. */
function datasetBytes(file: string): Buffer {
  const bytes = fs.readFileSync(file);
  const groupLength = bytes.readUInt32LE(132 + 8);
  return bytes.subarray(132 + 12 + groupLength);
}

describe('C-STORE SCP', () => {
  it('a study sent by storescu appears in the catalog, and sending it again adds nothing', async () => {
    ws = await openWorkstation({ allowedCallers: [{ aeTitle: 'MODALITY', host: '127.0.0.1' }] });
    const series = ensureCtSeries({ slices: 50, size: 256, seed: 'pacs-scp-study' });
    const files = [...series.files, ...PYDICOM_FILES.map((name) => path.join(pydicomTestFilesDir, name))];
    const sent = await storescu(ws.port, files);
    expect(sent.code, sent.output).toBe(0);
    expect(ws.catalog.counts().instances).toBe(files.length);
    expect(ws.catalog.getStudy(series.studyInstanceUID)?.study.numberOfInstances).toBe(50);
    // The worklist learns of it: catalog.changed names the study.
    expect(ws.changed.flatMap((event) => event.studyInstanceUIDs)).toContain(series.studyInstanceUID);

    const again = await storescu(ws.port, files);
    expect(again.code, again.output).toBe(0);
    expect(ws.catalog.counts().instances).toBe(files.length);
    expect(storedFiles(ws)).toHaveLength(files.length);
  });

  it('echoscu succeeds', async () => {
    ws = await openWorkstation({ allowedCallers: [{ aeTitle: 'ECHOER', host: '' }] });
    const { stderr } = await execFileAsync('echoscu', [
      '-v',
      '-aet',
      'ECHOER',
      '-aec',
      LOCAL_AE,
      '127.0.0.1',
      String(ws.port),
    ]);
    expect(stderr).toMatch(/Received Echo Response \(Success\)/);
  });

  it('a calling AE title that is not allowed is refused with an association reject, and nothing is stored', async () => {
    ws = await openWorkstation({ allowedCallers: [{ aeTitle: 'MODALITY', host: '127.0.0.1' }] });
    const refused = await storescu(ws.port, [path.join(pydicomTestFilesDir, 'CT_small.dcm')], 'STRANGER');
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/Association Rejected/i);
    expect(refused.output).toMatch(/Calling AE Title Not Recognized/i);
    // Allowed AE title from a host that is not its own: refused too.
    await ws.close();
    ws = await openWorkstation({ allowedCallers: [{ aeTitle: 'MODALITY', host: '10.1.2.3' }] });
    const wrongHost = await storescu(ws.port, [path.join(pydicomTestFilesDir, 'CT_small.dcm')]);
    expect(wrongHost.output).toMatch(/Calling AE Title Not Recognized/i);
    // A called AE title that is not ours.
    const wrongCalled = await storescu(
      ws.port,
      [path.join(pydicomTestFilesDir, 'CT_small.dcm')],
      'MODALITY',
      'SOMEONE',
    );
    expect(wrongCalled.output).toMatch(/Called AE Title Not Recognized/i);
    expect(ws.catalog.counts().instances).toBe(0);
  });

  it('private tags and Chinese text (GB18030, ISO 2022 IR 58) arrive byte-exact', async () => {
    const dir = path.join(scratch, 'charset');
    execFileSync('/usr/bin/python3', [path.join(import.meta.dirname, 'make-charset-files.py'), dir]);
    const files = fs.readdirSync(dir).map((name) => path.join(dir, name));
    ws = await openWorkstation({ acceptAnyCaller: true });
    const sent = await storescu(ws.port, files);
    expect(sent.code, sent.output).toBe(0);
    const stored = storedFiles(ws);
    expect(stored).toHaveLength(2);
    const storedDatasets = stored.map(datasetBytes);
    for (const file of files) {
      const original = datasetBytes(file);
      expect(
        storedDatasets.some((bytes) => bytes.equals(original)),
        path.basename(file),
      ).toBe(true);
    }
    // The catalog decoded the GB18030 name.
    expect(ws.catalog.getStudy('1.2.826.0.1.3680043.8.498.7701.1')?.study.patientName).toMatch(/王\^小东/);
  });

  it('an object over the size limit is refused (A700) and not kept; the next one is stored', async () => {
    ws = await openWorkstation({ acceptAnyCaller: true }, { maxObjectBytes: 100_000 });
    const big = ensureCtSeries({ slices: 1, size: 512, seed: 'pacs-too-large' }).files;
    const small = path.join(pydicomTestFilesDir, 'CT_small.dcm');
    const sent = await storescu(ws.port, [...big, small]);
    expect(sent.output, sent.output).toMatch(/0xa700|Out of Resources|Refused/i);
    expect(ws.catalog.counts().instances, sent.output).toBe(1);
    expect(filesUnder(path.join(ws.dataDir, 'pacs-incoming'))).toEqual([]);
  });

  it('an object whose data set names another SOP Instance UID than the request is refused (C000); the original then stores', async () => {
    ws = await openWorkstation({ acceptAnyCaller: true });
    const original = ensureCtSeries({ slices: 1, size: 64, seed: 'pacs-uid-mismatch' }).files[0]!;
    const object = storeObjectOf(fs.readFileSync(original));
    // A changed copy (the fuzz's case): its command names a fresh UID, its data set the original's.
    const changed = Buffer.from(object.dataset);
    changed[changed.length - 1] = changed[changed.length - 1]! ^ 0xff;
    const target = { host: '127.0.0.1', port: ws.port, calledAeTitle: LOCAL_AE, callingAeTitle: 'MODALITY' };
    const [refused] = await sendToScp(target, [
      { ...object, dataset: changed, sopInstanceUID: '1.2.826.0.1.3680043.8.498.424242' },
    ]);
    expect(refused).toMatchObject({ outcome: 'status', status: 0xc000 });
    expect(ws.catalog.counts().instances).toBe(0);
    const [stored] = await sendToScp(target, [object]);
    expect(stored).toMatchObject({ outcome: 'status', status: 0 });
    expect(ws.catalog.counts().instances).toBe(1);
    expect(filesUnder(path.join(ws.dataDir, 'pacs-incoming'))).toEqual([]);
  });

  it('storescu killed with SIGKILL mid-association leaves nothing half-stored', async () => {
    ws = await openWorkstation({ acceptAnyCaller: true });
    // One large object (about 50 MB) that takes a while to send, after two small ones.
    const hugeFile = path.join(scratch, 'huge.dcm');
    const pixels = Buffer.alloc(5000 * 5000 * 2, 7);
    fs.writeFileSync(
      hugeFile,
      encodePart10({
        sopClassUID: '1.2.840.10008.5.1.4.1.1.7',
        sopInstanceUID: '1.2.826.0.1.3680043.8.498.9911.1',
        elements: [
          { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
          { tag: 0x00080018, vr: 'UI', value: '1.2.826.0.1.3680043.8.498.9911.1' },
          { tag: 0x00100020, vr: 'LO', value: 'KILLED' },
          { tag: 0x0020000d, vr: 'UI', value: '1.2.826.0.1.3680043.8.498.9911' },
          { tag: 0x0020000e, vr: 'UI', value: '1.2.826.0.1.3680043.8.498.9911.2' },
          { tag: 0x00280010, vr: 'US', value: [5000] },
          { tag: 0x00280011, vr: 'US', value: [5000] },
          { tag: 0x00280100, vr: 'US', value: [16] },
          { tag: 0x7fe00010, vr: 'OW', value: pixels },
        ],
      }),
    );
    const small = [
      path.join(pydicomTestFilesDir, 'CT_small.dcm'),
      path.join(pydicomTestFilesDir, 'MR_small.dcm'),
    ];
    const child = spawn(
      'storescu',
      ['-R', '-aet', 'MODALITY', '-aec', LOCAL_AE, '127.0.0.1', String(ws.port), ...small, hugeFile],
      {
        stdio: 'ignore',
      },
    );
    const spool = path.join(ws.dataDir, 'pacs-incoming');
    // Kill it once part of the large object has been written to the spool folder.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const partial = filesUnder(spool).some(
        (file) => (fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0) > 1_000_000,
      );
      if (partial || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    await waitFor(() => filesUnder(spool).length === 0);
    expect(filesUnder(spool)).toEqual([]);
    const counts = ws.catalog.counts();
    expect(counts.instances).toBe(2);
    expect(ws.catalog.storedFile('1.2.826.0.1.3680043.8.498.9911.1')).toBeNull();
    // Every stored file is a catalogued one: no half file, no orphan.
    expect(storedFiles(ws)).toHaveLength(2);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}
