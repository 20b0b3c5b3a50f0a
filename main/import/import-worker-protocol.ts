/** Messages between the importer and its workers (import-worker.ts). */
import type { ErrorCode } from '../../shared/errors.js';
import type { DicomHeader } from '../dicom/header.js';

export interface ReadInstanceTask {
  /** The file to read: an input file, or a zip entry already extracted into the store's tmp folder. */
  sourcePath: string;
  /**
   * Where to write the copy in the store's tmp folder. When null, `sourcePath` already is a temp
   * file of the store (an extracted zip entry) and is only read.
   */
  copyTo: string | null;
  maxFileBytes: number;
  /**
   * The catalog, asked (read-only) whether the instance is already stored: a re-imported file is
   * then only hashed, not copied, and the importer calls it a duplicate or a conflict.
   */
  catalogFile: string;
  /** The catalog's SQLCipher key (hex) when it is encrypted (main/cache/sqlite-cipher.ts). */
  catalogKey?: string;
}

export type ReadInstanceResult =
  | {
      ok: true;
      header: DicomHeader;
      sha256: string;
      size: number;
      /** False when the catalog already had this SOP Instance UID and nothing was written to `copyTo`. */
      copied: boolean;
    }
  | { ok: false; code: ErrorCode; message: string };
