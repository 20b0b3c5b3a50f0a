/**
 * Stands in for vtk.js's XML poly-data reader in Cornerstone's imports (renderer/vite-plugins/
 * startup-trim.ts): RadLabel loads no mesh in VTK's XML format and no custom orientation-marker
 * model, and the real reader brings an XML library into the app's first chunk.
 */
function unavailable(): never {
  throw new Error('Reading VTK XML poly data is not part of RadLabel');
}

export const newInstance = unavailable;
export const extend = unavailable;
export default { newInstance, extend };
