/**
 * The renderer's single door to main. In Electron the preload's bridge is the transport; in a
 * browser (the web host) it is HTTP + WebSocket. Everything else in the renderer uses `host`.
 */
import { type Api, type Transport, createClient } from '../../../shared/client.js';
import { createWebTransport, uploadToStaging } from './web-transport.js';
import type { ElectronBridge } from './bridge.js';

export interface Host {
  readonly kind: 'electron' | 'web';
  readonly api: Api;
  /** Cornerstone imageId of a stored instance (1-based frame for multi-frame objects). */
  imageIdFor(sopInstanceUID: string, frame?: number): string;
  /** Turn dropped or picked files into paths main can import. */
  filesToPaths(files: File[]): Promise<string[]>;
  /** Native open dialog (Electron only). */
  pickImportPaths?: () => Promise<string[]>;
  /** Native folder picker for exports (Electron only); null when cancelled. */
  pickExportFolder?: () => Promise<string | null>;
}

function imageIdFor(sopInstanceUID: string, frame?: number): string {
  // Same relative route in both hosts: http://127.0.0.1:port/instances/… or app://renderer/instances/…
  const url = new URL(`/instances/${encodeURIComponent(sopInstanceUID)}`, window.location.href).href;
  return frame === undefined ? `wadouri:${url}` : `wadouri:${url}?frame=${frame}`;
}

function electronHost(bridge: ElectronBridge): Host {
  const transport: Transport = { invoke: bridge.invoke, subscribe: bridge.subscribe };
  return {
    kind: 'electron',
    api: createClient(transport),
    imageIdFor,
    filesToPaths: async (files) => bridge.pathsForFiles(files),
    pickImportPaths: () => bridge.pickImportPaths(),
    pickExportFolder: () => bridge.pickExportFolder(),
  };
}

function webHost(): Host {
  return {
    kind: 'web',
    api: createClient(createWebTransport()),
    imageIdFor,
    filesToPaths: (files) => uploadToStaging(files),
  };
}

export const host: Host = window.radlabel ? electronHost(window.radlabel) : webHost();
