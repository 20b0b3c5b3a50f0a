/**
 * A series' pixels as a model needs them: every image in stack order (the catalog's display
 * order, the viewer's), as modality values (stored value × Rescale Slope + Intercept: HU for CT),
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

export interface SeriesSlice {
  sopInstanceUID: string;
  /** Modality values, row by row. */
  values: Float32Array;
}

export interface SeriesPixels {
  modality: string;
  rows: number;
  columns: number;
  /** In-plane spacing in mm (row, column), null when the images do not say. */
  spacing: [number, number] | null;
  slices: SeriesSlice[];
}

export async function readSeriesPixels(
  files: ReadonlyArray<{ sopInstanceUID: string; path: string }>,
  options: { signal?: AbortSignal; onSlice?: (done: number) => void } = {},
): Promise<SeriesPixels> {
  if (files.length === 0)
    throw new AppError(ErrorCode.NotFound, 'This series has no images in the local store.');
  let header: Omit<SeriesPixels, 'slices'> | null = null;
  const slices: SeriesSlice[] = [];
  for (const file of files) {
    if (options.signal?.aborted) throw new AppError(ErrorCode.Cancelled, 'Cancelled.');
    let bytes: Buffer;
    try {
      bytes = await readStoredFile(file.path);
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
    if (!header)
      header = {
        modality: readValue(parsed, original, Tag.Modality).toUpperCase(),
        rows,
        columns,
        spacing:
          spacing.length === 2 && spacing.every((value) => Number.isFinite(value) && value > 0)
            ? [spacing[0]!, spacing[1]!]
            : null,
      };
    else if (rows !== header.rows || columns !== header.columns)
      throw new AppError(
        ErrorCode.ModelRejected,
        'The images of this series differ in size; the model needs one size for the whole series.',
      );
    const rescale = rescaleOf(parsed, original);
    const count = rows * columns;
    const values = new Float32Array(count);
    for (let index = 0; index < count; index++)
      values[index] = sampleAt(frame, index) * rescale.slope + rescale.intercept;
    slices.push({ sopInstanceUID: file.sopInstanceUID, values });
    options.onSlice?.(slices.length);
    // Let other requests in between slices: reading a series never holds main up for long.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { ...header!, slices };
}
