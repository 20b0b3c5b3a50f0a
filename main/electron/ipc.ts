/**
 * IPC: one validated channel for contract calls, one for events, two for the native dialogs. Every
 * message is checked for its sender (our window, our origin, the main frame) and then goes through
 * `dispatch`, which validates the payload against the contract.
 */
import { BrowserWindow, type IpcMainInvokeEvent, dialog, ipcMain } from 'electron';
import { ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../core/logger.js';
import { dispatch } from '../rpc/dispatch.js';
import type { Services } from '../services.js';
import { APP_ORIGIN } from './protocol.js';
import { IPC_CHANNELS } from './channels.js';

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!frame || frame !== event.sender.mainFrame) return false;
  try {
    return new URL(frame.url).origin === APP_ORIGIN;
  } catch {
    return false;
  }
}

export function registerIpc(services: Services, logger: Logger): () => void {
  ipcMain.handle(IPC_CHANNELS.invoke, async (event, method: unknown, payload: unknown) => {
    if (!isTrustedSender(event)) {
      logger.warn('refused IPC from an untrusted frame');
      return { ok: false, error: { code: ErrorCode.Unauthorized, message: 'Refused.' } };
    }
    return dispatch(services.handlers, method, payload, logger);
  });

  ipcMain.handle(IPC_CHANNELS.pickImportPaths, async (event) => {
    if (!isTrustedSender(event)) return [];
    const window = BrowserWindow.fromWebContents(event.sender);
    const options: Electron.OpenDialogOptions = {
      title: 'Import DICOM',
      properties: ['openFile', 'openDirectory', 'multiSelections'],
      filters: [{ name: 'DICOM, DICOMDIR, zip', extensions: ['dcm', 'dicom', 'zip', '*'] }],
    };
    const result = window
      ? await dialog.showOpenDialog(window, options)
      : await dialog.showOpenDialog(options);
    return result.canceled ? [] : result.filePaths;
  });

  // Only a folder name comes back: main still checks it when the export starts (deid.exportStudy).
  ipcMain.handle(IPC_CHANNELS.pickExportFolder, async (event) => {
    if (!isTrustedSender(event)) return null;
    const window = BrowserWindow.fromWebContents(event.sender);
    const options: Electron.OpenDialogOptions = {
      title: 'Export de-identified study to',
      buttonLabel: 'Choose',
      properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
    };
    const result = window
      ? await dialog.showOpenDialog(window, options)
      : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  });

  const unsubscribe = services.events.subscribe((event) => {
    for (const window of BrowserWindow.getAllWindows()) {
      if (!window.isDestroyed()) window.webContents.send(IPC_CHANNELS.event, event);
    }
  });

  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_CHANNELS.invoke);
    ipcMain.removeHandler(IPC_CHANNELS.pickImportPaths);
    ipcMain.removeHandler(IPC_CHANNELS.pickExportFolder);
  };
}
