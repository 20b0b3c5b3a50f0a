/**
 * The project's label schema (#9 item 1): `setActiveSchema` (main/annotation/schema.ts, the
 * function sync calls with a project manifest's schema) validates, keeps the schema in the data
 * folder across restarts and names the field of an invalid one; `radlabel export --schema FILE`
 * gives a data folder without a schema that file's; annotations made under another schema keep
 * their labels.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LABEL_SCHEMA } from '../../../shared/default-label-schema.js';
import { SchemaService, setActiveSchema } from '../../../main/annotation/schema.js';
import { runCliInProcess } from '../../support/cli.js';
import { makeTempDir } from '../../fixtures/index.js';

const scratch = makeTempDir('schema-active');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const SCHEMA = {
  ...DEFAULT_LABEL_SCHEMA,
  id: 'project-chest',
  name: 'Chest CT project',
  version: '3.1',
  labels: [{ ...DEFAULT_LABEL_SCHEMA.labels[0]!, id: 'nodule-solid' }],
};

const cli = (...args: string[]) => runCliInProcess(args, { ...process.env });

describe('setActiveSchema', () => {
  const dataDir = path.join(scratch, 'sync');
  fs.mkdirSync(dataDir, { recursive: true });

  it('keeps a valid schema with its source, across a restart', () => {
    const view = setActiveSchema(dataDir, SCHEMA, 'sync:chest-project');
    expect(view).toMatchObject({ source: 'project', loadedFrom: 'sync:chest-project' });
    const reopened = new SchemaService(dataDir).get();
    expect(reopened.schema).toEqual(SCHEMA);
    expect(reopened.loadedFrom).toBe('sync:chest-project');
  });

  it('refuses an invalid schema, naming the field, and keeps the one in use', () => {
    const broken = { ...SCHEMA, labels: [{ ...SCHEMA.labels[0]!, color: 'red' }] };
    expect(() => setActiveSchema(dataDir, broken, 'sync:chest-project')).toThrow(
      /labels\[0\]\.color: a color is written #rrggbb/,
    );
    expect(new SchemaService(dataDir).get().schema.version).toBe('3.1');
  });
});

describe('radlabel export --schema', () => {
  const file = path.join(scratch, 'chest-schema.json');
  fs.writeFileSync(file, JSON.stringify(SCHEMA));

  it('gives a data folder without a schema the file’s schema', async () => {
    const dataDir = path.join(scratch, 'cli');
    const result = await cli(
      'export',
      '--format',
      'json',
      path.join(scratch, 'out'),
      '--schema',
      file,
      '--data-dir',
      dataDir,
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain('label schema: Chest CT project 3.1');
    expect(new SchemaService(dataDir).get()).toMatchObject({ source: 'project', loadedFrom: file });
  });

  it('refuses an invalid schema file with the field named', async () => {
    const bad = path.join(scratch, 'bad-schema.json');
    fs.writeFileSync(bad, JSON.stringify({ ...SCHEMA, questions: [{ id: 'q' }] }));
    const result = await cli(
      'export',
      '--format',
      'json',
      path.join(scratch, 'out2'),
      '--schema',
      bad,
      '--data-dir',
      path.join(scratch, 'cli-bad'),
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/questions\[0\]\./);
  });
});
