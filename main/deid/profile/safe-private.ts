/**
 * Private attributes that are safe to keep under the Retain Safe Private Option, keyed by
 * private creator: the attributes of PS3.15 Table E.3.10-1 "Safe Private Attributes" that carry
 * acquisition physics (diffusion b-values and directions, CT table speed, slice geometry), never
 * names, ids or dates. A project may add entries for its scanners (DeidConfig.safePrivate).
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

export const standardSafePrivateAttributes: SafePrivateAttribute[] = [
  safe('GEMS_ACQU_01', '0019,xx23', 'Table Speed [mm/rotation]'),
  safe('GEMS_ACQU_01', '0019,xx24', 'Mid Scan Time [sec]'),
  safe('GEMS_ACQU_01', '0019,xx27', 'Rotation Speed (Gantry Period)'),
  safe('GEMS_ACQU_01', '0019,xx9E', 'Internal Pulse Sequence Name'),
  safe('GEMS_PARM_01', '0043,xx27', 'Scan Pitch Ratio'),
  safe('GEMS_PARM_01', '0043,xx39', 'Slop_int_6..slop_int_9 (b-value)'),
  safe('GEMS_PARM_01', '0043,xx6F', 'Scanner Table Entry + Gradient Coil Selected'),
  safe('GEMS_SERS_01', '0025,xx07', 'Images in Series'),
  safe('SIEMENS MR HEADER', '0019,xx08', 'Imaging Frequency'),
  safe('SIEMENS MR HEADER', '0019,xx0A', 'Number of Images in Mosaic'),
  safe('SIEMENS MR HEADER', '0019,xx0B', 'Slice Measurement Duration'),
  safe('SIEMENS MR HEADER', '0019,xx0C', 'B Value'),
  safe('SIEMENS MR HEADER', '0019,xx0D', 'Diffusion Directionality'),
  safe('SIEMENS MR HEADER', '0019,xx0E', 'Diffusion Gradient Direction'),
  safe('SIEMENS MR HEADER', '0019,xx0F', 'Gradient Mode'),
  safe('SIEMENS MR HEADER', '0019,xx11', 'Flow Compensation'),
  safe('SIEMENS MR HEADER', '0019,xx12', 'Table Position Origin'),
  safe('SIEMENS MR HEADER', '0019,xx13', 'Image Absolute Table Position'),
  safe('SIEMENS MR HEADER', '0019,xx14', 'Image Relative Table Position'),
  safe('SIEMENS MR HEADER', '0019,xx15', 'Slice Position PCS'),
  safe('SIEMENS MR HEADER', '0019,xx16', 'Time After Start'),
  safe('SIEMENS MR HEADER', '0019,xx17', 'Slice Resolution'),
  safe('SIEMENS MR HEADER', '0019,xx18', 'Real Dwell Time'),
  safe('SIEMENS MR HEADER', '0019,xx27', 'B Matrix'),
  safe('SIEMENS MR HEADER', '0019,xx28', 'Bandwidth per Pixel Phase Encode'),
  safe('SIEMENS MR HEADER', '0051,xx0B', 'Acquisition Matrix Text'),
  safe('SIEMENS MR HEADER', '0051,xx0C', 'Field of View'),
  safe('SIEMENS MR HEADER', '0051,xx0E', 'Slice Orientation'),
  safe('SIEMENS CT VA0  COAD', '0019,xx92', 'Osteo Offset'),
  safe('SIEMENS CT VA0  COAD', '0019,xx93', 'Osteo Regression Line Slope'),
  safe('SIEMENS CT VA0  COAD', '0019,xxB0', 'Feed per Rotation'),
  safe('Philips Imaging DD 001', '2001,xx03', 'Diffusion B-Factor'),
  safe('Philips Imaging DD 001', '2001,xx04', 'Diffusion Direction'),
  safe('Philips Imaging DD 001', '2001,xx08', 'Phase Number'),
  safe('Philips Imaging DD 001', '2001,xx09', 'Image Prepulse Delay'),
  safe('Philips Imaging DD 001', '2001,xx0A', 'Slice Number MR'),
  safe('Philips MR Imaging DD 001', '2005,xx0D', 'Scale Slope'),
  safe('Philips MR Imaging DD 001', '2005,xx0E', 'Scale Intercept'),
  safe('Philips MR Imaging DD 001', '2005,xxB0', 'Diffusion Direction RL'),
  safe('Philips MR Imaging DD 001', '2005,xxB1', 'Diffusion Direction AP'),
  safe('Philips MR Imaging DD 001', '2005,xxB2', 'Diffusion Direction FH'),
  safe('Philips PET Private Group', '7053,xx00', 'SUV Factor'),
  safe('Philips PET Private Group', '7053,xx09', 'Activity Concentration Scale Factor'),
  safe('TOSHIBA_MEC_CT3', '7005,xx0B', 'Orientation Head Feet'),
  safe('TOSHIBA_MEC_CT3', '7005,xx0D', 'Reconstruction Center'),
  safe('TOSHIBA_MEC_CT3', '7005,xx0E', 'Detector Slice Thickness'),
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
