/**
 * Every image gets a window that shows it. The window (VOI) of the header is kept when it makes
 * sense; when the header has none, or one that cannot show this image (not finite, not positive,
 * or entirely outside the image's values — pydicom's rtdose.dcm opened black), the window is
 * derived from the image's own data: its minimum to maximum in modality units (after rescale or
 * dose grid scaling). Applied in the image loader, before any viewport sees the image, so a reset
 * (R) returns to the same window.
 */
import { type Types, imageLoader, metaData, utilities } from '@cornerstonejs/core';
import { wadouri } from '@cornerstonejs/dicom-image-loader';
import { prepareInWorker } from './frameFetcher.js';
import { renderingChoice } from './initImaging.js';

interface HeaderWindow {
  width: number;
  center: number;
}

type LoadedImage = Types.IImage & { preScale?: { scaled?: boolean } };

/** The first window of the header's VOI LUT module, if any. */
function headerWindow(imageId: string): HeaderWindow | null {
  const voi = metaData.get('voiLutModule', imageId) as
    { windowWidth?: number | number[]; windowCenter?: number | number[] } | undefined;
  const first = (value: number | number[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const width = first(voi?.windowWidth);
  const center = first(voi?.windowCenter);
  if (width === undefined || center === undefined) return null;
  return { width: Number(width), center: Number(center) };
}

/** Minimum and maximum of the pixel data as stored in the image (before any rescale). */
function dataRange(image: LoadedImage): { min: number; max: number } | null {
  const data = image.getPixelData();
  if (!data || data.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i += 1) {
    const value = data[i]!;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return Number.isFinite(min) && Number.isFinite(max) ? { min, max } : null;
}

/** Minimum and maximum of the image in modality units (rescaled unless the loader did it). */
export function modalityRange(image: LoadedImage): { min: number; max: number } | null {
  const range = dataRange(image);
  if (!range) return null;
  const { min, max } = range;
  if (image.preScale?.scaled) return { min, max };
  const slope = image.slope || 1;
  const intercept = image.intercept || 0;
  const [a, b] = [min * slope + intercept, max * slope + intercept];
  return { min: Math.min(a, b), max: Math.max(a, b) };
}

/** Whether a header window can show an image whose values span [min, max]. */
export function windowShowsRange(window: HeaderWindow, range: { min: number; max: number }): boolean {
  if (!Number.isFinite(window.width) || !Number.isFinite(window.center) || window.width <= 0) return false;
  const lower = window.center - window.width / 2;
  const upper = window.center + window.width / 2;
  return upper >= range.min && lower <= range.max;
}

/**
 * The window from the data: exactly minimum to maximum under the DICOM linear function (PS3.3
 * C.11.2.1.2: width = max − min + 1, centre = (min + max + 1) / 2), which keeps windows of
 * sub-unit data (doses in Gy) valid where a width of max − min, below 1, turned them inside out.
 */
export function windowFromRange(range: { min: number; max: number }): HeaderWindow {
  const { windowWidth, windowCenter } = utilities.windowLevel.toWindowLevel(range.min, range.max);
  return { width: windowWidth, center: windowCenter };
}

function giveSensibleWindow(image: LoadedImage): void {
  if (image.color) return;
  const header = headerWindow(image.imageId);
  // The loader's own extremes settle the usual case (a CT or MR window) without a pass over the
  // pixels; only a missing or doubtful window costs one.
  const { minPixelValue, maxPixelValue } = image;
  if (header && Number.isFinite(minPixelValue) && Number.isFinite(maxPixelValue)) {
    if (windowShowsRange(header, { min: minPixelValue, max: maxPixelValue })) return;
  }
  const stored = dataRange(image);
  const range = modalityRange(image);
  if (!stored || !range) return;
  // The loader's extremes can be those of the raw frame while the data it hands over is scaled
  // (RT Dose: DoseGridScaling): Cornerstone's CPU path then squeezed every dose to 0 (black).
  image.minPixelValue = stored.min;
  image.maxPixelValue = stored.max;
  if (header && windowShowsRange(header, range)) return;
  const derived = windowFromRange(range);
  image.windowWidth = derived.width;
  image.windowCenter = derived.center;
  if (renderingChoice().mode === 'cpu') integerPixelsForCpu(image);
}

/**
 * Cornerstone's CPU path draws through a lookup table indexed by integer stored values: float
 * pixel data whose values are not integers (doses scaled by DoseGridScaling) fell between its
 * entries and came out black. Such data becomes 16-bit integers with a slope and intercept that
 * give back the same modality values (what Cornerstone itself does for float rescales).
 */
function integerPixelsForCpu(image: LoadedImage): void {
  const data = image.getPixelData();
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return;
  if (!image.preScale?.scaled) return;
  let integral = true;
  for (let i = 0; i < data.length && integral; i += 1) integral = Number.isInteger(data[i]);
  if (integral) return;
  const range = dataRange(image);
  if (!range) return;
  const slope = range.max > range.min ? (range.max - range.min) / 65535 : 1;
  const integers = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i += 1) integers[i] = Math.round((data[i]! - range.min) / slope);
  image.slope = slope;
  image.intercept = range.min;
  image.minPixelValue = 0;
  image.maxPixelValue = range.max > range.min ? 65535 : 0;
  image.preScale = { ...image.preScale, scaled: false };
  image.getPixelData = () => integers;
  const voxels = image.voxelManager as { getScalarData?: () => unknown } | undefined;
  if (voxels?.getScalarData) voxels.getScalarData = () => integers;
}

let installed = false;

/** Wraps the wadouri loader (call once, after the DICOM image loader's init). */
export function installDataDerivedWindows(): void {
  if (installed) return;
  installed = true;
  // The loader init registers for wadouri: (the naturalized-metadata one, not the legacy loadImage).
  const load = wadouri.loadImageFromNaturalizedMetadata as unknown as (
    imageId: string,
    options?: Record<string, unknown>,
  ) => Types.IImageLoadObject;
  // The file is fetched, parsed and its frame decoded in the frame worker first (frameFetcher.ts);
  // the loader then finds the metadata and the decoded frame and only builds the image object.
  imageLoader.registerImageLoader('wadouri', ((imageId: string, options?: Record<string, unknown>) => {
    const promise = prepareInWorker(imageId, options)
      .then(() => load(imageId, options).promise)
      .then((image) => {
        giveSensibleWindow(image as LoadedImage);
        return image;
      });
    return { promise };
  }) as unknown as Types.ImageLoaderFn);
}

/**
 * The window of a data preset for an image: "full" spans its minimum to maximum, "auto" its 2nd
 * to 98th percentile (what MR readers start from: a few bright pixels do not wash it out).
 */
export function dataWindow(image: Types.IImage, preset: 'auto' | 'full'): HeaderWindow | null {
  const range = modalityRange(image as LoadedImage);
  if (!range) return null;
  if (preset === 'full') return windowFromRange(range);
  const data = image.getPixelData();
  const scaled = (image as LoadedImage).preScale?.scaled === true;
  const slope = scaled ? 1 : image.slope || 1;
  const intercept = scaled ? 0 : image.intercept || 0;
  // A sample of at most 65,536 pixels is plenty for two percentiles.
  const step = Math.max(1, Math.floor(data.length / 65536));
  const sample: number[] = [];
  for (let i = 0; i < data.length; i += step) sample.push(data[i]! * slope + intercept);
  sample.sort((a, b) => a - b);
  const at = (p: number) => sample[Math.min(sample.length - 1, Math.floor(p * sample.length))]!;
  return windowFromRange({ min: at(0.02), max: at(0.98) });
}
