import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EncryptedLinkageStore,
  EXPORT_CONFIRMATION,
  environmentKeyProvider,
  fileKeyProvider,
} from '../../../main/deid/linkage.js';
import { createDeidentifier } from '../../../main/deid/index.js';
import { buildDicom } from './support/build-dicom.js';
import { config, sample, sampleElements } from './support/sample.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linkage-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const key = { masterKey: () => Buffer.alloc(32, 9) };

describe('the linkage table', () => {
  it('records what the engine mapped and finds it both ways', async () => {
    const file = path.join(tempDir(), 'linkage.sqlite');
    const store = new EncryptedLinkageStore(file, key);
    const engine = createDeidentifier(config({ linkage: store }));
    const outcome = await engine.deidentify(buildDicom(sampleElements()));
    await engine.close();
    if (outcome.status !== 'done') throw new Error(outcome.status);
    const study = store.find('uid', sample.studyUid, 'LUNG01');
    expect(study?.pseudonym).toBe(outcome.report.studyInstanceUID);
    expect(store.reverse('uid', outcome.report.studyInstanceUID)?.original).toBe(sample.studyUid);
    const patient = store.reverse('patient', outcome.report.patientPseudonym);
    expect(patient?.original).toBe(`HOSP-A\\${sample.patientId}`);
    expect(patient?.kind === 'patient' ? patient.dateOffsetDays : null).toBeLessThan(0);
    store.close();
  });

  it('holds no readable original value on disk', () => {
    const file = path.join(tempDir(), 'linkage.sqlite');
    const store = new EncryptedLinkageStore(file, key);
    store.record([
      {
        kind: 'patient',
        original: 'HOSP-A\\PID-778812',
        pseudonym: 'LUNG01-ABCDEFGHJK',
        dateOffsetDays: -400,
      },
    ]);
    store.close();
    const bytes = Buffer.concat(
      fs.readdirSync(path.dirname(file)).map((name) => fs.readFileSync(path.join(path.dirname(file), name))),
    );
    expect(bytes.includes('PID-778812')).toBe(false);
    expect(bytes.includes('LUNG01-ABCDEFGHJK')).toBe(false);
  });

  it('refuses to open with another key', () => {
    const file = path.join(tempDir(), 'linkage.sqlite');
    new EncryptedLinkageStore(file, key).close();
    expect(() => new EncryptedLinkageStore(file, { masterKey: () => Buffer.alloc(32, 8) })).toThrow(
      /does not open/,
    );
  });

  it('exports only with the explicit administrator confirmation', () => {
    const store = new EncryptedLinkageStore(path.join(tempDir(), 'linkage.sqlite'), key);
    store.record([{ kind: 'uid', original: '1.2.3', pseudonym: '2.25.1' }]);
    expect(() => store.exportAll('yes')).toThrow(/administrator/);
    expect(store.exportAll(EXPORT_CONFIRMATION)).toEqual([
      { kind: 'uid', original: '1.2.3', pseudonym: '2.25.1' },
    ]);
    store.close();
  });

  it('takes its key from RADLABEL_LINKAGE_KEY or a key file', () => {
    const hex = 'ab'.repeat(32);
    expect(
      Buffer.from(environmentKeyProvider({ RADLABEL_LINKAGE_KEY: hex }).masterKey()).toString('hex'),
    ).toBe(hex);
    expect(() => environmentKeyProvider({}).masterKey()).toThrow(/RADLABEL_LINKAGE_KEY/);
    const keyFile = path.join(tempDir(), 'linkage.key');
    const created = fileKeyProvider(keyFile, { create: true }).masterKey();
    expect(created).toHaveLength(32);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(fileKeyProvider(keyFile).masterKey()).equals(Buffer.from(created))).toBe(true);
  });

  it('gives racing processes that create the key file one and the same key', async () => {
    const keyFile = path.join(tempDir(), 'race', 'linkage.key');
    const script = `
      import { fileKeyProvider } from ${JSON.stringify(path.resolve('main/deid/linkage.ts'))};
      process.stdout.write(Buffer.from(fileKeyProvider(process.argv[1], { create: true }).masterKey()).toString('hex'));
    `;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', script, keyFile],
          (error, stdout) => (error ? reject(error) : resolve(stdout)),
        );
      });
    const keys = await Promise.all([run(), run(), run(), run()]);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.readdirSync(path.dirname(keyFile))).toEqual(['linkage.key']);
    // Four Node processes that compile TypeScript at start: seconds on a busy 2-core machine.
  }, 60_000);
});
