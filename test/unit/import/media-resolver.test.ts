import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MediaResolver, isDicomdirName } from '../../../main/import/dicomdir.js';
import { makeTempDir } from '../../fixtures/index.js';

const root = makeTempDir('media');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
fs.mkdirSync(path.join(root, 'dicom', 'st000001'), { recursive: true });
fs.writeFileSync(path.join(root, 'dicom', 'st000001', 'im000001'), '');
fs.writeFileSync(path.join(root, 'dicom', 'st000001', 'IM000002.;1'), '');
fs.writeFileSync(path.join(root, 'dicom', 'st000001', 'im000003.'), '');

describe('DICOMDIR file ids on copied media', () => {
  const resolver = new MediaResolver(root);

  it('matches components whatever their case', () => {
    expect(resolver.resolve(['DICOM', 'ST000001', 'IM000001'])).toBe(
      path.join(root, 'dicom', 'st000001', 'im000001'),
    );
  });

  it('ignores ISO 9660 version suffixes and trailing dots', () => {
    expect(resolver.resolve(['DICOM', 'ST000001', 'IM000002'])).toBe(
      path.join(root, 'dicom', 'st000001', 'IM000002.;1'),
    );
    expect(resolver.resolve(['DICOM', 'ST000001', 'IM000003'])).toBe(
      path.join(root, 'dicom', 'st000001', 'im000003.'),
    );
  });

  it('resolves nothing outside the media or missing', () => {
    expect(resolver.resolve(['..', 'etc', 'passwd'])).toBeNull();
    expect(resolver.resolve(['DICOM', 'ST000001', 'IM000009'])).toBeNull();
    expect(resolver.resolve(['DICOM', 'ST000001', 'IM000001', 'DEEPER'])).toBeNull();
  });

  it('recognises DICOMDIR in any case', () => {
    expect(['DICOMDIR', 'dicomdir', 'DicomDir'].every(isDicomdirName)).toBe(true);
    expect(isDicomdirName('DICOMDIR.bak')).toBe(false);
  });
});
