/**
 * The annotation version tests save most: a Length measurement labelled `lesion`, as the viewer
 * saves it (Cornerstone's tool name in metadata, two world points in handles). One builder, so a
 * change of the version's shape is made once for every test.
 */
import crypto from 'node:crypto';
import type { AnnotationVersion, AnnotationVersionInput } from '../../shared/annotation.js';
import type { CtSeries } from '../fixtures/ct-series.js';

export type Point = [number, number, number];

export interface LengthVersionOptions {
  studyInstanceUID: string;
  annotationUid?: string;
  versionId?: string;
  parentIds?: string[];
  /** The two end points in world millimetres; [0,0,0]–[10,0,0] when not given. */
  points?: [Point, Point];
  seriesInstanceUID?: string;
  sopInstanceUID?: string;
}

/** A Length version; `extra` overrides any field (labelId, attributes, source, author, deleted…). */
export function lengthVersion(
  options: LengthVersionOptions,
  extra: Partial<AnnotationVersionInput> = {},
): AnnotationVersionInput {
  const { studyInstanceUID, seriesInstanceUID, sopInstanceUID } = options;
  const points = options.points ?? [
    [0, 0, 0],
    [10, 0, 0],
  ];
  return {
    versionId: options.versionId ?? crypto.randomUUID(),
    annotationUid: options.annotationUid ?? crypto.randomUUID(),
    parentIds: options.parentIds ?? [],
    studyInstanceUID,
    ...(seriesInstanceUID === undefined ? {} : { seriesInstanceUID }),
    ...(sopInstanceUID === undefined ? {} : { sopInstanceUID }),
    kind: 'measurement',
    tool: 'Length',
    labelId: 'lesion',
    attributes: {},
    data: { metadata: { toolName: 'Length' }, data: { handles: { points } } },
    ...extra,
  };
}

/** A line of `mm` millimetres along x from (1, 1, z): the lengths sync tests change between versions. */
export const lineOf = (mm: number, z = 0): [Point, Point] => [
  [1, 1, z],
  [1 + mm, 1, z],
];

/** Where an annotation is: its uid and the study, series and image it is drawn on. */
export type AnnotationPlace = Pick<
  AnnotationVersion,
  'annotationUid' | 'studyInstanceUID' | 'seriesInstanceUID' | 'sopInstanceUID'
>;

/**
 * A complete human Length version of `base`'s annotation, child of `parentIds`: `mm` long at
 * height `z` (from (1, 1, z), or between `points` when given).
 */
export function completeLength(
  base: AnnotationPlace,
  parentIds: string[],
  mm: number,
  z: number,
  points = lineOf(mm, z),
) {
  return {
    ...lengthVersion({
      studyInstanceUID: base.studyInstanceUID,
      annotationUid: base.annotationUid,
      seriesInstanceUID: base.seriesInstanceUID!,
      sopInstanceUID: base.sopInstanceUID!,
      parentIds,
      points,
    }),
    source: 'human' as const,
    status: 'complete' as const,
    deleted: false,
  };
}

export interface SecondImageVersion {
  /** The annotation; a new one when not given. */
  annotationUid?: string;
  versionId?: string;
  parentIds?: string[];
}

/**
 * A complete human Length of `mm` on the second image of a test CT series
 * (test/fixtures/ct-series.ts: its slice lies at z −1.25), as the sync tests draw it: a new
 * annotation, or a version of `annotationUid` after `parentIds`.
 */
export function lengthOnSecondImage(
  ct: Pick<CtSeries, 'studyInstanceUID' | 'seriesInstanceUID' | 'sopInstanceUIDs'>,
  mm: number,
  { annotationUid = crypto.randomUUID(), versionId, parentIds = [] }: SecondImageVersion = {},
) {
  const place = {
    annotationUid,
    studyInstanceUID: ct.studyInstanceUID,
    seriesInstanceUID: ct.seriesInstanceUID,
    sopInstanceUID: ct.sopInstanceUIDs[1]!,
  };
  const version = completeLength(place, parentIds, mm, -1.25);
  return versionId === undefined ? version : { ...version, versionId };
}
