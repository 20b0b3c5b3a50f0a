/**
 * The pixel cleaner: decides whether an object's pixels may carry burned-in identifying text
 * and, if so, removes it or holds the object for human review. It never lets an object at risk
 * through unexamined:
 *
 *   low risk (header), no region rule matches   → keep, once OCR of a sample of its series
 *                                                 (first, middle, last image, each image type)
 *                                                 found no text; text in the sample → the
 *                                                 whole series is treated as at risk
 *   at risk, Clean Pixel Data off              → hold
 *   at risk, pixels cannot be decoded/handled  → hold
 *   at risk, no rule matched, OCR found nothing → hold (nothing proves the text is gone),
 *                                                 except a weak presumption (ImageType SECONDARY
 *                                                 alone) where OCR seeing no text at all → keep
 *   at risk, rule regions and/or OCR text      → mask, then OCR again: anything readable → hold
 *                                                 otherwise → masked
 *
 * Reasons carry no PHI: codes, counts, rule names; never recognised text.
 */
import { createHash } from 'node:crypto';
import { silentLogger, type Logger } from '../../core/logger.js';
import { decodeEncapsulatedFrames } from './decode/index.js';
import { identifyingTokens, matchesIdentifying } from './identifying.js';
import {
  EXPLICIT_VR_LITTLE_ENDIAN,
  frameByteLength,
  isMaskablePhotometric,
  layoutOf,
  splitNativeFrames,
  type PixelLayout,
} from './layout.js';
import { clipRect, maskFrame, type Rect } from './mask.js';
import { createTesseractOcr, type OcrEngine, type OcrWord } from './ocr.js';
import {
  displayRangeOf,
  ocrScalesFor,
  renderForOcr,
  renderFrameInOwnRange,
  type DisplayRange,
} from './render.js';
import { assessBurnedInRisk } from './risk.js';
import { matchingRules } from './rules.js';
import { sampleFrameIndexes, SERIES_NOT_READ, SERIES_NO_TEXT, SERIES_TEXT } from './series.js';
import type {
  PixelCleaner,
  PixelContext,
  PixelDecision,
  PixelOptions,
  PixelRegion,
  SeriesSample,
} from './types.js';

export type {
  PixelCleaner,
  PixelContext,
  PixelDecision,
  PixelOptions,
  PixelRegion,
  PixelRule,
  SeriesSample,
} from './types.js';
export { EXAMPLE_PIXEL_RULES } from './rules.js';
export { assessBurnedInRisk } from './risk.js';

/**
 * Masking favours recall: Tesseract reads mixed letters and digits (ids, accession numbers,
 * "MRK0547") correctly but with low confidence (measured 0–40 on clean overlays), so a word
 * with three or more letters/digits is masked from a low confidence on, any shorter word only
 * when confident, and a word close to a header identifying value at any confidence. A wrong
 * mask costs a small black box on an image already flagged; a missed word costs a leak.
 */
export const LONG_WORD_CONFIDENCE_TO_MASK = 20;
export const SHORT_WORD_CONFIDENCE_TO_MASK = 60;
/**
 * After masking, any word of three or more letters/digits this confident, or any identifying
 * word, means text remains. Must stay ≥ LONG_WORD_CONFIDENCE_TO_MASK: every word that counts as
 * remaining would then have been masked in the first reading, which is why unmasked frames need
 * no re-check.
 */
export const CONFIDENCE_REMAINING = 30;

export interface PixelCleanerSettings {
  /** OCR engine; a shared offline Tesseract worker by default. */
  ocr?: OcrEngine;
  /** Longest time OCR may spend on one object (ms) before it is held instead. */
  ocrTimeLimitMs?: number;
  logger?: Logger;
}

export interface ClosablePixelCleaner extends PixelCleaner {
  /**
   * OCR of some frames of an object (one reading each, at the first OCR scale), for the sample
   * of a series: does any of them show text the cleaner would mask? Frames whose pixels cannot
   * be read are not counted; an OCR failure or the time limit counts as text found.
   */
  sampleText(context: PixelContext, frameIndexes: readonly number[]): Promise<SeriesSample>;
  /** Stops the OCR worker (the cleaner restarts it if used again). */
  close(): Promise<void>;
}

function hold(reasons: string[], regions: PixelRegion[] = []): PixelDecision {
  return { action: 'hold', reasons, regions };
}

function alphanumericCount(word: OcrWord): number {
  return word.text.match(/[\p{L}\p{N}]/gu)?.length ?? 0;
}

