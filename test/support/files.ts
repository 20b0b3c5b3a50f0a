/** Folders as tests look into them. */
import fs from 'node:fs';
import path from 'node:path';

/** Every regular file under `dir`, at any depth; none when `dir` is not a folder. */
export function filesUnder(dir: string): string[] {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}
