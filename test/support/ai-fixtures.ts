/**
 * AI pre-annotation fixtures (issue #11, docs/ai-review.md): a device's TID 1500 SR over a
 * generated CT series, written with dcmjs (main/annotation/dicom/sr-write.ts) as a model would:
 * the document's observer and every measurement group's observer is a device (Device Observer
 * UID, Name, Manufacturer 121194, Model Name 121195), the object's Manufacturer and Software
 * Versions name the vendor and version, and each finding carries its confidence as a NUM
 * `(ai-confidence, 99RADLABEL)` with UCUM unit `1`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readPart10 } from '../../main/annotation/dicom/dataset.js';
import { imageToWorld, readSeriesGeometry } from '../../main/annotation/dicom/geometry.js';
import type { AnnotationVersionLike } from '../../main/annotation/dicom/model.js';
import { writeMeasurementSR } from '../../main/annotation/dicom/sr-write.js';

export interface AiFindingSpec {
  /** Index of the slice (in the series' order along its normal) the finding is on. */
  slice: number;
  confidence: number;
  labelId?: string;
  /** Image coordinates (columns, rows) of the two ends of a length. */
  from?: [number, number];
  to?: [number, number];
}

export interface AiSrFixture {
  file: string;
  sopInstanceUID: string;
  seriesInstanceUID: string;
  sopClassUID: string;
  /** The findings' annotation UIDs, in the order given. */
  annotationUids: string[];
}

export function writeAiSr(options: {
  seriesFiles: readonly string[];
  out: string;
  model: string;
  manufacturer: string;
  modelName: string;
  version: string;
  findings: readonly AiFindingSpec[];
}): AiSrFixture {
  const geometry = readSeriesGeometry(options.seriesFiles);
  const annotationUids: string[] = [];
  const versions: AnnotationVersionLike[] = options.findings.map((finding, index) => {
    const slice = geometry.slices[finding.slice]!;
    const from = finding.from ?? [4 + index, 6];
    const to = finding.to ?? [20 + index, 18];
    const points = [imageToWorld(geometry, slice, from), imageToWorld(geometry, slice, to)];
    const [dx, dy] = [
      (to[0] - from[0]) * geometry.pixelSpacing[1],
      (to[1] - from[1]) * geometry.pixelSpacing[0],
    ];
    const annotationUid = crypto.randomUUID();
    annotationUids.push(annotationUid);
    const imageId = `sop:${slice.sopInstanceUID}`;
    return {
      versionId: crypto.randomUUID(),
      annotationUid,
      parentIds: [],
      studyInstanceUID: geometry.studyInstanceUID,
      seriesInstanceUID: geometry.seriesInstanceUID,
      sopInstanceUID: slice.sopInstanceUID,
      kind: 'measurement',
      tool: 'Length',
      labelId: finding.labelId ?? 'lesion',
      attributes: {},
      data: {
        metadata: {
          toolName: 'Length',
          referencedImageId: imageId,
          FrameOfReferenceUID: geometry.frameOfReferenceUID,
        },
        data: {
          handles: { points },
          cachedStats: { [`imageId:${imageId}`]: { length: Math.hypot(dx, dy), unit: 'mm' } },
        },
        ai: {
          confidence: finding.confidence,
          manufacturer: options.manufacturer,
          modelName: options.modelName,
        },
      },
      source: `ai:${options.model}`,
      author: options.model,
      status: 'complete',
      deleted: false,
      createdAt: Date.now(),
    };
  });
  const bytes = writeMeasurementSR({
    versions,
    geometry: () => geometry,
    reader: '',
    softwareVersion: options.version,
    device: { name: options.model, manufacturer: options.manufacturer, modelName: options.modelName },
  });
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(options.out, bytes);
  const dataset = readPart10(bytes);
  return {
    file: options.out,
    sopInstanceUID: String(dataset['SOPInstanceUID']),
    seriesInstanceUID: String(dataset['SeriesInstanceUID']),
    sopClassUID: String(dataset['SOPClassUID']),
    annotationUids,
  };
}
