/**
 * A small, realistic image object with the kinds of content de-identification must handle:
 * identity, dates and times, UIDs at the top level and in reference sequences, descriptors,
 * private blocks (one safe attribute, one not), an overlay and pixel data.
 */
import type { El } from './build-dicom.js';
import type { DeidConfig } from '../../../../main/deid/index.js';
import type { PixelCleaner } from '../../../../main/deid/pixels/types.js';

export const T = {
  SpecificCharacterSet: 0x00080005,
  ImageType: 0x00080008,
  InstanceCreationDate: 0x00080012,
  SOPClassUID: 0x00080016,
  SOPInstanceUID: 0x00080018,
  StudyDate: 0x00080020,
  SeriesDate: 0x00080021,
  AcquisitionDate: 0x00080022,
  ContentDate: 0x00080023,
  AcquisitionDateTime: 0x0008002a,
  StudyTime: 0x00080030,
  AccessionNumber: 0x00080050,
  Modality: 0x00080060,
  Manufacturer: 0x00080070,
  InstitutionName: 0x00080080,
  ReferringPhysicianName: 0x00080090,
  StationName: 0x00081010,
  StudyDescription: 0x00081030,
  SeriesDescription: 0x0008103e,
  OperatorsName: 0x00081070,
  ReferencedStudySequence: 0x00081110,
  ReferencedImageSequence: 0x00081140,
  ReferencedSOPClassUID: 0x00081150,
  ReferencedSOPInstanceUID: 0x00081155,
  SourceImageSequence: 0x00082112,
  DerivationDescription: 0x00082111,
  PatientName: 0x00100010,
  PatientID: 0x00100020,
  IssuerOfPatientID: 0x00100021,
  PatientBirthDate: 0x00100030,
  PatientSex: 0x00100040,
  OtherPatientIDs: 0x00101000,
  PatientAge: 0x00101010,
  PatientWeight: 0x00101030,
  PatientAddress: 0x00101040,
  PatientComments: 0x00104000,
  ClinicalTrialSponsorName: 0x00120010,
  ClinicalTrialProtocolID: 0x00120020,
  ClinicalTrialSubjectID: 0x00120040,
  PatientIdentityRemoved: 0x00120062,
  DeidentificationMethod: 0x00120063,
  DeidentificationMethodCodeSequence: 0x00120064,
  DeviceSerialNumber: 0x00181000,
  SoftwareVersions: 0x00181020,
  ProtocolName: 0x00181030,
  StudyInstanceUID: 0x0020000d,
  SeriesInstanceUID: 0x0020000e,
  StudyID: 0x00200010,
  FrameOfReferenceUID: 0x00200052,
  PositionReferenceIndicator: 0x00201040,
  ImageComments: 0x00204000,
  Rows: 0x00280010,
  Columns: 0x00280011,
  BitsAllocated: 0x00280100,
  BurnedInAnnotation: 0x00280301,
  LongitudinalTemporalInformationModified: 0x00280303,
  WindowCenterWidthExplanation: 0x00281055,
  CodeValue: 0x00080100,
  CodeMeaning: 0x00080104,
  OverlayData: 0x60003000,
  OverlayRows: 0x60000010,
  PixelData: 0x7fe00010,
} as const;

export const sample = {
  patientName: 'DOE^JANE',
  patientId: 'PID-778812',
  birthDate: '19610423',
  studyDate: '20240311',
  accession: 'ACC99812',
  studyUid: '1.2.826.0.1.3680043.8.498.1001',
  seriesUid: '1.2.826.0.1.3680043.8.498.1001.1',
  sopUid: '1.2.826.0.1.3680043.8.498.1001.1.1',
  referencedUid: '1.2.826.0.1.3680043.8.498.1001.1.2',
  frameOfReferenceUid: '1.2.826.0.1.3680043.8.498.1001.9',
};

export interface SampleOptions {
  patientName?: string;
  patientId?: string;
  sopUid?: string;
  seriesUid?: string;
  studyDescription?: string;
  extra?: El[];
}

