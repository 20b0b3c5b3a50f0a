/**
 * The reader's own viewer preferences, kept across reloads and restarts (localStorage; nothing
 * here is PHI): the stack direction, which overlay fields show, and window presets they saved.
 */
import { create } from 'zustand';

const STORAGE_KEY = 'radlabel.reading.v1';

/** Overlay fields a reader can hide or show (the settings popover lists them in this order). */
export const overlayFields = [
  'patient',
  'study',
  'series',
  'image',
  'position',
  'thickness',
  'window',
  'zoom',
  'pixel',
  'orientation',
] as const;
export type OverlayField = (typeof overlayFields)[number];

export interface UserPreset {
  id: string;
  name: string;
  width: number;
  center: number;
}

interface Stored {
  /** Stacks run feet to head (left to right, back to front) instead of the reading-room order. */
  reverseStacks: boolean;
  hiddenFields: OverlayField[];
  userPresets: UserPreset[];
}

interface ReadingState extends Stored {
  setReverseStacks(reverse: boolean): void;
  setFieldShown(field: OverlayField, shown: boolean): void;
  /** Saves a window under a name (a preset with the same name is replaced). */
  savePreset(name: string, width: number, center: number): UserPreset;
  deletePreset(id: string): void;
}

const defaults: Stored = { reverseStacks: false, hiddenFields: [], userPresets: [] };

function isPreset(value: unknown): value is UserPreset {
  if (typeof value !== 'object' || value === null) return false;
  const preset = value as Record<string, unknown>;
  return (
    typeof preset['id'] === 'string' &&
    typeof preset['name'] === 'string' &&
    Number.isFinite(preset['width']) &&
    (preset['width'] as number) > 0 &&
    Number.isFinite(preset['center'])
  );
}

/** What was stored, each part checked on its own: a damaged entry costs only that entry. */
function load(): Stored {
  try {
    const raw: unknown = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? 'null');
    if (typeof raw !== 'object' || raw === null) return defaults;
    const stored = raw as Record<string, unknown>;
    const hidden = Array.isArray(stored['hiddenFields']) ? stored['hiddenFields'] : [];
    return {
      reverseStacks: stored['reverseStacks'] === true,
      hiddenFields: overlayFields.filter((field) => hidden.includes(field)),
      userPresets: Array.isArray(stored['userPresets']) ? stored['userPresets'].filter(isPreset) : [],
    };
  } catch {
    return defaults;
  }
}

function save(state: Stored): void {
  const { reverseStacks, hiddenFields, userPresets } = state;
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify({ reverseStacks, hiddenFields, userPresets }));
  } catch {
    // A full or disabled storage keeps the preference for this session only.
  }
}

export const useReadingStore = create<ReadingState>()((set, get) => {
  const update = (patch: Partial<Stored>) => {
    set(patch);
    save(get());
  };
  return {
    ...load(),
    setReverseStacks(reverse) {
      update({ reverseStacks: reverse });
    },
    setFieldShown(field, shown) {
      const hidden = new Set(get().hiddenFields);
      if (shown) hidden.delete(field);
      else hidden.add(field);
      update({ hiddenFields: overlayFields.filter((item) => hidden.has(item)) });
    },
    savePreset(name, width, center) {
      const trimmed = name.trim();
      const existing = get().userPresets.find((preset) => preset.name === trimmed);
      const preset: UserPreset = {
        id: existing?.id ?? `user-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`,
        name: trimmed,
        width,
        center,
      };
      update({
        userPresets: existing
          ? get().userPresets.map((item) => (item.id === existing.id ? preset : item))
          : [...get().userPresets, preset],
      });
      return preset;
    },
    deletePreset(id) {
      update({ userPresets: get().userPresets.filter((preset) => preset.id !== id) });
    },
  };
});

/** The stack as the reader wants it: the catalog's reading order, or reversed. */
export function orderedForReading(imageIds: string[], reverse: boolean): string[] {
  return reverse ? [...imageIds].reverse() : imageIds;
}
