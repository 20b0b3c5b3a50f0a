/**
 * Where an export may write. The renderer names the folder, so main checks it: an absolute path,
 * outside the data folder (the catalog, the store and the secrets live there), on a real disk
 * (never /proc, /sys, /dev or another kernel file system), and either new, empty, or made by an
 * earlier export (it carries the marker file). A folder full of someone's files is never written
 * into.
 *
 * No step may hang the app: missing folders are made one at a time (never Node's recursive mkdir,
 * which loops forever under /proc), at most MAX_NEW_FOLDERS of them; the marker is opened
 * without following a link and without blocking on a named pipe; and every file-system call is
 * bounded by a time limit (a network drive that stops answering) and by the caller's signal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError, ErrorCode } from '../../shared/errors.js';

export const EXPORT_MARKER_FILE = '.radlabel-export';
const MARKER_TEXT =
  'This folder holds de-identified DICOM exported by RadLabel. Later exports may add to it.\n';
/** Longest wait for one file-system call before the export folder is given up on. */
export const FS_STEP_TIMEOUT_MS = 10_000;
const MAX_NEW_FOLDERS = 32;

/** Kernel file systems (statfs f_type, Linux magic numbers): never a place for files. */
const SPECIAL_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1373, 'devtmpfs'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x6165676c, 'pstore'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0x65735543, 'fusectl'],
  [0x42494e4d, 'binfmt_misc'],
  [0xde5e81e4, 'efivarfs'],
  [0xf97cff8c, 'selinuxfs'],
  [0x19800202, 'mqueue'],
  [0x6e736673, 'nsfs'],
  [0x958458f6, 'hugetlbfs'],
]);
/** The same, by place, where statfs cannot tell (other systems, or a path that is not mounted). */
const SPECIAL_ROOTS = process.platform === 'win32' ? [] : ['/proc', '/sys', '/dev'];

const MARKER_FLAGS =
  fs.constants.O_WRONLY |
  fs.constants.O_CREAT |
  fs.constants.O_EXCL |
  (fs.constants.O_NOFOLLOW ?? 0) |
  (fs.constants.O_NONBLOCK ?? 0);

