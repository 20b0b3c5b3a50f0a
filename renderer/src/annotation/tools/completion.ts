/**
 * A measurement just drawn asks for its label: Cornerstone's ANNOTATION_COMPLETED opens the label
 * picker next to the annotation's last handle. Annotations loaded from the store, or brought back
 * by undo, arrive through ANNOTATION_ADDED instead and keep their label.
 */
import { eventTarget } from '@cornerstonejs/core';
import { Enums as ToolEnums } from '@cornerstonejs/tools';
import type { Types as ToolTypes } from '@cornerstonejs/tools';
import { screenPointOf } from './geometry.js';
import { isMeasurementTool } from './measurementTools.js';
import { recordOf } from './storeLink.js';
import { useToolStore } from './useToolStore.js';

type CompletedEvent = CustomEvent<ToolTypes.EventTypes.AnnotationCompletedEventDetail>;

function onCompleted(event: Event): void {
  const { annotation } = (event as CompletedEvent).detail;
  const uid = annotation.annotationUID;
  const toolName = annotation.metadata?.toolName;
  if (!uid || !isMeasurementTool(toolName)) return;
  if (recordOf(uid).labelId) return;
  useToolStore.getState().select(uid);
  useToolStore
    .getState()
    .openPicker({ annotationUID: uid, toolName, at: screenPointOf(annotation), stage: 'label' });
}

let listening = false;

/** Starts listening (once, for the page's lifetime: annotations outlive a viewer screen). */
export function listenForCompletedAnnotations(): void {
  if (listening) return;
  listening = true;
  eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_COMPLETED, onCompleted);
}
