/**
 * The boundary between the header engine (main/deid/) and the pixel cleaner
 * (main/deid/pixels/). The engine hands over what the header says about an
 * object and its pixel data; the cleaner decides whether burned-in text is a
 * risk and either keeps the pixels, returns masked pixels, or holds the object
 * for human review.
 */
import type { DeidPixelRule } from '../../../shared/contract.js';

export interface PixelContext {
  modality: string;
  sopClassUID: string;
  manufacturer: string;
  manufacturerModelName: string;
  burnedInAnnotation: string; // '' when absent
  imageType: string[];
  conversionType: string; // (0008,0064), '' when absent
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  samplesPerPixel: number;
  photometricInterpretation: string;
  pixelRepresentation: number;
  planarConfiguration: number;
  numberOfFrames: number;
  transferSyntaxUID: string;
  /** Identifying values from the original header (names incl. Hanzi and pinyin, ids, dates in several formats) to boost OCR. */
  identifyingValues: string[];
  /** Native: the PixelData value bytes. Encapsulated: one entry per frame (fragments concatenated). */
  pixelData: { kind: 'native'; bytes: Uint8Array } | { kind: 'encapsulated'; frames: Uint8Array[] };
}
export interface PixelOptions {
  cleanPixelData: boolean;
  ocr: boolean;
  rules: PixelRule[];
  /**
   * What OCR of a sample of the object's series found (see series.ts), when the caller sampled
   * the series before writing it (deidentifyTree). Absent: the object is a series of one, and the
   * cleaner samples it itself when its header says it is low risk.
   */
  series?: SeriesSample;
}
/** The verdict of OCR on a sample of a series (first, middle, last image, each image/frame type once). */
export interface SeriesSample {
  /** True when a sampled frame showed text the cleaner would mask: every object of the series is then treated as at risk. */
  textFound: boolean;
  /** Frames read (0 when none could be read). */
  framesRead: number;
}
/**
 * The verdicts of a run's series samples, by original Series Instance UID, as lists: the run's
 * configuration travels to the worker threads with every object, and lists of strings cost a
 * fraction of a record of objects to copy. A series in none of the lists was not sampled.
 */
export interface SeriesSamples {
  withText: string[];
  withoutText: string[];
  /** Sampled, but no sampled frame could be rendered (unsupported pixel layout or codec). */
  unread: string[];
}
/** Burned-in text at known places on a device's images: the contract's rule (settings), one definition. */
export type PixelRule = DeidPixelRule;
export interface PixelRegion {
  frame: number;
  x: number;
  y: number;
  width: number;
  height: number;
  source: 'rule' | 'ocr';
}
export interface PixelDecision {
  action: 'keep' | 'masked' | 'hold';
  /** Why (e.g. 'BurnedInAnnotation YES', 'ultrasound', 'secondary capture', 'OCR found text', 'compressed and cannot decode'). No PHI. */
  reasons: string[];
  regions: PixelRegion[];
  /** For 'masked': the new native PixelData value; when the input was encapsulated, this is decoded+masked native data and transferSyntaxUID says the new syntax (explicit VR little endian). */
  pixelData?: Uint8Array;
  transferSyntaxUID?: string;
  /** For 'masked' after decoding: new PhotometricInterpretation if it changed (e.g. YBR_FULL_422 → RGB). */
  photometricInterpretation?: string;
}
export interface PixelCleaner {
  clean(context: PixelContext, options: PixelOptions): Promise<PixelDecision>;
}
