/**
 * The series sample: OCR looks at a few images of every series, whatever its header says,
 * because scanners and workstations burn names into ORIGINAL\PRIMARY images without setting
 * BurnedInAnnotation. A series in whose sample text is found is treated as at risk as a whole
 * (every object goes through the full cleaner); a series whose sample is clean is kept as the
 * header says, without OCR of every image.
 *
 * This file knows how to find the series of a file from a bounded header read and which frames
 * to sample; the de-identification service (main/deid/series-sample.ts) reads the sampled
 * objects and asks the cleaner (`sampleText`) before it writes the series.
 */
import fs from 'node:fs';
import dicomParser from 'dicom-parser';
import { assessBurnedInRisk } from './risk.js';
import { matchingRules } from './rules.js';
import type { PixelRule, SeriesSample, SeriesSamples } from './types.js';
import { readStoredHead, storedPlainSize } from '../../cache/store-cipher.js';

/** Reasons (no PHI) of the series sample, shown in reports; see reason-codes.ts. */
export const SERIES_TEXT = 'OCR found text in a sample of this series';
export const SERIES_NO_TEXT = 'OCR found no text in a sample of this series';
export const SERIES_NOT_READ = 'the series sample could not read these pixels';

/** First, middle and last of `count` frames (each once). */
export function sampleFrameIndexes(count: number): number[] {
  if (count <= 0) return [];
  return [...new Set([0, Math.floor((count - 1) / 2), count - 1])];
}

/** The verdict for an object's series, or undefined when its series was not sampled. */
export function seriesVerdictOf(
  samples: SeriesSamples | undefined,
  seriesInstanceUID: string,
): SeriesSample | undefined {
  if (!samples || !seriesInstanceUID) return undefined;
  if (samples.withText.includes(seriesInstanceUID)) return { textFound: true, framesRead: 1 };
  if (samples.withoutText.includes(seriesInstanceUID)) return { textFound: false, framesRead: 1 };
  if (samples.unread.includes(seriesInstanceUID)) return { textFound: false, framesRead: 0 };
  return undefined;
}

/** What the series sample needs to know about one input file, from its header. */
export interface SeriesMember {
  file: string;
  /** Original Series Instance UID (local only: the key of the sample's verdict). */
  seriesInstanceUID: string;
  /** InstanceNumber, or null: orders the series (file name order when equal). */
  instanceNumber: number | null;
  numberOfFrames: number;
  /** ImageType joined by backslashes, upper case. */
  imageType: string;
  /** FrameType of each frame of an enhanced multi-frame object, when the header has it. */
  frameTypes: string[] | null;
  /** Low risk by the header and no region rule: only these objects are decided by the sample. */
  decidedBySample: boolean;
}

const PIXEL_DATA = 'x7fe00010';
const FIRST_READ_BYTES = 16 * 1024;
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

