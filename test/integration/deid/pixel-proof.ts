/**
 * Shared pixel checks of the proof tests: is the ink of a planted pixel marker gone from an
 * output, and can OCR still read the marker anywhere in it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { decodeEncapsulatedFrames } from '../../../main/deid/pixels/decode/index.js';
import { normaliseForMatching } from '../../../main/deid/pixels/identifying.js';
import {
  FrameSamples,
  layoutOf,
  splitNativeFrames,
  type PixelLayout,
} from '../../../main/deid/pixels/layout.js';
import type { OcrEngine } from '../../../main/deid/pixels/ocr.js';
import {
  displayRangeOf,
  frameBrightness,
  ocrScalesFor,
  renderForOcr,
  type DisplayRange,
} from '../../../main/deid/pixels/render.js';
import type { PixelContext } from '../../../main/deid/pixels/types.js';
import { DEBIAN_PYTHON, type PlantedMarker } from '../../fixtures/deid-markers/index.js';
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
  const decoded = await decodeEncapsulatedFrames(
    context.pixelData.frames,
    context.transferSyntaxUID,
    layout.layout,
  );
  if (!decoded.ok) throw new Error(decoded.reason);
  return { layout: decoded.layout, frames: decoded.frames };
}

/**
 * Pixels of the marker's box that are ink, before and after. Bright text: pixels at or above
 * the input's ink threshold. Dark print on a light background: pixels clearly darker than the
 * box's brightest level while the box still has light pixels; once the box is masked to one
 * level there is no print left to see.
 */
export function inkInBox(
  before: DecodedImage,
  after: DecodedImage,
  marker: PlantedMarker,
): { before: number; after: number } {
  const frame = marker.frame ?? 0;
  const range: DisplayRange = displayRangeOf([before.frames[frame]!], before.layout);
  const boxBefore = boxBrightness(
    frameBrightness(before.frames[frame]!, before.layout, range),
    before.layout,
    marker.box!,
  );
  const boxAfter = boxBrightness(
    frameBrightness(after.frames[frame]!, after.layout, range),
    after.layout,
    marker.box!,
  );
  if (marker.polarity !== 'dark') {
    return {
      before: boxBefore.filter((value) => value >= range.threshold).length,
      after: boxAfter.filter((value) => value >= range.threshold).length,
    };
  }
  const darkPrint = (values: number[]): number => {
    const paper = Math.max(...values);
    return values.filter((value) => paper - value >= 96).length;
  };
  return { before: darkPrint(boxBefore), after: darkPrint(boxAfter) };
}

