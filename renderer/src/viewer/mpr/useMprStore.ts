/**
 * Whether the viewer shows MPR, and of which series. MPR replaces the layout's stack viewports
 * while it is open (they come back as they were when it closes: the viewer store is untouched).
 */
import { create } from 'zustand';
import type { MprEngine } from './mprVolume.js';

interface MprState {
  /** The series shown in MPR, or null when the stack layout is shown. */
  seriesInstanceUID: string | null;
  /** The planes' engine while they exist (the stack toolbar's presets, Reset and Invert act on it). */
  engine: MprEngine | null;
  open(seriesInstanceUID: string): void;
  close(): void;
  setEngine(engine: MprEngine | null): void;
}

export const useMprStore = create<MprState>()((set) => ({
  seriesInstanceUID: null,
  engine: null,
  open(seriesInstanceUID) {
    performance.mark('radlabel:mpr-open');
    set({ seriesInstanceUID });
  },
  close() {
    set({ seriesInstanceUID: null });
  },
  setEngine(engine) {
    set({ engine });
  },
}));
