/**
 * The pixel cleaner: decides whether an object's pixels may carry burned-in identifying text
 * and, if so, removes it or holds the object for human review. It never lets an object at risk
 * through unexamined:
 *
 *   low risk (header)                          → keep
 *   at risk, Clean Pixel Data off              → hold
 *   at risk, pixels cannot be decoded/handled  → hold
 *   at risk, no rule matched, OCR found nothing → hold (nothing proves the text is gone)
 *   at risk, rule regions and/or OCR text      → mask, then OCR again: anything readable → hold
 *                                                 otherwise → masked
 *
 * Reasons carry no PHI: codes, counts, rule names; never recognised text.
 */
import { silentLogger, type Logger } from '../../core/logger.js';
import { decodeEncapsulatedFrames } from './decode/index.js';
import { identifyingTokens, matchesIdentifying } from './identifying.js';
import { EXPLICIT_VR_LITTLE_ENDIAN, frameByteLength, isMaskablePhotometric, layoutOf, splitNativeFrames, type PixelLayout } from './layout.js';
import { maskFrame, type Rect } from './mask.js';
import { createTesseractOcr, type OcrEngine, type OcrWord } from './ocr.js';
import { renderForOcr } from './render.js';
import { assessBurnedInRisk } from './risk.js';
import { matchingRules } from './rules.js';
import type { PixelCleaner, PixelContext, PixelDecision, PixelOptions, PixelRegion } from './types.js';

export type { PixelCleaner, PixelContext, PixelDecision, PixelOptions, PixelRegion, PixelRule } from './types.js';
export { EXAMPLE_PIXEL_RULES } from './rules.js';
export { assessBurnedInRisk } from './risk.js';

/** Words read with at least this confidence are masked whatever they say. */
export const TEXT_CONFIDENCE_TO_MASK = 60;
/** Words close to a header identifying value are masked from this (low) confidence on. */
export const IDENTIFYING_CONFIDENCE_TO_MASK = 10;
/** After masking, a word this confident, or an identifying one at the lower bar, means text remains. */
export const TEXT_CONFIDENCE_REMAINING = 75;
export const IDENTIFYING_CONFIDENCE_REMAINING = 40;

export interface PixelCleanerSettings {
  /** OCR engine; a shared offline Tesseract worker by default. */
  ocr?: OcrEngine;
  /** Longest time OCR may spend on one object (ms) before it is held instead. */
  ocrTimeLimitMs?: number;
  logger?: Logger;
}

export interface ClosablePixelCleaner extends PixelCleaner {
  /** Stops the OCR worker (the cleaner restarts it if used again). */
  close(): Promise<void>;
}

function hold(reasons: string[], regions: PixelRegion[] = []): PixelDecision {
  return { action: 'hold', reasons, regions };
}

