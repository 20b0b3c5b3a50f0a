/**
 * The engine's side of the pixel cleaner (main/deid/pixels/): what it is told about the image
 * (PixelContext, frames of encapsulated data split by the offset table), and what a masked
 * decision makes the engine write (pixel data, photometric interpretation, BurnedInAnnotation,
 * and the dropped extended offset table when compressed pixels were decoded).
 */
import { AppError, ErrorCode } from '../../../shared/errors.js';
import type { DeidConfig } from '../config.js';
import type { DicomElement, ParsedDicom } from '../dicom/walker.js';
import type { OutElement } from '../dicom/writer.js';
import type { DeidOptionName } from '../profile/options.js';
import { seriesVerdictOf } from '../pixels/series.js';
import type { PixelCleaner, PixelContext, PixelDecision } from '../pixels/types.js';
import { Tag } from './tags.js';
import { evenLength, readNumber, readValue, textValue } from './values.js';

export function pixelContextOf(
  parsed: ParsedDicom,
  original: Map<number, DicomElement>,
  pixel: DicomElement,
  identifying: string[],
): PixelContext {
  const value = (tag: number): string => readValue(parsed, original, tag);
  const pixelData: PixelContext['pixelData'] = pixel.fragments
    ? { kind: 'encapsulated', frames: framesOf(parsed, original, pixel) }
    : {
        kind: 'native',
        bytes: parsed.bytes.subarray(pixel.valueStart, pixel.valueStart + pixel.valueLength),
      };
  return {
    modality: value(Tag.Modality),
    sopClassUID: value(Tag.SOPClassUID),
    manufacturer: value(Tag.Manufacturer),
    manufacturerModelName: value(Tag.ManufacturerModelName),
    burnedInAnnotation: value(Tag.BurnedInAnnotation).toUpperCase(),
    imageType: value(Tag.ImageType)
      .split('\\')
      .map((part) => part.trim())
      .filter(Boolean),
    conversionType: value(Tag.ConversionType),
    rows: readNumber(parsed, original, Tag.Rows),
    columns: readNumber(parsed, original, Tag.Columns),
    bitsAllocated: readNumber(parsed, original, Tag.BitsAllocated),
    bitsStored: readNumber(parsed, original, Tag.BitsStored),
    samplesPerPixel: readNumber(parsed, original, Tag.SamplesPerPixel) || 1,
    photometricInterpretation: value(Tag.PhotometricInterpretation),
    pixelRepresentation: readNumber(parsed, original, Tag.PixelRepresentation),
    planarConfiguration: readNumber(parsed, original, Tag.PlanarConfiguration),
    numberOfFrames: Number(value(Tag.NumberOfFrames)) || 1,
    transferSyntaxUID: parsed.transferSyntaxUID,
    identifyingValues: identifying,
    pixelData,
  };
}

/** Frames of encapsulated pixel data: one fragment per frame when counts match, else all fragments as one frame sequence split by the offset table. */
export function framesOf(
  parsed: ParsedDicom,
  original: Map<number, DicomElement>,
  pixel: DicomElement,
): Uint8Array[] {
  const fragments = (pixel.fragments ?? [])
    .slice(1)
    .map((fragment) => parsed.bytes.subarray(fragment.start, fragment.start + fragment.length));
  const frameCount = Number(readValue(parsed, original, Tag.NumberOfFrames)) || 1;
  if (fragments.length === frameCount) return fragments;
  if (frameCount === 1) return [Buffer.concat(fragments)];
  const table = pixel.fragments?.[0];
  if (table && table.length >= frameCount * 4) {
    const view = new DataView(parsed.bytes.buffer, parsed.bytes.byteOffset + table.start, table.length);
    const offsets = Array.from({ length: frameCount }, (_, i) => view.getUint32(i * 4, true));
    const frames: Uint8Array[] = [];
    let fragmentOffset = 0;
    let current: Uint8Array[] = [];
    let frameIndex = 0;
    for (const fragment of fragments) {
      if (frameIndex + 1 < frameCount && fragmentOffset === offsets[frameIndex + 1]) {
        frames.push(Buffer.concat(current));
        current = [];
        frameIndex += 1;
      }
      current.push(fragment);
      fragmentOffset += fragment.length + 8;
    }
    frames.push(Buffer.concat(current));
    if (frames.length === frameCount) return frames;
  }
  return [Buffer.concat(fragments)];
}

/** Asks the pixel cleaner about the object's pixels; undefined when it has none. */
export async function decidePixels(
  parsed: ParsedDicom,
  original: Map<number, DicomElement>,
  settings: {
    config: DeidConfig;
    options: ReadonlySet<DeidOptionName>;
    pixelCleaner: () => Promise<PixelCleaner | undefined>;
  },
  needles: string[],
): Promise<PixelDecision | undefined> {
  const pixel = original.get(Tag.PixelData);
  if (!pixel || pixel.items) return undefined;
  const cleaner = await settings.pixelCleaner();
  if (!cleaner)
    throw new AppError(
      ErrorCode.Internal,
      'The pixel cleaner is not available; objects with pixel data cannot be de-identified.',
    );
  return cleaner.clean(pixelContextOf(parsed, original, pixel, [...new Set(needles)].filter(Boolean)), {
    cleanPixelData: settings.options.has('cleanPixelData'),
    ocr: settings.config.ocr ?? true,
    rules: settings.config.pixelRules ?? [],
    // What OCR of a sample of the series found, when the service sampled it (series-sample.ts).
    series: seriesVerdictOf(
      settings.config.seriesSamples,
      readValue(parsed, original, Tag.SeriesInstanceUID),
    ),
  });
}

/**
 * What a masked decision makes the engine write, by tag, and the top-level attributes that no
 * longer apply; the output's transfer syntax (explicit VR little endian when pixels were decoded).
 */
export function maskedPixelAttributes(
  parsed: ParsedDicom,
  original: Map<number, DicomElement>,
  decision: PixelDecision | undefined,
): { forced: Map<number, OutElement>; dropped: number[]; transferSyntaxUID: string } {
  const forced = new Map<number, OutElement>();
  const dropped: number[] = [];
  let transferSyntaxUID = parsed.transferSyntaxUID;
  const pixel = original.get(Tag.PixelData);
  if (decision?.action === 'masked' && decision.pixelData && pixel && !pixel.items) {
    forced.set(Tag.BurnedInAnnotation, {
      kind: 'value',
      tag: Tag.BurnedInAnnotation,
      vr: 'CS',
      value: textValue('CS', 'NO'),
    });
    const bitsAllocated = readNumber(parsed, original, Tag.BitsAllocated);
    forced.set(Tag.PixelData, {
      kind: 'value',
      tag: Tag.PixelData,
      vr: bitsAllocated > 8 ? 'OW' : 'OB',
      value: evenLength(decision.pixelData),
    });
    if (decision.photometricInterpretation) {
      forced.set(Tag.PhotometricInterpretation, {
        kind: 'value',
        tag: Tag.PhotometricInterpretation,
        vr: 'CS',
        value: textValue('CS', decision.photometricInterpretation),
      });
    }
    if (decision.transferSyntaxUID && decision.transferSyntaxUID !== transferSyntaxUID) {
      transferSyntaxUID = decision.transferSyntaxUID;
      // Decoded to native: the encapsulated frames' extended offset table and lengths are gone.
      dropped.push(Tag.ExtendedOffsetTable, Tag.ExtendedOffsetTableLengths);
    }
  }
  return { forced, dropped, transferSyntaxUID };
}
