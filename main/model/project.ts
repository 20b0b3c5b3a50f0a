/**
 * The project whose models can run: the manifest sync keeps in `<data>/sync/project.json` (written
 * by sync.loadProject, main/sync/sync-app.ts) with the folder its relative paths start from. Read
 * again only when the file changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseSyncManifest } from '../../shared/sync-manifest.js';
import type { ModelProject } from './model-app.js';

export function keptProjectReader(dataDir: string): () => ModelProject | null {
  const file = path.join(dataDir, 'sync', 'project.json');
  let cached: { mtimeMs: number; size: number; project: ModelProject | null } | null = null;
  return () => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      cached = null;
      return null;
    }
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.project;
    let project: ModelProject | null = null;
    try {
      const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as { manifest?: unknown; baseDir?: unknown };
      const parsed = parseSyncManifest(kept.manifest);
      if (parsed.ok)
        project = {
          manifest: parsed.manifest,
          baseDir: typeof kept.baseDir === 'string' ? kept.baseDir : dataDir,
        };
    } catch {
      project = null;
    }
    cached = { mtimeMs: stat.mtimeMs, size: stat.size, project };
    return project;
  };
}
