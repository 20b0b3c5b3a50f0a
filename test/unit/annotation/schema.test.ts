import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabelSchema } from '../../../shared/annotation.js';
import { DEFAULT_LABEL_SCHEMA } from '../../../shared/default-label-schema.js';
import {
  SCHEMA_FILE_NAME,
  SchemaService,
  adoptKeptManifestSchema,
  parseLabelSchema,
  setActiveSchema,
} from '../../../main/annotation/schema.js';
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

  it('docs/annotation.md shows the complete example, the same schema as docs/label-schema.example.json', () => {
    const page = fs.readFileSync(path.join(repoRoot, 'docs', 'annotation.md'), 'utf8');
    const block = /```json label-schema\n([\s\S]*?)\n```/.exec(page);
    expect(block, 'a ```json label-schema block in docs/annotation.md').not.toBeNull();
    const documented = parseLabelSchema(block![1]!);
    expect(documented).toEqual(parseLabelSchema(fs.readFileSync(example, 'utf8')));
    // Complete: every kind of entry the format has appears in it.
    const attributes = documented.labels.flatMap((label) => label.attributes);
    expect(new Set(attributes.map((attribute) => attribute.type))).toEqual(
      new Set(['choice', 'number', 'text']),
    );
    expect(attributes.some((attribute) => attribute.required)).toBe(true);
    expect(documented.labels.some((label) => label.finding)).toBe(true);
    expect(documented.questions.some((question) => question.required)).toBe(true);
  });

  it('an invalid file is refused with the field and the label named', () => {
    const schema = JSON.parse(fs.readFileSync(example, 'utf8')) as {
      labels: { color: string; name: Record<string, string>; attributes: { options?: unknown }[] }[];
    };
    schema.labels[2]!.color = 'orange';
    expect(() => parseLabelSchema(JSON.stringify(schema))).toThrow(
      'The label schema is not valid: labels[2].color: a color is written #rrggbb (label "nodule-mask")',
    );
    const noChinese = structuredClone(schema);
    noChinese.labels[2]!.color = '#ffffff';
    delete noChinese.labels[0]!.name['zh-CN'];
    expect(() => parseLabelSchema(JSON.stringify(noChinese))).toThrow(/labels\[0\]\.name\.zh-CN/);
    const choiceWithoutOptions = structuredClone(noChinese);
    choiceWithoutOptions.labels[0]!.name['zh-CN'] = '实性结节';
    delete choiceWithoutOptions.labels[0]!.attributes[0]!.options;
    expect(() => parseLabelSchema(JSON.stringify(choiceWithoutOptions))).toThrow(
      'labels[0].attributes[0].options: a choice attribute needs options (label "nodule-solid", attribute "lobe")',
    );
    const badQuestion = structuredClone(schema) as unknown as { questions: { type: string }[] };
    badQuestion.questions[1]!.type = 'several';
    expect(() => parseLabelSchema(JSON.stringify(badQuestion))).toThrow(
      /questions\[1\]\.type: .*\(question "artefacts"\)/,
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
    expect(service.get()).toEqual({
      schema: DEFAULT_LABEL_SCHEMA,
      source: 'default',
      loadedFrom: null,
      origin: 'built-in',
      project: null,
    });
    const loaded = service.loadFile(example);
    expect(loaded).toMatchObject({ source: 'project', loadedFrom: example, origin: 'file', project: null });
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

  it('a file chosen in the browser is kept with its name as its source', () => {
    const dataDir = path.join(dir, 'browser');
    fs.mkdirSync(dataDir, { recursive: true });
    const view = new SchemaService(dataDir).loadJson(fs.readFileSync(example, 'utf8'), 'lung.json');
    expect(view).toMatchObject({ origin: 'file', loadedFrom: 'lung.json' });
    expect(new SchemaService(dataDir).get()).toEqual(view);
  });

  describe('a sync project manifest sets the schema and wins over files', () => {
    const dataDir = path.join(dir, 'manifest');
    const projectFile = path.join(dataDir, 'sync', 'project.json');
    const schema = parseLabelSchema(fs.readFileSync(example, 'utf8'));
    const kept = {
      manifest: { projectId: 'LUNG1', name: 'Lung nodule study', labelSchema: schema },
      baseDir: dir,
    };

    it('is shown as the project manifest’s, with the project', () => {
      fs.mkdirSync(path.dirname(projectFile), { recursive: true });
      new SchemaService(dataDir).loadJson(JSON.stringify(DEFAULT_LABEL_SCHEMA), 'before.json');
      fs.writeFileSync(projectFile, '{}');
      const view = adoptKeptManifestSchema(dataDir, kept);
      expect(view).toMatchObject({
        source: 'project',
        origin: 'manifest',
        loadedFrom: 'sync:LUNG1',
        project: { id: 'LUNG1', name: 'Lung nodule study' },
      });
      expect(new SchemaService(dataDir).get()).toEqual(view);
    });

    it('a file, a chosen file or the default is refused while the project is set up; nothing changes', () => {
      const service = new SchemaService(dataDir);
      const conflict = /cloud project “Lung nodule study”: its manifest sets them/;
      expect(() => service.loadFile(example)).toThrow(conflict);
      expect(() => service.loadJson(JSON.stringify(DEFAULT_LABEL_SCHEMA), 'x.json')).toThrow(conflict);
      expect(() => service.useDefault()).toThrow(conflict);
      expect(new SchemaService(dataDir).get()).toMatchObject({ origin: 'manifest', schema });
    });

    it('the manifest sets it again at each load, over a schema written since', () => {
      const other = { ...schema, version: 'other' };
      setActiveSchema(dataDir, other, '/somewhere/else.json');
      expect(new SchemaService(dataDir).get()).toMatchObject({
        origin: 'file',
        schema: { version: 'other' },
      });
      expect(adoptKeptManifestSchema(dataDir, kept)).toMatchObject({ origin: 'manifest' });
      expect(new SchemaService(dataDir).get().schema.version).toBe(schema.version);
    });

    it('without the project (its folder removed) files may be loaded again; a copy written before origins were kept reads as a manifest by its source', () => {
      fs.rmSync(path.dirname(projectFile), { recursive: true, force: true });
      expect(new SchemaService(dataDir).loadFile(example)).toMatchObject({ origin: 'file' });
      fs.writeFileSync(
        path.join(dataDir, SCHEMA_FILE_NAME),
        JSON.stringify({ loadedFrom: 'sync:OLD', schema }),
      );
      expect(new SchemaService(dataDir).get()).toMatchObject({ origin: 'manifest', project: null });
    });

    it('a stand-in project without a manifest sets nothing', () => {
      expect(adoptKeptManifestSchema(dataDir, { test: true })).toBeNull();
    });
  });
});
