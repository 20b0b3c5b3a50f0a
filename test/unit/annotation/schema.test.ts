import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabelSchema } from '../../../shared/annotation.js';
import { DEFAULT_LABEL_SCHEMA } from '../../../shared/default-label-schema.js';
import { SCHEMA_FILE_NAME, SchemaService, parseLabelSchema } from '../../../main/annotation/schema.js';
import { makeTempDir, repoRoot } from '../../fixtures/index.js';

const dir = makeTempDir('label-schema');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const example = path.join(repoRoot, 'docs', 'label-schema.example.json');

describe('label schema', () => {
  it('the built-in schema and the documented example are valid schemas', () => {
    expect(LabelSchema.safeParse(DEFAULT_LABEL_SCHEMA).success).toBe(true);
    const schema = parseLabelSchema(fs.readFileSync(example, 'utf8'));
    expect(schema.labels.map((label) => label.kind)).toEqual(['measurement', 'region', 'segment']);
    expect(schema.questions.map((question) => [question.level, question.type])).toEqual([
      ['study', 'single'],
      ['series', 'multiple'],
    ]);
  });

  it('an invalid file is refused with the field named', () => {
    const schema = JSON.parse(fs.readFileSync(example, 'utf8')) as {
      labels: { color: string; name: Record<string, string>; attributes: { options?: unknown }[] }[];
    };
    schema.labels[2]!.color = 'orange';
    expect(() => parseLabelSchema(JSON.stringify(schema))).toThrow(
      'The label schema is not valid: labels[2].color: a color is written #rrggbb',
    );
    const noChinese = structuredClone(schema);
    noChinese.labels[2]!.color = '#ffffff';
    delete noChinese.labels[0]!.name['zh-CN'];
    expect(() => parseLabelSchema(JSON.stringify(noChinese))).toThrow(/labels\[0\]\.name\.zh-CN/);
    const choiceWithoutOptions = structuredClone(noChinese);
    choiceWithoutOptions.labels[0]!.name['zh-CN'] = '实性结节';
    delete choiceWithoutOptions.labels[0]!.attributes[0]!.options;
    expect(() => parseLabelSchema(JSON.stringify(choiceWithoutOptions))).toThrow(
      /labels\[0\]\.attributes\[0\]\.options: a choice attribute needs options/,
    );
    expect(() => parseLabelSchema('{ "id": ')).toThrow(/not valid JSON/);
  });

  it('refuses two labels with the same id and unknown fields', () => {
    const schema = parseLabelSchema(fs.readFileSync(example, 'utf8'));
    const twice = { ...schema, labels: [schema.labels[0], schema.labels[0]] };
    expect(() => parseLabelSchema(JSON.stringify(twice))).toThrow(
      /labels\[0\]\.id: label id "nodule-solid" is used twice/,
    );
    expect(() => parseLabelSchema(JSON.stringify({ ...schema, colour: '#fff' }))).toThrow(/colour/);
  });

  it('is the default until a file is loaded; a loaded one is kept in the data folder; useDefault goes back', () => {
    const dataDir = path.join(dir, 'data');
    fs.mkdirSync(dataDir, { recursive: true });
    const service = new SchemaService(dataDir);
    expect(service.get()).toEqual({ schema: DEFAULT_LABEL_SCHEMA, source: 'default', loadedFrom: null });
    const loaded = service.loadFile(example);
    expect(loaded).toMatchObject({ source: 'project', loadedFrom: example });
    expect(new SchemaService(dataDir).get()).toEqual(loaded);
    expect(() => service.loadJson('{"id":"x"}')).toThrow(/name/);
    expect(new SchemaService(dataDir).get().schema.id).toBe('lung-nodule-study');
    expect(() => service.loadFile(path.join(dir, 'missing.json'))).toThrow(/cannot be read/);
    expect(service.useDefault().source).toBe('default');
    expect(fs.existsSync(path.join(dataDir, SCHEMA_FILE_NAME))).toBe(false);
  });

  it('a damaged schema copy in the data folder is reported, not replaced silently', () => {
    const dataDir = path.join(dir, 'damaged');
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, SCHEMA_FILE_NAME), '{ broken');
    expect(() => new SchemaService(dataDir).get()).toThrow(/damaged/);
  });
});
