/**
 * The shape of what the Electron preload exposes on `window.radlabel`. Derived from the contract:
 * one generic, validated `invoke` (method names are checked against the contract on both sides)
 * plus the few platform capabilities a browser page cannot have.
 */
import type { AnyEvent, MethodName, WireResult } from '../../../shared/contract.js';

export interface ElectronBridge {
  readonly kind: 'electron';
  invoke(method: MethodName, request: unknown): Promise<WireResult<unknown>>;
  subscribe(listener: (event: AnyEvent) => void): () => void;
  /** Absolute paths of files dropped on the window (Electron's webUtils). */
  pathsForFiles(files: File[]): string[];
  /** Native "open files/folders" dialog; resolves to [] when the user cancels. */
  pickImportPaths(): Promise<string[]>;
  /** Native "choose a folder" dialog for exports; resolves to null when the user cancels. */
  pickExportFolder(): Promise<string | null>;
}

declare global {
  interface Window {
    radlabel?: ElectronBridge;
  }
}
