/** Labelmaps for tests, as the renderer sends them to `segmentation.saveSlices`. */
import zlib from 'node:zlib';
import type { SaveSlicesParsed } from '../../shared/segmentation.js';

export interface OneSegmentOptions {
  annotationUid: string;
  versionId: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  /** The image, or images (each gets the same `labels`). */
  sopInstanceUID: string | readonly string[];
  /** The image's label values, row by row (`width` × `height`); 1 is the segment. */
  labels: Uint8Array;
  width: number;
  height: number;
  /** The segment's name. */
  name: string;
  /** The segment's colour (orange unless said). */
  color?: string;
}

/**
 * The first version of a labelmap with one segment (value 1 on layer 0, 8-bit) drawn on one image
 * or on several alike.
 */
export function oneSegmentLabelmap(options: OneSegmentOptions): SaveSlicesParsed {
  return {
    annotationUid: options.annotationUid,
    versionId: options.versionId,
    parentVersionId: null,
    studyInstanceUID: options.studyInstanceUID,
    seriesInstanceUID: options.seriesInstanceUID,
    width: options.width,
    height: options.height,
    bits: 8,
    layers: 1,
    deleted: false,
    segments: [
      {
        segmentIndex: 1,
        name: options.name,
        color: options.color ?? '#ffaa00',
        visible: true,
        locked: false,
        layer: 0,
        labelValue: 1,
      },
    ],
    slices: [options.sopInstanceUID].flat().map((sopInstanceUID) => ({
      layer: 0,
      sopInstanceUID,
      frame: 1,
      data: zlib.deflateSync(options.labels).toString('base64'),
    })),
  };
}