function shouldMask(word: OcrWord, tokens: readonly string[]): boolean {
  const length = alphanumericCount(word);
  if (length < 2) return false; // lines, dots and speckle
  if (matchesIdentifying(word.text, tokens)) return true;
  return word.confidence >= (length >= 3 ? LONG_WORD_CONFIDENCE_TO_MASK : SHORT_WORD_CONFIDENCE_TO_MASK);
}

function isReadableRemainder(word: OcrWord, tokens: readonly string[]): boolean {
  const length = alphanumericCount(word);
  return length >= 3 && (word.confidence >= CONFIDENCE_REMAINING || matchesIdentifying(word.text, tokens));
}

function wordRect(word: OcrWord): Rect {
  // Tesseract's boxes hug the ink; anti-aliased edges and descenders lie just outside.
  const margin = Math.max(2, Math.round(word.height * 0.3));
  return {
    x: word.x - margin,
    y: word.y - margin,
    width: word.width + 2 * margin,
    height: word.height + 2 * margin,
  };
}

/** Native frames side by side; views of one buffer (the native case) are returned without copying. */
function concatenateFrames(frames: Uint8Array[], frameLength: number): Uint8Array {
  const first = frames[0]!;
  const contiguous = frames.every(
    (frame, index) =>
      frame.buffer === first.buffer && frame.byteOffset === first.byteOffset + index * frameLength,
  );
  if (contiguous) return new Uint8Array(first.buffer, first.byteOffset, frameLength * frames.length);
  const output = new Uint8Array(frameLength * frames.length);
  frames.forEach((frame, index) => output.set(frame, index * frameLength));
  return output;
}

class OcrTimeLimit extends Error {}

/** Ideographs and Hangul used in written dates (2024年1月31日, 2024년 1월 31일) name no one. */
const DATE_CHARACTERS = /[年月日时時分秒년월일시분초]/gu;

/**
 * True when a value has letters outside the Latin script (Hanzi, Kana, Hangul, Cyrillic, Greek,
 * Arabic, Hebrew…), which the English OCR model cannot read.
 */
function hasUnreadableScript(value: string): boolean {
  for (const character of value.replace(DATE_CHARACTERS, '')) {
    if (/\p{L}/u.test(character) && !/\p{Script=Latin}/u.test(character)) return true;
  }
  return false;
}

