/**
 * The patient and study identity the outbox reads from one of a study's images before its
 * annotations go up as SR/SEG (`studyIdentity`, main/sync/outbox.ts). It reads the image's header
 * only, as the import does (main/dicom/header.ts), and decodes the values exactly as reading the
 * whole file with readPart10 did: the same values for Chinese (GB18030, ISO 2022 IR 58), UTF-8
 * and Latin-1 names, in explicit and implicit VR little endian, big endian and deflated files. It
 * reads a bounded head of a large image (not its pixel data) and reads images the import accepts
 * that the strict check meant for hostile SR/SEG files refuses.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Dataset, readPart10 } from '../../../main/annotation/dicom/dataset.js';
import { encodeText } from '../../../main/dicom/charset.js';
import { parseDicomHeader } from '../../../main/dicom/header.js';
import { PULLED_IDENTITY, SOURCE_IDENTITY, studyIdentity } from '../../../main/sync/outbox.js';
import { makeTempDir, pydicomTestFilesDir } from '../../fixtures/index.js';

const KEYWORDS = [...new Set([...SOURCE_IDENTITY, ...PULLED_IDENTITY])];

/** Images of one small study in each character set and encoding; usage: OUT_DIR. */
const WRITE_VARIANTS = `
import sys, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian,
                         DeflatedExplicitVRLittleEndian, generate_uid)
out = sys.argv[1]
CASES = [
    ('gb18030', 'GB18030', 'Wang^XiaoDong=王^小东=', 'Li^Hua=李^华=', ExplicitVRLittleEndian),
    # pydicom 2.3 writes no ISO 2022 escapes: placeholders, replaced by the test with escaped GB 2312.
    ('ir58', ['', 'ISO 2022 IR 58'], 'P' * int(sys.argv[2]), 'R' * int(sys.argv[3]), ExplicitVRLittleEndian),
    ('utf8', 'ISO_IR 192', 'Wang^XiaoDong=王^小东=', 'Müller^Jürgen', ExplicitVRLittleEndian),
    ('latin1', 'ISO_IR 100', 'Müller^Jürgen', 'Ångström^Åsa', ExplicitVRLittleEndian),
    ('gb18030-implicit', 'GB18030', 'Wang^XiaoDong=王^小东=', 'Li^Hua=李^华=', ImplicitVRLittleEndian),
    ('gb18030-big', 'GB18030', 'Wang^XiaoDong=王^小东=', 'Li^Hua=李^华=', ExplicitVRBigEndian),
    ('utf8-deflated', 'ISO_IR 192', 'Wang^XiaoDong=王^小东=', 'Li^Hua', DeflatedExplicitVRLittleEndian),
    ('ascii-sparse', None, 'Doe^John', None, ExplicitVRLittleEndian),
]
for name, charset, patient, referring, syntax in CASES:
    ds = Dataset()
    if charset is not None:
        ds.SpecificCharacterSet = charset
    ds.SOPClassUID = '1.2.840.10008.5.1.4.1.1.7'
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.PatientName = patient
    ds.PatientID = 'ID-' + name
    ds.StudyDate = '20240102'
    ds.StudyTime = '101112.5'
    ds.Modality = 'OT'
    if referring is not None:
        ds.ReferringPhysicianName = referring
        ds.IssuerOfPatientID = 'HOSP'
        ds.PatientBirthDate = '19700101'
        ds.PatientSex = 'M'
        ds.StudyID = 'S1'
        ds.AccessionNumber = 'ACC1'
        ds.ClinicalTrialSubjectID = 'SUBJ-1'
    else:
        ds.PatientBirthDate = ''
        ds.PatientSex = ''
    ds.Rows = 2
    ds.Columns = 2
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = 'MONOCHROME2'
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.PixelData = bytes([0, 64, 128, 255])
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = syntax
    ds.file_meta = meta
    ds.is_little_endian = syntax != ExplicitVRBigEndian
    ds.is_implicit_VR = syntax == ImplicitVRLittleEndian
    ds.preamble = b'\\0' * 128
    ds.save_as('%s/%s.dcm' % (out, name), write_like_original=False)
`;

const IR58 = ['', 'ISO 2022 IR 58'];
/** The names of the ISO 2022 IR 58 image, with their escapes (PS3.5 Annex K), padded to even lengths. */
const IR58_NAMES = ['Zhang^San=张^三=', 'Zhao^Liu=赵^六='].map((name) => {
  const bytes = Buffer.from(encodeText(name, IR58, 'pn')!);
  return bytes.length % 2 ? Buffer.concat([bytes, Buffer.from(' ')]) : bytes;
});

/** Writes the variants into `dir`, the ISO 2022 IR 58 names put in place of their placeholders. */
function writeVariants(dir: string): void {
  const written = spawnSync(
    '/usr/bin/python3',
    ['-c', WRITE_VARIANTS, dir, ...IR58_NAMES.map((name) => String(name.length))],
    { encoding: 'utf8' },
  );
  expect(written.status, written.stderr).toBe(0);
  const file = path.join(dir, 'ir58.dcm');
  const bytes = fs.readFileSync(file);
  IR58_NAMES.forEach((name, index) => {
    const at = bytes.indexOf(Buffer.alloc(name.length, index === 0 ? 'P' : 'R'));
    expect(at).toBeGreaterThan(0);
    name.copy(bytes, at);
  });
  fs.writeFileSync(file, bytes);
}

