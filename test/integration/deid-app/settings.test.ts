import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeidSettings } from '../../../shared/contract.js';
import { DEID_DIR_NAME, SETTINGS_FILE_NAME } from '../../../main/deid-app/settings-store.js';
import { dispatch } from '../../../main/rpc/dispatch.js';
import type { Services } from '../../../main/services.js';
import { fixedKey, freshDir, openServices } from './harness.js';

const chosen: DeidSettings = {
  profile: 'basic',
  options: ['retainLongitudinalModifiedDates', 'cleanDescriptors'],
  projectId: 'LUNG-01',
  clinicalTrial: {
    sponsorName: 'Example Hospital',
    protocolId: 'P-2026-7',
    siteId: 'S1',
    siteName: 'Radiology',
  },
  ocr: true,
  pixelRules: [
    {
      name: 'Vendor header strip',
      match: { modality: 'US' },
      regions: [{ x: 0, y: 0, width: 640, height: 40 }],
    },
  ],
};

describe('local de-identification settings', () => {
  const open: Services[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((services) => services.close()));
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  const start = (dataDir: string): Services => {
    const services = openServices(dataDir, fixedKey('settings'));
    open.push(services);
    return services;
  };

  it('a fresh data folder answers the research profile and has no secret yet', async () => {
    const dataDir = freshDir('settings');
    dirs.push(dataDir);
    const view = await start(dataDir).handlers['deid.getSettings']({});
    expect(view).toMatchObject({
      profile: 'research',
      options: [],
      ocr: false,
      pixelRules: [],
      secretCreated: false,
      settingsFileDamaged: false,
    });
  });

  it('saved settings come back after a restart, and the answer never carries the secret', async () => {
    const dataDir = freshDir('settings');
    dirs.push(dataDir);
    const first = start(dataDir);
    await first.handlers['deid.saveSettings'](chosen);
    await first.close();
    const view = await start(dataDir).handlers['deid.getSettings']({});
    expect(view).toEqual({ ...chosen, secretCreated: false, settingsFileDamaged: false });
    expect(Object.keys(view).some((key) => /secret$/i.test(key) && key !== 'secretCreated')).toBe(false);
  });

  it('settings outside the contract are refused before anything is saved', async () => {
    const dataDir = freshDir('settings');
    dirs.push(dataDir);
    const services = start(dataDir);
    const result = await dispatch(services.handlers, 'deid.saveSettings', {
      ...chosen,
      projectId: 'has space',
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const unknownOption = await dispatch(services.handlers, 'deid.saveSettings', {
      ...chosen,
      options: ['retainEverything'],
    });
    expect(unknownOption.ok).toBe(false);
    expect((await services.handlers['deid.getSettings']({})).projectId).toBe('LOCAL');
  });

  it('a damaged settings file shows the defaults to save over it, and nothing is de-identified meanwhile', async () => {
    const dataDir = freshDir('settings');
    dirs.push(dataDir);
    fs.mkdirSync(path.join(dataDir, DEID_DIR_NAME), { recursive: true });
    fs.writeFileSync(path.join(dataDir, DEID_DIR_NAME, SETTINGS_FILE_NAME), '{"profile": "basic", "opti');
    const services = start(dataDir);
    expect(await services.handlers['deid.getSettings']({})).toMatchObject({
      profile: 'research',
      settingsFileDamaged: true,
    });
    await expect(services.handlers['deid.preview']({ sopInstanceUID: '1.2.3' })).rejects.toMatchObject({
      code: 'malformed',
    });
    await services.handlers['deid.saveSettings'](chosen);
    expect(await services.handlers['deid.getSettings']({})).toMatchObject({
      projectId: 'LUNG-01',
      settingsFileDamaged: false,
    });
  });
});
