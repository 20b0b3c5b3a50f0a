/**
 * Stable codes for the pixel cleaner's reasons (see PixelDecision.reasons), so the app can show
 * them in the reader's language while the English text stays in reports and logs. A reason with
 * a detail (a rule's name, a conversion type, an unsupported layout) has one code for the kind;
 * translations quote the English text for the detail. Unknown texts are `other`: shown in English.
 */

/** Exact reason texts of risk.ts and index.ts. */
const exact = new Map<string, string>([
  ['BurnedInAnnotation YES', 'burned-in-annotation'],
  ['BurnedInAnnotation has an unrecognised value', 'burned-in-annotation-unrecognised'],
  ['ultrasound', 'ultrasound'],
  ['image type marks a screen capture', 'screen-capture'],
  ['image type SECONDARY (created after the examination)', 'secondary-image'],
  ['photograph or scanned document', 'photograph'],
  ['unknown risk: no SOP class and no modality', 'unknown-risk'],
  ['no burned-in text risk in the header', 'no-header-risk'],
  ['a region rule matches this device', 'region-rule-matches'],
  ['Clean Pixel Data option is off', 'clean-pixel-data-off'],
  ['pixel data is shorter than the image size', 'pixel-data-short'],
  ['number of compressed frames differs from NumberOfFrames', 'frame-count-mismatch'],
  [
    'the header has identifying values in a script the OCR cannot read (e.g. Chinese); a region rule is needed',
    'ocr-script-unsupported',
  ],
  ['OCR found no text', 'ocr-no-text'],
  ['no region rule matched and OCR found no text to mask', 'no-rule-ocr-no-text'],
  ['no region rule matched and OCR is off', 'no-rule-ocr-off'],
  ['OCR found text', 'ocr-found-text'],
  ['text remains after masking', 'text-remains'],
  ['OCR re-check found no readable text', 'ocr-recheck-clean'],
  ['preview: pixels not examined', 'preview-not-examined'],
  ['OCR found text in a sample of this series', 'series-sample-text'],
  ['OCR found no text in a sample of this series', 'series-sample-no-text'],
  ['the series sample could not read these pixels', 'series-sample-unread'],
  ['thin-slice head series may show the face and was not defaced', 'face'],
  ['defaced: the face in front of the accepted cut was set to air', 'defaced'],
]);

/** Reasons with a detail, by how they start (checked in order). */
const prefixes: Array<[string, string]> = [
  ['secondary capture', 'secondary-capture'],
  ['conversion type ', 'conversion-type'],
  ['region rule: ', 'region-rule'],
  ['photometric interpretation ', 'photometric-unsupported'],
  ['OCR time limit reached', 'ocr-time-limit'],
  ['OCR failed', 'ocr-failed'],
  ['thin-slice head series may show the face and was not defaced (', 'face'],
];

/** Every code pixelReasonCode gives besides `other` (the app translates each). */
export const pixelReasonCodes: readonly string[] = [
  ...new Set([...exact.values(), ...prefixes.map(([, code]) => code), 'pixels-unsupported']),
];

export function pixelReasonCode(reason: string): string {
  const known = exact.get(reason);
  if (known) return known;
  for (const [prefix, code] of prefixes) if (reason.startsWith(prefix)) return code;
  // Layout and decoding limits ("12-bit pixel samples are not supported for masking", ...).
  if (
    /not supported|cannot decode|could not be decoded|no rows or columns|no photometric|differs from the header/i.test(
      reason,
    )
  )
    return 'pixels-unsupported';
  return 'other';
}
