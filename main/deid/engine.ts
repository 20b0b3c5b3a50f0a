/**
 * The header engine lives in ./engine/ (one module per seam; see engine/index.ts). This file
 * keeps the names it always exported.
 */
export {
  deidentifyObject,
  deidentifyObjectChunks,
  engineSettings,
  textValue,
  IMPLEMENTATION_CLASS_UID,
  IMPLEMENTATION_VERSION_NAME,
  type ChunkedOutcome,
  type EngineSettings,
} from './engine/index.js';
