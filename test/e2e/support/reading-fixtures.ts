/**
 * Studies for the reading-room tests that the CT generator does not make: a series whose images
 * differ in size (a 3×3 first image, then 100×100 ones, as a localiser stored with its series), and
 * the stored value / rescale of a pixel read back from a file with pydicom (system Python).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CT_IMAGE_STORAGE } from '../../fixtures/ct-series.js';
import { type Element, deterministicUid, encodePart10 } from '../../fixtures/index.js';
import { signed16ImageElements } from '../../fixtures/image-module.js';

export const MIXED_PATIENT = 'Mixed^Sizes';
/** Stored value of the 100×100 images inside their 10-pixel black border. */
export const MIXED_INNER_VALUE = 1000;

function image(options: {
  study: string;
  series: string;
  sop: string;
  instance: number;
  size: number;
  pixel(x: number, y: number): number;
}): Buffer {
  const elements: Element[] = [
    { tag: 0x00080016, vr: 'UI', value: CT_IMAGE_STORAGE },
    { tag: 0x00080018, vr: 'UI', value: options.sop },
    { tag: 0x00080020, vr: 'DA', value: '20240301' },
    { tag: 0x00080060, vr: 'CS', value: 'CT' },
    { tag: 0x0008103e, vr: 'LO', value: 'Scout and axial' },
    { tag: 0x00100010, vr: 'PN', value: MIXED_PATIENT },
    { tag: 0x00100020, vr: 'LO', value: 'MIXED-1' },
    { tag: 0x0020000d, vr: 'UI', value: options.study },
    { tag: 0x0020000e, vr: 'UI', value: options.series },
    { tag: 0x00200011, vr: 'IS', value: '1' },
    { tag: 0x00200013, vr: 'IS', value: String(options.instance) },
    ...signed16ImageElements({
      size: options.size,
      spacing: 1,
      window: { center: 500, width: 1000 },
      rescale: { intercept: 0 },
      stored: options.pixel,
    }),
  ];
  return encodePart10({ sopClassUID: CT_IMAGE_STORAGE, sopInstanceUID: options.sop, elements });
}

/**
 * One series, no geometry (ordered by InstanceNumber): image 1 is 3×3 (a bright centre pixel),
 * images 2–4 are 100×100 with a 10-pixel black border around a bright square.
 */
export function makeMixedSizeStudy(dir: string): { dir: string; images: number } {
  fs.mkdirSync(dir, { recursive: true });
  const study = deterministicUid('mixed-study');
  const series = deterministicUid('mixed-series');
  const files = [
    { size: 3, pixel: (x: number, y: number) => (x === 1 && y === 1 ? MIXED_INNER_VALUE : 0) },
    ...[0, 1, 2].map(() => ({
      size: 100,
      pixel: (x: number, y: number) => (x >= 10 && x < 90 && y >= 10 && y < 90 ? MIXED_INNER_VALUE : 0),
    })),
  ];
  files.forEach((file, index) => {
    const sop = deterministicUid('mixed-sop', index);
    fs.writeFileSync(
      path.join(dir, `IM${index + 1}.dcm`),
      image({ study, series, sop, instance: index + 1, ...file }),
    );
  });
  return { dir, images: files.length };
}

/** The modality value of pixel (column, row) of frame `frame` (0-based) as pydicom computes it. */
export function modalityValueFromFile(file: string, column: number, row: number, frame = 0): number {
  const script = `
import sys, pydicom
d = pydicom.dcmread(sys.argv[1])
a = d.pixel_array
a = a[int(sys.argv[4])] if a.ndim == 3 else a
v = float(a[int(sys.argv[3]), int(sys.argv[2])])
slope = float(d.get('RescaleSlope', 1)); intercept = float(d.get('RescaleIntercept', 0))
scale = float(d.get('DoseGridScaling', 1))
print(repr(v * slope * scale + intercept))
`;
  const out = execFileSync(
    '/usr/bin/python3',
    ['-c', script, file, String(column), String(row), String(frame)],
    { encoding: 'utf8' },
  );
  return Number(out.trim());
}
