/**
 * Zip archives as import inputs, read with yauzl (streaming, central directory first). Archives
 * are untrusted: an entry name that climbs out (`../`), is absolute or otherwise unsafe refuses the
 * whole archive; entries above the size cap, a total above the archive cap, or a compression ratio
 * typical of zip bombs refuse the archive before anything is extracted, and the actual bytes are
 * counted during extraction too (headers can lie). Zips inside zips are not opened.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import yauzl from 'yauzl';
import { AppError, ErrorCode } from '../../shared/errors.js';

export interface ZipLimits {
  /** Largest uncompressed entry. */
  maxEntryBytes: number;
  /** Largest uncompressed total of one archive. */
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio of an entry (checked above 1 MB; DICOM rarely exceeds ~20). */
  maxRatio: number;
  maxEntries: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntryBytes: 4 * 2 ** 30,
  maxTotalBytes: 64 * 2 ** 30,
  maxRatio: 200,
  maxEntries: 1_000_000,
};

const RATIO_CHECK_FROM_BYTES = 2 ** 20;

export type ZipEntryOutcome =
  { name: string; tempPath: string; size: number } | { name: string; error: AppError };

async function openZip(zipPath: string): Promise<yauzl.ZipFile> {
  try {
    return await yauzl.openPromise(zipPath, {
      lazyEntries: true,
      autoClose: true,
      decodeStrings: true,
      validateEntrySizes: true,
    });
  } catch (error) {
    throw archiveError(error);
  }
}

function archiveError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/invalid relative path|absolute path|invalid characters in fileName/.test(message)) {
    return new AppError(
      ErrorCode.BadArchive,
      'This archive was refused: it contains file paths that point outside the archive (a known attack).',
    );
  }
  if ((error as NodeJS.ErrnoException).code === 'ENOENT')
    return new AppError(ErrorCode.PathNotFound, 'The archive no longer exists.');
  return new AppError(ErrorCode.BadArchive, 'This zip archive is damaged or not a zip archive.');
}

/** Calls `onEntry` for every entry of the archive in order; stops at the first archive-level error. */
function forEachEntry(zip: yauzl.ZipFile, onEntry: (entry: yauzl.Entry) => Promise<boolean>): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      zip.close();
      if (error === undefined) resolve();
      else reject(archiveError(error));
    };
    zip.on('error', finish);
    zip.on('end', () => finish());
    zip.on('entry', (entry: yauzl.Entry) => {
      onEntry(entry).then(
        (more) => (more ? zip.readEntry() : finish()),
        (error: unknown) => finish(error),
      );
    });
    zip.readEntry();
  });
}

function isDirectory(entry: yauzl.Entry): boolean {
  return entry.fileName.endsWith('/');
}

/** Checks the central directory against `limits`; returns the number of file entries. */
export async function inspectZip(zipPath: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<number> {
  const zip = await openZip(zipPath);
  let files = 0;
  let total = 0;
  await forEachEntry(zip, async (entry) => {
    if (isDirectory(entry)) return true;
    files += 1;
    total += entry.uncompressedSize;
    if (files > limits.maxEntries)
      throw new AppError(ErrorCode.BadArchive, 'This archive has too many entries to import safely.');
    checkEntrySize(entry, limits);
    if (total > limits.maxTotalBytes) {
      throw new AppError(
        ErrorCode.BadArchive,
        'This archive expands to more data than the import limit; extract it first.',
      );
    }
    return true;
  });
  return files;
}

function checkEntrySize(entry: yauzl.Entry, limits: ZipLimits): void {
  if (entry.uncompressedSize > limits.maxEntryBytes) {
    throw new AppError(
      ErrorCode.BadArchive,
      'This archive contains a file larger than the import limit; extract it first.',
    );
  }
  const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
  if (entry.uncompressedSize >= RATIO_CHECK_FROM_BYTES && ratio > limits.maxRatio) {
    throw new AppError(
      ErrorCode.BadArchive,
      'This archive was refused: it expands far more than real images do (a "zip bomb").',
    );
  }
}

/**
 * Extracts each file entry to a temp file (`newTempPath()`) and hands it to `onEntry`, one at a
 * time, so the caller controls the pace. Nested archives are reported, not opened. Returns early
 * when `signal` aborts.
 */
export async function extractZip(
  zipPath: string,
  options: {
    limits?: ZipLimits;
    newTempPath: () => string;
    onEntry: (outcome: ZipEntryOutcome) => Promise<void>;
    signal?: AbortSignal;
  },
): Promise<void> {
  const limits = options.limits ?? DEFAULT_ZIP_LIMITS;
  const zip = await openZip(zipPath);
  let total = 0;
  await forEachEntry(zip, async (entry) => {
    if (options.signal?.aborted) return false;
    if (isDirectory(entry)) return true;
    const name = entry.fileName;
    if (/\.zip$/i.test(name)) {
      await options.onEntry({
        name,
        error: new AppError(
          ErrorCode.BadArchive,
          'Archives inside archives are not opened; extract this one first.',
        ),
      });
      return true;
    }
    checkEntrySize(entry, limits);
    const tempPath = options.newTempPath();
    const size = await extractEntry(
      zip,
      entry,
      tempPath,
      Math.min(limits.maxEntryBytes, limits.maxTotalBytes - total),
    );
    total += size;
    await options.onEntry({ name, tempPath, size });
    return true;
  });
}

async function extractEntry(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  tempPath: string,
  byteBudget: number,
): Promise<number> {
  const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
    zip.openReadStream(entry, (error, readStream) =>
      error ? reject(archiveError(error)) : resolve(readStream),
    );
  });
  let written = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      written += chunk.length;
      if (written > byteBudget)
        callback(
          new AppError(
            ErrorCode.BadArchive,
            'This archive expands to more data than it declares; it was refused.',
          ),
        );
      else callback(null, chunk);
    },
  });
  try {
    await pipeline(stream, counter, fs.createWriteStream(tempPath));
  } catch (error) {
    await fs.promises.rm(tempPath, { force: true });
    throw archiveError(error);
  }
  return written;
}
