/**
 * The scanning phase of an import: turns the user's paths (files, folders, DICOMDIR files or media
 * roots, zip archives) into a list of sources, so progress can say how many files there are
 * before the slow part starts. Folders are walked recursively, following symbolic links but never
 * into a folder already visited (link loops end). Hidden entries (".DS_Store", "._IM0001",
 * ".Trashes") are skipped in folders: they are never images and would only add noise. A folder
 * with a DICOMDIR is media: its DICOMDIR says which files to import.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ImportFileError } from '../../shared/contract.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { MediaResolver, isDicomdirName, readReferencedFileIds } from './dicomdir.js';
import { type ZipLimits, inspectZip } from './zip-archive.js';

export type ImportSource = { kind: 'file'; path: string } | { kind: 'zip'; path: string; entries: number };

export interface ScanResult {
  sources: ImportSource[];
  /** Every file (and zip entry) found, plus one per input that failed as a whole; each error is one. */
  filesFound: number;
  /** DICOMDIR files themselves: recognised, not stored. */
  skipped: number;
  errors: ImportFileError[];
}

export interface ScanOptions {
  signal?: AbortSignal;
  zipLimits?: ZipLimits;
  /** Called as files are found (for progress). */
  onFound?: (filesFound: number) => void;
}

export async function scanInputs(paths: readonly string[], options: ScanOptions = {}): Promise<ScanResult> {
  const result: ScanResult = { sources: [], filesFound: 0, skipped: 0, errors: [] };
  const visitedDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const fail = (where: string, error: AppError) =>
    result.errors.push({ path: where, code: error.code, message: error.message });

  /**
   * `unique` is true for a plain file met in a folder walk: each real folder is walked once, so its
   * files need no realpath. Inputs, links and DICOMDIR references may repeat and are resolved.
   */
  const addFile = async (file: string, unique = false) => {
    const real = unique ? file : await fs.promises.realpath(file).catch(() => file);
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    if (/\.zip$/i.test(file)) {
      try {
        const entries = await inspectZip(file, options.zipLimits);
        result.sources.push({ kind: 'zip', path: file, entries });
        result.filesFound += entries;
      } catch (error) {
        result.filesFound += 1;
        fail(file, asAppError(error));
      }
    } else {
      result.sources.push({ kind: 'file', path: file });
      result.filesFound += 1;
    }
    options.onFound?.(result.filesFound);
  };

  const addMedia = async (dicomdirPath: string) => {
    result.filesFound += 1;
    let ids: string[][];
    try {
      ids = readReferencedFileIds(dicomdirPath);
    } catch (error) {
      fail(dicomdirPath, asAppError(error));
      return;
    }
    result.skipped += 1;
    const resolver = new MediaResolver(path.dirname(dicomdirPath));
    for (const components of ids) {
      const file = resolver.resolve(components);
      if (file) await addFile(file);
      else {
        result.filesFound += 1;
        fail(
          path.join(path.dirname(dicomdirPath), ...components),
          new AppError(ErrorCode.NotFound, 'The DICOMDIR lists this file, but it is not on the media.'),
        );
      }
    }
  };

  const walk = async (dir: string) => {
    if (options.signal?.aborted) return;
    const real = await fs.promises.realpath(dir);
    if (visitedDirs.has(real)) return;
    visitedDirs.add(real);
    const entries = (await fs.promises.readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    );
    const dicomdir = entries.find((entry) => isDicomdirName(entry.name) && !entry.isDirectory());
    if (dicomdir) {
      await addMedia(path.join(dir, dicomdir.name));
      return;
    }
    for (const entry of entries) {
      if (options.signal?.aborted) return;
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isFile() && !isDicomdirName(entry.name)) await addFile(full, true);
      else await visit(full, entry.isSymbolicLink() ? null : entry.isDirectory());
    }
  };

  const visit = async (full: string, isDirectory: boolean | null) => {
    let directory = isDirectory;
    if (directory === null) {
      try {
        const stat = await fs.promises.stat(full);
        if (!stat.isDirectory() && !stat.isFile()) return; // sockets, devices, FIFOs
        directory = stat.isDirectory();
      } catch (error) {
        fail(full, statError(error));
        result.filesFound += 1;
        return;
      }
    }
    if (directory) {
      try {
        await walk(full);
      } catch (error) {
        // An unreadable folder counts as one item found and failed, so progress adds up.
        result.filesFound += 1;
        fail(full, statError(error));
      }
    } else if (isDicomdirName(path.basename(full))) {
      await addMedia(full);
    } else {
      await addFile(full);
    }
  };

  for (const input of paths) {
    if (options.signal?.aborted) break;
    await visit(path.resolve(input), null);
  }
  return result;
}

function statError(error: unknown): AppError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return new AppError(ErrorCode.NotFound, 'This file or folder does not exist (or is a broken link).');
  if (code === 'EACCES' || code === 'EPERM')
    return new AppError(ErrorCode.Io, 'RadLabel is not allowed to read this file or folder.');
  return new AppError(ErrorCode.Io, `This file or folder could not be read (${code ?? 'unknown error'}).`);
}

function asAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return statError(error);
}
