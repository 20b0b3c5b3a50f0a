/**
 * A retrieved instance is named by its SOP Instance UID read from its first bytes
 * (`part10InstanceUID`, main/sync/dicomweb-client.ts): the file meta information's and the data
 * set's UIDs, when both are there and agree; anything else is left to the full header parse.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDicomHeaderFromFile } from '../../../main/dicom/header.js';
import { part10InstanceUID } from '../../../main/sync/dicomweb-client.js';
import { ensureCtSeries } from '../../fixtures/index.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

describe('the SOP Instance UID of a retrieved instance, from its first bytes', () => {
  it('is the one the full header parse reads, for explicit and implicit little endian files', () => {
    const ct = ensureCtSeries({ slices: 2, size: 64, seed: 'part10-uid' });
    const files = [
      ...ct.files,
      path.join(PYDICOM, 'CT_small.dcm'),
      path.join(PYDICOM, 'MR_small.dcm'),
      path.join(PYDICOM, 'MR_small_implicit.dcm'),
      path.join(PYDICOM, 'MR_small_RLE.dcm'),
    ];
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      expect(part10InstanceUID(bytes.subarray(0, 16 * 1024)), file).toBe(
        readDicomHeaderFromFile(file).sopInstanceUID,
      );
    }
  });

  it('leaves big endian files, cut headers and disagreeing UIDs to the full parse (null)', () => {
    expect(part10InstanceUID(fs.readFileSync(path.join(PYDICOM, 'MR_small_bigendian.dcm')))).toBeNull();
    const ct = ensureCtSeries({ slices: 1, size: 64, seed: 'part10-uid' });
    const bytes = fs.readFileSync(ct.files[0]!);
    const uid = ct.sopInstanceUIDs[0]!;
    // Cut before the data set's UID.
    const at = bytes.lastIndexOf(Buffer.from(uid, 'latin1'));
    expect(part10InstanceUID(bytes.subarray(0, at + 4))).toBeNull();
    // The data set names another instance than the meta information.
    const other = Buffer.from(bytes);
    other[at + uid.length - 1] = other[at + uid.length - 1] === 0x31 ? 0x32 : 0x31;
    expect(part10InstanceUID(other)).toBeNull();
    // Not Part 10.
    expect(part10InstanceUID(Buffer.alloc(4000, 0x41))).toBeNull();
  });
});
