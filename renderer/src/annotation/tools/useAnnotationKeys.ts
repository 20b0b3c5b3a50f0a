/**
 * The annotation keys in the viewer (configurable: annotation/shortcuts.ts; all in the help
 * sheet). Listened to before the viewer's own keys, so a key given to an annotation action does
 * that action only. Text fields keep their keys; an open dialog or picker keeps them too.
 */
import { useEffect } from 'react';
import { useUiStore } from '../../stores/useUiStore.js';
import { isTextEntry } from '../../viewer/panels.js';
import { actionFor, comboOf } from '../shortcuts.js';
import { redo, undo } from './history.js';
import { setLabel } from './labeling.js';
import { isMeasurementTool } from './measurementTools.js';
import { schemaNow } from './storeLink.js';
import { useToolStore } from './useToolStore.js';

export interface StudyCommands {
  next(): void;
  previous(): void;
  complete(): void;
}

export function runAction(action: string, study: StudyCommands): boolean {
  const tools = useToolStore.getState();
  if (action === 'tool.WindowLevel') tools.setActiveTool(null);
  else if (action.startsWith('tool.')) {
    const tool = action.slice('tool.'.length);
    if (!isMeasurementTool(tool)) return false;
    tools.setActiveTool(tool);
  } else if (action === 'edit.undo') undo();
  else if (action === 'edit.redo') redo();
  else if (action === 'study.next') study.next();
  else if (action === 'study.previous') study.previous();
  else if (action === 'study.complete') study.complete();
  else if (action.startsWith('label.')) {
    const labelId = action.slice('label.'.length);
    if (!schemaNow().labels.some((label) => label.id === labelId)) return false;
    // Relabels the selected annotation; with none selected, the next measurement starts with it.
    if (tools.selectedAnnotation) setLabel(tools.selectedAnnotation, labelId);
    else if (tools.activeTool) tools.rememberLabel(tools.activeTool, labelId);
  } else return false;
  return true;
}

/**
 * Modes that take keys before the annotation actions (the AI findings list: A, R, E, N, P while it
 * is open, renderer/src/ai/): an interceptor that answers true has handled the key.
 */
export const keyInterceptors = new Set<(event: KeyboardEvent) => boolean>();

export function useAnnotationKeys(study: StudyCommands): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (useUiStore.getState().dialog !== null) return;
      if (isTextEntry(event.target)) return;
      const tools = useToolStore.getState();
      if (tools.picker || tools.arrowPrompt) return;
      for (const intercept of keyInterceptors)
        if (intercept(event)) {
          event.preventDefault();
          event.stopImmediatePropagation();
          return;
        }
      const combo = comboOf(event);
      const action = combo ? actionFor(combo) : null;
      if (!action || !runAction(action, study)) return;
      event.preventDefault();
      event.stopImmediatePropagation();
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [study]);
}
