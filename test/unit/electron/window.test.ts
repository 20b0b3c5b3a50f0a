/**
 * The Electron window and session rules (main/electron/window.ts), checked without the Electron
 * binary: a stand-in records the BrowserWindow options and the handlers the app installs, and the
 * tests call those handlers as Electron would. test/electron/electron.spec.ts checks the same rules
 * in the real app where the binary runs.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../main/core/logger.js';
import { contentSecurityPolicy, securityHeaders } from '../../../main/core/security.js';

type Handler = (...args: never[]) => unknown;
const windows: Array<{ webPreferences: Record<string, unknown> }> = [];
const sessionHandlers = new Map<string, Handler>();
const opened: string[] = [];
let loadedUrl = '';

vi.mock('electron', () => ({
  BrowserWindow: class {
    constructor(options: { webPreferences: Record<string, unknown> }) {
      windows.push(options);
    }
    once() {}
    loadURL(url: string) {
      loadedUrl = url;
      return Promise.resolve();
    }
  },
  app: { isPackaged: true },
  shell: { openExternal: (url: string) => (opened.push(url), Promise.resolve()) },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (handler: Handler) => sessionHandlers.set('permissionRequest', handler),
      setPermissionCheckHandler: (handler: Handler) => sessionHandlers.set('permissionCheck', handler),
      setDevicePermissionHandler: (handler: Handler) => sessionHandlers.set('devicePermission', handler),
      webRequest: { onBeforeRequest: (handler: Handler) => sessionHandlers.set('beforeRequest', handler) },
    },
  },
  protocol: { registerSchemesAsPrivileged: () => {}, handle: () => {} },
}));

const window = await import('../../../main/electron/window.js');

describe('the main window', () => {
  beforeAll(() => window.createMainWindow('/app/build/preload/preload.cjs'));

  it('is sandboxed and context-isolated, with no Node, no webviews, no insecure content and no DevTools when packaged', () => {
    expect(windows[0]!.webPreferences).toMatchObject({
      preload: '/app/build/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
      devTools: false,
    });
    expect(windows[0]!.webPreferences).not.toHaveProperty('experimentalFeatures');
    expect(windows[0]!.webPreferences).not.toHaveProperty('enableBlinkFeatures');
  });

  it('loads the app from its own app:// origin, never file: or http:', () => {
    expect(loadedUrl).toBe('app://renderer/index.html');
  });
});

describe('the session', () => {
  beforeAll(() => window.hardenSessions(silentLogger()));

  it('denies every permission request, permission check and device permission', () => {
    const answers: boolean[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read'])
      (sessionHandlers.get('permissionRequest') as (c: unknown, p: string, cb: (v: boolean) => void) => void)(
        {},
        permission,
        (granted) => answers.push(granted),
      );
    expect(answers).toEqual([false, false, false, false, false]);
    expect((sessionHandlers.get('permissionCheck') as () => boolean)()).toBe(false);
    expect((sessionHandlers.get('devicePermission') as () => boolean)()).toBe(false);
  });

  it('cancels every request that is not app://, data: or blob: (no remote content)', () => {
    const cancelled = (url: string) => {
      let answer: { cancel: boolean } | undefined;
      (
        sessionHandlers.get('beforeRequest') as (
          d: { url: string },
          cb: (r: { cancel: boolean }) => void,
        ) => void
      )({ url }, (response) => (answer = response));
      return answer?.cancel;
    };
    expect(cancelled('app://renderer/index.html')).toBe(false);
    expect(cancelled('data:image/png;base64,AAAA')).toBe(false);
    expect(cancelled('blob:app://renderer/1234')).toBe(false);
    for (const url of [
      'https://example.org/x.js',
      'http://127.0.0.1:8080/',
      'file:///etc/passwd',
      'ws://evil/',
      'not a url',
    ])
      expect(cancelled(url), url).toBe(true);
  });
});

describe('web contents', () => {
  const listeners = new Map<string, Handler>();
  let openHandler: ((details: { url: string }) => { action: string }) | undefined;
  beforeAll(() => {
    const contents = {
      on: (name: string, handler: Handler) => listeners.set(name, handler),
      setWindowOpenHandler: (handler: typeof openHandler) => (openHandler = handler),
    };
    window.hardenWebContents(contents as never, silentLogger());
  });
  const prevented = (name: string, url?: string) => {
    let stopped = false;
    (listeners.get(name) as (e: { preventDefault(): void }, url?: string) => void)(
      { preventDefault: () => (stopped = true) },
      url,
    );
    return stopped;
  };

  it('blocks navigation and redirects away from the app, and every webview', () => {
    expect(prevented('will-navigate', 'app://renderer/index.html#/viewer')).toBe(false);
    expect(prevented('will-navigate', 'https://example.org/')).toBe(true);
    expect(prevented('will-navigate', 'app://renderer.evil/')).toBe(true);
    expect(prevented('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(prevented('will-attach-webview')).toBe(true);
  });

  it('opens no window; only a plain https link goes to the user browser', () => {
    opened.length = 0;
    for (const url of [
      'https://www.dicomstandard.org/current',
      'http://example.org/',
      'file:///etc/passwd',
      'smb://server/share',
      'javascript:alert(1)',
      'https://user:secret@example.org/',
      'ms-msdt:/id PCWDiagnostic',
    ])
      expect(openHandler!({ url })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://www.dicomstandard.org/current']);
  });
});

describe('the content security policy', () => {
  it('allows only the app itself: no remote scripts, no eval, no objects, no framing', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).not.toMatch(/'unsafe-eval'|https?:|\*/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(securityHeaders()).toMatchObject({
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
    });
  });
});

describe('the packaged binary', () => {
  it('has its fuses flipped: no run-as-node, NODE_OPTIONS, --inspect or file:// privileges', async () => {
    const fs = await import('node:fs');
    const config = fs.readFileSync(new URL('../../../electron-builder.yml', import.meta.url), 'utf8');
    const fuses = /^electronFuses:\n((?: {2}\w+: \w+\n)+)/m.exec(config)?.[1] ?? '';
    const values = Object.fromEntries(
      fuses
        .trim()
        .split('\n')
        .map((line) => line.trim().split(': ')),
    );
    expect(values).toMatchObject({
      runAsNode: 'false',
      enableNodeOptionsEnvironmentVariable: 'false',
      enableNodeCliInspectArguments: 'false',
      grantFileProtocolExtraPrivileges: 'false',
      enableCookieEncryption: 'true',
    });
  });
});
