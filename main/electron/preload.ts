/**
 * The preload: the renderer's whole view of the machine. It exposes `window.radlabel`, an object
 * that must satisfy `RadlabelBridge` (shared/client.ts), the type the renderer reads it as; method
 * and event names are checked here and again in main. Bundled to one CommonJS file (sandboxed preloads cannot load modules).
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import {
  type AnyEvent,
  type MethodName,
  type WireResult,
  isEventName,
  isMethodName,
} from '../../shared/contract.js';
import type { RadlabelBridge } from '../../shared/client.js';
import { IPC_CHANNELS } from './channels.js';

const bridge = {
  kind: 'electron' as const,
  invoke(method: MethodName, request: unknown): Promise<WireResult<unknown>> {
    if (!isMethodName(method)) {
      return Promise.resolve({ ok: false, error: { code: 'invalid-request', message: 'Unknown method.' } });
    }
    return ipcRenderer.invoke(IPC_CHANNELS.invoke, method, request) as Promise<WireResult<unknown>>;
  },
  subscribe(listener: (event: AnyEvent) => void): () => void {
    const handler = (_event: Electron.IpcRendererEvent, event: AnyEvent): void => {
      if (event && isEventName(event.name)) listener(event);
    };
    ipcRenderer.on(IPC_CHANNELS.event, handler);
    return () => ipcRenderer.removeListener(IPC_CHANNELS.event, handler);
  },
  pathsForFiles(files: File[]): string[] {
    return files.map((file) => webUtils.getPathForFile(file)).filter((path) => path.length > 0);
  },
  pickImportPaths(): Promise<string[]> {
    return ipcRenderer.invoke(IPC_CHANNELS.pickImportPaths) as Promise<string[]>;
  },
  pickExportFolder(): Promise<string | null> {
    return ipcRenderer.invoke(IPC_CHANNELS.pickExportFolder) as Promise<string | null>;
  },
} satisfies RadlabelBridge<File>;

contextBridge.exposeInMainWorld('radlabel', bridge);
