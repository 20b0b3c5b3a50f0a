/**
 * The measurement tools in the viewer toolbar: window/level (reading) and the ten measurement
 * tools, each with its key (configurable), and undo/redo. The chosen tool draws with the left
 * button; window/level is then on Ctrl + left drag (measurementTools.ts).
 */
import { eventTarget } from '@cornerstonejs/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { displayCombo, effectiveShortcuts, useShortcutsStore } from '../shortcuts.js';
import { listenForCompletedAnnotations } from './completion.js';
import { canRedo, canUndo, redo, undo } from './history.js';
import { listenForAddedAnnotations } from './labeling.js';
import {
  MEASUREMENT_TOOLS,
  type MeasurementToolName,
  activateTool,
  ensureMeasurementTools,
} from './measurementTools.js';
import { useToolStore } from './useToolStore.js';
import './tools.css';

/** Short glyphs for the buttons (the full name is in the tooltip and aria-label). */
const glyphs: Record<MeasurementToolName | 'WindowLevel', string> = {
  WindowLevel: '◐',
  Length: '⟷',
  Angle: '∠',
  CobbAngle: '∡',
  Bidirectional: '✚',
  RectangleROI: '▭',
  EllipticalROI: '◯',
  CircleROI: '◯',
  PlanarFreehandROI: '✎',
  ArrowAnnotate: '➚',
  Probe: '⊙',
};

/** Whether undo/redo can act, re-read whenever Cornerstone's history changes. */
function useHistoryState(): { undo: boolean; redo: boolean } {
  const [state, setState] = useState({ undo: canUndo(), redo: canRedo() });
  useEffect(() => {
    const update = () => {
      const next = { undo: canUndo(), redo: canRedo() };
      setState((current) => (current.undo === next.undo && current.redo === next.redo ? current : next));
    };
    // Cornerstone's history events (core utilities/historyMemo: not in its Events enum typings).
    const events = ['CORNERSTONE_TOOLS_HISTORY_UNDO', 'CORNERSTONE_TOOLS_HISTORY_REDO'];
    for (const name of events) eventTarget.addEventListener(name, update);
    // A push (a new drawing) has no event: look again twice a second.
    const timer = window.setInterval(update, 500);
    return () => {
      for (const name of events) eventTarget.removeEventListener(name, update);
      window.clearInterval(timer);
    };
  }, []);
  return state;
}

export function ToolPalette() {
  const { t } = useTranslation();
  const activeTool = useToolStore((state) => state.activeTool);
  const setActiveTool = useToolStore((state) => state.setActiveTool);
  const overrides = useShortcutsStore((state) => state.overrides);
  useShortcutsStore((state) => state.revision);
  const keys = effectiveShortcuts(overrides);
  const history = useHistoryState();

  useEffect(() => {
    ensureMeasurementTools();
    listenForCompletedAnnotations();
    listenForAddedAnnotations();
    activateTool(useToolStore.getState().activeTool);
  }, []);

  const keyOf = (action: string) => (keys[action] ?? []).map(displayCombo).join(' / ');
  const button = (tool: MeasurementToolName | null) => {
    const id = tool ?? 'WindowLevel';
    const name = t(`annotate.tool.${id}`);
    const key = keyOf(`tool.${id}`);
    const active = activeTool === tool;
    return (
      <button
        key={id}
        type="button"
        className={active ? 'tool-button tool-button--active' : 'tool-button'}
        data-testid={`tool-${id}`}
        aria-pressed={active}
        aria-label={name}
        title={key ? `${name} (${key})` : name}
        onClick={() => setActiveTool(tool)}
      >
        <span className={id === 'EllipticalROI' ? 'tool-glyph tool-glyph--wide' : 'tool-glyph'}>
          {glyphs[id]}
        </span>
      </button>
    );
  };

  return (
    <div
      className="toolbar-group tool-palette"
      role="group"
      aria-label={t('annotate.tools')}
      data-testid="tool-palette"
    >
      {button(null)}
      {MEASUREMENT_TOOLS.map((tool) => button(tool))}
      <button
        type="button"
        className="tool-button"
        data-testid="undo"
        disabled={!history.undo}
        aria-label={t('annotate.undo')}
        title={`${t('annotate.undo')} (${keyOf('edit.undo')})`}
        onClick={undo}
      >
        ↶
      </button>
      <button
        type="button"
        className="tool-button"
        data-testid="redo"
        disabled={!history.redo}
        aria-label={t('annotate.redo')}
        title={`${t('annotate.redo')} (${keyOf('edit.redo')})`}
        onClick={redo}
      >
        ↷
      </button>
    </div>
  );
}
