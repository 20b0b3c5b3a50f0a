/**
 * Burned-in text risk, from the header alone. An object is at risk when the header says it
 * carries burned-in annotation, or when its kind is known to carry it routinely even when the
 * flag is absent (ultrasound, secondary capture, screen captures, derived screenshots). The
 * list follows PS3.15 E.3.1 (Clean Pixel Data Option) and the usual practice of TCIA/MIRC CTP.
 *
 * Treated as unknown risk (so at risk): an image whose SOP class and modality are absent, and
 * the whole-slide and visible-light photograph classes, where labels and slide barcodes are
 * photographed with the specimen. Everything else (CT, MR, PT, NM, CR/DX/MG without the flag,
 * …) is low risk: the modality writes annotations as overlays or header values, not pixels.
 */
import type { PixelContext } from './types.js';

export interface BurnedInRisk {
  atRisk: boolean;
  /** Why, in words safe to log and show: no values from the header other than codes. */
  reasons: string[];
  /**
   * True when the only risk is a weak presumption (ImageType SECONDARY: reformats, MIPs and
   * workstation snapshots alike), so that OCR finding no text at all clears it. Flags, kinds
   * that routinely carry text (ultrasound, captures, photographs) and unknown objects are never
   * cleared by OCR seeing nothing: small overlay fonts are exactly what OCR misses.
   */
  clearableByOcr: boolean;
}

const SECONDARY_CAPTURE_CLASSES: ReadonlyMap<string, string> = new Map([
  ['1.2.840.10008.5.1.4.1.1.7', 'secondary capture'],
  ['1.2.840.10008.5.1.4.1.1.7.1', 'secondary capture (multi-frame single bit)'],
  ['1.2.840.10008.5.1.4.1.1.7.2', 'secondary capture (multi-frame greyscale byte)'],
  ['1.2.840.10008.5.1.4.1.1.7.3', 'secondary capture (multi-frame greyscale word)'],
  ['1.2.840.10008.5.1.4.1.1.7.4', 'secondary capture (multi-frame true colour)'],
]);

const ULTRASOUND_CLASSES = new Set([
  '1.2.840.10008.5.1.4.1.1.6.1', // US Image
  '1.2.840.10008.5.1.4.1.1.3.1', // US Multi-frame Image
  '1.2.840.10008.5.1.4.1.1.6.2', // Enhanced US Volume
  '1.2.840.10008.5.1.4.1.1.6', // US Image (retired)
  '1.2.840.10008.5.1.4.1.1.3', // US Multi-frame Image (retired)
]);

/** Photographs and whole-slide images: labels, rulers and faces are part of the picture. */
const PHOTOGRAPHIC_CLASSES = new Set([
  '1.2.840.10008.5.1.4.1.1.77.1.1', // VL Endoscopic
  '1.2.840.10008.5.1.4.1.1.77.1.1.1', // Video Endoscopic
  '1.2.840.10008.5.1.4.1.1.77.1.2', // VL Microscopic
  '1.2.840.10008.5.1.4.1.1.77.1.3', // VL Slide-Coordinates Microscopic
  '1.2.840.10008.5.1.4.1.1.77.1.4', // VL Photographic
  '1.2.840.10008.5.1.4.1.1.77.1.4.1', // Video Photographic
  '1.2.840.10008.5.1.4.1.1.77.1.6', // VL Whole Slide Microscopy
  '1.2.840.10008.5.1.4.1.1.104.1', // Encapsulated PDF (should not carry PixelData; at risk if it does)
]);

const ULTRASOUND_MODALITIES = new Set(['US', 'IVUS']);
const PHOTOGRAPHIC_MODALITIES = new Set(['XC', 'ES', 'GM', 'SM', 'OP', 'DOC']);
/** ConversionType values of secondary capture that mean "a picture of a screen or a document". */
const CAPTURED_CONVERSION_TYPES = new Set(['WSD', 'SD', 'SI', 'SYN', 'DV', 'DI', 'DF', 'VID', 'DRW']);
const SCREEN_IMAGE_TYPES = new Set(['SCREEN SAVE', 'SCREENSHOT', 'CAPTURE']);
const SECONDARY_IMAGE_TYPE_REASON = 'image type SECONDARY (created after the examination)';

export function assessBurnedInRisk(
  context: Pick<
    PixelContext,
    'modality' | 'sopClassUID' | 'burnedInAnnotation' | 'imageType' | 'conversionType'
  >,
): BurnedInRisk {
  const reasons: string[] = [];
  const flag = context.burnedInAnnotation.trim().toUpperCase();
  const modality = context.modality.trim().toUpperCase();
  const sopClass = context.sopClassUID.trim();
  const conversion = context.conversionType.trim().toUpperCase();
  const imageType = context.imageType.map((value) => value.trim().toUpperCase());

  if (flag === 'YES') reasons.push('BurnedInAnnotation YES');
  else if (flag !== '' && flag !== 'NO') reasons.push('BurnedInAnnotation has an unrecognised value');
  if (ULTRASOUND_MODALITIES.has(modality) || ULTRASOUND_CLASSES.has(sopClass)) reasons.push('ultrasound');
  const captureKind = SECONDARY_CAPTURE_CLASSES.get(sopClass);
  if (captureKind) reasons.push(captureKind);
  if (CAPTURED_CONVERSION_TYPES.has(conversion)) reasons.push(`conversion type ${conversion}`);
  if (imageType.some((value) => SCREEN_IMAGE_TYPES.has(value)))
    reasons.push('image type marks a screen capture');
  if (imageType.includes('SECONDARY')) reasons.push(SECONDARY_IMAGE_TYPE_REASON);
  if (PHOTOGRAPHIC_CLASSES.has(sopClass) || PHOTOGRAPHIC_MODALITIES.has(modality))
    reasons.push('photograph or scanned document');
  if (sopClass === '' && modality === '') reasons.push('unknown risk: no SOP class and no modality');

  // BurnedInAnnotation NO clears nothing listed above: ultrasound devices and capture software
  // routinely write NO over text they burned in themselves.
  if (reasons.length === 0)
    return { atRisk: false, reasons: ['no burned-in text risk in the header'], clearableByOcr: false };
  return {
    atRisk: true,
    reasons,
    clearableByOcr: reasons.every((reason) => reason === SECONDARY_IMAGE_TYPE_REASON),
  };
}
