import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_HEADER_BYTES, parseDicomHeader, readDicomHeader } from '../../../main/dicom/header.js';
import { encodePart10, ensureCtSeries, makeTempDir, pydicomTestFilesDir } from '../../fixtures/index.js';

const dir = makeTempDir('header');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('DICOM header reading', () => {
  it('reads the catalog fields of a CT image', () => {
    const header = parseDicomHeader(fs.readFileSync(path.join(pydicomTestFilesDir, 'CT_small.dcm')));
    expect(header).toMatchObject({
      kind: 'image',
      sopInstanceUID: '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322',
      studyInstanceUID: '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322',
      modality: 'CT',
      patientId: '1CT1',
      rows: 128,
      columns: 128,
      numberOfFrames: 1,
      transferSyntaxUID: '1.2.840.10008.1.2.1',
    });
    // ImagePositionPatient z = −75.7 on an axial slice: 75.7 mm in the head-to-feet direction.
    expect(header.slicePosition).toBeCloseTo(75.7, 1);
  });

  it('reads big endian, implicit VR and deflated files', () => {
    for (const name of ['MR_small_bigendian.dcm', 'MR_small_implicit.dcm', 'image_dfl.dcm']) {
      expect(parseDicomHeader(fs.readFileSync(path.join(pydicomTestFilesDir, name))).kind).toBe('image');
    }
  });

  it('reads only the start of a huge file', () => {
    // A 2 GB image: a real header followed by a sparse (unwritten) pixel area.
    const slice = fs.readFileSync(ensureCtSeries({ slices: 2, size: 64 }).files[0]!);
    const pixelTag = slice.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57]));
    const huge = 2 * 2 ** 30;
    const header = Buffer.from(slice.subarray(0, pixelTag + 12));
    header.writeUInt32LE(huge - header.length, pixelTag + 8);
    const file = path.join(dir, 'huge.dcm');
    fs.writeFileSync(file, header);
    fs.truncateSync(file, huge);

    const requested: number[] = [];
    const fd = fs.openSync(file, 'r');
    try {
      const parsed = readDicomHeader((length) => {
        requested.push(length);
        const buffer = Buffer.alloc(length);
        return buffer.subarray(0, fs.readSync(fd, buffer, 0, length, 0));
      }, huge);
      expect(parsed.rows).toBe(64);
    } finally {
      fs.closeSync(fd);
    }
    expect(Math.max(...requested)).toBeLessThanOrEqual(256 * 1024);
  });

  it('reads the header of a large parametric map (Float Pixel Data) without reading the floats', () => {
    const floats = 300 * 2 ** 20;
    const header = encodePart10({
      sopClassUID: '1.2.840.10008.5.1.4.1.1.30',
      sopInstanceUID: '1.2.3.4.5',
      elements: [
        { tag: 0x00080018, vr: 'UI', value: '1.2.3.4.5' },
        { tag: 0x0020000d, vr: 'UI', value: '1.2.3' },
        { tag: 0x0020000e, vr: 'UI', value: '1.2.3.4' },
        { tag: 0x00280010, vr: 'US', value: [1024] },
      ],
    });
    const floatPixelData = Buffer.from([0xe0, 0x7f, 0x08, 0x00, 0x4f, 0x46, 0, 0, 0, 0, 0, 0]);
    floatPixelData.writeUInt32LE(floats, 8);
    const start = Buffer.concat([header, floatPixelData]);
    const requested: number[] = [];
    const parsed = readDicomHeader((length) => {
      requested.push(length);
      const bytes = new Uint8Array(length);
      bytes.set(start);
      return bytes;
    }, start.length + floats);
    expect(parsed).toMatchObject({ kind: 'image', sopInstanceUID: '1.2.3.4.5', rows: 1024 });
    expect(Math.max(...requested)).toBeLessThanOrEqual(256 * 1024);
  });

  it('calls an empty file not DICOM', () => {
    expect(codeOf(() => parseDicomHeader(new Uint8Array(0)))).toBe('not-dicom');
  });

  it('calls a file without the DICM prefix not DICOM', () => {
    expect(
      codeOf(() => parseDicomHeader(fs.readFileSync(path.join(pydicomTestFilesDir, 'no_meta.dcm')))),
    ).toBe('not-dicom');
  });

  it('calls a file cut inside its pixel data truncated', () => {
    expect(
      codeOf(() => parseDicomHeader(fs.readFileSync(path.join(pydicomTestFilesDir, 'MR_truncated.dcm')))),
    ).toBe('truncated');
  });

  it('calls a file cut inside its header truncated', () => {
    const bytes = fs.readFileSync(path.join(pydicomTestFilesDir, 'CT_small.dcm')).subarray(0, 700);
    expect(codeOf(() => parseDicomHeader(bytes))).toBe('truncated');
  });

  it('stops reading at the header cap and calls the file malformed', () => {
    // A 1 GB private element before the pixel data of a 2 GB file: no real header looks like this.
    const prefix = encodePart10({
      sopClassUID: '1.2.840.10008.5.1.4.1.1.7',
      sopInstanceUID: '1.2.3.4',
      elements: [{ tag: 0x00080018, vr: 'UI', value: '1.2.3.4' }],
    });
    const hostileElement = Buffer.from([0x09, 0x00, 0x10, 0x10, 0x4f, 0x42, 0, 0, 0, 0, 0, 0x40]);
    const start = Buffer.concat([prefix, hostileElement]);
    const requested: number[] = [];
    const code = codeOf(() =>
      readDicomHeader(
        (length) => {
          requested.push(length);
          const bytes = new Uint8Array(length);
          bytes.set(start);
          return bytes;
        },
        2 * 2 ** 30,
      ),
    );
    expect(code).toBe('malformed');
    expect(Math.max(...requested)).toBe(MAX_HEADER_BYTES);
  });
});