function boxBrightness(
  brightness: Uint8Array,
  layout: PixelLayout,
  box: NonNullable<PlantedMarker['box']>,
): number[] {
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
      for (let j = 1; j <= haystack.length; j += 1)
        current[j] = Math.min(
          previous[j]! + 1,
          current[j - 1]! + 1,
          previous[j - 1]! + (needle[i - 1] === haystack[j - 1] ? 0 : 1),
        );
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
export async function markersReadBack(
  image: DecodedImage,
  markers: readonly string[],
  ocr: OcrEngine,
  displayedLike: DecodedImage = image,
): Promise<string[]> {
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
export function changedPixels(
  before: DecodedImage,
  after: DecodedImage,
): Array<{ frame: number; x: number; y: number }> {
  const changed: Array<{ frame: number; x: number; y: number }> = [];
  const { rows, columns } = before.layout;
  before.frames.forEach((frameBefore, frame) => {
    const samplesBefore = new FrameSamples(frameBefore, before.layout);
    const samplesAfter = new FrameSamples(after.frames[frame]!, after.layout);
    for (let y = 0; y < rows; y += 1) {
      for (let x = 0; x < columns; x += 1) {
        for (let sample = 0; sample < before.layout.samplesPerPixel; sample += 1) {
          if (
            samplesBefore.get(samplesBefore.indexOf(x, y, sample)) !==
            samplesAfter.get(samplesAfter.indexOf(x, y, sample))
          ) {
            changed.push({ frame, x, y });
            break;
          }
        }
      }
    }
  });
  return changed;
}

/** One CT series of `writeCtSeriesWithBurnedText`: which images carry the patient's identity drawn into the pixels. */
export interface BurnedCtSeriesSpec {
  /** Distinguishes the series (UIDs, file names). */
  name: string;
  slices: number;
  /** InstanceNumber of the first slice; outputs keep InstanceNumber, which tells them apart. */
  firstInstance: number;
  /** 0-based slice indexes whose pixels carry the name, ID and birth date. */
  textOn: number[];
  /** BurnedInAnnotation; absent when undefined. */
  burnedInAnnotation?: 'NO';
  /** A slice index that is a LOCALIZER (ImageType ORIGINAL\PRIMARY\LOCALIZER) instead of AXIAL. */
  localizerAt?: number;
}

export interface BurnedCtSeries {
  /** File paths by series name, in slice order. */
  files: Record<string, string[]>;
  patientName: string;
  patientId: string;
  birthDate: string;
  /** The words drawn into the pixels (what no output may show). */
  markers: string[];
}

/**
 * A patient's CT series in which a scanner drew the patient's name, ID and birth date into the
 * pixels of some images (bright overlay text in the top-left corner, over air) while the header
 * calls them ORIGINAL\PRIMARY with BurnedInAnnotation absent or NO. 256² slices (or `size`) of a phantom body
 * with noise, 16-bit signed. Written by Debian's Python (pydicom, numpy, Pillow, DejaVu font).
 */
export function writeCtSeriesWithBurnedText(
  dir: string,
  series: BurnedCtSeriesSpec[],
  options: { size?: number } = {},
): BurnedCtSeries {
  const patient = { patientName: 'QUOKKA^MARGARET', patientId: 'QK77821', birthDate: '19530917' };
  const script = String.raw`
import json, os, sys
import numpy as np
from PIL import Image, ImageDraw, ImageFont
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian
spec = json.loads(sys.argv[1]); out = sys.argv[2]
N = spec['size']; u = N / 256.0
font = ImageFont.truetype('/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf', round(13 * u))
root = '1.2.826.0.1.3680043.10.1173.77'
study = root + '.1'
rng = np.random.default_rng(5)
files = {}
for s_index, series in enumerate(spec['series']):
    files[series['name']] = []
    for k in range(series['slices']):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.2'
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset(); ds.file_meta = meta; ds.is_little_endian = True; ds.is_implicit_VR = False
        ds.SpecificCharacterSet = 'ISO_IR 100'
        ds.ImageType = ['ORIGINAL', 'PRIMARY', 'LOCALIZER' if series.get('localizerAt') == k else 'AXIAL']
        ds.SOPClassUID = meta.MediaStorageSOPClassUID
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID = '%s.%d.%d' % (root, 10 + s_index, k + 1)
        meta.ImplementationClassUID = root + '.0'
        ds.StudyDate = '20240115'; ds.StudyTime = '101500'; ds.AccessionNumber = 'ACC4471'
        ds.Modality = 'CT'; ds.Manufacturer = 'RadLabel Test'
        ds.PatientName = spec['patientName']; ds.PatientID = spec['patientId']; ds.PatientBirthDate = spec['birthDate']; ds.PatientSex = 'F'
        ds.StudyInstanceUID = study; ds.SeriesInstanceUID = '%s.%d' % (root, 10 + s_index)
        ds.StudyID = '1'; ds.SeriesNumber = str(s_index + 1); ds.InstanceNumber = str(series['firstInstance'] + k)
        ds.ImagePositionPatient = [-89.6, -89.6, k * 2.5]; ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.PixelSpacing = [0.7, 0.7]; ds.SliceThickness = '2.5'
        if 'burnedInAnnotation' in series: ds.BurnedInAnnotation = series['burnedInAnnotation']
        yy, xx = np.mgrid[0:N, 0:N] / u
        body = np.where(((xx - 128) / 100.0) ** 2 + ((yy - 140) / 80.0) ** 2 <= 1, 1040, 24) + rng.normal(0, 12, (N, N))
        body = np.where(((xx - 100) / 14.0) ** 2 + ((yy - 150) / 14.0) ** 2 <= 1, 1500 + 20 * k, body)
        pixels = body.astype(np.int16)
        if k in series['textOn']:
            canvas = Image.new('L', (N, N), 0)
            draw = ImageDraw.Draw(canvas)
            draw.text((6 * u, 4 * u), spec['patientName'], font=font, fill=255)
            draw.text((6 * u, 20 * u), 'ID ' + spec['patientId'], font=font, fill=255)
            draw.text((6 * u, 36 * u), 'DOB ' + spec['birthDate'], font=font, fill=255)
            pixels[np.asarray(canvas) > 128] = 3071
        ds.Rows = ds.Columns = N; ds.SamplesPerPixel = 1; ds.PhotometricInterpretation = 'MONOCHROME2'
        ds.BitsAllocated = 16; ds.BitsStored = 16; ds.HighBit = 15; ds.PixelRepresentation = 1
        ds.RescaleIntercept = '-1024'; ds.RescaleSlope = '1'; ds.WindowCenter = '40'; ds.WindowWidth = '400'
        ds.PixelData = pixels.tobytes()
        path = os.path.join(out, '%s-%03d.dcm' % (series['name'], k + 1))
        ds.save_as(path, write_like_original=False)
        files[series['name']].append(path)
print(json.dumps(files))
`;
  fs.mkdirSync(dir, { recursive: true });
  const output = execFileSync(
    DEBIAN_PYTHON,
    ['-W', 'ignore', '-c', script, JSON.stringify({ ...patient, series, size: options.size ?? 256 }), dir],
    { encoding: 'utf8' },
  );
  return {
    files: JSON.parse(output) as Record<string, string[]>,
    ...patient,
    markers: ['QUOKKA', 'MARGARET', patient.patientId, patient.birthDate],
  };
}
