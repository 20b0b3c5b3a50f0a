/**
 * Configurable keys of the annotation work: one key per measurement tool (and back to
 * window/level), undo/redo, next/previous study, mark the study complete, and optional keys for
 * labels. Keys are written as combos: modifiers in the order Ctrl, Alt, Shift, then the key
 * (`L`, `Shift+A`, `Ctrl+Z`, `Ctrl+ArrowDown`). The reader's changes are kept in localStorage
 * (`radlabel.shortcuts`, nothing here is PHI); a key taken by another action or by the viewer's
 * fixed keys is refused. In the label picker, 1–9 always pick the first nine labels shown.
 */
import { create } from 'zustand';
import type { MEASUREMENT_TOOLS } from './tools/measurementTools.js';

export type ToolAction = `tool.${(typeof MEASUREMENT_TOOLS)[number]}` | 'tool.WindowLevel';
export type FixedAction = 'edit.undo' | 'edit.redo' | 'study.next' | 'study.previous' | 'study.complete';
/** `label.<labelId>`: picks that label in the picker, or relabels the selected annotation. */
export type LabelAction = `label.${string}`;
export type ShortcutAction = ToolAction | FixedAction | LabelAction;

/** Default keys. Segmentation tools (renderer/src/annotation/segmentation) add theirs with `defineShortcuts`. */
const builtInDefaults: Record<string, string[]> = {
  'tool.WindowLevel': ['W'],
  'tool.Length': ['L'],
  'tool.Angle': ['A'],
  'tool.CobbAngle': ['Shift+A'],
  'tool.Bidirectional': ['X'],
  'tool.RectangleROI': ['Q'],
  'tool.EllipticalROI': ['E'],
  'tool.CircleROI': ['C'],
  'tool.PlanarFreehandROI': ['F'],
  'tool.ArrowAnnotate': ['N'],
  'tool.Probe': ['P'],
  'edit.undo': ['Ctrl+Z'],
  'edit.redo': ['Ctrl+Shift+Z', 'Ctrl+Y'],
  'study.next': ['Ctrl+ArrowDown'],
  'study.previous': ['Ctrl+ArrowUp'],
  'study.complete': ['Ctrl+Enter'],
};

const extraDefaults: Record<string, string[]> = {};

/** Lets another module (segmentation tools) add actions with default keys. */
export function defineShortcuts(defaults: Record<string, string[]>): void {
  Object.assign(extraDefaults, defaults);
  useShortcutsStore.setState((state) => ({ revision: state.revision + 1 }));
}

export function defaultShortcuts(): Record<string, string[]> {
  return { ...builtInDefaults, ...extraDefaults };
}

/**
 * Keys the viewer and the app use for themselves (viewer/useViewerKeys.ts, ReadingTools.tsx,
 * the help sheet): never given to an annotation action. Letters are taken with and without Shift
 * (the viewer reads them case-blind); 1–9 are the picker's.
 */
const RESERVED = new Set([
  '?',
  'Escape',
  'Enter',
  'Backspace',
  'Alt+ArrowLeft',
  ' ',
  'Space',
  'ArrowUp',
  'ArrowDown',
  'ArrowLeft',
  'ArrowRight',
  'PageUp',
  'PageDown',
  'Home',
  'End',
  'Tab',
  '[',
  ']',
  '/',
  'Ctrl+A',
  ...['1', '2', '3', '4', '5', '6', '7', '8', '9'],
  ...['R', 'I', 'H', 'V', 'T', 'D', 'M'].flatMap((letter) => [letter, `Shift+${letter}`]),
]);

const MODIFIER_KEYS = new Set(['Control', 'Shift', 'Alt', 'Meta', 'AltGraph', 'CapsLock', 'OS']);

/** The combo a key event stands for, or null for a bare modifier. */
export function comboOf(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>,
): string | null {
  if (MODIFIER_KEYS.has(event.key)) return null;
  let key = event.key === ' ' ? 'Space' : event.key;
  const letter = key.length === 1 && /[a-z]/i.test(key);
  if (letter) key = key.toUpperCase();
  // Shift is part of the character for symbols ('?', '{'); for letters and named keys it is written.
  const shift = event.shiftKey && (letter || key.length > 1);
  return [event.ctrlKey || event.metaKey ? 'Ctrl' : '', event.altKey ? 'Alt' : '', shift ? 'Shift' : '', key]
    .filter(Boolean)
    .join('+');
}

/** How a combo is shown (arrows as arrows). */
export function displayCombo(combo: string): string {
  return combo
    .replace('ArrowUp', '↑')
    .replace('ArrowDown', '↓')
    .replace('ArrowLeft', '←')
    .replace('ArrowRight', '→');
}

const STORAGE_KEY = 'radlabel.shortcuts';

/** localStorage in the page; a map where there is none (unit tests in Node). */
const memory = new Map<string, string>();
const storage = {
  get: (key: string): string | null =>
    typeof localStorage === 'undefined' ? (memory.get(key) ?? null) : localStorage.getItem(key),
  set: (key: string, value: string): void => {
    if (typeof localStorage === 'undefined') memory.set(key, value);
    else localStorage.setItem(key, value);
  },
};

function storedOverrides(): Record<string, string[]> {
  try {
    const value: unknown = JSON.parse(storage.get(STORAGE_KEY) ?? '{}');
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    return Object.fromEntries(
      Object.entries(value).filter(
        (entry): entry is [string, string[]] =>
          Array.isArray(entry[1]) && entry[1].every((combo) => typeof combo === 'string'),
      ),
    );
  } catch {
    return {};
  }
}

export type BindResult =
  { ok: true } | { ok: false; reason: 'reserved' } | { ok: false; reason: 'taken'; by: string };

interface ShortcutsState {
  /** The reader's keys per action (replacing the defaults of that action). */
  overrides: Record<string, string[]>;
  /** Bumped when actions are defined, so that views re-read the defaults. */
  revision: number;
  /** Gives an action one key (replacing its keys), unless another action or the viewer has it. */
  bind(action: string, combo: string): BindResult;
  /** An action without a key. */
  clear(action: string): void;
  resetAll(): void;
}

export const useShortcutsStore = create<ShortcutsState>()((set, get) => {
  const save = (overrides: Record<string, string[]>) => {
    storage.set(STORAGE_KEY, JSON.stringify(overrides));
    set({ overrides });
  };
  return {
    overrides: storedOverrides(),
    revision: 0,
    bind(action, combo) {
      if (RESERVED.has(combo)) return { ok: false, reason: 'reserved' };
      const owner = actionFor(combo, get().overrides);
      if (owner && owner !== action) return { ok: false, reason: 'taken', by: owner };
      save({ ...get().overrides, [action]: [combo] });
      return { ok: true };
    },
    clear(action) {
      save({ ...get().overrides, [action]: [] });
    },
    resetAll() {
      save({});
    },
  };
});

/** Every action's keys: the reader's where set, the defaults elsewhere. */
export function effectiveShortcuts(
  overrides = useShortcutsStore.getState().overrides,
): Record<string, string[]> {
  return { ...defaultShortcuts(), ...overrides };
}

/** The action a combo triggers, if any. */
export function actionFor(combo: string, overrides = useShortcutsStore.getState().overrides): string | null {
  for (const [action, combos] of Object.entries(effectiveShortcuts(overrides))) {
    if (combos.includes(combo)) return action;
  }
  return null;
}

/** Whether the viewer keeps this combo for itself. */
export function isReserved(combo: string): boolean {
  return RESERVED.has(combo);
}
