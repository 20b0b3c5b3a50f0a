/**
 * `window.radlabel`, as the Electron preload exposes it. The type lives in shared/client.ts
 * (`RadlabelBridge`), which the preload's object must satisfy: one definition for both sides.
 */
import type { RadlabelBridge } from '../../../shared/client.js';

export type ElectronBridge = RadlabelBridge<File>;

declare global {
  interface Window {
    radlabel?: ElectronBridge;
  }
}
