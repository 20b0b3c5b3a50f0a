/**
 * Shared by the MIDI-B-grouped specs: writes a test's own fixture objects to a folder, runs the
 * de-identification service over it (the same path as `radlabel deid`) and reads every output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../../fixtures/index.js';
import type { DeidConfig } from '../../../../main/deid/index.js';
import { deidentifyTree, type DeidRunSummary } from '../../../../main/deid/service.js';
import { buildDicom, type El, type Syntax } from '../../../unit/deid/support/build-dicom.js';
import { readBack, type ReadBack } from '../../../unit/deid/support/read-dicom.js';

export interface FixtureObject {
  name: string;
  elements: El[];
  syntax?: Syntax;
}

export interface DeidRun {
  summary: DeidRunSummary;
  /** Outputs by the fixture's name (found through the report's source name). */
  outputs: Map<string, { bytes: Buffer; read: ReadBack }>;
  inputs: Map<string, Buffer>;
  cleanup(): void;
}

export function baseConfig(overrides: Partial<DeidConfig> = {}): DeidConfig {
  return {
    profile: 'basic',
    options: ['retainLongitudinalModifiedDates', 'cleanDescriptors'],
    projectSecret: Buffer.from('midi-b-project-secret-0123456789'),
    projectId: 'MIDIB',
    clinicalTrial: { sponsorName: 'RadLabel', protocolId: 'MIDI-B' },
    ocr: false,
    ...overrides,
  };
}

/** Objects are numbered (InstanceNumber = position + 1) so outputs can be matched to them. */
export async function deidentifyObjects(
  unnumbered: FixtureObject[],
  config: DeidConfig = baseConfig(),
  workers = 0,
): Promise<DeidRun> {
  const objects = numbered(unnumbered);
  const root = makeTempDir('midi-b');
  const inputDir = path.join(root, 'in');
  const outputDir = path.join(root, 'out');
  fs.mkdirSync(inputDir);
  const inputs = new Map<string, Buffer>();
  for (const object of objects) {
    const bytes = buildDicom(object.elements, object.syntax ?? 'explicit-le');
    inputs.set(object.name, bytes);
    fs.writeFileSync(path.join(inputDir, `${object.name}.dcm`), bytes);
  }
  const summary = await deidentifyTree({ inputs: [inputDir], outputDir, config, workers });
  const outputs = new Map<string, { bytes: Buffer; read: ReadBack }>();
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const written = fs.existsSync(outputDir) ? walk(outputDir) : [];
  // Outputs are named by pseudonymous UIDs; InstanceNumber (kept) tells which fixture each is.
  for (const file of written) {
    const bytes = fs.readFileSync(file);
    const read = readBack(bytes);
    const object = objects[Number(read.text([0x00200013])) - 1];
    if (object) outputs.set(object.name, { bytes, read });
  }
  return { summary, outputs, inputs, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** Gives each fixture object a distinct InstanceNumber so outputs can be matched to inputs. */
export function numbered(objects: FixtureObject[]): FixtureObject[] {
  return objects.map((object, index) => ({
    ...object,
    elements: [
      ...object.elements.filter((el) => el.tag !== 0x00200013),
      { tag: 0x00200013, vr: 'IS', value: String(index + 1) },
    ],
  }));
}

/** Every printable-ASCII (and raw) occurrence of a string in a file. */
export function contains(bytes: Buffer, needle: string | Buffer): boolean {
  return bytes.includes(typeof needle === 'string' ? Buffer.from(needle, 'latin1') : needle);
}
