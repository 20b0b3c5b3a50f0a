/**
 * The attributes the engine reads or writes by name, and the VR classes its rules are written in.
 */
export const Tag = {
  SpecificCharacterSet: 0x00080005,
  ImageType: 0x00080008,
  SOPClassUID: 0x00080016,
  SOPInstanceUID: 0x00080018,
  StudyDate: 0x00080020,
  SeriesDate: 0x00080021,
  AcquisitionDate: 0x00080022,
  ContentDate: 0x00080023,
  AccessionNumber: 0x00080050,
  Modality: 0x00080060,
  ConversionType: 0x00080064,
  Manufacturer: 0x00080070,
  InstitutionName: 0x00080080,
  ReferringPhysicianName: 0x00080090,
  ManufacturerModelName: 0x00081090,
  PatientName: 0x00100010,
  PatientID: 0x00100020,
  IssuerOfPatientID: 0x00100021,
  PatientBirthDate: 0x00100030,
  OtherPatientIDs: 0x00101000,
  OtherPatientNames: 0x00101001,
  PatientBirthName: 0x00101005,
  PatientAge: 0x00101010,
  PatientAddress: 0x00101040,
  PatientMotherBirthName: 0x00101060,
  PatientTelephoneNumbers: 0x00102154,
  ClinicalTrialSponsorName: 0x00120010,
  ClinicalTrialProtocolID: 0x00120020,
  ClinicalTrialProtocolName: 0x00120021,
  ClinicalTrialSiteID: 0x00120030,
  ClinicalTrialSiteName: 0x00120031,
  ClinicalTrialSubjectID: 0x00120040,
  PatientIdentityRemoved: 0x00120062,
  DeidentificationMethod: 0x00120063,
  DeidentificationMethodCodeSequence: 0x00120064,
  StudyInstanceUID: 0x0020000d,
  SeriesInstanceUID: 0x0020000e,
  SamplesPerPixel: 0x00280002,
  PhotometricInterpretation: 0x00280004,
  PlanarConfiguration: 0x00280006,
  NumberOfFrames: 0x00280008,
  Rows: 0x00280010,
  Columns: 0x00280011,
  BitsAllocated: 0x00280100,
  BitsStored: 0x00280101,
  PixelRepresentation: 0x00280103,
  BurnedInAnnotation: 0x00280301,
  LongitudinalTemporalInformationModified: 0x00280303,
  ExtendedOffsetTable: 0x7fe00001,
  ExtendedOffsetTableLengths: 0x7fe00002,
  PixelData: 0x7fe00010,
  CodeValue: 0x00080100,
  CodingSchemeDesignator: 0x00080102,
  CodeMeaning: 0x00080104,
} as const;

/** Free text: what a person or device may have typed anything into. */
export const textVrs = new Set(['AE', 'AS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT']);
/** Text whose bytes follow SpecificCharacterSet. */
export const charsetVrs = new Set(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);
export const temporalVrs = new Set(['DA', 'DT', 'TM']);
/** Values the trace can show as text besides free text and dates. */
export const shownAsTextVrs = new Set(['CS', 'UI', 'DS', 'IS']);

export function isPrivate(tag: number): boolean {
  return ((tag >>> 16) & 1) === 1;
}

export function isRepeatingGroup(tag: number, base: number): boolean {
  const group = tag >>> 16;
  return (group & 0xff00) === base && (group & 1) === 0;
}
