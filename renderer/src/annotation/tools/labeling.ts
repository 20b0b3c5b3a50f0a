/**
 * Changes the reader makes to an annotation from the picker or the panel: label, attributes,
 * hidden, locked, deleted. Each goes to the store (which saves a version) and onto the undo ring,
 * and is shown at once: the label's color, hidden annotations not drawn, locked ones not movable.
 */
import { getEnabledElement } from '@cornerstonejs/core';
import { AnnotationTool, Enums as ToolEnums, annotation as csAnnotation } from '@cornerstonejs/tools';
import { eventTarget } from '@cornerstonejs/core';
import { MAX_VIEWPORTS } from '../../stores/useViewerStore.js';
import { viewportInSlot } from '../../viewer/viewportRegistry.js';
import { type Annotation, viewportsShowing } from './geometry.js';
import { recordChange } from './history.js';
import {
  type AnnotationRecord,
  type AttributeValue,
  recordOf,
  schemaNow,
  updateRecord,
} from './storeLink.js';

export function renderAll(): void {
  for (let slot = 0; slot < MAX_VIEWPORTS; slot++) viewportInSlot(slot)?.viewport.render();
}

export function annotationOf(uid: string): Annotation | undefined {
  return csAnnotation.state.getAnnotation(uid);
}

/** Shows a record on Cornerstone's side: color of the label, visibility, lock. */
export function showRecord(uid: string): void {
  if (!annotationOf(uid)) return;
  const record = recordOf(uid);
  const label = schemaNow().labels.find((item) => item.id === record.labelId);
  if (label) {
    csAnnotation.config.style.setAnnotationStyles(uid, {
      color: label.color,
      colorHighlighted: label.color,
      colorSelected: label.color,
      colorLocked: label.color,
    });
  }
  if (csAnnotation.visibility.isAnnotationVisible(uid) === record.hidden)
    csAnnotation.visibility.setAnnotationVisibility(uid, !record.hidden);
  if (csAnnotation.locking.isAnnotationLocked(uid) !== record.locked)
    csAnnotation.locking.setAnnotationLocked(uid, record.locked);
}

type Editable = Pick<AnnotationRecord, 'labelId' | 'attributes' | 'hidden' | 'locked'>;

function change(uid: string, patch: Partial<Editable>): void {
  const current = recordOf(uid);
  const before: Partial<Editable> = {};
  for (const key of Object.keys(patch) as Array<keyof Editable>) {
    (before as Record<string, unknown>)[key] = current[key];
  }
  const apply = (state: Partial<Editable>) => {
    updateRecord(uid, state);
    showRecord(uid);
    renderAll();
  };
  apply(patch);
  recordChange(uid, before, patch, apply);
}

export function setLabel(uid: string, labelId: string, attributes?: Record<string, AttributeValue>): void {
  change(uid, attributes ? { labelId, attributes } : { labelId });
}

export function setAttributes(uid: string, attributes: Record<string, AttributeValue>): void {
  change(uid, { attributes });
}

export function setHidden(uid: string, hidden: boolean): void {
  change(uid, { hidden });
}

export function setLocked(uid: string, locked: boolean): void {
  change(uid, { locked });
}

/** Deletes an annotation (undoable: Cornerstone's own delete memo brings it back). */
export function deleteAnnotation(uid: string): void {
  const annotation = annotationOf(uid);
  if (!annotation) return;
  const element =
    viewportsShowing(annotation)[0]?.handle.element ??
    Array.from({ length: MAX_VIEWPORTS }, (_, slot) => viewportInSlot(slot)?.element).find(
      (candidate) => candidate && getEnabledElement(candidate),
    );
  AnnotationTool.createAnnotationMemo(element as HTMLDivElement, annotation, { deleting: true });
  csAnnotation.state.removeAnnotation(uid);
  renderAll();
}

let listening = false;

/** Annotations added (loaded, drawn, brought back by undo) take their record's look. */
export function listenForAddedAnnotations(): void {
  if (listening) return;
  listening = true;
  eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_ADDED, (event: Event) => {
    const uid = (event as CustomEvent<{ annotation?: Annotation }>).detail.annotation?.annotationUID;
    if (uid) showRecord(uid);
  });
}
