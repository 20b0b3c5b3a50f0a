/**
 * A series' pixels as a model needs them, one image at a time (a 600-slice CT as 32-bit floats
 * would be 600 MB at once): modality values (stored value × Rescale Slope + Intercept: HU for CT),
 * read from the store (encrypted or not; compressed syntaxes decoded). Single-frame greyscale
 * images of one size only: anything else is refused with the reason.
 */
import { AppError, ErrorCode } from '../../shared/errors.js';
import { readStoredFile } from '../cache/store-cipher.js';
import { rescaleOf, sampleAt, storedFrameOf } from '../deid/deface/geometry.js';
import { parseDicomFile } from '../deid/dicom/walker.js';
import { Tag } from '../deid/engine/tags.js';
import { readValue, topLevel } from '../deid/engine/values.js';

const TAG_PIXEL_SPACING = 0x00280030;

export interface SeriesHeader {
  modality: string;
  rows: number;
  columns: number;
  /** In-plane spacing in mm (row, column), null when the image does not say. */
  spacing: [number, number] | null;
}

/** One image of the series: its header and its modality values, row by row. */
export async function readSeriesSlice(file: string): Promise<{ header: SeriesHeader; values: Float32Array }> {
  let bytes: Buffer;
  try {
    bytes = await readStoredFile(file);
  } catch (error) {
    throw new AppError(ErrorCode.Io, 'An image of the series cannot be read from the store.', {
      cause: error,
    });
  }
  const parsed = parseDicomFile(bytes);
  const original = topLevel(parsed);
  const frame = await storedFrameOf(parsed, original);
  if ('reason' in frame)
    throw new AppError(
      ErrorCode.ModelRejected,
      `The model cannot read this series: ${frame.reason.replace(/ for defacing$/, '')}.`,
    );
  const { rows, columns } = frame.layout;
  const spacing = readValue(parsed, original, TAG_PIXEL_SPACING)
    .split('\\')
    .map((part) => Number(part));
  const rescale = rescaleOf(parsed, original);
  const count = rows * columns;
  const values = new Float32Array(count);
  for (let index = 0; index < count; index++)
    values[index] = sampleAt(frame, index) * rescale.slope + rescale.intercept;
  return {
    header: {
      modality: readValue(parsed, original, Tag.Modality).toUpperCase(),
      rows,
      columns,
      spacing:
        spacing.length === 2 && spacing.every((value) => Number.isFinite(value) && value > 0)
          ? [spacing[0]!, spacing[1]!]
          : null,
    },
    values,
  };
}

/** Refuses an image whose size differs from the series' first. */
export function checkSameSize(first: SeriesHeader, other: SeriesHeader): void {
  if (other.rows !== first.rows || other.columns !== first.columns)
    throw new AppError(
      ErrorCode.ModelRejected,
      'The images of this series differ in size; the model needs one size for the whole series.',
    );
}

/** Lets other requests in between two images: reading a series never holds main up for long. */
export function yieldToOthers(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
