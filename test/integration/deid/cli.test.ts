/** `radlabel deid`: exit statuses, the summary, the output tree and the linkage table. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../support/cli.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { buildDicom } from '../../unit/deid/support/build-dicom.js';
import { sampleElements, T } from '../../unit/deid/support/sample.js';
import { filesUnder } from '../../support/files.js';

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCliInProcess(['deid', ...args], env);

let root: string;
let secretFile: string;
let seriesDir: string;
beforeAll(() => {
  root = makeTempDir('deid-cli');
  secretFile = path.join(root, 'project.secret');
  fs.writeFileSync(secretFile, `${'a1'.repeat(32)}\n`);
  seriesDir = ensureCtSeries({ slices: 3, size: 64, seed: 'deid-cli' }).dir;
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('radlabel deid', () => {
  it('writes every object under pseudonymous study/series folders and exits 0', async () => {
    const out = path.join(root, 'out-ok');
    const result = await cli([
      seriesDir,
      out,
      '--secret-file',
      secretFile,
      '--project-id',
      'CLI',
      '--workers',
      '0',
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/3 written, 0 held for review, 0 failed/);
    const written = filesUnder(out);
    expect(written).toHaveLength(3);
    for (const file of written)
      expect(path.relative(out, file)).toMatch(/^2\.25\.\d+\/2\.25\.\d+\/2\.25\.\d+\.dcm$/);
  });

  it('skips files that are not DICOM inside a folder, but exits 1 when an object fails', async () => {
    const input = path.join(root, 'in-broken');
    fs.mkdirSync(input);
    fs.writeFileSync(path.join(input, 'README.txt'), 'not dicom');
    const whole = buildDicom(sampleElements());
    fs.writeFileSync(path.join(input, 'truncated.dcm'), whole.subarray(0, whole.length - 7));
    fs.writeFileSync(path.join(input, 'good.dcm'), whole);
    const result = await cli([
      input,
      path.join(root, 'out-broken'),
      '--secret-file',
      secretFile,
      '--workers',
      '0',
    ]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/1 written, 0 held for review, 1 failed, 1 not DICOM/);
    expect(result.stderr).toMatch(/failed: .*truncated\.dcm: .*\[truncated\]/);
  });

  it('holds a screen capture with burned-in text for review, writes nothing for it, and exits 1', async () => {
    const input = path.join(root, 'in-held');
    fs.mkdirSync(input);
    const capture = sampleElements({
      extra: [
        { tag: T.SOPClassUID, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
        { tag: T.BurnedInAnnotation, vr: 'CS', value: 'YES' },
        { tag: 0x00080064, vr: 'CS', value: 'WSD' },
        { tag: T.Modality, vr: 'CS', value: 'OT' },
      ],
    });
    fs.writeFileSync(path.join(input, 'capture.dcm'), buildDicom(capture));
    const out = path.join(root, 'out-held');
    const result = await cli([input, out, '--secret-file', secretFile, '--workers', '0']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/0 written, 1 held for review/);
    expect(result.stderr).toMatch(/needs review: .*capture\.dcm/);
    expect(filesUnder(out)).toHaveLength(0);
  });

  it('keeps the encrypted linkage table in the data folder when given a key file', async () => {
    const dataDir = path.join(root, 'data');
    const keyFile = path.join(root, 'linkage.key');
    const result = await cli([
      seriesDir,
      path.join(root, 'out-linkage'),
      '--secret-file',
      secretFile,
      '--linkage-key-file',
      keyFile,
      '--data-dir',
      dataDir,
      '--workers',
      '1',
    ]);
    expect(result.status).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'deid-linkage.sqlite'))).toBe(true);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it.each([
    [['in', 'out'], /project secret is needed/],
    [['in-only'], /at least one input and the output/],
  ])('refuses wrong usage %j with exit 2', async (args, message) => {
    const result = await cli(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('refuses an unknown option name with exit 2', async () => {
    const result = await cli([
      seriesDir,
      path.join(root, 'x'),
      '--secret-file',
      secretFile,
      '--option',
      'retain-everything',
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Unknown option "retain-everything"/);
  });

  it('accepts options in kebab case and records them', async () => {
    const out = path.join(root, 'out-options');
    const result = await cli([
      seriesDir,
      out,
      '--secret-file',
      secretFile,
      '--option',
      'retain-longitudinal-modified-dates',
      '--option',
      'clean-descriptors',
      '--workers',
      '0',
    ]);
    expect(result.status).toBe(0);
    const bytes = fs.readFileSync(filesUnder(out)[0]!);
    expect(bytes.includes('113107')).toBe(true);
    expect(bytes.includes('113105')).toBe(true);
  });
});
