/**
 * Shared pixel checks of the proof tests: is the ink of a planted pixel marker gone from an
 * output, and can OCR still read the marker anywhere in it.
 */
import { createHash } from 'node:crypto';
import { decodeEncapsulatedFrames } from '../../../main/deid/pixels/decode/index.js';
import { normaliseForMatching } from '../../../main/deid/pixels/identifying.js';
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
  const range: DisplayRange = displayRangeOf([before.frames[frame]!], before.layout);
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

/**
 * A deliberately sensitive test of "this OCR word is (part of) the marker": the marker matched
 * anywhere inside the word with up to a third of its characters wrong (OCR reads the bold
 * MRK0012 as MRK6612), or the word matched inside the marker likewise when it has 4+ characters.
 */
export function looksLikeMarker(word: string, marker: string): boolean {
  const text = normaliseForMatching(word);
  const target = normaliseForMatching(marker);
  if (text.length < 3) return false;
  const within = (needle: string, haystack: string): number => {
    // Smallest edit distance of `needle` against any substring of `haystack`.
    let previous = new Array<number>(haystack.length + 1).fill(0);
    for (let i = 1; i <= needle.length; i += 1) {
      const current = [i];
      for (let j = 1; j <= haystack.length; j += 1) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (needle[i - 1] === haystack[j - 1] ? 0 : 1));
      previous = current;
    }
    return Math.min(...previous);
  };
  if (within(target, text) <= Math.floor(target.length / 3)) return true;
  return text.length >= 4 && within(text, target) <= Math.floor(text.length / 3);
}

/**
 * Words OCR reads in any frame of the image that are close to one of the given markers. The
 * frames are shown as the original was (`displayedLike`: its range and ink threshold), so that
 * text the original showed would show again; identical renderings are read once.
 */
export async function markersReadBack(image: DecodedImage, markers: readonly string[], ocr: OcrEngine, displayedLike: DecodedImage = image): Promise<string[]> {
  const range = displayRangeOf(displayedLike.frames, displayedLike.layout);
  const found: string[] = [];
  const seen = new Set<string>();
  for (const frame of image.frames) {
    for (const scale of ocrScalesFor(image.layout)) {
      const rendering = renderForOcr(frame, image.layout, scale, range);
      const key = `${scale}:${createHash('sha256').update(rendering.pixels).digest('base64')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const word of await ocr.recognize(rendering)) {
        if (markers.some((marker) => looksLikeMarker(word.text, marker))) found.push(word.text);
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