/** What the outbox read before: the whole file through readPart10, the keywords picked. */
function wholeFileIdentity(file: string): Dataset {
  const image = readPart10(fs.readFileSync(file));
  return Object.fromEntries(
    KEYWORDS.filter((keyword) => image[keyword] !== undefined).map((keyword) => [keyword, image[keyword]]),
  );
}

afterEach(() => vi.restoreAllMocks());

describe('studyIdentity: the identity of a study from one image, header only', () => {
  it('gives the values reading the whole file gave, in every character set and encoding', () => {
    const dir = makeTempDir('study-identity');
    writeVariants(dir);
    const files = fs.readdirSync(dir).map((name) => path.join(dir, name));
    expect(files).toHaveLength(8);
    const compared: string[] = [];
    for (const file of files) {
      const identity = studyIdentity(file, KEYWORDS);
      expect(identity['PatientID'], file).toBe(`ID-${path.basename(file, '.dcm')}`);
      if (path.basename(file) === 'ir58.dcm') continue; // below
      let before: Dataset;
      try {
        before = wholeFileIdentity(file);
      } catch {
        continue; // dcmjs could not read it whole; the header read can.
      }
      expect(identity, file).toEqual(before);
      compared.push(path.basename(file, '.dcm'));
    }
    // Every encoding was compared (none was left to the header read alone); Chinese names survive.
    expect(compared.sort()).toEqual(
      [
        'ascii-sparse',
        'gb18030',
        'gb18030-big',
        'gb18030-implicit',
        'latin1',
        'utf8',
        'utf8-deflated',
      ].sort(),
    );
    const gb = studyIdentity(path.join(dir, 'gb18030.dcm'), KEYWORDS);
    expect(JSON.stringify(gb['PatientName'])).toContain('王^小东');
    expect(JSON.stringify(gb['ReferringPhysicianName'])).toContain('李^华');
    // ISO 2022 IR 58: dcmjs does not read the escapes, so the whole-file read mangled the names;
    // they are decoded as the catalog decodes them now, everything else as before.
    const ir58 = path.join(dir, 'ir58.dcm');
    const { PatientName, ReferringPhysicianName, ...rest } = studyIdentity(ir58, KEYWORDS);
    expect(PatientName).toEqual([{ Alphabetic: 'Zhang^San', Ideographic: '张^三' }]);
    expect(ReferringPhysicianName).toEqual([{ Alphabetic: 'Zhao^Liu', Ideographic: '赵^六' }]);
    const before = wholeFileIdentity(ir58);
    expect(JSON.stringify(before['PatientName'])).not.toContain('张');
    expect(rest).toEqual(
      Object.fromEntries(
        Object.entries(before).filter(([key]) => key !== 'PatientName' && key !== 'ReferringPhysicianName'),
      ),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads a bounded head of a large image, not its pixel data', () => {
    const dir = makeTempDir('study-identity-large');
    const file = path.join(dir, 'large.dcm');
    writeVariants(dir);
    const enlarged = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        `import sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 4096, 4096, 16, 16, 15
ds.PixelData = bytes(4096 * 4096 * 2)
ds.save_as(sys.argv[2])`,
        path.join(dir, 'gb18030.dcm'),
        file,
      ],
      { encoding: 'utf8' },
    );
    expect(enlarged.status, enlarged.stderr).toBe(0);
    expect(fs.statSync(file).size).toBeGreaterThan(32 * 2 ** 20);
    const reads = vi.spyOn(fs, 'readSync');
    const identity = studyIdentity(file, KEYWORDS);
    const bytesRead = reads.mock.results.reduce((sum, result) => sum + Number(result.value), 0);
    expect(bytesRead).toBeGreaterThan(0);
    // The header's first read (256 KiB) and the store's check of its first bytes; the file has 32 MiB.
    expect(bytesRead).toBeLessThan(300 * 1024);
    expect(JSON.stringify(identity['PatientName'])).toContain('王^小东');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads images the import accepts that the strict SR/SEG check refuses', () => {
    const dir = makeTempDir('study-identity-quirky');
    // Encapsulated Pixel Data without its closing Sequence Delimitation Item, as some writers leave it.
    const jpeg = fs.readFileSync(path.join(pydicomTestFilesDir, 'JPEG2000.dcm'));
    expect(jpeg.subarray(jpeg.length - 8).toString('hex')).toBe('feffdde000000000');
    const undelimited = path.join(dir, 'undelimited.dcm');
    fs.writeFileSync(undelimited, jpeg.subarray(0, jpeg.length - 8));
    for (const file of [undelimited]) {
      const bytes = fs.readFileSync(file);
      expect(() => readPart10(bytes)).toThrow(/damaged/);
      const header = parseDicomHeader(bytes);
      const identity = studyIdentity(file, KEYWORDS);
      expect(identity['PatientID']).toBe(header.patientId);
      expect(identity['StudyDate']).toBe(header.studyDate);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
