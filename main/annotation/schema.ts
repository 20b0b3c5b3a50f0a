/**
 * The project's label schema (docs/annotation.md "Schema file"): a JSON file validated by
 * `LabelSchema` (shared/annotation.ts), copied into the data folder when loaded so the app and
 * the CLI use the same one; the built-in schema (shared/default-label-schema.ts) otherwise.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { LabelSchema, type SchemaView } from '../../shared/annotation.js';
import { DEFAULT_LABEL_SCHEMA } from '../../shared/default-label-schema.js';
import { AppError, ErrorCode } from '../../shared/errors.js';

export const SCHEMA_FILE_NAME = 'label-schema.json';
const MAX_SCHEMA_BYTES = 2_000_000;

/** Where the data folder's schema came from: a file the reader chose, or a sync project's manifest. */
type StoredOrigin = 'file' | 'manifest';

interface StoredSchema {
  loadedFrom: string | null;
  /** Absent in copies written before the origin was kept: `sync:` sources are manifests. */
  origin?: StoredOrigin;
  project?: { id: string; name: string } | null;
  schema: unknown;
}

/** The source string sync records for a project's schema (`sync:<projectId>`). */
export function manifestSource(projectId: string): string {
  return `sync:${projectId}`;
}

function originOf(stored: StoredSchema): StoredOrigin {
  if (stored.origin === 'file' || stored.origin === 'manifest') return stored.origin;
  return typeof stored.loadedFrom === 'string' && stored.loadedFrom.startsWith('sync:') ? 'manifest' : 'file';
}

/** Parses schema JSON text; errors name the field ("labels[2].color: a color is written #rrggbb"). */
export function parseLabelSchema(text: string): LabelSchema {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError(
      ErrorCode.InvalidRequest,
      `The label schema is not valid JSON: ${(error as Error).message}`,
    );
  }
  return validated(json);
}

function validated(json: unknown): LabelSchema {
  const result = LabelSchema.safeParse(json);
  if (!result.success) {
    throw new AppError(
      ErrorCode.InvalidRequest,
      `The label schema is not valid: ${describeIssues(result.error, json)}`,
    );
  }
  return result.data;
}

/**
 * Each problem as `path: message`, followed by the label, attribute or question it is in when the
 * file names them (`labels[2].color: a color is written #rrggbb (label "nodule-mask")`), so a
 * project lead finds the entry without counting.
 */
export function describeIssues(error: z.ZodError, input?: unknown): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const where = input === undefined ? '' : entriesOnPath(input, issue.path);
      return `${formatPath(issue.path)}: ${issue.message}${where ? ` (${where})` : ''}`;
    })
    .join('; ');
}

const ENTRY_KINDS: Record<string, string> = {
  labels: 'label',
  attributes: 'attribute',
  questions: 'question',
  options: 'option',
};

/** `label "nodule", attribute "margin"`: the named entries an issue's path goes through. */
function entriesOnPath(input: unknown, parts: readonly PropertyKey[]): string {
  const named: string[] = [];
  let node: unknown = input;
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index]!;
    if (node === null || typeof node !== 'object') break;
    node = (node as Record<PropertyKey, unknown>)[part as string];
    const container = parts[index - 1];
    if (typeof part !== 'number' || typeof container !== 'string' || !ENTRY_KINDS[container]) continue;
    const name = entryName(node);
    if (name) named.push(`${ENTRY_KINDS[container]} "${name}"`);
  }
  return named.join(', ');
}

function entryName(entry: unknown): string | null {
  if (entry === null || typeof entry !== 'object') return null;
  const { id, name } = entry as { id?: unknown; name?: unknown };
  if (typeof id === 'string' && id.trim()) return id.slice(0, 64);
  const english = name && typeof name === 'object' ? (name as { en?: unknown }).en : undefined;
  return typeof english === 'string' && english.trim() ? english.slice(0, 64) : null;
}

