/**
 * The scanning phase of an import: turns the user's paths (files, folders, DICOMDIR files or media
 * roots, zip archives) into a list of sources, so progress can say how many files there are
 * before the slow part starts. Folders are walked by the shared walker (main/core/walk.ts):
 * sorted, following symbolic links but never into a folder already visited, only regular files
 * offered for reading. Everything else gets a line: hidden entries (".DS_Store", "._IM0001"),
 * named pipes, sockets and devices are listed as skipped with their reason; broken links and
 * unreadable folders as failures; the same file reached twice as a duplicate. A folder with a
 * DICOMDIR is media: its DICOMDIR says which files to import.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ImportFileError } from '../../shared/contract.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { FileWalker, statFailure } from '../core/walk.js';
import { MediaResolver, isDicomdirName, readReferencedFileIds } from './dicomdir.js';
import { type ZipLimits, inspectZip } from './zip-archive.js';

export type ImportSource = { kind: 'file'; path: string } | { kind: 'zip'; path: string; entries: number };

export interface ScanResult {
  sources: ImportSource[];
  /** Every file (and zip entry) found, plus one per input that failed as a whole; each error is one. */
  filesFound: number;
  /** Files not read, each listed in `skippedFiles`: DICOMDIR files themselves, hidden files, pipes, devices. */
  skipped: number;
  skippedFiles: ImportFileError[];
  /** The same file reached a second time (given twice, or through a link): read once, counted here. */
  duplicates: number;
  errors: ImportFileError[];
}

export interface ScanOptions {
  signal?: AbortSignal;
  zipLimits?: ZipLimits;
  /** Called as files are found (for progress). */
  onFound?: (filesFound: number) => void;
}

export async function scanInputs(paths: readonly string[], options: ScanOptions = {}): Promise<ScanResult> {
  const result: ScanResult = {
    sources: [],
    filesFound: 0,
    skipped: 0,
    skippedFiles: [],
    duplicates: 0,
    errors: [],
  };
  const found = (count = 1) => {
    result.filesFound += count;
    options.onFound?.(result.filesFound);
  };
  const fail = (where: string, code: ErrorCode, message: string) => {
    result.errors.push({ path: where, code, message });
    found();
  };
  const skip = (where: string, code: ErrorCode, message: string) => {
    result.skipped += 1;
    result.skippedFiles.push({ path: where, code, message });
    found();
  };

  const addFile = async (file: string) => {
    if (isDicomdirName(path.basename(file))) {
      await addMedia(file);
    } else if (/\.zip$/i.test(file)) {
      try {
        const entries = await inspectZip(file, options.zipLimits);
        result.sources.push({ kind: 'zip', path: file, entries });
        found(entries);
      } catch (error) {
        const appError = asAppError(error);
        fail(file, appError.code, appError.message);
      }
    } else {
      result.sources.push({ kind: 'file', path: file });
      found();
    }
  };

  const walker = new FileWalker({
    skipHidden: true,
    ...(options.signal ? { signal: options.signal } : {}),
    onEntry: async (entry) => {
      if (entry.kind === 'file') await addFile(entry.path);
      else if (entry.kind === 'duplicate') {
        result.duplicates += 1;
        found();
      } else if (entry.kind === 'skipped') skip(entry.path, entry.code, entry.reason);
      else fail(entry.path, entry.code, entry.reason);
    },
    onFolder: async (dir, entries) => {
      const dicomdir = entries.find((entry) => isDicomdirName(entry.name) && !entry.isDirectory);
      if (!dicomdir) return false;
      const full = path.join(dir, dicomdir.name);
      // A DICOMDIR that is a pipe or a device is not media: the folder is walked and it is listed as skipped.
      const stat = await fs.promises.stat(full).catch(() => null);
      if (!stat?.isFile()) return false;
      await addMedia(full);
      return true;
    },
  });

  const addMedia = async (dicomdirPath: string) => {
    let ids: string[][];
    try {
      ids = readReferencedFileIds(dicomdirPath);
    } catch (error) {
      const appError = asAppError(error);
      fail(dicomdirPath, appError.code, appError.message);
      return;
    }
    skip(dicomdirPath, ErrorCode.NotDicom, 'DICOMDIR (the media index): read for its file list, not stored.');
    const resolver = new MediaResolver(path.dirname(dicomdirPath));
    for (const components of ids) {
      if (options.signal?.aborted) return;
      const file = resolver.resolve(components);
      if (file && (await resolver.leavesMedia(file)))
        skip(
          path.join(path.dirname(dicomdirPath), ...components),
          ErrorCode.BadArchive,
          'The DICOMDIR lists this file through a link that leads off the media; it was not read.',
        );
      else if (file) await walker.visit(file, { explicit: false, fileOnly: true });
      else
        fail(
          path.join(path.dirname(dicomdirPath), ...components),
          ErrorCode.PathNotFound,
          'The DICOMDIR lists this file, but it is not on the media.',
        );
    }
  };

  await walker.walk(paths);
  return result;
}

function asAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const { code, reason } = statFailure(error);
  return new AppError(code, reason);
}
