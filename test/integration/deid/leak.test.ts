/**
 * Leak proof: planted markers in every text-valued attribute (Table E.1-1 rows, nested
 * sequences, private tags, file meta, SR content, Chinese character sets, overlays) and text
 * burned into pixels. After de-identification every output byte is scanned for every marker, in
 * every encoding it was planted in (ASCII/UTF-8, GB18030, GBK, ISO 2022 IR 58, UTF-16). Nothing
 * may remain except what the chosen options keep on purpose, and each such case is listed in
 * `keptOnPurpose` below with the reason. Objects held for review produce no output at all.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDeidentifier,
  researchDefaultOptions,
  type DeidOptionName,
  type DeidOutcome,
} from '../../../main/deid/index.js';
import { EXAMPLE_PIXEL_RULES, type PixelRule } from '../../../main/deid/pixels/index.js';
import { createTesseractOcr } from '../../../main/deid/pixels/ocr.js';
import {
  generateMarkerFixtures,
  markersFoundIn,
  type MarkerManifest,
  type PlantedMarker,
} from '../../fixtures/deid-markers/index.js';
import { keptOnPurpose } from '../../fixtures/deid-markers/kept-on-purpose.js';
import { decodedImage, inkInBox, markersReadBack } from './pixel-proof.js';

interface OptionSet {
  name: string;
  profile: 'basic' | 'research';
  options: DeidOptionName[];
  pixelRules?: PixelRule[];
}

const OPTION_SETS: OptionSet[] = [
  { name: 'research defaults', profile: 'research', options: [] },
  { name: 'basic profile without options', profile: 'basic', options: [] },
  {
    name: 'basic + Retain UIDs, Safe Private, Full Dates, Institution Identity, Clean Pixel Data',
    profile: 'basic',
    options: [
      'retainUIDs',
      'retainSafePrivate',
      'retainLongitudinalFullDates',
      'retainInstitutionIdentity',
      'cleanPixelData',
    ],
  },
  {
    name: 'research defaults with the example region rules',
    profile: 'research',
    options: [],
    pixelRules: [...EXAMPLE_PIXEL_RULES],
  },
];

const SECRET = new Uint8Array(32).map((_, index) => index * 7 + 3);
let workDir: string;
let manifest: MarkerManifest;
const inputs = new Map<string, Uint8Array>();

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'radlabel-leak-'));
  manifest = generateMarkerFixtures(workDir);
  for (const file of manifest.files)
    inputs.set(file, new Uint8Array(fs.readFileSync(path.join(workDir, file))));
});

afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

describe.each(OPTION_SETS)('leak proof: $name', (optionSet) => {
  const outcomes = new Map<string, DeidOutcome>();
  const options = new Set<DeidOptionName>([
    ...optionSet.options,
    ...(optionSet.profile === 'research' ? researchDefaultOptions : []),
  ]);

  beforeAll(async () => {
    const deidentifier = createDeidentifier({
      profile: optionSet.profile,
      options: optionSet.options,
      projectSecret: SECRET,
      projectId: 'LEAKTEST',
      clinicalTrial: { sponsorName: 'RadLabel Proof', protocolId: 'PROOF-1' },
      ocr: true,
      pixelRules: optionSet.pixelRules ?? [],
    });
    try {
      for (const [file, bytes] of inputs)
        outcomes.set(file, await deidentifier.deidentify(bytes, { sourceName: file }));
    } finally {
      await deidentifier.close();
    }
  }, 600_000);

  it('de-identifies or holds every object; none fails', () => {
    const failed = [...outcomes]
      .filter(([, outcome]) => outcome.status === 'failed')
      .map(([file, outcome]) => `${file}: ${outcome.status === 'failed' ? outcome.error.message : ''}`);
    expect(failed).toEqual([]);
  });

  it('leaves no planted text, UID or byte marker in any output byte except those the options keep on purpose', () => {
    const leaks: string[] = [];
    for (const [file, outcome] of outcomes) {
      if (outcome.status !== 'done') continue;
      const planted = manifest.markers.filter((marker) => marker.file === file && marker.vr !== 'pixels');
      for (const found of markersFoundIn(outcome.output, planted)) {
        if (keptOnPurpose(found, options) === null)
          leaks.push(`${file} ${found.where} (${found.kind}, ${found.vr})`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it("never lets the patient's own name, id or birth date through, in any attribute or encoding", () => {
    const identity = manifest.markers.filter((marker) => /^\(0010,00(10|20|30)\)/.test(marker.where));
    const leaks: string[] = [];
    for (const [file, outcome] of outcomes) {
      if (outcome.status !== 'done') continue;
      for (const found of markersFoundIn(
        outcome.output,
        identity.filter((marker) => marker.file === file),
      ))
        leaks.push(`${file} ${found.where}`);
    }
    expect(identity.length).toBeGreaterThan(10);
    expect(leaks).toEqual([]);
  });

  it('holds every object with burned-in text when Clean Pixel Data is not chosen, and never outputs it', () => {
    const burned = new Set(
      manifest.markers.filter((marker) => marker.kind === 'pixels').map((marker) => marker.file),
    );
    for (const file of burned) {
      const outcome = outcomes.get(file)!;
      if (!options.has('cleanPixelData')) expect(outcome.status, file).toBe('held');
      else expect(['done', 'held'], file).toContain(outcome.status);
    }
  });

  it('removes the ink of every burned-in marker from the objects it outputs, and OCR reads none of them back', async () => {
    const ocr = createTesseractOcr();
    try {
      const byFile = new Map<string, PlantedMarker[]>();
      for (const marker of manifest.markers.filter((entry) => entry.kind === 'pixels'))
        byFile.set(marker.file, [...(byFile.get(marker.file) ?? []), marker]);
      for (const [file, markers] of byFile) {
        const outcome = outcomes.get(file)!;
        if (outcome.status !== 'done') continue;
        const before = await decodedImage(inputs.get(file)!);
        const after = await decodedImage(outcome.output);
        for (const marker of markers) {
          const ink = inkInBox(before, after, marker);
          expect(ink.before, `${file} ${marker.where}: the fixture drew the marker`).toBeGreaterThan(10);
          expect(ink.after, `${file} ${marker.where}: ink left in the marker's box`).toBeLessThanOrEqual(
            Math.floor(ink.before * 0.02),
          );
        }
        expect(
          await markersReadBack(
            after,
            markers.map((marker) => marker.marker),
            ocr,
            before,
          ),
          file,
        ).toEqual([]);
      }
    } finally {
      await ocr.close();
    }
  }, 300_000);
});