function formatPath(parts: readonly PropertyKey[]): string {
  if (parts.length === 0) return '(the whole file)';
  return parts
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/** The sync project's file in the data folder (main/sync/sync-app.ts keeps it there). */
const SYNC_PROJECT_FILE = path.join('sync', 'project.json');

export class SchemaService {
  readonly #file: string;
  readonly #syncProjectFile: string;

  constructor(dataDir: string) {
    this.#file = path.join(dataDir, SCHEMA_FILE_NAME);
    this.#syncProjectFile = path.join(dataDir, SYNC_PROJECT_FILE);
  }

  get(): SchemaView {
    let text: string;
    try {
      text = fs.readFileSync(this.#file, 'utf8');
    } catch {
      return {
        schema: DEFAULT_LABEL_SCHEMA,
        source: 'default',
        loadedFrom: null,
        origin: 'built-in',
        project: null,
      };
    }
    try {
      const stored = JSON.parse(text) as StoredSchema;
      const project =
        stored.project && typeof stored.project.id === 'string' && typeof stored.project.name === 'string'
          ? { id: stored.project.id, name: stored.project.name }
          : null;
      return {
        schema: LabelSchema.parse(stored.schema),
        source: 'project',
        loadedFrom: typeof stored.loadedFrom === 'string' ? stored.loadedFrom : null,
        origin: originOf(stored),
        project,
      };
    } catch (error) {
      throw new AppError(
        ErrorCode.Io,
        `The project label schema in the data folder (${SCHEMA_FILE_NAME}) is damaged; load the schema file again.`,
        { cause: error },
      );
    }
  }

  /**
   * The project manifest wins: while this workstation syncs with a cloud project whose manifest
   * set the schema, the reader cannot replace it with a file or the built-in one (every reader of
   * the project must label with the same schema). Loading the project's manifest again sets it.
   */
  #refuseWhileManifestRules(): void {
    let current: SchemaView;
    try {
      current = this.get();
    } catch {
      return; // a damaged copy may be replaced
    }
    if (current.origin !== 'manifest' || !fs.existsSync(this.#syncProjectFile)) return;
    const project = current.project?.name ?? current.loadedFrom?.replace(/^sync:/, '') ?? '';
    throw new AppError(
      ErrorCode.Conflict,
      `The labels come from the cloud project “${project}”: its manifest sets them for every reader. Ask the project's administrator for a new schema; it arrives with the project's manifest.`,
    );
  }

  /** Validates and keeps a schema from a file on this machine. */
  loadFile(file: string): SchemaView {
    this.#refuseWhileManifestRules();
    let text: string;
    try {
      const stat = fs.statSync(file);
      if (!stat.isFile())
        throw new AppError(ErrorCode.InvalidRequest, 'The label schema path is not a file.');
      if (stat.size > MAX_SCHEMA_BYTES) {
        throw new AppError(ErrorCode.TooLarge, 'The label schema file is larger than 2 MB.');
      }
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError(ErrorCode.PathNotFound, 'The label schema file cannot be read (check the path).', {
        cause: error,
      });
    }
    return this.#keep(parseLabelSchema(text), path.resolve(file), 'file', null);
  }

  /** A schema's text (a file chosen in the browser, `name` its file name). */
  loadJson(text: string, name: string | null = null): SchemaView {
    this.#refuseWhileManifestRules();
    return this.#keep(parseLabelSchema(text), name, 'file', null);
  }

  /**
   * Makes `schema` the project's schema (validated; an invalid one is refused with the field named)
   * and records where it came from (`source`: a file path, `sync:<project>`, …).
   */
  setActive(
    schema: unknown,
    source: string | null,
    project: { id: string; name: string } | null = null,
  ): SchemaView {
    const origin: StoredOrigin = source?.startsWith('sync:') ? 'manifest' : 'file';
    return this.#keep(validated(schema), source, origin, project);
  }

  useDefault(): SchemaView {
    this.#refuseWhileManifestRules();
    fs.rmSync(this.#file, { force: true });
    return this.get();
  }

  #keep(
    schema: LabelSchema,
    loadedFrom: string | null,
    origin: StoredOrigin,
    project: { id: string; name: string } | null,
  ): SchemaView {
    const stored: StoredSchema = { loadedFrom, origin, project, schema };
    const temporary = `${this.#file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(temporary, `${JSON.stringify(stored, null, 2)}\n`);
      fs.renameSync(temporary, this.#file);
    } catch (error) {
      fs.rmSync(temporary, { force: true });
      throw new AppError(ErrorCode.Io, 'The label schema could not be saved in the data folder.', {
        cause: error,
      });
    }
    return { schema, source: 'project', loadedFrom, origin, project };
  }
}

/**
 * Sets the label schema of the data folder `dataDir` (the app and the CLI read it from there): for
 * sync, which takes the schema from the project manifest. Annotations made under another schema
 * keep their labels (an unknown label is shown as its id and counts as missing for "complete").
 */
export function setActiveSchema(
  dataDir: string,
  schema: unknown,
  source: string | null,
  project: { id: string; name: string } | null = null,
): SchemaView {
  return new SchemaService(dataDir).setActive(schema, source, project);
}

/**
 * A sync project's manifest sets the data folder's schema (called each time the project is loaded,
 * at start too, so the manifest's schema is the one in use whatever was loaded before).
 */
export function adoptManifestSchema(
  dataDir: string,
  manifest: { projectId: string; name: string; labelSchema: unknown },
): SchemaView {
  return setActiveSchema(dataDir, manifest.labelSchema, manifestSource(manifest.projectId), {
    id: manifest.projectId,
    name: manifest.name,
  });
}

/**
 * The same for a sync project as sync keeps it (`{ manifest, baseDir }`, main/sync/project.ts);
 * null when it carries no manifest with a schema (a test's stand-in project).
 */
export function adoptKeptManifestSchema(dataDir: string, kept: unknown): SchemaView | null {
  const manifest = kept && typeof kept === 'object' ? (kept as { manifest?: unknown }).manifest : undefined;
  if (!manifest || typeof manifest !== 'object') return null;
  const { projectId, name, labelSchema } = manifest as Record<string, unknown>;
  if (typeof projectId !== 'string' || typeof name !== 'string' || labelSchema === undefined) return null;
  return adoptManifestSchema(dataDir, { projectId, name, labelSchema });
}
