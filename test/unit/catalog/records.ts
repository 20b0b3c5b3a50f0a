/** Catalog records for unit tests, without DICOM files (the catalog only sees header fields). */
import crypto from 'node:crypto';
import type { InstanceRecord } from '../../../main/catalog/catalog.js';

export function instanceRecord(
  overrides: Partial<InstanceRecord> & { sopInstanceUID: string },
): InstanceRecord {
  const sha256 =
    overrides.sha256 ?? crypto.createHash('sha256').update(overrides.sopInstanceUID).digest('hex');
  return {
    transferSyntaxUID: '1.2.840.10008.1.2.1',
    sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
    studyInstanceUID: '1.2.3',
    seriesInstanceUID: '1.2.3.1',
    patientId: 'P1',
    patientName: { alphabetic: 'Doe^Jane', ideographic: '', phonetic: '' },
    patientBirthDate: '19800101',
    patientSex: 'F',
    studyDate: '20240101',
    studyTime: '120000',
    studyDescription: 'CT chest',
    accessionNumber: 'A1',
    seriesNumber: 1,
    modality: 'CT',
    seriesDescription: 'axial',
    bodyPartExamined: 'CHEST',
    instanceNumber: null,
    numberOfFrames: 1,
    rows: 512,
    columns: 512,
    slicePosition: null,
    filePath: `${sha256.slice(0, 2)}/${sha256}.dcm`,
    fileSize: 1000,
    sha256,
    ...overrides,
  };
}
