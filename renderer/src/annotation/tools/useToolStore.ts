/**
 * The annotation tools' interface state: the tool on the left button, the label picker opened
 * when a measurement is drawn, the arrow's text prompt, the label last picked per tool (the
 * picker preselects it) and the annotation selected in the panel.
 */
import { create } from 'zustand';
import { type MeasurementToolName, activateTool } from './measurementTools.js';

/** Where on the page a popover opens (client pixels). */
export interface ScreenPoint {
  x: number;
  y: number;
}

export interface PickerRequest {
  annotationUID: string;
  toolName: string;
  at: ScreenPoint;
  /** The label step, then the attribute form of the picked label (when it has attributes). */
  stage: 'label' | 'attributes';
  labelId?: string;
}

export interface ArrowPrompt {
  at: ScreenPoint;
  initial: string;
  done(text: string): void;
}

const LAST_LABELS_KEY = 'radlabel.lastLabelByTool';

function storedLastLabels(): Record<string, string> {
  try {
    const value: unknown = JSON.parse(window.localStorage.getItem(LAST_LABELS_KEY) ?? '{}');
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(
        Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
    }
  } catch {
    // A damaged entry starts over.
  }
  return {};
}

interface ToolState {
  /** The measurement tool on the left button; null: window/level (reading). */
  activeTool: MeasurementToolName | null;
  picker: PickerRequest | null;
  arrowPrompt: ArrowPrompt | null;
  lastLabelByTool: Record<string, string>;
  selectedAnnotation: string | null;
  setActiveTool(tool: MeasurementToolName | null): void;
  openPicker(request: PickerRequest): void;
  closePicker(): void;
  rememberLabel(toolName: string, labelId: string): void;
  setArrowPrompt(prompt: ArrowPrompt | null): void;
  select(annotationUID: string | null): void;
}

export const useToolStore = create<ToolState>()((set, get) => ({
  activeTool: null,
  picker: null,
  arrowPrompt: null,
  lastLabelByTool: storedLastLabels(),
  selectedAnnotation: null,
  setActiveTool(tool) {
    activateTool(tool);
    set({ activeTool: tool });
  },
  openPicker(request) {
    set({ picker: request });
  },
  closePicker() {
    set({ picker: null });
  },
  rememberLabel(toolName, labelId) {
    const lastLabelByTool = { ...get().lastLabelByTool, [toolName]: labelId };
    window.localStorage.setItem(LAST_LABELS_KEY, JSON.stringify(lastLabelByTool));
    set({ lastLabelByTool });
  },
  setArrowPrompt(arrowPrompt) {
    set({ arrowPrompt });
  },
  select(selectedAnnotation) {
    set({ selectedAnnotation });
  },
}));
