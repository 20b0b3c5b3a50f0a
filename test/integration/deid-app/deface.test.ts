/**
 * Defacing through the app's services on the generated head phantom (real catalog, real export
 * through the engine's writer): a face-bearing series is held for its face until the reader
 * accepts a cut, then written defaced with 113102; without the option nothing is held for faces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../../main/services.js';
import { checkDefaced } from '../../fixtures/deface-check.js';
import { ensureHeadPhantom } from '../../fixtures/head-phantom.js';
import { exportStudy, filesUnder, fixedKey, freshDir, importInto, openServices } from './harness.js';

const phantom = ensureHeadPhantom('deid-app');

describe('defacing in the export', () => {
  let dataDir: string;
  let outputRoot: string;
  let services: Services;

  beforeAll(async () => {
    dataDir = freshDir('deface-data');
    outputRoot = freshDir('deface-out');
    services = openServices(dataDir, fixedKey('deface'), 0);
    await importInto(services, [phantom.dir]);
  });
  afterAll(async () => {
    await services.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(outputRoot, { recursive: true, force: true });
  });

  async function setOption(on: boolean): Promise<void> {
    const {
      secretCreated: _s,
      settingsFileDamaged: _d,
      ...settings
    } = await services.handlers['deid.getSettings']({});
    await services.handlers['deid.saveSettings']({
      ...settings,
      options: on ? ['cleanRecognizableVisualFeatures'] : [],
    });
  }

  it('without the option nothing is held for faces', async () => {
    await setOption(false);
    const finished = await exportStudy(services, phantom.studyInstanceUID, path.join(outputRoot, 'off'));
    expect(finished).toMatchObject({ done: 96, held: 0, failed: 0 });
  });

  it('with the option the face-bearing series is listed and held with the reason code "face"', async () => {
    await setOption(true);
    const series = await services.handlers['deid.defaceSeries']({
      studyInstanceUID: phantom.studyInstanceUID,
    });
    expect(series).toEqual([
      expect.objectContaining({
        seriesInstanceUID: phantom.seriesInstanceUID,
        accepted: false,
        automatic: true,
      }),
    ]);
    const finished = await exportStudy(services, phantom.studyInstanceUID, path.join(outputRoot, 'held'));
    expect(finished).toMatchObject({ done: 0, held: 96, failed: 0 });
    const report = await services.handlers['deid.studyReport']({
      studyInstanceUID: phantom.studyInstanceUID,
    });
    expect(report.held).toHaveLength(96);
    for (const held of report.held) expect(held.reasonCodes).toContain('face');
  });

  it('after the reader accepts the proposed cut every slice is written defaced with 113102, the brain bit-identical', async () => {
    const view = await services.handlers['deid.defaceView']({
      studyInstanceUID: phantom.studyInstanceUID,
      seriesInstanceUID: phantom.seriesInstanceUID,
    });
    console.log(`deface: view (volume, surface) of the phantom in ${view.surfaceMs.toFixed(0)} ms`);
    expect(view.accepted).toBe(false);
    expect(view.planes.sagittal).toMatchObject({ width: 128, height: 96, u: 'y', v: 'z' });
    await services.handlers['deid.defaceAccept']({
      studyInstanceUID: phantom.studyInstanceUID,
      seriesInstanceUID: phantom.seriesInstanceUID,
      cut: view.cut,
    });
    const outputDir = path.join(outputRoot, 'defaced');
    const finished = await exportStudy(services, phantom.studyInstanceUID, outputDir);
    expect(finished).toMatchObject({ done: 96, held: 0, failed: 0 });
    const written = filesUnder(outputDir).filter((file) => file.endsWith('.dcm'));
    expect(written).toHaveLength(96);
    const verdict = checkDefaced(written, phantom);
    expect(verdict.problems).toEqual([]);
    expect(verdict.faceVoxels).toBeGreaterThan(1000);
    // The accepted cut is remembered.
    expect(
      (
        await services.handlers['deid.defaceView']({
          studyInstanceUID: phantom.studyInstanceUID,
          seriesInstanceUID: phantom.seriesInstanceUID,
        })
      ).accepted,
    ).toBe(true);
  });

  it('a cut whose points lie at the same height is refused by the contract', async () => {
    const view = await services.handlers['deid.defaceView']({
      studyInstanceUID: phantom.studyInstanceUID,
      seriesInstanceUID: phantom.seriesInstanceUID,
    });
    const { DefaceCutSchema } = await import('../../../shared/deface-contract.js');
    expect(
      DefaceCutSchema.safeParse({ superior: view.cut.superior, inferior: view.cut.superior }).success,
    ).toBe(false);
  });
});