/** A word has something to read: two or more letters or digits, not lines and speckle. */
function isTextLike(word: OcrWord): boolean {
  return (word.text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= 2;
}

function wordRect(word: OcrWord): Rect {
  // Tesseract's boxes hug the ink; anti-aliased edges and descenders lie just outside.
  const margin = Math.max(2, Math.round(word.height * 0.3));
  return { x: word.x - margin, y: word.y - margin, width: word.width + 2 * margin, height: word.height + 2 * margin };
}

class OcrTimeLimit extends Error {}

export function createPixelCleaner(settings: PixelCleanerSettings = {}): ClosablePixelCleaner {
  const logger = settings.logger ?? silentLogger();
  const timeLimitMs = settings.ocrTimeLimitMs ?? 60_000;
  let ocr: OcrEngine | null = settings.ocr ?? null;
  const ocrEngine = (): OcrEngine => (ocr ??= createTesseractOcr());

  async function readFrames(frames: Uint8Array[], layout: PixelLayout, deadline: number): Promise<OcrWord[][]> {
    const words: OcrWord[][] = [];
    for (const frame of frames) {
      if (Date.now() > deadline) throw new OcrTimeLimit();
      words.push(await ocrEngine().recognize(renderForOcr(frame, layout)));
    }
    return words;
  }

  async function clean(context: PixelContext, options: PixelOptions): Promise<PixelDecision> {
    const risk = assessBurnedInRisk(context);
    if (!risk.atRisk) return { action: 'keep', reasons: risk.reasons, regions: [] };
    if (!options.cleanPixelData) return hold([...risk.reasons, 'Clean Pixel Data option is off']);

    const layoutResult = layoutOf(context);
    if (!layoutResult.ok) return hold([...risk.reasons, layoutResult.reason]);
    let layout = layoutResult.layout;
    let frames: Uint8Array[];
    if (context.pixelData.kind === 'native') {
      const split = splitNativeFrames(context.pixelData.bytes, layout);
      if (!split) return hold([...risk.reasons, 'pixel data is shorter than the image size']);
      frames = split.map((frame) => frame.slice());
    } else {
      if (context.pixelData.frames.length !== layout.numberOfFrames) return hold([...risk.reasons, 'number of compressed frames differs from NumberOfFrames']);
      const decoded = await decodeEncapsulatedFrames(context.pixelData.frames, context.transferSyntaxUID, layout);
      if (!decoded.ok) return hold([...risk.reasons, decoded.reason]);
      frames = decoded.frames;
      layout = decoded.layout;
    }
    if (!isMaskablePhotometric(layout.photometricInterpretation)) return hold([...risk.reasons, `photometric interpretation ${layout.photometricInterpretation} is not supported for masking`]);

    const regions: PixelRegion[] = [];
    const rules = matchingRules(options.rules, context);
    for (let frame = 0; frame < frames.length; frame += 1) {
      for (const rule of rules) for (const region of rule.regions) regions.push({ frame, ...region, source: 'rule' });
    }

    const deadline = Date.now() + timeLimitMs;
    const tokens = identifyingTokens(context.identifyingValues);
    let ocrText = 0;
    if (options.ocr) {
      let found: OcrWord[][];
      try {
        found = await readFrames(frames, layout, deadline);
      } catch (error) {
        return hold([...risk.reasons, error instanceof OcrTimeLimit ? 'OCR time limit reached' : 'OCR failed']);
      }
      found.forEach((words, frame) => {
        for (const word of words) {
          if (!isTextLike(word)) continue;
          const identifying = word.confidence >= IDENTIFYING_CONFIDENCE_TO_MASK && matchesIdentifying(word.text, tokens);
          if (identifying || word.confidence >= TEXT_CONFIDENCE_TO_MASK) {
            regions.push({ frame, ...wordRect(word), source: 'ocr' });
            ocrText += 1;
          }
        }
      });
    }
    if (regions.length === 0) {
      return hold([...risk.reasons, options.ocr ? 'no region rule matched and OCR found no text to mask' : 'no region rule matched and OCR is off']);
    }

    frames.forEach((frame, index) => maskFrame(frame, layout, regions.filter((region) => region.frame === index)));

    const reasons = [...risk.reasons];
    if (rules.length > 0) reasons.push(...rules.map((rule) => `region rule: ${rule.name}`));
    if (ocrText > 0) reasons.push('OCR found text');
    if (options.ocr) {
      let remaining: OcrWord[][];
      try {
        remaining = await readFrames(frames, layout, deadline);
      } catch (error) {
        return hold([...reasons, error instanceof OcrTimeLimit ? 'OCR time limit reached while re-checking' : 'OCR failed while re-checking'], regions);
      }
      const readable = remaining.flat().filter(
        (word) => isTextLike(word) && (word.confidence >= TEXT_CONFIDENCE_REMAINING || (word.confidence >= IDENTIFYING_CONFIDENCE_REMAINING && matchesIdentifying(word.text, tokens))),
      );
      if (readable.length > 0) {
        logger.info({ event: 'deid.pixels.text-remains', words: readable.length, frames: frames.length }, 'burned-in text remains after masking');
        return hold([...reasons, 'text remains after masking'], regions);
      }
      reasons.push('OCR re-check found no readable text');
    }

    const output = new Uint8Array(frameByteLength(layout) * frames.length);
    frames.forEach((frame, index) => output.set(frame, index * frameByteLength(layout)));
    logger.debug({ event: 'deid.pixels.masked', regions: regions.length, frames: frames.length }, 'burned-in text masked');
    const decision: PixelDecision = { action: 'masked', reasons, regions, pixelData: output };
    if (context.pixelData.kind === 'encapsulated') {
      decision.transferSyntaxUID = EXPLICIT_VR_LITTLE_ENDIAN;
      if (layout.photometricInterpretation !== context.photometricInterpretation.trim().toUpperCase()) decision.photometricInterpretation = layout.photometricInterpretation;
    }
    return decision;
  }

  return {
    clean,
    async close() {
      if (ocr) await ocr.close();
    },
  };
}
