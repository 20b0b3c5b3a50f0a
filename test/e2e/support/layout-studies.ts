/**
 * Studies for the layout, linking, compare-prior and restore tests, written into one folder:
 *
 * - CT study (patient Layout^Test, 2024-03-01), one frame of reference:
 *     "Scout" (1 image), "Axial 2.5 mm" (40 slices, z = −2.5·k), "Axial 5 mm" (20 slices,
 *     z = −1.25 − 5·k), "Coronal" (30 slices, y = −20 + 2·k); 128² images, pixel spacing 1 mm;
 * - its prior (same patient ID, 2023-03-01), "Axial 2.5 mm" (40 slices), another frame of reference;
 * - an MR study (patient Layout^MR) with five series numbered 5…1, three slices each;
 * - a DX study (patient Layout^DX) with one series of two images.
 *
 * Pixel values: stored value 100 + k (slice k) everywhere except a bright disc (1000) in the middle
 * of axial slices, so a slice's identity can be read from the file if needed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { deterministicUid, ds, encodePart10, makeTempDir, type Element } from '../../fixtures/index.js';
import { signed16ImageElements } from '../../fixtures/image-module.js';

const SIZE = 128;
const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';
const DX = '1.2.840.10008.5.1.4.1.1.1.1';

export interface SeriesSpec {
  key: string;
  description: string;
  seriesNumber: number;
  slices: number;
  orientation: number[];
  /** ImagePositionPatient of slice k. */
  position(k: number): number[];
  thickness: number;
}

export interface StudySpec {
  key: string;
  patientName: string;
  patientId: string;
  date: string;
  modality: string;
  sopClass: string;
  series: SeriesSpec[];
}

const AXIAL = [1, 0, 0, 0, 1, 0];
const CORONAL = [1, 0, 0, 0, 0, -1];
const half = SIZE / 2;

export const ctStudy: StudySpec = {
  key: 'ct',
  patientName: 'Layout^Test',
  patientId: 'LAY-0001',
  date: '20240301',
  modality: 'CT',
  sopClass: CT,
  series: [
    {
      key: 'scout',
      description: 'Scout',
      seriesNumber: 1,
      slices: 1,
      orientation: CORONAL,
      position: () => [-half, 0, half],
      thickness: 1,
    },
    {
      key: 'ax25',
      description: 'Axial 2.5 mm',
      seriesNumber: 2,
      slices: 40,
      orientation: AXIAL,
      position: (k) => [-half, -half, -2.5 * k],
      thickness: 2.5,
    },
    {
      key: 'ax5',
      description: 'Axial 5 mm',
      seriesNumber: 3,
      slices: 20,
      orientation: AXIAL,
      position: (k) => [-half, -half, -1.25 - 5 * k],
      thickness: 5,
    },
    {
      key: 'cor',
      description: 'Coronal',
      seriesNumber: 4,
      slices: 30,
      orientation: CORONAL,
      position: (k) => [-half, -20 + 2 * k, 10],
      thickness: 2,
    },
  ],
};

export const priorStudy: StudySpec = {
  key: 'prior',
  patientName: 'Layout^Test',
  patientId: 'LAY-0001',
  date: '20230301',
  modality: 'CT',
  sopClass: CT,
  series: [
    {
      key: 'ax25',
      description: 'Axial 2.5 mm',
      seriesNumber: 2,
      slices: 40,
      orientation: AXIAL,
      position: (k) => [-half, -half, 100 - 2.5 * k],
      thickness: 2.5,
    },
  ],
};

export const mrStudy: StudySpec = {
  key: 'mr',
  patientName: 'Layout^MR',
  patientId: 'LAY-0002',
  date: '20240302',
  modality: 'MR',
  sopClass: MR,
  series: [5, 4, 3, 2, 1].map((n) => ({
    key: `mr${n}`,
    description: `MR series ${n}`,
    seriesNumber: n,
    slices: 3,
    orientation: AXIAL,
    position: (k: number) => [-half, -half, -4 * k],
    thickness: 4,
  })),
};

