/**
 * Options that exclude each other (PS3.15 E.3.6: full dates or modified dates, not both) are
 * refused with an explanation wherever a configuration comes in: the engine, the CLI and the
 * settings store. One rule (shared/deid-options.ts) decides for all three and for the dialog.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DeidSettings } from '../../../shared/contract.js';
import { deidOptionConflicts, effectiveDeidOptions } from '../../../shared/deid-options.js';
import { runCliInProcess } from '../../support/cli.js';
import { createDeidentifier } from '../../../main/deid/index.js';
import { dispatch } from '../../../main/rpc/dispatch.js';
import type { Services } from '../../../main/services.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { config } from '../../unit/deid/support/sample.js';
import { fixedKey, freshDir, openServices } from './harness.js';

const scratch = makeTempDir('deid-conflicts');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('conflicting de-identification options', () => {
  it('the rule: full and modified dates exclude each other, also when the research profile implies one', () => {
    expect(
      deidOptionConflicts('basic', ['retainLongitudinalFullDates', 'retainLongitudinalModifiedDates']),
    ).toEqual([expect.objectContaining({ code: 'dates-full-and-modified', impliedByProfile: null })]);
    expect(deidOptionConflicts('research', ['retainLongitudinalFullDates'])).toEqual([
      expect.objectContaining({
        code: 'dates-full-and-modified',
        impliedByProfile: 'retainLongitudinalModifiedDates',
      }),
    ]);
    expect(deidOptionConflicts('basic', ['retainLongitudinalFullDates', 'retainUIDs'])).toEqual([]);
    expect(deidOptionConflicts('research', ['retainUIDs'])).toEqual([]);
    expect(effectiveDeidOptions('research', ['retainUIDs'])).toEqual(
      expect.arrayContaining(['retainLongitudinalModifiedDates', 'cleanPixelData', 'retainUIDs']),
    );
  });

  it('the engine refuses them with an explanation instead of keeping the real dates', () => {
    const both = () =>
      createDeidentifier(
        config({ options: ['retainLongitudinalFullDates', 'retainLongitudinalModifiedDates'] }),
      );
    expect(both).toThrow(/exclude each other: dates are either kept as they are or shifted/);
    expect(both).toThrow(expect.objectContaining({ code: 'invalid-request' }));
    expect(() =>
      createDeidentifier(config({ profile: 'research', options: ['retainLongitudinalFullDates'] })),
    ).toThrow(
      /research profile already applies "Retain Longitudinal Temporal Information with Modified Dates"/,
    );
    expect(() => createDeidentifier(config({ options: ['retainLongitudinalFullDates'] }))).not.toThrow();
  });

  it('radlabel deid refuses them with the reason and a non-zero exit, before writing anything', async () => {
    const secretFile = path.join(scratch, 'secret');
    fs.writeFileSync(secretFile, `${'b2'.repeat(32)}\n`);
    const out = path.join(scratch, 'out');
    const { status, stdout, stderr } = await runCliInProcess(
      [
        'deid',
        ensureCtSeries({ slices: 1, size: 32, seed: 'deid-conflicts' }).dir,
        out,
        '--secret-file',
        secretFile,
        '--option',
        'retain-longitudinal-full-dates',
        '--option',
        'retain-longitudinal-modified-dates',
        '--workers',
        '0',
      ],
      {},
    );
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/exclude each other/);
    expect(stdout).not.toMatch(/written/);
    expect(fs.existsSync(out)).toBe(false);
  });

  describe('the settings store', () => {
    const open: Services[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((services) => services.close()));
    });
    const settings: DeidSettings = {
      profile: 'basic',
      options: ['retainLongitudinalFullDates', 'retainLongitudinalModifiedDates'],
      projectId: 'LUNG',
      clinicalTrial: { sponsorName: '', protocolId: '' },
      ocr: false,
      pixelRules: [],
    };

    it('refuses to save them, says why, and keeps the settings it had', async () => {
      const services = openServices(freshDir('conflicts'), fixedKey('conflicts'));
      open.push(services);
      const result = await dispatch(services.handlers, 'deid.saveSettings', settings);
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'invalid-request', message: expect.stringMatching(/not saved.*exclude each other/) },
      });
      const research = await dispatch(services.handlers, 'deid.saveSettings', {
        ...settings,
        profile: 'research',
        options: ['retainLongitudinalFullDates'],
      });
      expect(research).toMatchObject({
        ok: false,
        error: { message: expect.stringMatching(/research profile/) },
      });
      expect(await services.handlers['deid.getSettings']({})).toMatchObject({
        profile: 'research',
        projectId: 'LOCAL',
      });
      const fine = await dispatch(services.handlers, 'deid.saveSettings', {
        ...settings,
        options: ['retainLongitudinalFullDates'],
      });
      expect(fine.ok).toBe(true);
    });
  });
});
