/**
 * The open study's measurements for the panel: Cornerstone's annotations on the study's images,
 * with their record (label, attributes, hidden, locked), series and image, re-read whenever an
 * annotation is added, changed or removed.
 */
import { eventTarget } from '@cornerstonejs/core';
import { Enums as ToolEnums, annotation as csAnnotation } from '@cornerstonejs/tools';
import { useEffect, useMemo, useState } from 'react';
import type { StudyDetail } from '../../../../shared/contract.js';
import { seriesInstances } from '../../stores/seriesInstances.js';
import type { Annotation } from '../tools/geometry.js';
import { type MeasurementFacts, measurementFacts } from '../tools/measurementText.js';
import { isMeasurementTool } from '../tools/measurementTools.js';
import { type AnnotationRecord, recordOfEntry, useEntries } from '../tools/storeLink.js';

export interface StudyAnnotation {
  uid: string;
  tool: string;
  imageId: string;
  sopInstanceUID: string | null;
  frame: number | null;
  seriesInstanceUID: string | null;
  /** 1-based position of the image in its series (instance order), when known. */
  imageNumber: number | null;
  record: AnnotationRecord;
  facts: MeasurementFacts;
  annotation: Annotation;
}

/** The SOP Instance UID and frame in one of our image ids (`wadouri:…/instances/<uid>?frame=n`). */
export function imageRefOf(imageId: string): { sopInstanceUID: string; frame: number | null } | null {
  const match = /\/instances\/([^/?#]+)(?:\?frame=(\d+))?/.exec(imageId);
  if (!match?.[1]) return null;
  return { sopInstanceUID: decodeURIComponent(match[1]), frame: match[2] ? Number(match[2]) : null };
}

interface StudyImages {
  /** sop → series and 1-based instance position. */
  bySop: Map<string, { seriesInstanceUID: string; position: number }>;
}

const imagesByStudy = new Map<string, Promise<StudyImages>>();

/** Where each image of the study is (its series, its place): the catalog, asked once per study. */
export function studyImages(detail: StudyDetail): Promise<StudyImages> {
  const key = detail.study.studyInstanceUID;
  let pending = imagesByStudy.get(key);
  if (!pending) {
    pending = Promise.all(
      detail.series.map(async (series) => {
        const instances = await seriesInstances(series.seriesInstanceUID);
        return instances.map((instance, index) => ({
          sop: instance.sopInstanceUID,
          seriesInstanceUID: series.seriesInstanceUID,
          position: index + 1,
        }));
      }),
    ).then((lists) => ({
      bySop: new Map(lists.flat().map((item) => [item.sop, item])),
    }));
    pending.catch(() => imagesByStudy.delete(key));
    imagesByStudy.set(key, pending);
  }
  return pending;
}

/** A number that changes whenever Cornerstone's annotations change (one update per frame). */
export function useAnnotationRevision(): number {
  const [revision, setRevision] = useState(0);
  useEffect(() => {
    let frame = 0;
    const bump = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setRevision((value) => value + 1);
      });
    };
    const events = [
      ToolEnums.Events.ANNOTATION_ADDED,
      ToolEnums.Events.ANNOTATION_MODIFIED,
      ToolEnums.Events.ANNOTATION_COMPLETED,
      ToolEnums.Events.ANNOTATION_REMOVED,
      ToolEnums.Events.ANNOTATION_SELECTION_CHANGE,
      ToolEnums.Events.ANNOTATION_VISIBILITY_CHANGE,
      ToolEnums.Events.ANNOTATION_LOCK_CHANGE,
    ];
    for (const name of events) eventTarget.addEventListener(name, bump);
    return () => {
      for (const name of events) eventTarget.removeEventListener(name, bump);
      cancelAnimationFrame(frame);
    };
  }, []);
  return revision;
}

export function useStudyAnnotations(detail: StudyDetail): StudyAnnotation[] {
  const revision = useAnnotationRevision();
  const entries = useEntries();
  const [loaded, setLoaded] = useState<{ detail: StudyDetail; images: StudyImages } | null>(null);
  const images = loaded?.detail === detail ? loaded.images : null;
  useEffect(() => {
    let current = true;
    studyImages(detail)
      .then((result) => current && setLoaded({ detail, images: result }))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [detail]);

  return useMemo(() => {
    void revision;
    const study = detail.study.studyInstanceUID;
    const list: StudyAnnotation[] = [];
    for (const annotation of csAnnotation.state.getAllAnnotations()) {
      const uid = annotation.annotationUID;
      const tool = annotation.metadata?.toolName;
      const imageId = annotation.metadata?.referencedImageId;
      if (!uid || !imageId || !isMeasurementTool(tool)) continue;
      // Saved (or being saved) for this study: persist.ts makes the entry when a drawing completes.
      const entry = entries[uid];
      if (!entry || entry.deleted || entry.studyInstanceUID !== study) continue;
      const ref = imageRefOf(imageId);
      const sop = entry.sopInstanceUID ?? ref?.sopInstanceUID ?? null;
      const place = sop ? images?.bySop.get(sop) : undefined;
      list.push({
        uid,
        tool,
        imageId,
        sopInstanceUID: sop,
        frame: entry.frameNumber ?? ref?.frame ?? null,
        seriesInstanceUID: entry.seriesInstanceUID ?? place?.seriesInstanceUID ?? null,
        imageNumber: place?.position ?? null,
        record: recordOfEntry(entry),
        facts: measurementFacts(annotation),
        annotation,
      });
    }
    return list;
  }, [revision, entries, images, detail]);
}
