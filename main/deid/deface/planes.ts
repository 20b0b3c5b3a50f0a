/**
 * The three planes the deface view draws, reformatted from the axial volume (nearest
 * neighbour, the volume's own spacing) and windowed to 8 bits: the mid-sagittal plane, an axial
 * plane at the nose tip and a coronal plane through the cut. CT uses a soft-tissue window
 * (W 400, L 40) in which skin stands out against air; other modalities their own range.
 */
import type { FaceSurface } from './surface.js';
import type { DefaceCut } from './types.js';
import type { HeadVolume, VolumeSlice } from './volume.js';

export interface Plane {
  width: number;
  height: number;
  /** 8-bit greyscale, row by row. */
  pixels: Uint8Array;
  u: 'x' | 'y';
  v: 'y' | 'z';
  u0: number;
  du: number;
  v0: number;
  dv: number;
  at: number;
}

function windowOf(volume: HeadVolume): { low: number; high: number } {
  if (volume.header.modality === 'CT') return { low: 40 - 200, high: 40 + 200 };
  const middle = volume.slices[Math.floor(volume.slices.length / 2)]!.values;
  const sample: number[] = [];
  for (let index = 0; index < middle.length; index += 7) sample.push(middle[index]!);
  sample.sort((a, b) => a - b);
  return { low: 0, high: sample[Math.floor(sample.length * 0.99)] || 1 };
}

/** Value at patient (x, y) in a slice, nearest voxel; NaN outside. */
function valueAt(slice: VolumeSlice, x: number, y: number): number {
  const g = slice.geometry;
  const column = Math.round((x - g.position[0]) / (g.columnSpacing * g.rowDirection[0]));
  const row = Math.round((y - g.position[1]) / (g.rowSpacing * g.columnDirection[1]));
  if (column < 0 || row < 0 || column >= g.columns || row >= g.rows) return Number.NaN;
  return slice.values[row * g.columns + column]!;
}

/** The in-plane extent of the volume: x and y ranges and spacing (from the first slice). */
function extent(volume: HeadVolume): {
  x0: number;
  dx: number;
  nx: number;
  y0: number;
  dy: number;
  ny: number;
} {
  const g = volume.slices[0]!.geometry;
  const xs = [g.position[0], g.position[0] + (g.columns - 1) * g.columnSpacing * g.rowDirection[0]];
  const ys = [g.position[1], g.position[1] + (g.rows - 1) * g.rowSpacing * g.columnDirection[1]];
  return {
    x0: Math.min(...xs),
    dx: g.columnSpacing,
    nx: g.columns,
    y0: Math.min(...ys),
    dy: g.rowSpacing,
    ny: g.rows,
  };
}

export function defacePlanes(
  volume: HeadVolume,
  surface: FaceSurface | null,
  cut: DefaceCut,
): { axial: Plane; coronal: Plane; sagittal: Plane } {
  const { low, high } = windowOf(volume);
  const grey = (value: number): number =>
    Number.isNaN(value) ? 0 : Math.max(0, Math.min(255, Math.round(((value - low) / (high - low)) * 255)));
  const e = extent(volume);
  const slices = volume.slices;
  const zTop = slices[0]!.geometry.position[2];
  const dz = -volume.sliceSpacing;
  const midlineX = surface?.midlineX ?? e.x0 + ((e.nx - 1) * e.dx) / 2;

  const sagittal = new Uint8Array(e.ny * slices.length);
  slices.forEach((slice, j) => {
    for (let i = 0; i < e.ny; i += 1)
      sagittal[j * e.ny + i] = grey(valueAt(slice, midlineX, e.y0 + i * e.dy));
  });
  const coronalY = (cut.superior[1] + cut.inferior[1]) / 2;
  const coronal = new Uint8Array(e.nx * slices.length);
  slices.forEach((slice, j) => {
    for (let i = 0; i < e.nx; i += 1) coronal[j * e.nx + i] = grey(valueAt(slice, e.x0 + i * e.dx, coronalY));
  });
  const axialZ = surface?.landmarks?.noseTip[2] ?? (cut.superior[2] + cut.inferior[2]) / 2;
  let axialSlice = slices[0]!;
  for (const slice of slices)
    if (Math.abs(slice.geometry.position[2] - axialZ) < Math.abs(axialSlice.geometry.position[2] - axialZ))
      axialSlice = slice;
  const axial = new Uint8Array(e.nx * e.ny);
  for (let j = 0; j < e.ny; j += 1)
    for (let i = 0; i < e.nx; i += 1)
      axial[j * e.nx + i] = grey(valueAt(axialSlice, e.x0 + i * e.dx, e.y0 + j * e.dy));

  return {
    sagittal: {
      width: e.ny,
      height: slices.length,
      pixels: sagittal,
      u: 'y',
      v: 'z',
      u0: e.y0,
      du: e.dy,
      v0: zTop,
      dv: dz,
      at: midlineX,
    },
    coronal: {
      width: e.nx,
      height: slices.length,
      pixels: coronal,
      u: 'x',
      v: 'z',
      u0: e.x0,
      du: e.dx,
      v0: zTop,
      dv: dz,
      at: coronalY,
    },
    axial: {
      width: e.nx,
      height: e.ny,
      pixels: axial,
      u: 'x',
      v: 'y',
      u0: e.x0,
      du: e.dx,
      v0: e.y0,
      dv: e.dy,
      at: axialSlice.geometry.position[2],
    },
  };
}