export const dxStudy: StudySpec = {
  key: 'dx',
  patientName: 'Layout^DX',
  patientId: 'LAY-0003',
  date: '20240303',
  modality: 'DX',
  sopClass: DX,
  series: [
    {
      key: 'dx',
      description: 'Chest PA and lateral',
      seriesNumber: 1,
      slices: 2,
      orientation: CORONAL,
      position: () => [-half, 0, half],
      thickness: 1,
    },
  ],
};

export const uidOf = {
  study: (study: StudySpec) => deterministicUid('layout-study', study.key),
  series: (study: StudySpec, series: SeriesSpec) => deterministicUid('layout-series', study.key, series.key),
  sop: (study: StudySpec, series: SeriesSpec, k: number) =>
    deterministicUid('layout-sop', study.key, series.key, k),
  frame: (study: StudySpec) => deterministicUid('layout-for', study.key),
};

/** Stored value at (x, y) of slice k: a bright disc on axial slices, the slice's own grey elsewhere. */
function storedValue(series: SeriesSpec, k: number): (x: number, y: number) => number {
  const axial = series.orientation === AXIAL;
  return (x, y) => (axial && (x - half) ** 2 + (y - half) ** 2 <= (SIZE / 4) ** 2 ? 1000 : 100 + k);
}

function encode(study: StudySpec, series: SeriesSpec, k: number): Buffer {
  const sopInstanceUID = uidOf.sop(study, series, k);
  const elements: Element[] = [
    { tag: 0x00080005, vr: 'CS', value: 'ISO_IR 100' },
    { tag: 0x00080016, vr: 'UI', value: study.sopClass },
    { tag: 0x00080018, vr: 'UI', value: sopInstanceUID },
    { tag: 0x00080020, vr: 'DA', value: study.date },
    { tag: 0x00080060, vr: 'CS', value: study.modality },
    { tag: 0x00081030, vr: 'LO', value: `${study.modality} study ${study.date}` },
    { tag: 0x0008103e, vr: 'LO', value: series.description },
    { tag: 0x00100010, vr: 'PN', value: study.patientName },
    { tag: 0x00100020, vr: 'LO', value: study.patientId },
    { tag: 0x00180050, vr: 'DS', value: ds(series.thickness) },
    { tag: 0x0020000d, vr: 'UI', value: uidOf.study(study) },
    { tag: 0x0020000e, vr: 'UI', value: uidOf.series(study, series) },
    { tag: 0x00200011, vr: 'IS', value: String(series.seriesNumber) },
    { tag: 0x00200013, vr: 'IS', value: String(k + 1) },
    { tag: 0x00200032, vr: 'DS', value: ds(...series.position(k)) },
    { tag: 0x00200037, vr: 'DS', value: ds(...series.orientation) },
    { tag: 0x00200052, vr: 'UI', value: uidOf.frame(study) },
    ...signed16ImageElements({
      size: SIZE,
      spacing: 1,
      window: { center: 500, width: 1200 },
      rescale: { intercept: 0 },
      stored: storedValue(series, k),
    }),
  ];
  return encodePart10({ sopClassUID: study.sopClass, sopInstanceUID, elements });
}

/** Writes the given studies into a new folder (one subfolder per study) and returns it. */
export function writeLayoutStudies(studies: StudySpec[] = [ctStudy, priorStudy, mrStudy, dxStudy]): string {
  const root = makeTempDir('layout-studies');
  for (const study of studies) {
    for (const series of study.series) {
      const dir = path.join(root, study.key, series.key);
      fs.mkdirSync(dir, { recursive: true });
      for (let k = 0; k < series.slices; k += 1)
        fs.writeFileSync(path.join(dir, `IM${String(k + 1).padStart(4, '0')}.dcm`), encode(study, series, k));
    }
  }
  return root;
}
