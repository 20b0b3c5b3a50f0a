/**
 * Runs the de-identification engine over a fixture corpus for the MIDI-B category tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createDeidentifier, type DeidOutcome } from '../../../../main/deid/index.js';
import type { PixelRule } from '../../../../main/deid/pixels/types.js';

export interface CorpusRun {
  inputs: Map<string, Uint8Array>;
  outcomes: Map<string, DeidOutcome>;
}

export async function deidentifyCorpus(
  dir: string,
  files: readonly string[],
  pixelRules: PixelRule[] = [],
): Promise<CorpusRun> {
  const deidentifier = createDeidentifier({
    profile: 'research',
    options: [],
    projectSecret: new Uint8Array(32).fill(42),
    projectId: 'MIDIB',
    clinicalTrial: { sponsorName: 'RadLabel Proof', protocolId: 'MIDI-B' },
    pixelRules,
    ocr: true,
  });
  const inputs = new Map<string, Uint8Array>();
  const outcomes = new Map<string, DeidOutcome>();
  try {
    for (const file of files) {
      const bytes = new Uint8Array(fs.readFileSync(path.join(dir, file)));
      inputs.set(file, bytes);
      outcomes.set(file, await deidentifier.deidentify(bytes, { sourceName: file }));
    }
  } finally {
    await deidentifier.close();
  }
  return { inputs, outcomes };
}