/** The header up to Pixel Data, read in growing chunks; null when it is not a plain Part 10 header. */
function parseHeader(file: string): dicomParser.DataSet | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const fileSize = fs.fstatSync(fd).size;
    const size = storedPlainSize(fd, fileSize);
    for (
      let length = Math.min(FIRST_READ_BYTES, size);
      ;
      length = Math.min(length * 4, MAX_HEADER_BYTES, size)
    ) {
      const bytes = readStoredHead(fd, length, fileSize);
      const complete = bytes.length >= size;
      try {
        const dataSet = dicomParser.parseDicom(bytes, { untilTag: PIXEL_DATA });
        // A read that ended between two elements parses too: trust it once Pixel Data is reached.
        if (dataSet.elements[PIXEL_DATA] || complete) return dataSet;
      } catch {
        if (complete) return null;
      }
      if (complete || length >= MAX_HEADER_BYTES) return null;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Every FrameType (0008,9007) inside an item, at any depth (CT/MR/PET… Image Frame Type Sequence). */
function frameTypeIn(dataSet: dicomParser.DataSet | undefined, depth = 0): string | null {
  if (!dataSet || depth > 4) return null;
  const direct = dataSet.string('x00089007');
  if (direct) return direct.trim().toUpperCase();
  for (const element of Object.values(dataSet.elements)) {
    for (const item of element.items ?? []) {
      const found = frameTypeIn(item.dataSet, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

function frameTypesOf(dataSet: dicomParser.DataSet, numberOfFrames: number): string[] | null {
  if (numberOfFrames <= 1) return null;
  const shared = frameTypeIn(dataSet.elements['x52009229']?.items?.[0]?.dataSet);
  const perFrame = dataSet.elements['x52009230']?.items ?? [];
  if (!shared && perFrame.length === 0) return null;
  return Array.from(
    { length: numberOfFrames },
    (_, frame) => frameTypeIn(perFrame[frame]?.dataSet) ?? shared ?? '',
  );
}

/**
 * The series facts of a file from a bounded header read (no pixel data is read), or null when
 * the file has no image pixel data or cannot be read this way (the engine then decides it on
 * its own: a series of one).
 */
export function readSeriesMember(file: string, rules: readonly PixelRule[]): SeriesMember | null {
  const dataSet = parseHeader(file);
  if (!dataSet?.elements[PIXEL_DATA]) return null;
  const text = (tag: string): string => dataSet.string(tag)?.trim() ?? '';
  const seriesInstanceUID = text('x0020000e');
  if (!seriesInstanceUID) return null;
  const numberOfFrames = Math.max(1, Number.parseInt(text('x00280008'), 10) || 1);
  const imageType = (dataSet.string('x00080008') ?? '')
    .split('\\')
    .map((part) => part.trim().toUpperCase())
    .filter(Boolean);
  const context = {
    modality: text('x00080060'),
    sopClassUID: text('x00080016'),
    burnedInAnnotation: text('x00280301').toUpperCase(),
    imageType,
    conversionType: text('x00080064'),
    manufacturer: text('x00080070'),
    manufacturerModelName: text('x00081090'),
    rows: dataSet.uint16('x00280010') ?? 0,
    columns: dataSet.uint16('x00280011') ?? 0,
  };
  const instance = Number.parseInt(text('x00200013'), 10);
  return {
    file,
    seriesInstanceUID,
    instanceNumber: Number.isFinite(instance) ? instance : null,
    numberOfFrames,
    imageType: imageType.join('\\'),
    frameTypes: frameTypesOf(dataSet, numberOfFrames),
    decidedBySample: !assessBurnedInRisk(context).atRisk && matchingRules(rules, context).length === 0,
  };
}

/**
 * The frames to OCR in a series, by file: the first, middle and last frame of the series (in
 * InstanceNumber order, then frame order), and the first frame of each image type and frame
 * type (a localizer, a dose screen, a derived frame among originals). Only objects decided by
 * the sample count: the others go through the full cleaner anyway.
 */
export function seriesSampleFrames(members: readonly SeriesMember[]): Map<string, number[]> {
  const ordered = members
    .filter((member) => member.decidedBySample)
    .sort(
      (a, b) =>
        (a.instanceNumber ?? Infinity) - (b.instanceNumber ?? Infinity) ||
        (a.file < b.file ? -1 : a.file > b.file ? 1 : 0),
    );
  const frames: Array<{ file: string; frame: number; type: string }> = [];
  for (const member of ordered) {
    for (let frame = 0; frame < member.numberOfFrames; frame += 1) {
      frames.push({
        file: member.file,
        frame,
        type: `${member.imageType}|${member.frameTypes?.[frame] ?? ''}`,
      });
    }
  }
  const chosen = new Set(sampleFrameIndexes(frames.length));
  const seenTypes = new Set<string>();
  frames.forEach((entry, index) => {
    if (seenTypes.has(entry.type)) return;
    seenTypes.add(entry.type);
    chosen.add(index);
  });
  const byFile = new Map<string, number[]>();
  for (const index of [...chosen].sort((a, b) => a - b)) {
    const { file, frame } = frames[index]!;
    byFile.set(file, [...(byFile.get(file) ?? []), frame]);
  }
  return byFile;
}