export function sampleElements(options: SampleOptions = {}): El[] {
  const elements: El[] = [
    { tag: T.SpecificCharacterSet, vr: 'CS', value: 'ISO_IR 100' },
    { tag: T.ImageType, vr: 'CS', value: 'ORIGINAL\\PRIMARY\\AXIAL' },
    { tag: T.InstanceCreationDate, vr: 'DA', value: '20240311' },
    { tag: T.SOPClassUID, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
    { tag: T.SOPInstanceUID, vr: 'UI', value: options.sopUid ?? sample.sopUid },
    { tag: T.StudyDate, vr: 'DA', value: sample.studyDate },
    { tag: T.SeriesDate, vr: 'DA', value: '20240311' },
    { tag: T.AcquisitionDate, vr: 'DA', value: '20240312' },
    { tag: T.ContentDate, vr: 'DA', value: '20240311' },
    { tag: T.AcquisitionDateTime, vr: 'DT', value: '20240312081530.25+0100' },
    { tag: T.StudyTime, vr: 'TM', value: '081200' },
    { tag: T.AccessionNumber, vr: 'SH', value: sample.accession },
    { tag: T.Modality, vr: 'CS', value: 'CT' },
    { tag: T.Manufacturer, vr: 'LO', value: 'ACME Medical' },
    { tag: T.InstitutionName, vr: 'LO', value: 'St Elsewhere Hospital' },
    { tag: T.ReferringPhysicianName, vr: 'PN', value: 'HOUSE^GREGORY' },
    { tag: T.StationName, vr: 'SH', value: 'CT-ROOM-3' },
    { tag: T.StudyDescription, vr: 'LO', value: options.studyDescription ?? 'CT CHEST WITH CONTRAST' },
    { tag: T.SeriesDescription, vr: 'LO', value: 'AXIAL 1.25' },
    { tag: T.OperatorsName, vr: 'PN', value: 'TECH^TOM' },
    {
      tag: T.ReferencedImageSequence,
      vr: 'SQ',
      value: [
        [
          { tag: T.ReferencedSOPClassUID, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
          { tag: T.ReferencedSOPInstanceUID, vr: 'UI', value: sample.referencedUid },
        ],
      ],
    },
    {
      tag: T.SourceImageSequence,
      vr: 'SQ',
      undefinedLength: true,
      value: [
        [
          { tag: T.ReferencedSOPClassUID, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
          { tag: T.ReferencedSOPInstanceUID, vr: 'UI', value: sample.referencedUid },
        ],
      ],
    },
    { tag: T.PatientName, vr: 'PN', value: options.patientName ?? sample.patientName },
    { tag: T.PatientID, vr: 'LO', value: options.patientId ?? sample.patientId },
    { tag: T.IssuerOfPatientID, vr: 'LO', value: 'HOSP-A' },
    { tag: T.PatientBirthDate, vr: 'DA', value: sample.birthDate },
    { tag: T.PatientSex, vr: 'CS', value: 'F' },
    { tag: T.OtherPatientIDs, vr: 'LO', value: 'OLD-4411' },
    { tag: T.PatientAge, vr: 'AS', value: '062Y' },
    { tag: T.PatientWeight, vr: 'DS', value: '61.5' },
    { tag: T.PatientAddress, vr: 'LO', value: '12 Elm Street' },
    { tag: T.PatientComments, vr: 'LT', value: 'Allergic to iodine' },
    { tag: T.DeviceSerialNumber, vr: 'LO', value: 'SN-4471' },
    { tag: T.SoftwareVersions, vr: 'LO', value: 'VA20' },
    { tag: T.ProtocolName, vr: 'LO', value: 'CHEST ROUTINE' },
    { tag: T.StudyInstanceUID, vr: 'UI', value: sample.studyUid },
    { tag: T.SeriesInstanceUID, vr: 'UI', value: options.seriesUid ?? sample.seriesUid },
    { tag: T.StudyID, vr: 'SH', value: 'S1234' },
    { tag: T.FrameOfReferenceUID, vr: 'UI', value: sample.frameOfReferenceUid },
    { tag: T.PositionReferenceIndicator, vr: 'LO', value: '' },
    { tag: T.ImageComments, vr: 'LT', value: 'Jane Doe, follow-up' },
    { tag: T.Rows, vr: 'US', value: [4] },
    { tag: T.Columns, vr: 'US', value: [4] },
    { tag: T.BitsAllocated, vr: 'US', value: [16] },
    { tag: 0x00090010, vr: 'LO', value: 'ACME PRIVATE' },
    { tag: 0x00091001, vr: 'LO', value: 'private secret' },
    { tag: 0x00190010, vr: 'LO', value: 'SIEMENS MR HEADER' },
    { tag: 0x0019100c, vr: 'IS', value: '1000' },
    { tag: 0x00191099, vr: 'LO', value: 'DOE JANE' },
    { tag: T.OverlayRows, vr: 'US', value: [4] },
    { tag: T.OverlayData, vr: 'OW', value: Buffer.alloc(4, 0xff) },
    { tag: T.PixelData, vr: 'OW', value: Buffer.from(Array.from({ length: 32 }, (_, i) => i)) },
  ];
  return [
    ...elements.filter((el) => !(options.extra ?? []).some((extra) => extra.tag === el.tag)),
    ...(options.extra ?? []),
  ];
}

/** Keeps pixels as they are (CT with BurnedInAnnotation absent is low risk for the real cleaner too). */
export const keepPixels: PixelCleaner = { clean: async () => ({ action: 'keep', reasons: [], regions: [] }) };

export function config(overrides: Partial<DeidConfig> = {}): DeidConfig {
  return {
    profile: 'basic',
    options: ['retainLongitudinalModifiedDates', 'cleanDescriptors', 'retainSafePrivate'],
    projectSecret: Buffer.alloc(32, 1),
    projectId: 'LUNG01',
    clinicalTrial: { sponsorName: 'RadLabel Research', protocolId: 'LUNG-2026', siteId: 'SITE7' },
    pixelCleaner: keepPixels,
    ...overrides,
  };
}
