/**
 * Defacing (Clean Recognizable Visual Features) in the contract: the cutting surface the reader
 * adjusts, the three planes the deface view draws, and the `deid.deface*` methods' shapes.
 * Patient coordinates (LPS, millimetres) throughout; anterior is −y.
 */
import { z } from 'zod';
import { Uid } from './contract-parts.js';

const Coordinate = z.number().finite().min(-10_000).max(10_000);
export const DefacePoint = z.tuple([Coordinate, Coordinate, Coordinate]);

/**
 * The plane through `superior` and `inferior` that contains the patient's left–right axis;
 * everything in front of it is set to air. The two points must differ in height.
 */
export const DefaceCutSchema = z
  .object({ superior: DefacePoint, inferior: DefacePoint })
  .strict()
  .refine((cut) => Math.abs(cut.superior[2] - cut.inferior[2]) >= 1, {
    message: 'The two points of the cut must be at least 1 mm apart in height.',
  });
export type DefaceCutView = z.infer<typeof DefaceCutSchema>;

/**
 * One plane as an 8-bit greyscale picture (windowed), row by row, base64; pixel (i, j) shows the
 * patient point whose `u` coordinate is u0 + i·du and `v` coordinate v0 + j·dv.
 */
export const DefacePlane = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  pixels: z.string(),
  u: z.enum(['x', 'y']),
  v: z.enum(['y', 'z']),
  u0: z.number(),
  du: z.number(),
  v0: z.number(),
  dv: z.number(),
  /** The coordinate the plane lies at: x for sagittal, y for coronal, z for axial. */
  at: z.number(),
});
export type DefacePlane = z.infer<typeof DefacePlane>;

export const DefaceSeriesSummary = z.object({
  seriesInstanceUID: Uid,
  seriesDescription: z.string(),
  /** The reader accepted a cut: the export writes this series defaced. */
  accepted: z.boolean(),
  /** The automatic surface was found (false: the reader places the cut by hand). */
  automatic: z.boolean(),
});
export type DefaceSeriesSummary = z.infer<typeof DefaceSeriesSummary>;

export const DefaceView = z.object({
  seriesInstanceUID: Uid,
  cut: DefaceCutSchema,
  accepted: z.boolean(),
  /** The automatic proposal, or null when no face was found on the profile. */
  automaticCut: DefaceCutSchema.nullable(),
  landmarks: z.object({ nasion: DefacePoint, noseTip: DefacePoint, chin: DefacePoint.nullable() }).nullable(),
  planes: z.object({ axial: DefacePlane, coronal: DefacePlane, sagittal: DefacePlane }),
  /** Time spent reading the volume and finding the surface (ms). */
  surfaceMs: z.number(),
});
export type DefaceView = z.infer<typeof DefaceView>;

const SeriesRef = z.object({ studyInstanceUID: Uid, seriesInstanceUID: Uid }).strict();

export const defaceRequests = {
  series: z.object({ studyInstanceUID: Uid }).strict(),
  view: SeriesRef,
  accept: SeriesRef.extend({ cut: DefaceCutSchema }).strict(),
  clear: SeriesRef,
} as const;
