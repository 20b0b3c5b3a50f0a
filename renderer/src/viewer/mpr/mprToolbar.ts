/**
 * The stack toolbar while MPR is open: what each of its controls does there. Window presets
 * (toolbar and "More windows"), Reset and Invert act on the three MPR planes; the controls that
 * only make sense for the stack viewports behind MPR (layout, flip, rotate, cine, the annotation
 * and segmentation tools, windows computed from one image) are disabled with the reason as their
 * tooltip, so nothing changes a viewport the reader cannot see.
 */
import { useMprStore } from './useMprStore.js';
import { type MprEngine, MPR_PLANES, resetMpr, setWindow, windowOf } from './mprVolume.js';

/** The MPR engine when MPR is open and its planes exist, else null. */
export function useMprEngine(): MprEngine | null {
  return useMprStore((state) => (state.seriesInstanceUID ? state.engine : null));
}

/** True while MPR replaces the stack layout. */
export function useMprOpen(): boolean {
  return useMprStore((state) => state.seriesInstanceUID !== null);
}

export function mprEngineNow(): MprEngine | null {
  const state = useMprStore.getState();
  return state.seriesInstanceUID ? state.engine : null;
}

export function applyMprWindow(mpr: MprEngine, width: number, center: number): void {
  setWindow(mpr, width, center);
}

/** Inverts the three planes together (their VOI synchronizer keeps the invert state equal). */
export function toggleMprInvert(mpr: MprEngine): void {
  const invert = !mpr.viewport('axial').getProperties()?.invert;
  for (const plane of MPR_PLANES) mpr.viewport(plane).setProperties({ invert });
  mpr.engine.render();
}

export function resetMprView(mpr: MprEngine): void {
  resetMpr(mpr);
}

/** The window the planes show (for saving it as the reader's preset). */
export function mprWindow(mpr: MprEngine): { width: number; center: number } | null {
  return windowOf(mpr.viewport('axial'));
}
