/**
 * `radlabel deid --deface` on the generated head phantom: the face-bearing series is cut along its
 * automatic surface and written defaced (nose, lips and chin air, the brain bit-identical,
 * DeidentificationMethodCodeSequence with 113102 and not 113101 for it); with the option alone
 * and no cut accepted in the app, the series is held and nothing of it is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run.js';
import { parseDicomFile } from '../../../main/deid/dicom/walker.js';
import {
  ensureHeadPhantom,
  PHANTOM_INTERCEPT,
  PHANTOM_SIZE,
  PHANTOM_SLICES,
  phantomPart,
  phantomPoint,
} from '../../fixtures/head-phantom.js';
import { makeTempDir } from '../../fixtures/index.js';

const phantom = ensureHeadPhantom('cli-deface');

async function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await runCli(['deid', ...args], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    onInterrupt: () => () => undefined,
  });
  return { status, stdout, stderr };
}

function dicomFilesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.dcm'))
    .map((name) => path.join(dir, name));
}

/** Modality values (HU), the slice's z and the CID 7050 codes written in the file. */
function readSlice(file: string): { hu: Int16Array; z: number; codes: string[] } {
  const bytes = fs.readFileSync(file);
  const parsed = parseDicomFile(bytes);
  const pixel = parsed.dataset.find((element) => element.tag === 0x7fe00010)!;
  const position = parsed.dataset.find((element) => element.tag === 0x00200032)!;
  const z = Number(
    Buffer.from(parsed.bytes.subarray(position.valueStart, position.valueStart + position.valueLength))
      .toString('latin1')
      .split('\\')[2],
  );
  const view = Buffer.from(
    parsed.bytes.buffer,
    parsed.bytes.byteOffset + pixel.valueStart,
    pixel.valueLength,
  );
  const hu = new Int16Array(PHANTOM_SIZE * PHANTOM_SIZE);
  for (let index = 0; index < hu.length; index += 1)
    hu[index] = view.readInt16LE(2 * index) + PHANTOM_INTERCEPT;
  return { hu, z, codes: [...bytes.toString('latin1').matchAll(/1131\d\d/g)].map((match) => match[0]) };
}

let root: string;
let secretFile: string;
beforeAll(() => {
  root = makeTempDir('deid-cli-deface');
  secretFile = path.join(root, 'project.secret');
  fs.writeFileSync(secretFile, `${'b2'.repeat(32)}\n`);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('radlabel deid --deface', () => {
  it('writes the head defaced: nose, lips and chin air, the brain bit-identical, 113102 recorded', async () => {
    const out = path.join(root, 'defaced');
    const result = await cli([
      phantom.dir,
      out,
      '--deface',
      '--secret-file',
      secretFile,
      '--workers',
      '0',
      '--data-dir',
      path.join(root, 'data'),
    ]);
    expect(result.stderr).not.toMatch(/failed:|needs review:/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/face: .*\(96 images\): defaced with the automatic cut/);
    expect(result.stdout).toMatch(/96 written, 0 held for review/);
    const originals = new Map(
      phantom.files.map((file) => {
        const read = readSlice(file);
        return [read.z.toFixed(2), read.hu];
      }),
    );
    const written = dicomFilesUnder(out);
    expect(written).toHaveLength(PHANTOM_SLICES);
    let face = 0;
    for (const file of written) {
      const { hu, z, codes } = readSlice(file);
      expect(codes).toContain('113102');
      expect(codes).not.toContain('113101');
      const original = originals.get(z.toFixed(2))!;
      const k = Math.round((60 - z) / 1.5);
      for (let row = 0; row < PHANTOM_SIZE; row += 1)
        for (let column = 0; column < PHANTOM_SIZE; column += 1) {
          const part = phantomPart(...phantomPoint(column, row, k));
          const index = row * PHANTOM_SIZE + column;
          if (part === 'nose' || part === 'lips' || part === 'chin') {
            face += 1;
            expect(hu[index]).toBe(-1000);
          } else if (part === 'brain' && hu[index] !== original[index])
            expect.fail(`brain changed at ${column},${row},${k}`);
        }
    }
    expect(face).toBeGreaterThan(1000);
  }, 180_000);

  it('with the option alone and no accepted cut, the face-bearing series is held and not written', async () => {
    const out = path.join(root, 'held');
    const result = await cli([
      phantom.dir,
      out,
      '--option',
      'clean-recognizable-visual-features',
      '--secret-file',
      secretFile,
      '--workers',
      '0',
      '--data-dir',
      path.join(root, 'data'),
    ]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/face: .*: held until defaced \(add --deface/);
    expect(result.stdout).toMatch(/0 written, 96 held for review/);
    expect(dicomFilesUnder(out)).toEqual([]);
  }, 180_000);
});
