/**
 * The series sample of a de-identification run (see main/deid/pixels/series.ts): before any
 * object is written, the inputs are grouped by Series Instance UID from a bounded header read,
 * and OCR reads the first, middle and last image of each series and each image/frame type once.
 * The verdicts go to the engine in `DeidConfig.seriesSamples`; a series with text is then
 * treated as at risk as a whole.
 *
 * Memory stays bounded: only the headers' few facts are kept for every input, and the sampled
 * objects are read two at a time. Each sampled object goes through the engine itself (with a
 * cleaner that only samples and never lets the object out), so the cleaner sees exactly the
 * pixel context and identifying values it would see when writing.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../core/logger.js';
import type { DeidConfig } from './config.js';
import { createDeidentifier } from './index.js';
import { readSeriesMember, seriesSampleFrames, type SeriesMember } from './pixels/series.js';
import type { OcrEngine } from './pixels/ocr.js';
import type { PixelCleaner, SeriesSample, SeriesSamples } from './pixels/types.js';
import { researchDefaultOptions } from './profile/options.js';
import { readStoredFileSync } from '../cache/store-cipher.js';

/** From this many inputs on, the header reads take long enough to hide part of the OCR start. */
const EARLY_OCR_START_FILES = 64;

export interface SeriesSampling {
  /** Verdicts by original Series Instance UID, for DeidConfig.seriesSamples. */
  samples: SeriesSamples;
  /** Series sampled, and those in which text was found. */
  series: number;
  seriesWithText: number;
  framesRead: number;
}

/**
 * Whether a run's series are sampled: whenever Clean Pixel Data is on, OCR masking on or off
 * (without it, a series whose sample shows text is held for review instead of masked).
 */
export function seriesSampleApplies(config: DeidConfig): boolean {
  const options = new Set([
    ...config.options,
    ...(config.profile === 'research' ? researchDefaultOptions : []),
  ]);
  return options.has('cleanPixelData');
}

/**
 * Inputs grouped by original Series Instance UID; files without a readable image header are left
 * out. Yields to the event loop now and then, so that the OCR worker starts meanwhile.
 */
export async function groupBySeries(
  files: readonly string[],
  config: DeidConfig,
): Promise<Map<string, SeriesMember[]>> {
  const series = new Map<string, SeriesMember[]>();
  for (const [index, file] of files.entries()) {
    if (index % 32 === 31) await nextTurn();
    const member = readSeriesMember(file, config.pixelRules ?? []);
    if (!member) continue;
    const members = series.get(member.seriesInstanceUID);
    if (members) members.push(member);
    else series.set(member.seriesInstanceUID, [member]);
  }
  return series;
}

/**
 * OCR of a sample of every series among `files`. Returns no verdicts when Clean Pixel Data is
 * off. Stops between objects when `signal` aborts.
 */
export async function sampleSeries(
  files: readonly string[],
  config: DeidConfig,
  options: { signal?: AbortSignal; logger?: Logger } = {},
): Promise<SeriesSampling> {
  const sampling: SeriesSampling = {
    samples: { withText: [], withoutText: [], unread: [] },
    series: 0,
    seriesWithText: 0,
    framesRead: 0,
  };
  if (!seriesSampleApplies(config) || files.length === 0) return sampling;
  // Loaded on first use, like the engine's own cleaner: it pulls in OCR. The OCR worker takes a
  // second or two to start: for many inputs it starts while their headers are read; for a few,
  // only once some series needs it (a run of reports or ultrasound never starts it).
  const [{ createPixelCleaner }, { createTesseractOcr }] = await Promise.all([
    import('./pixels/index.js'),
    import('./pixels/ocr.js'),
  ]);
  const startOcr = (): { ocr: OcrEngine; warmUp: Promise<unknown> } => {
    const engine = createTesseractOcr();
    const blank = { width: 8, height: 8, pixels: new Uint8Array(64).fill(255), scale: 1 };
    return { ocr: engine, warmUp: engine.recognize(blank).catch(() => []) };
  };
  let started = files.length > EARLY_OCR_START_FILES ? startOcr() : null;
  const groups = await groupBySeries(files, config);
  const chosen = [...groups]
    .map(([uid, members]) => [uid, seriesSampleFrames(members)] as const)
    .filter(([, frames]) => frames.size > 0);
  if (chosen.length === 0) {
    if (started) void started.ocr.close();
    return sampling;
  }
  started ??= startOcr();
  const { ocr } = started;
  await started.warmUp;
  const cleaner = createPixelCleaner({ ocr, ...(options.logger ? { logger: options.logger } : {}) });
  const jobs = chosen.flatMap(([series, byFile]) =>
    [...byFile].map(([file, frames]) => ({ series, file, frames })),
  );
  const verdicts = new Map<string, SeriesSample>(
    chosen.map(([series]) => [series, { textFound: false, framesRead: 0 }]),
  );
  let next = 0;
  /**
   * Two objects in flight: one is read, parsed and rendered while OCR reads the other (OCR itself
   * runs one picture at a time). Each lane has its own engine, whose cleaner only samples the
   * frames asked for and never lets the object out.
   */
  const lane = async (): Promise<void> => {
    let frames: readonly number[] = [];
    let reading: SeriesSample = { textFound: false, framesRead: 0 };
    const samplingCleaner: PixelCleaner = {
      async clean(context) {
        reading = await cleaner.sampleText(context, frames);
        return { action: 'hold', reasons: [], regions: [] };
      },
    };
    const probe = createDeidentifier({
      ...config,
      pixelCleaner: samplingCleaner,
      linkage: undefined,
      seriesSamples: undefined,
    });
    try {
      while (next < jobs.length && !options.signal?.aborted) {
        const job = jobs[next++]!;
        const verdict = verdicts.get(job.series)!;
        if (verdict.textFound) continue; // another image of the series already showed text
        let bytes: Uint8Array;
        try {
          bytes = readStoredFileSync(job.file);
        } catch {
          continue; // the run reports the unreadable file itself
        }
        frames = job.frames;
        reading = { textFound: false, framesRead: 0 };
        await probe.deidentify(bytes);
        verdict.framesRead += reading.framesRead;
        if (reading.textFound) verdict.textFound = true;
      }
    } finally {
      await probe.close();
    }
  };
  try {
    await Promise.all([lane(), lane()]);
  } finally {
    await cleaner.close();
    await ocr.close();
  }
  // A run cut short by cancel gives no verdicts (objects of an unsampled series sample themselves).
  if (options.signal?.aborted) return sampling;
  for (const [series, verdict] of verdicts) {
    const list = verdict.textFound ? 'withText' : verdict.framesRead > 0 ? 'withoutText' : 'unread';
    sampling.samples[list].push(series);
    sampling.series += 1;
    sampling.framesRead += verdict.framesRead;
    if (verdict.textFound) sampling.seriesWithText += 1;
  }
  options.logger?.info(
    {
      event: 'deid.series-sample',
      series: sampling.series,
      seriesWithText: sampling.seriesWithText,
      framesRead: sampling.framesRead,
    },
    'series sampled for burned-in text',
  );
  return sampling;
}
