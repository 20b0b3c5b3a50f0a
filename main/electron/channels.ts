/** The IPC channel names, shared by main and the preload; the renderer never sees them. */
export const IPC_CHANNELS = {
  invoke: 'radlabel:invoke',
  event: 'radlabel:event',
  pickImportPaths: 'radlabel:pick-import-paths',
  pickExportFolder: 'radlabel:pick-export-folder',
} as const;
