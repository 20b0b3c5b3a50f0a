/**
 * MIDI-B category "pixels retained": de-identification does not damage pixels it has no reason
 * to touch. Objects without burned-in text risk keep their pixel data byte for byte (native or
 * compressed), a reformat in which OCR finds no text is kept, and masking changes nothing
 * outside the burned-in text.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMarkerFixtures, type MarkerManifest } from '../../../fixtures/deid-markers/index.js';
import { pixelContextFromBytes } from '../../../fixtures/deid-markers/pixel-context.js';
import { changedPixels, decodedImage } from '../pixel-proof.js';
import { deidentifyCorpus, type CorpusRun } from './engine-run.js';

let dir: string;
let manifest: MarkerManifest;
let run: CorpusRun;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radlabel-pixels-retained-'));
  manifest = generateMarkerFixtures(dir, 'pixels-retained');
  run = await deidentifyCorpus(dir, manifest.files);
}, 600_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function output(file: string): Uint8Array {
  const outcome = run.outcomes.get(file)!;
  if (outcome.status !== 'done') throw new Error(`${file} was ${outcome.status}`);
  return outcome.output;
}

function pixelValue(bytes: Uint8Array): Buffer[] {
  const context = pixelContextFromBytes(bytes);
  return context.pixelData.kind === 'native'
    ? [Buffer.from(context.pixelData.bytes)]
    : context.pixelData.frames.map((frame) => Buffer.from(frame));
}

describe('MIDI-B pixels retained', () => {
  it.each(['retained-ct-native.dcm', 'retained-mr-rle.dcm'])(
    'keeps the pixel data of %s (no risk) byte for byte',
    (file) => {
      const before = pixelValue(run.inputs.get(file)!);
      const after = pixelValue(output(file));
      expect(after.length).toBe(before.length);
      after.forEach((frame, index) => expect(frame.equals(before[index]!)).toBe(true));
    },
  );

  it('keeps a reformat (ImageType SECONDARY) unchanged when OCR finds no text in it', () => {
    const outcome = run.outcomes.get('retained-ct-mpr-secondary.dcm')!;
    expect(outcome.status).toBe('done');
    expect(outcome.status === 'done' && outcome.report.pixels.action).toBe('keep');
    expect(
      pixelValue(output('retained-ct-mpr-secondary.dcm'))[0]!.equals(
        pixelValue(run.inputs.get('retained-ct-mpr-secondary.dcm')!)[0]!,
      ),
    ).toBe(true);
  });

  it('changes no pixel outside the burned-in text when it masks', async () => {
    const file = 'retained-us-outside-mask.dcm';
    const [marker] = manifest.markers.filter((entry) => entry.file === file && entry.kind === 'pixels');
    const box = marker!.box!;
    // The mask may cover the word's box plus a margin of about a third of the glyph height.
    const margin = Math.ceil(box.height * 0.6) + 2;
    const changed = changedPixels(
      await decodedImage(run.inputs.get(file)!),
      await decodedImage(output(file)),
    );
    expect(changed.length).toBeGreaterThan(0);
    const outside = changed.filter(
      ({ x, y }) =>
        x < box.x - margin ||
        x >= box.x + box.width + margin ||
        y < box.y - margin ||
        y >= box.y + box.height + margin,
    );
    expect(outside).toEqual([]);
  });
});
