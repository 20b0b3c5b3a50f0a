/** DICOMDIR media whose records pass through symbolic links that lead off the media (#7 item 15). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { openHarness } from './harness.js';

const scratch = makeTempDir('dicomdir-links');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('DICOMDIR records through links', () => {
  it('reads no file that a link leads to outside the media, and lists each such record as skipped with its reason', async () => {
    const onMedia = ensureCtSeries({ slices: 3, size: 32, seed: 'dicomdir-links-media' });
    const offMedia = ensureCtSeries({ slices: 2, size: 32, seed: 'dicomdir-links-outside' });
    const root = path.join(scratch, 'media');
    const outside = path.join(scratch, 'outside');
    fs.mkdirSync(path.join(root, 'DICOM', 'OUT'), { recursive: true });
    fs.mkdirSync(outside);
    onMedia.files.forEach((file, index) =>
      fs.copyFileSync(file, path.join(root, 'DICOM', `IM00000${index + 1}`)),
    );
    // While the DICOMDIR is written, every listed file is on the media.
    fs.copyFileSync(offMedia.files[0]!, path.join(root, 'DICOM', 'OUT', 'IM000009'));
    fs.copyFileSync(offMedia.files[1]!, path.join(root, 'DICOM', 'IM000008'));
    execFileSync('dcmmkdir', ['--recurse', '+id', root, '+D', path.join(root, 'DICOMDIR'), 'DICOM'], {
      cwd: root,
      stdio: 'pipe',
    });
    // Then a folder and a file of the media become links to files elsewhere on this computer.
    fs.copyFileSync(offMedia.files[0]!, path.join(outside, 'IM000009'));
    fs.copyFileSync(offMedia.files[1]!, path.join(outside, 'SECRET.dcm'));
    fs.rmSync(path.join(root, 'DICOM', 'OUT'), { recursive: true });
    fs.symlinkSync(outside, path.join(root, 'DICOM', 'OUT'));
    fs.rmSync(path.join(root, 'DICOM', 'IM000008'));
    fs.symlinkSync(path.join(outside, 'SECRET.dcm'), path.join(root, 'DICOM', 'IM000008'));
    // A link that stays on the media is fine.
    fs.renameSync(path.join(root, 'DICOM', 'IM000003'), path.join(root, 'IM3-REAL'));
    fs.symlinkSync(path.join(root, 'IM3-REAL'), path.join(root, 'DICOM', 'IM000003'));

    const harness = openHarness();
    try {
      const { progress } = await harness.importPaths([root]);
      expect(progress).toMatchObject({ phase: 'done', added: 3, failed: 0 });
      const refused = progress.skippedFiles.filter((entry) => /off the media/.test(entry.message));
      expect(refused.map((entry) => path.relative(root, entry.path)).sort()).toEqual([
        path.join('DICOM', 'IM000008'),
        path.join('DICOM', 'OUT', 'IM000009'),
      ]);
      for (const entry of refused) expect(entry.code).toBe('bad-archive');
      const stored = await harness.services.handlers['catalog.getStudy']({
        studyInstanceUID: offMedia.studyInstanceUID,
      }).catch(() => null);
      expect(stored).toBeNull();
    } finally {
      await harness.close();
    }
  });
});
