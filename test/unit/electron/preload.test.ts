/**
 * The preload exposes exactly the bridge the renderer reads (`RadlabelBridge` in shared/client.ts),
 * checked here at run time with a stand-in for Electron's preload modules; the compiler checks the
 * types (`satisfies RadlabelBridge<File>`).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type RadlabelBridge, radlabelBridgeKeys } from '../../../shared/client.js';
import { IPC_CHANNELS } from '../../../main/electron/channels.js';

const exposed = new Map<string, unknown>();
const invoked: unknown[][] = [];

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (name: string, value: unknown) => exposed.set(name, value) },
  ipcRenderer: {
    invoke: async (...args: unknown[]) => {
      invoked.push(args);
      return args[0] === IPC_CHANNELS.invoke ? { ok: true, value: 'from main' } : [];
    },
    on: () => {},
    removeListener: () => {},
  },
  webUtils: { getPathForFile: (file: { path: string }) => file.path },
}));

let bridge: RadlabelBridge<{ path: string }>;
beforeAll(async () => {
  await import('../../../main/electron/preload.js');
  bridge = exposed.get('radlabel') as RadlabelBridge<{ path: string }>;
});

describe('the preload', () => {
  it('exposes window.radlabel with exactly the members of RadlabelBridge', () => {
    expect([...exposed.keys()]).toEqual(['radlabel']);
    expect(Object.keys(bridge).sort()).toEqual([...radlabelBridgeKeys].sort());
    expect(bridge.kind).toBe('electron');
  });

  it('passes contract methods to main and refuses others before they leave the page', async () => {
    expect(await bridge.invoke('app.info', {})).toEqual({ ok: true, value: 'from main' });
    expect(invoked).toEqual([[IPC_CHANNELS.invoke, 'app.info', {}]]);
    expect(await bridge.invoke('fs.readFile' as never, {})).toEqual({
      ok: false,
      error: { code: 'invalid-request', message: 'Unknown method.' },
    });
    expect(invoked).toHaveLength(1);
  });

  it('gives the paths of dropped files and leaves out those without one', () => {
    expect(bridge.pathsForFiles([{ path: '/a/b.dcm' }, { path: '' }])).toEqual(['/a/b.dcm']);
  });
});
