/**
 * `radlabel deid --deface` on the generated head phantom: the face-bearing series is cut along its
 * automatic surface and written defaced (nose, lips and chin air, the brain bit-identical,
 * DeidentificationMethodCodeSequence with 113102 and not 113101 for it); with the option alone
 * and no cut accepted in the app, the series is held and nothing of it is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../support/cli.js';
import { checkDefaced, dicomFilesUnder } from '../../fixtures/deface-check.js';
import { ensureHeadPhantom, PHANTOM_SLICES } from '../../fixtures/head-phantom.js';
import { makeTempDir } from '../../fixtures/index.js';

const phantom = ensureHeadPhantom('cli-deface');

const cli = (args: string[]) => runCliInProcess(['deid', ...args]);

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
    const written = dicomFilesUnder(out);
    expect(written).toHaveLength(PHANTOM_SLICES);
    const verdict = checkDefaced(written, phantom);
    expect(verdict.problems).toEqual([]);
    expect(verdict.faceVoxels).toBeGreaterThan(1000);
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