export interface PrepareOptions {
  signal?: AbortSignal;
  /** Longest wait for one file-system call (default FS_STEP_TIMEOUT_MS). */
  stepTimeoutMs?: number;
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Checks the folder and makes it (with the marker); resolves with its absolute path. */
export async function prepareExportFolder(
  outputDir: string,
  dataDir: string,
  options: PrepareOptions = {},
): Promise<string> {
  const step = <T>(work: Promise<T>): Promise<T> =>
    bounded(work, options.stepTimeoutMs ?? FS_STEP_TIMEOUT_MS, options.signal);
  if (outputDir.includes('\0'))
    throw new AppError(
      ErrorCode.InvalidRequest,
      'The export folder path contains an invalid character. Type it again.',
    );
  if (!path.isAbsolute(outputDir))
    throw new AppError(ErrorCode.InvalidRequest, 'Choose the export folder by its full path.');
  const target = path.resolve(outputDir);

  // The deepest folder that exists, and the names still to make under it.
  const missing: string[] = [];
  let existing = target;
  let existingStat: fs.Stats;
  for (;;) {
    const stat = await step(fs.promises.stat(existing)).catch((error: unknown) => {
      if (isErrno(error, 'ENOENT')) return null;
      throw folderError(error, existing);
    });
    if (stat) {
      existingStat = stat;
      break;
    }
    const parent = path.dirname(existing);
    if (parent === existing || missing.length >= MAX_NEW_FOLDERS)
      throw new AppError(
        ErrorCode.InvalidRequest,
        'This export folder is too deep below any existing folder.',
      );
    missing.unshift(path.basename(existing));
    existing = parent;
  }
  if (!existingStat.isDirectory())
    throw new AppError(
      ErrorCode.InvalidRequest,
      missing.length === 0
        ? 'The export folder is a file. Choose a folder.'
        : `${existing} is a file, so no folder can be made inside it. Choose another folder.`,
    );

  const real = await step(fs.promises.realpath(existing)).catch((error: unknown) => {
    throw folderError(error, existing);
  });
  const special = await specialFileSystem(real, step);
  if (special)
    throw new AppError(
      ErrorCode.InvalidRequest,
      `${target} is inside a system folder (${special}), not on a disk. Choose a folder on a disk.`,
    );
  const dataReal = await step(fs.promises.realpath(dataDir)).catch(() => path.resolve(dataDir));
  if (isInside(path.join(real, ...missing), dataReal))
    throw new AppError(
      ErrorCode.InvalidRequest,
      "The export folder cannot be inside RadLabel's data folder. Choose another folder.",
    );

  const marker = path.join(target, EXPORT_MARKER_FILE);
  if (missing.length === 0) {
    const entries = await step(fs.promises.readdir(target)).catch((error: unknown) => {
      throw folderError(error, target);
    });
    if (entries.length > 0 && !entries.includes(EXPORT_MARKER_FILE))
      throw new AppError(
        ErrorCode.InvalidRequest,
        'The export folder already contains other files. Choose an empty folder or one made by an earlier export.',
      );
    if (entries.includes(EXPORT_MARKER_FILE)) {
      const stat = await step(fs.promises.lstat(marker)).catch((error: unknown) => {
        throw folderError(error, target);
      });
      if (!stat.isFile())
        throw new AppError(
          ErrorCode.InvalidRequest,
          `The export folder's ${EXPORT_MARKER_FILE} is not a file RadLabel wrote (a link or a pipe). Choose another folder.`,
        );
      return target;
    }
  }

  let current = existing;
  for (const name of missing) {
    current = path.join(current, name);
    await step(fs.promises.mkdir(current)).catch(async (error: unknown) => {
      if (!isErrno(error, 'EEXIST')) throw folderError(error, current);
      // Made meanwhile by someone else: fine if it is a folder.
      const stat = await step(fs.promises.lstat(current));
      if (!stat.isDirectory()) throw folderError(error, current);
    });
  }
  const handle = await step(fs.promises.open(marker, MARKER_FLAGS, 0o644)).catch((error: unknown) => {
    throw folderError(error, target);
  });
  try {
    await step(handle.writeFile(MARKER_TEXT));
  } catch (error) {
    throw folderError(error, target);
  } finally {
    void handle.close().catch(() => undefined);
  }
  return target;
}

/** The kernel file system a real path lies on, by place or by statfs type; null for a disk. */
async function specialFileSystem(
  real: string,
  step: <T>(work: Promise<T>) => Promise<T>,
): Promise<string | null> {
  for (const root of SPECIAL_ROOTS) if (isInside(real, root)) return root;
  if (typeof fs.promises.statfs !== 'function' || process.platform !== 'linux') return null;
  const stat = await step(fs.promises.statfs(real)).catch(() => null);
  return stat ? (SPECIAL_FILE_SYSTEMS.get(Number(stat.type)) ?? null) : null;
}

/**
 * `work`, unless it takes longer than `ms` (then `io`) or `signal` aborts first (then
 * `cancelled`). A call that never returns is left behind; the export does not wait for it.
 */
export function bounded<T>(work: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  if (signal?.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => finish(() => reject(cancelled()));
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new AppError(
              ErrorCode.Io,
              `The export folder did not answer within ${Math.round(ms / 1000)} s (a network drive that is not responding?).`,
            ),
          ),
        ),
      ms,
    );
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

function cancelled(): AppError {
  return new AppError(ErrorCode.Cancelled, 'The export was cancelled.');
}

function isErrno(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}

/** A file-system failure about the export folder, in words a user can act on. */
function folderError(error: unknown, where: string): AppError {
  if (error instanceof AppError) return error;
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EACCES':
    case 'EPERM':
      return new AppError(
        ErrorCode.Io,
        `RadLabel is not allowed to write in ${where}. Choose another folder.`,
        {
          cause: error,
        },
      );
    case 'EROFS':
      return new AppError(ErrorCode.Io, `${where} is on a read-only disk. Choose another folder.`, {
        cause: error,
      });
    case 'ENOSPC':
    case 'EDQUOT':
      return new AppError(
        ErrorCode.Io,
        `The disk of ${where} is full. Free some space or choose another disk.`,
        {
          cause: error,
        },
      );
    case 'ENOTDIR':
    case 'EEXIST':
      return new AppError(
        ErrorCode.InvalidRequest,
        `A part of the path ${where} is a file, not a folder. Choose another folder.`,
        { cause: error },
      );
    case 'ENAMETOOLONG':
      return new AppError(
        ErrorCode.InvalidRequest,
        'A name in the export folder path is too long. Use a shorter one.',
        {
          cause: error,
        },
      );
    case 'ELOOP':
      return new AppError(
        ErrorCode.InvalidRequest,
        `The export folder's ${EXPORT_MARKER_FILE} is not a file RadLabel wrote (a link or a pipe). Choose another folder.`,
        { cause: error },
      );
    default:
      return new AppError(
        ErrorCode.Io,
        'The export folder could not be created (check the permissions and free space).',
        {
          cause: error,
        },
      );
  }
}
