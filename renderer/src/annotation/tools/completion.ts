/**
 * A measurement just drawn asks for its label: Cornerstone's ANNOTATION_COMPLETED opens the label
 * picker next to the annotation's last handle. Annotations loaded from the store, or brought back
 * by undo, arrive through ANNOTATION_ADDED instead and keep their label.
 */
import { eventTarget } from '@cornerstonejs/core';
import { Enums as ToolEnums } from '@cornerstonejs/tools';
import type { Types as ToolTypes } from '@cornerstonejs/tools';
import { isCancelling } from '../cancelDrawing.js';
import { screenPointOf } from './geometry.js';
import { isMeasurementTool } from './measurementTools.js';
import { setLabel } from './labeling.js';
import { labelsForTool } from './labels.js';
import { recordOf, schemaNow } from './storeLink.js';
import { useToolStore } from './useToolStore.js';

type CompletedEvent = CustomEvent<ToolTypes.EventTypes.AnnotationCompletedEventDetail>;

function onCompleted(event: Event): void {
  // A drawing cancelled with Esc asks for no label (annotation/cancelDrawing.ts).
  if (isCancelling()) return;
  const { annotation } = (event as CompletedEvent).detail;
  const uid = annotation.annotationUID;
  const toolName = annotation.metadata?.toolName;
  if (!uid || !isMeasurementTool(toolName)) return;
  if (recordOf(uid).labelId) return;
  // Drawing on while the picker still asks about the previous one: that one keeps its preselected
  // label, as Esc would have given it (a measurement is never left without a label).
  const open = useToolStore.getState().picker;
  if (open && open.annotationUID !== uid && open.stage === 'label')
    labelAsPreselected(open.annotationUID, open.toolName);
  useToolStore.getState().select(uid);
  useToolStore
    .getState()
    .openPicker({ annotationUID: uid, toolName, at: screenPointOf(annotation), stage: 'label' });
}

/** Gives a measurement the label its picker preselects: the last one used with the tool, else the first. */
export function labelAsPreselected(uid: string, toolName: string): void {
  if (recordOf(uid).labelId) return;
  const allowed = labelsForTool(schemaNow(), toolName);
  const last = useToolStore.getState().lastLabelByTool[toolName];
  const label = allowed.find((item) => item.id === last) ?? allowed[0];
  if (label) setLabel(uid, label.id);
}

let listening = false;

/** Starts listening (once, for the page's lifetime: annotations outlive a viewer screen). */
export function listenForCompletedAnnotations(): void {
  if (listening) return;
  listening = true;
  eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_COMPLETED, onCompleted);
}
