/**
 * DICOMDIR media (CDs, DVDs, USB sticks written by PACS and modalities): the DICOMDIR lists the
 * instance files as ReferencedFileID (0004,1500) components. Media are often copied by tools
 * that change case or add ISO 9660 version suffixes ("IM000001.;1"), so components are matched
 * case-insensitively and without those suffixes.
 */
import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { readRegularFile } from '../core/regular-file.js';

const MAX_DICOMDIR_BYTES = 256 * 1024 * 1024;

export function isDicomdirName(fileName: string): boolean {
  return fileName.toUpperCase() === 'DICOMDIR';
}

/** The ReferencedFileID of every directory record, as path components. */
export function readReferencedFileIds(dicomdirPath: string): string[][] {
  // Opened non-blocking and checked to be a regular file: a DICOMDIR that is a named pipe would
  // otherwise block the thread that reads it forever.
  const bytes = readRegularFile(dicomdirPath, MAX_DICOMDIR_BYTES);
  let dataSet: dicomParser.DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes);
  } catch {
    throw new AppError(ErrorCode.Malformed, 'This DICOMDIR is damaged and cannot be read.');
  }
  const records = dataSet.elements['x00041220']?.items ?? [];
  const ids: string[][] = [];
  for (const record of records) {
    const value = record.dataSet?.string('x00041500');
    if (!value) continue;
    const components = value
      .split('\\')
      .map((part) => part.trim())
      .filter(Boolean);
    if (components.length > 0) ids.push(components);
  }
  return ids;
}

/**
 * Resolves ReferencedFileID components under `root`, tolerant of case and ISO 9660 suffixes.
 * A resolved path may still pass through a symbolic link that leads off the media (a record
 * "DICOM\LINK\PASSWD" where LINK points at /etc): `leavesMedia` tells, from real paths.
 */
export class MediaResolver {
  readonly #root: string;
  readonly #listings = new Map<string, Map<string, string>>();
  #realRoot: string | null = null;

  constructor(root: string) {
    this.#root = root;
  }

  resolve(components: readonly string[]): string | null {
    let current = this.#root;
    for (const component of components) {
      if (component === '..' || component === '.') return null;
      const listing = this.#listing(current);
      const match = listing.get(normaliseComponent(component));
      if (!match) return null;
      current = path.join(current, match);
    }
    return current;
  }

  /**
   * Whether a resolved file lies outside the media once every link on its way is followed
   * (fs.realpath of both). A file that cannot be resolved (a broken link) is not outside: reading
   * it fails and is reported as such.
   */
  async leavesMedia(file: string): Promise<boolean> {
    this.#realRoot ??= await fs.promises.realpath(this.#root).catch(() => path.resolve(this.#root));
    const real = await fs.promises.realpath(file).catch(() => null);
    if (real === null) return false;
    const relative = path.relative(this.#realRoot, real);
    return relative === '' || relative.startsWith('..') || path.isAbsolute(relative);
  }

  #listing(dir: string): Map<string, string> {
    let listing = this.#listings.get(dir);
    if (!listing) {
      listing = new Map();
      try {
        for (const name of fs.readdirSync(dir)) {
          const key = normaliseComponent(name);
          if (!listing.has(key) || name === key) listing.set(key, name);
        }
      } catch {
        // Not a folder or unreadable: nothing resolves under it.
      }
      this.#listings.set(dir, listing);
    }
    return listing;
  }
}

function normaliseComponent(name: string): string {
  return name.replace(/;\d+$/, '').replace(/\.$/, '').toUpperCase();
}
