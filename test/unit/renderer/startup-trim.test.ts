/**
 * Less work at start-up (renderer/vite-plugins/startup-trim.ts), on the real modules the build
 * bundles: loglevel reads `document.cookie` once however many loggers are made, and still finds a
 * level persisted there; Cornerstone's imports of vtk.js's XML poly-data reader get the stand-in,
 * nobody else's.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { Plugin } from 'vite';
import { startupTrim } from '../../../renderer/vite-plugins/startup-trim.js';

const require = createRequire(import.meta.url);
const loglevelPath = require.resolve('loglevel/lib/loglevel.js').replaceAll('\\', '/');

type Hook = (this: unknown, ...args: unknown[]) => unknown;
const hook = (plugin: Plugin, name: 'transform' | 'resolveId'): Hook => plugin[name] as Hook;

interface Loglevel {
  getLogger(name: string): { getLevel(): number };
  levels: Record<string, number>;
}

/** Evaluates loglevel's (transformed) source in a window whose cookie reads are counted. */
function loadLoglevel(source: string, cookie: string): { log: Loglevel; reads: () => number } {
  let reads = 0;
  const document = {
    get cookie() {
      reads += 1;
      return cookie;
    },
  };
  // No localStorage entry for any logger: each looks in the cookies.
  const window = { document, localStorage: {}, navigator: { userAgent: 'test' } };
  const module = { exports: {} as Loglevel };
  vm.runInNewContext(source, { window, module, console }, { filename: loglevelPath });
  return { log: module.exports, reads: () => reads };
}

describe('start-up trim', () => {
  const plugin = startupTrim();
  const original = fs.readFileSync(loglevelPath, 'utf8');

  it('loglevel reads the cookies once for all its loggers, and a level persisted there still applies', () => {
    const transformed = hook(plugin, 'transform').call({}, original, loglevelPath) as { code: string };
    const cookie = `other=1; ${encodeURIComponent('loglevel:core')}=ERROR; last=2`;
    const { log, reads } = loadLoglevel(transformed.code, cookie);
    for (let index = 0; index < 130; index += 1) log.getLogger(`logger-${index}`);
    const core = log.getLogger('core');
    expect(reads()).toBe(1);
    expect(core.getLevel()).toBe(log.levels['ERROR']);
    // Unchanged loglevel, for comparison: one read per logger.
    const plain = loadLoglevel(original, cookie);
    for (let index = 0; index < 130; index += 1) plain.log.getLogger(`logger-${index}`);
    expect(plain.reads()).toBeGreaterThanOrEqual(130);
  });

  it("makes the same edit in dcmjs's ES build, whose bundled loglevel makes Cornerstone's loggers", () => {
    // The package's main (build/dcmjs.js) sits beside the ES build its exports give to imports.
    const dcmjsPath = require
      .resolve('dcmjs')
      .replaceAll('\\', '/')
      .replace(/dcmjs\.js$/, 'dcmjs.es.js');
    const source = fs.readFileSync(dcmjsPath, 'utf8');
    const transformed = hook(plugin, 'transform').call({}, source, dcmjsPath) as { code: string };
    expect(transformed.code.split('var cookie = readCookiesOnce();')).toHaveLength(2);
    expect(transformed.code).not.toContain('var cookie = window.document.cookie;');
    expect(transformed.code.split('function readCookiesOnce()')).toHaveLength(2);
  });

  it('leaves every other module alone', () => {
    expect(
      hook(plugin, 'transform').call({}, 'var cookie = window.document.cookie;', '/x/other.js'),
    ).toBeNull();
  });

  it("replaces vtk.js's XML poly-data reader for Cornerstone's imports only", () => {
    const resolve = hook(plugin, 'resolveId');
    const source = '@kitware/vtk.js/IO/XML/XMLPolyDataReader.js';
    const mesh = '/repo/node_modules/@cornerstonejs/core/dist/esm/cache/classes/Mesh.js';
    const marker = '/repo/node_modules/@cornerstonejs/tools/dist/esm/tools/OrientationMarkerTool.js';
    expect(resolve.call({}, source, mesh)).toMatch(/renderer\/src\/imaging\/noVtkXmlReader\.ts$/);
    expect(resolve.call({}, source, marker)).toMatch(/noVtkXmlReader\.ts$/);
    expect(resolve.call({}, source, '/repo/renderer/src/somewhere.ts')).toBeNull();
    expect(resolve.call({}, '@kitware/vtk.js/Rendering/Core/Actor.js', mesh)).toBeNull();
  });

  it('the stand-in says what is missing when used', async () => {
    const reader = await import('../../../renderer/src/imaging/noVtkXmlReader.js');
    expect(() => reader.default.newInstance()).toThrow(/VTK XML poly data/);
  });
});
