/**
 * Where an export may write. The renderer names the folder, so main checks it: an absolute path,
 * outside the data folder (the catalog, the store and the secrets live there), and either new,
 * empty, or made by an earlier export (it carries the marker file). A folder full of someone's
 * files is never written into.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError, ErrorCode } from '../../shared/errors.js';

export const EXPORT_MARKER_FILE = '.radlabel-export';

/** The real location of a path that may not exist yet: its deepest existing ancestor, resolved. */
function realLocation(target: string): string {
  const missing: string[] = [];
  let current = target;
  for (;;) {
    try {
      return path.join(fs.realpathSync(current), ...missing.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return target;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Checks the folder and makes it (with the marker); returns its absolute path. */
export function prepareExportFolder(outputDir: string, dataDir: string): string {
  if (!path.isAbsolute(outputDir))
    throw new AppError(ErrorCode.InvalidRequest, 'Choose the export folder by its full path.');
  const target = path.resolve(outputDir);
  if (isInside(realLocation(target), realLocation(path.resolve(dataDir))))
    throw new AppError(
      ErrorCode.InvalidRequest,
      "The export folder cannot be inside RadLabel's data folder. Choose another folder.",
    );
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (stat && !stat.isDirectory())
    throw new AppError(ErrorCode.InvalidRequest, 'The export folder is a file. Choose a folder.');
  if (stat) {
    const entries = fs.readdirSync(target);
    if (entries.length > 0 && !entries.includes(EXPORT_MARKER_FILE))
      throw new AppError(
        ErrorCode.InvalidRequest,
        'The export folder already contains other files. Choose an empty folder or one made by an earlier export.',
      );
  }
  try {
    fs.mkdirSync(target, { recursive: true });
    fs.writeFileSync(
      path.join(target, EXPORT_MARKER_FILE),
      'This folder holds de-identified DICOM exported by RadLabel. Later exports may add to it.\n',
    );
  } catch (error) {
    throw new AppError(ErrorCode.Io, 'The export folder could not be created (check the permissions and free space).', {
      cause: error,
    });
  }
  return target;
}
