/** Standard CT window presets (Hounsfield units), bound to keys 1–4 in the viewer. */
export interface WindowPreset {
  id: 'lung' | 'abdomen' | 'bone' | 'brain';
  key: '1' | '2' | '3' | '4';
  width: number;
  center: number;
}

export const windowPresets: readonly WindowPreset[] = [
  { id: 'lung', key: '1', width: 1500, center: -600 },
  { id: 'abdomen', key: '2', width: 400, center: 40 },
  { id: 'bone', key: '3', width: 1800, center: 400 },
  { id: 'brain', key: '4', width: 80, center: 40 },
];

export function presetForKey(key: string): WindowPreset | undefined {
  return windowPresets.find((preset) => preset.key === key);
}

/**
 * Windows for MR and other images whose values have no fixed scale. "auto" and "full" are
 * computed from the image on screen (imageWindow.ts); the brain ones suit typical 12-bit MR.
 */
export type DataPresetId = 'auto' | 'full';
export interface FixedPreset {
  id: 'mrT1' | 'mrT2';
  width: number;
  center: number;
}

export const mrWindowPresets: readonly FixedPreset[] = [
  { id: 'mrT1', width: 600, center: 300 },
  { id: 'mrT2', width: 1200, center: 600 },
];

export const dataPresetIds: readonly DataPresetId[] = ['auto', 'full'];
