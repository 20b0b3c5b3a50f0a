/**
 * A press on a viewport with a labelmap tool reaches the tool at once (renderer/vite-plugins/
 * press-at-once.ts), checked on the module the build bundles: Cornerstone's mouse-down listener
 * gets its one edit, still parses, and no other module is touched; a Cornerstone whose listener
 * changed fails the build instead of being edited blind. (What the edit does in the page: e2e
 * annotation-brush-preview, "a press reaches the labelmap tool at once".)
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseAst, type Plugin } from 'vite';
import { describe, expect, it } from 'vitest';
import { PRESS_EDIT, pressAtOnce, pressAtOncePlugin } from '../../../renderer/vite-plugins/press-at-once.js';

const require = createRequire(import.meta.url);
const toolsRoot = path.dirname(require.resolve('@cornerstonejs/tools/package.json'));
const listenerPath = path
  .join(toolsRoot, 'dist/esm/eventListeners/mouse/mouseDownListener.js')
  .replaceAll('\\', '/');

type Transform = (this: unknown, code: string, id: string) => { code: string } | null;
const transform = (plugin: Plugin): Transform => plugin.transform as Transform;

describe('press at once', () => {
  const plugin = pressAtOncePlugin();
  const original = fs.readFileSync(listenerPath, 'utf8');

  it("edits Cornerstone's mouse-down listener once, and the result is still a module", () => {
    const result = transform(plugin).call({}, original, listenerPath);
    expect(result).not.toBeNull();
    const code = result!.code;
    expect(code.split(PRESS_EDIT).length).toBe(2);
    expect(code.length).toBeGreaterThan(original.length);
    expect(() => parseAst(code)).not.toThrow();
    // The press is sent from inside mouseDownListener, after its state is set up.
    const listener = code.slice(
      code.indexOf('function mouseDownListener('),
      code.indexOf('function _doMouseDown('),
    );
    expect(listener).toContain('state.element.closest?.(\'[data-cornerstone-press="immediate"]\')');
    expect(listener.indexOf("document.addEventListener('mousemove', _onMouseDrag);")).toBeLessThan(
      listener.lastIndexOf('_doStateMouseDownAndUp();'),
    );
  });

  it('leaves every other module alone, a query string or Windows path included', () => {
    expect(transform(plugin).call({}, original, '/app/node_modules/other/mouseDownListener.js')).toBeNull();
    expect(transform(plugin).call({}, 'export {}', '/work/renderer/src/main.tsx')).toBeNull();
    const windowsId = listenerPath.replaceAll('/', '\\') + '?v=1';
    expect(transform(plugin).call({}, original, windowsId)).not.toBeNull();
  });

  it('refuses a listener it does not know (a Cornerstone update): the build fails and says why', () => {
    const changed = original.replace("document.addEventListener('mousemove', _onMouseDrag);", '');
    expect(() => pressAtOnce(changed)).toThrow(/mouse-down listener changed/);
  });
});