export function createPixelCleaner(settings: PixelCleanerSettings = {}): ClosablePixelCleaner {
  const logger = settings.logger ?? silentLogger();
  const timeLimitMs = settings.ocrTimeLimitMs ?? 60_000;
  // An injected engine belongs to the caller; only the one created here is closed here.
  let ownedOcr: OcrEngine | null = null;
  const ocrEngine = (): OcrEngine => settings.ocr ?? (ownedOcr ??= createTesseractOcr());

  function ocrFailure(error: unknown, stage: string): string {
    if (error instanceof OcrTimeLimit) return `OCR time limit reached${stage}`;
    // The error comes from Tesseract and carries no image content; its name is enough.
    logger.warn(
      { event: 'deid.pixels.ocr-failed', error: error instanceof Error ? error.name : typeof error },
      'OCR failed',
    );
    return `OCR failed${stage}`;
  }

  /**
   * Reads every frame at every OCR scale. Identical rendered pictures are read once: a cine's
   * frames often binarise to the same image (a static overlay over a sector darker than the
   * ink threshold), and Tesseract's reading of identical input is identical.
   */
  async function readFrames(
    frames: Uint8Array[],
    layout: PixelLayout,
    range: DisplayRange,
    deadline: number,
  ): Promise<OcrWord[][]> {
    const readings = new Map<string, OcrWord[]>();
    const words: OcrWord[][] = [];
    for (const frame of frames) {
      const frameWords: OcrWord[] = [];
      for (const scale of ocrScalesFor(layout)) {
        const image = renderForOcr(frame, layout, scale, range);
        const key = `${scale}:${createHash('sha256').update(image.pixels).digest('base64')}`;
        let reading = readings.get(key);
        if (!reading) {
          if (Date.now() >= deadline) throw new OcrTimeLimit();
          reading = await ocrEngine().recognize(image);
          readings.set(key, reading);
        }
        frameWords.push(...reading);
      }
      words.push(frameWords);
    }
    return words;
  }

  async function sampleText(context: PixelContext, frameIndexes: readonly number[]): Promise<SeriesSample> {
    const unread: SeriesSample = { textFound: false, framesRead: 0 };
    const layoutResult = layoutOf(context);
    if (!layoutResult.ok) return unread;
    let layout = layoutResult.layout;
    const wanted = [...new Set(frameIndexes)]
      .filter((index) => index >= 0 && index < layout.numberOfFrames)
      .sort((a, b) => a - b);
    let frames: Uint8Array[];
    if (context.pixelData.kind === 'native') {
      // Views of the input: rendering only reads them.
      const all = splitNativeFrames(context.pixelData.bytes, layout);
      if (!all) return unread;
      frames = wanted.map((index) => all[index]!);
    } else {
      if (context.pixelData.frames.length !== layout.numberOfFrames) return unread;
      const encoded = context.pixelData.frames;
      const decoded = await decodeEncapsulatedFrames(
        wanted.map((index) => encoded[index]!),
        context.transferSyntaxUID,
        { ...layout, numberOfFrames: wanted.length },
      );
      if (!decoded.ok) return unread;
      frames = decoded.frames;
      layout = decoded.layout;
    }
    if (!isMaskablePhotometric(layout.photometricInterpretation)) return unread;
    const tokens = identifyingTokens(context.identifyingValues);
    const deadline = Date.now() + timeLimitMs;
    // One reading per frame: the sample only has to notice text; masking it is the full
    // cleaner's work (both scales, re-check) once the series is treated as at risk.
    const scale = ocrScalesFor(layout)[0]!;
    let framesRead = 0;
    for (const frame of frames) {
      let words: OcrWord[];
      try {
        if (Date.now() >= deadline) throw new OcrTimeLimit();
        words = await ocrEngine().recognize(renderFrameInOwnRange(frame, layout, scale));
      } catch (error) {
        // Whatever stopped OCR, the sample did not show the pixels clean.
        ocrFailure(error, ' while sampling the series');
        return { textFound: true, framesRead };
      }
      framesRead += 1;
      if (words.some((word) => shouldMask(word, tokens))) return { textFound: true, framesRead };
    }
    return { textFound: false, framesRead };
  }

  async function clean(context: PixelContext, options: PixelOptions): Promise<PixelDecision> {
    const rules = matchingRules(options.rules, context);
    const headerRisk = assessBurnedInRisk(context);
    // A matching region rule is the project's own knowledge that this device burns text in,
    // whatever the header says (old CT scanners write names on localizers without the flag).
    const ruleRisk = !headerRisk.atRisk && rules.length > 0 && options.cleanPixelData;
    let risk = ruleRisk
      ? { atRisk: true, reasons: ['a region rule matches this device'], clearableByOcr: false }
      : headerRisk;
    if (!risk.atRisk) {
      // Low risk by the header: the pixels are looked at through a sample of the series, since
      // a scanner or workstation may burn text in without saying so. The sample reads with OCR
      // even when OCR masking is off (the series is then held). Without Clean Pixel Data
      // nothing looks at them, and the header's word stands.
      if (!options.cleanPixelData) return { action: 'keep', reasons: headerRisk.reasons, regions: [] };
      const sample =
        options.series ??
        (await sampleText(context, sampleFrameIndexes(Math.max(1, context.numberOfFrames || 1))));
      if (!sample.textFound)
        return {
          action: 'keep',
          reasons: [...headerRisk.reasons, sample.framesRead > 0 ? SERIES_NO_TEXT : SERIES_NOT_READ],
          regions: [],
        };
      // Text in the sample: this object goes through the full cleaner. An object of that series
      // in which the full reading finds no text at all is kept (clearableByOcr): the sample
      // that cleared other series looked no harder.
      risk = { atRisk: true, reasons: [SERIES_TEXT], clearableByOcr: true };
    }
    if (!options.cleanPixelData) return hold([...risk.reasons, 'Clean Pixel Data option is off']);

    const layoutResult = layoutOf(context);
    if (!layoutResult.ok) return hold([...risk.reasons, layoutResult.reason]);
    let layout = layoutResult.layout;
    let frames: Uint8Array[];
    if (context.pixelData.kind === 'native') {
      // One copy, masked in place through per-frame views: a 500-frame object is not held twice.
      const copy = context.pixelData.bytes.slice(0, frameByteLength(layout) * layout.numberOfFrames);
      const split = splitNativeFrames(copy, layout);
      if (!split) return hold([...risk.reasons, 'pixel data is shorter than the image size']);
      frames = split;
    } else {
      if (context.pixelData.frames.length !== layout.numberOfFrames)
        return hold([...risk.reasons, 'number of compressed frames differs from NumberOfFrames']);
      const decoded = await decodeEncapsulatedFrames(
        context.pixelData.frames,
        context.transferSyntaxUID,
        layout,
      );
      if (!decoded.ok) return hold([...risk.reasons, decoded.reason]);
      frames = decoded.frames;
      layout = decoded.layout;
    }
    if (!isMaskablePhotometric(layout.photometricInterpretation))
      return hold([
        ...risk.reasons,
        `photometric interpretation ${layout.photometricInterpretation} is not supported for masking`,
      ]);

    const regions: PixelRegion[] = [];
    for (let frame = 0; frame < frames.length; frame += 1) {
      for (const rule of rules)
        for (const region of rule.regions) regions.push({ frame, ...region, source: 'rule' });
    }

    // The OCR model is English: names burned in another script cannot be found or re-checked.
    // When the header itself names the patient in such a script, only configured regions can
    // clear the object.
    if (rules.length === 0 && context.identifyingValues.some(hasUnreadableScript)) {
      return hold([
        ...risk.reasons,
        'the header has identifying values in a script the OCR cannot read (e.g. Chinese); a region rule is needed',
      ]);
    }

    const deadline = Date.now() + timeLimitMs;
    // Fixed before masking, shared by the first reading and the re-check (see frameBrightness).
    const range = displayRangeOf(frames, layout);
    const tokens = identifyingTokens(context.identifyingValues);
    let ocrText = 0;
    let ocrCandidates = 0;
    if (options.ocr) {
      let found: OcrWord[][];
      try {
        found = await readFrames(frames, layout, range, deadline);
      } catch (error) {
        return hold([...risk.reasons, ocrFailure(error, '')]);
      }
      found.forEach((words, frame) => {
        for (const word of words) {
          if (alphanumericCount(word) >= 2) ocrCandidates += 1;
          if (!shouldMask(word, tokens)) continue;
          const rect = clipRect(wordRect(word), layout);
          if (!rect) continue;
          regions.push({ frame, ...rect, source: 'ocr' });
          ocrText += 1;
        }
      });
    }
    // Only OCR can clear a weak presumption; with OCR off it is held like any other risk.
    if (regions.length === 0 && options.ocr && ocrCandidates === 0 && risk.clearableByOcr) {
      return { action: 'keep', reasons: [...risk.reasons, 'OCR found no text'], regions: [] };
    }
    if (regions.length === 0) {
      return hold([
        ...risk.reasons,
        options.ocr
          ? 'no region rule matched and OCR found no text to mask'
          : 'no region rule matched and OCR is off',
      ]);
    }

    frames.forEach((frame, index) =>
      maskFrame(
        frame,
        layout,
        regions.filter((region) => region.frame === index),
      ),
    );

    const reasons = [...risk.reasons];
    if (rules.length > 0) reasons.push(...rules.map((rule) => `region rule: ${rule.name}`));
    if (ocrText > 0) reasons.push('OCR found text');
    if (options.ocr) {
      // Only masked frames are read again: OCR of an unchanged frame repeats the first reading,
      // in which every word that would count as readable was already masked.
      const maskedFrames = [...new Set(regions.map((region) => region.frame))].sort((a, b) => a - b);
      let remaining: OcrWord[][];
      try {
        remaining = await readFrames(
          maskedFrames.map((index) => frames[index]!),
          layout,
          range,
          deadline,
        );
      } catch (error) {
        return hold([...reasons, ocrFailure(error, ' while re-checking')], regions);
      }
      const readable = remaining.flat().filter((word) => isReadableRemainder(word, tokens));
      if (readable.length > 0) {
        logger.info(
          { event: 'deid.pixels.text-remains', words: readable.length, frames: frames.length },
          'burned-in text remains after masking',
        );
        return hold([...reasons, 'text remains after masking'], regions);
      }
      reasons.push('OCR re-check found no readable text');
    }

    const output = frames.length === 1 ? frames[0]! : concatenateFrames(frames, frameByteLength(layout));
    logger.debug(
      { event: 'deid.pixels.masked', regions: regions.length, frames: frames.length },
      'burned-in text masked',
    );
    const decision: PixelDecision = { action: 'masked', reasons, regions, pixelData: output };
    if (context.pixelData.kind === 'encapsulated') {
      decision.transferSyntaxUID = EXPLICIT_VR_LITTLE_ENDIAN;
      if (layout.photometricInterpretation !== context.photometricInterpretation.trim().toUpperCase())
        decision.photometricInterpretation = layout.photometricInterpretation;
    }
    return decision;
  }

  return {
    clean,
    sampleText,
    async close() {
      if (ownedOcr) await ownedOcr.close();
    },
  };
}
