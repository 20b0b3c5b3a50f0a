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

interface StoredSchema {
  loadedFrom: string | null;
  schema: unknown;
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
  const result = LabelSchema.safeParse(json);
  if (!result.success) {
    throw new AppError(
      ErrorCode.InvalidRequest,
      `The label schema is not valid: ${describeIssues(result.error)}`,
    );
  }
  return result.data;
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
    .join('; ');
}

function formatPath(parts: readonly PropertyKey[]): string {
  if (parts.length === 0) return '(the whole file)';
  return parts
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

export class SchemaService {
  readonly #file: string;

  constructor(dataDir: string) {
    this.#file = path.join(dataDir, SCHEMA_FILE_NAME);
  }

  get(): SchemaView {
    let text: string;
    try {
      text = fs.readFileSync(this.#file, 'utf8');
    } catch {
      return { schema: DEFAULT_LABEL_SCHEMA, source: 'default', loadedFrom: null };
    }
    try {
      const stored = JSON.parse(text) as StoredSchema;
      return {
        schema: LabelSchema.parse(stored.schema),
        source: 'project',
        loadedFrom: typeof stored.loadedFrom === 'string' ? stored.loadedFrom : null,
      };
    } catch (error) {
      throw new AppError(
        ErrorCode.Io,
        `The project label schema in the data folder (${SCHEMA_FILE_NAME}) is damaged; load the schema file again.`,
        { cause: error },
      );
    }
  }

  /** Validates and keeps a schema from a file on this machine. */
  loadFile(file: string): SchemaView {
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
    return this.#keep(parseLabelSchema(text), path.resolve(file));
  }

  loadJson(text: string, name: string | null = null): SchemaView {
    return this.#keep(parseLabelSchema(text), name);
  }

  /**
   * Makes `schema` the project's schema (validated; an invalid one is refused with the field named)
   * and records where it came from (`source`: a file path, `sync:<project>`, …).
   */
  setActive(schema: unknown, source: string | null): SchemaView {
    const result = LabelSchema.safeParse(schema);
    if (!result.success)
      throw new AppError(
        ErrorCode.InvalidRequest,
        `The label schema is not valid: ${describeIssues(result.error)}`,
      );
    return this.#keep(result.data, source);
  }

  useDefault(): SchemaView {
    fs.rmSync(this.#file, { force: true });
    return this.get();
  }

  #keep(schema: LabelSchema, loadedFrom: string | null): SchemaView {
    const stored: StoredSchema = { loadedFrom, schema };
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
    return { schema, source: 'project', loadedFrom };
  }
}

/**
 * Sets the label schema of the data folder `dataDir` (the app and the CLI read it from there): for
 * sync, which takes the schema from the project manifest. Annotations made under another schema
 * keep their labels (an unknown label is shown as its id and counts as missing for "complete").
 */
export function setActiveSchema(dataDir: string, schema: unknown, source: string | null): SchemaView {
  return new SchemaService(dataDir).setActive(schema, source);
}
