/**
 * Shared pixel checks of the proof tests: is the ink of a planted pixel marker gone from an
 * output, and can OCR still read the marker anywhere in it.
 */
import { decodeEncapsulatedFrames } from '../../../main/deid/pixels/decode/index.js';
import { identifyingTokens, matchesIdentifying } from '../../../main/deid/pixels/identifying.js';
import { FrameSamples, layoutOf, splitNativeFrames, type PixelLayout } from '../../../main/deid/pixels/layout.js';
import type { OcrEngine } from '../../../main/deid/pixels/ocr.js';
import { displayRangeOf, frameBrightness, ocrScalesFor, renderForOcr, type DisplayRange } from '../../../main/deid/pixels/render.js';
import type { PixelContext } from '../../../main/deid/pixels/types.js';
import type { PlantedMarker } from '../../fixtures/deid-markers/index.js';
import { pixelContextFromBytes } from '../../fixtures/deid-markers/pixel-context.js';

export interface DecodedImage {
  layout: PixelLayout;
  frames: Uint8Array[];
}

/** Native frames of a DICOM object, decoding compressed pixel data. */
export async function decodedImage(bytes: Uint8Array): Promise<DecodedImage> {
  const context: PixelContext = pixelContextFromBytes(bytes);
  const layout = layoutOf(context);
  if (!layout.ok) throw new Error(layout.reason);
  if (context.pixelData.kind === 'native') {
    const frames = splitNativeFrames(context.pixelData.bytes, layout.layout);
    if (!frames) throw new Error('pixel data shorter than the image');
    return { layout: layout.layout, frames };
  }
  const decoded = await decodeEncapsulatedFrames(context.pixelData.frames, context.transferSyntaxUID, layout.layout);
  if (!decoded.ok) throw new Error(decoded.reason);
  return { layout: decoded.layout, frames: decoded.frames };
}

/**
 * Pixels of the marker's box that are ink, before and after. Bright text: pixels at or above
 * the input's ink threshold. Dark print on a light background: pixels clearly darker than the
 * box's brightest level while the box still has light pixels; once the box is masked to one
 * level there is no print left to see.
 */
export function inkInBox(before: DecodedImage, after: DecodedImage, marker: PlantedMarker): { before: number; after: number } {
  const frame = marker.frame ?? 0;
  const range: DisplayRange = displayRangeOf(before.frames[frame]!, before.layout);
  const boxBefore = boxBrightness(frameBrightness(before.frames[frame]!, before.layout, range), before.layout, marker.box!);
  const boxAfter = boxBrightness(frameBrightness(after.frames[frame]!, after.layout, range), after.layout, marker.box!);
  if (marker.polarity !== 'dark') {
    return { before: boxBefore.filter((value) => value >= range.threshold).length, after: boxAfter.filter((value) => value >= range.threshold).length };
  }
  const darkPrint = (values: number[]): number => {
    const paper = Math.max(...values);
    return values.filter((value) => paper - value >= 96).length;
  };
  return { before: darkPrint(boxBefore), after: darkPrint(boxAfter) };
}

function boxBrightness(brightness: Uint8Array, layout: PixelLayout, box: NonNullable<PlantedMarker['box']>): number[] {
  const values: number[] = [];
  for (let y = box.y; y < box.y + box.height; y += 1) {
    for (let x = box.x; x < box.x + box.width; x += 1) values.push(brightness[y * layout.columns + x]!);
  }
  return values;
}

/** Words OCR reads in any frame of the image that are close to one of the given markers. */
export async function markersReadBack(image: DecodedImage, markers: readonly string[], ocr: OcrEngine): Promise<string[]> {
  const tokens = identifyingTokens(markers);
  const found: string[] = [];
  for (const frame of image.frames) {
    for (const scale of ocrScalesFor(image.layout)) {
      for (const word of await ocr.recognize(renderForOcr(frame, image.layout, scale))) {
        if (matchesIdentifying(word.text, tokens)) found.push(word.text);
      }
    }
  }
  return found;
}

/** Same-size images: the pixels (frame, x, y) any of whose samples differ. */
export function changedPixels(before: DecodedImage, after: DecodedImage): Array<{ frame: number; x: number; y: number }> {
  const changed: Array<{ frame: number; x: number; y: number }> = [];
  const { rows, columns } = before.layout;
  before.frames.forEach((frameBefore, frame) => {
    const samplesBefore = new FrameSamples(frameBefore, before.layout);
    const samplesAfter = new FrameSamples(after.frames[frame]!, after.layout);
    for (let y = 0; y < rows; y += 1) {
      for (let x = 0; x < columns; x += 1) {
        for (let sample = 0; sample < before.layout.samplesPerPixel; sample += 1) {
          if (samplesBefore.get(samplesBefore.indexOf(x, y, sample)) !== samplesAfter.get(samplesAfter.indexOf(x, y, sample))) {
            changed.push({ frame, x, y });
            break;
          }
        }
      }
    }
  });
  return changed;
}
