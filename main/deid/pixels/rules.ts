/**
 * Region rules: configured rectangles to blank for a kind of image, matched on header values.
 * This is how CTP's DicomPixelAnonymizer and most PACS de-identification gateways work; the
 * rules are project configuration (data), not code. The built-in rules below are EXAMPLES of
 * the shape of real rules, not a vetted list for any device: a project must check its own
 * devices and add rules for them.
 */
import type { PixelContext, PixelRule } from './types.js';

/** Case-insensitive, whitespace-trimmed equality; an absent criterion matches anything. */
function sameText(wanted: string | undefined, actual: string): boolean {
  return wanted === undefined || wanted.trim().toUpperCase() === actual.trim().toUpperCase();
}

export function ruleMatches(
  rule: PixelRule,
  context: Pick<PixelContext, 'modality' | 'manufacturer' | 'manufacturerModelName' | 'rows' | 'columns'>,
): boolean {
  const { match } = rule;
  return (
    sameText(match.modality, context.modality) &&
    sameText(match.manufacturer, context.manufacturer) &&
    sameText(match.manufacturerModelName, context.manufacturerModelName) &&
    (match.rows === undefined || match.rows === context.rows) &&
    (match.columns === undefined || match.columns === context.columns)
  );
}

export function matchingRules(
  rules: readonly PixelRule[],
  context: Pick<PixelContext, 'modality' | 'manufacturer' | 'manufacturerModelName' | 'rows' | 'columns'>,
): PixelRule[] {
  return rules.filter((rule) => ruleMatches(rule, context));
}

/**
 * Examples of region rules. Ultrasound scanners put the patient name, id, date and the
 * institution in a bar across the top of the frame (typically the top 7–10% of a 480- or
 * 600-line frame); screen captures of 3D workstations put them in the corners.
 */
export const EXAMPLE_PIXEL_RULES: readonly PixelRule[] = [
  {
    name: 'example: ultrasound 640×480, top information bar',
    match: { modality: 'US', rows: 480, columns: 640 },
    regions: [{ x: 0, y: 0, width: 640, height: 48 }],
  },
  {
    name: 'example: ultrasound 800×600, top information bar',
    match: { modality: 'US', rows: 600, columns: 800 },
    regions: [{ x: 0, y: 0, width: 800, height: 60 }],
  },
  {
    name: 'example: ultrasound 1024×768, top information bar',
    match: { modality: 'US', rows: 768, columns: 1024 },
    regions: [{ x: 0, y: 0, width: 1024, height: 75 }],
  },
  {
    name: 'example: 512×512 workstation screen capture, four corner text blocks',
    match: { modality: 'OT', rows: 512, columns: 512 },
    regions: [
      { x: 0, y: 0, width: 200, height: 70 },
      { x: 312, y: 0, width: 200, height: 70 },
      { x: 0, y: 442, width: 200, height: 70 },
      { x: 312, y: 442, width: 200, height: 70 },
    ],
  },
];
