/**
 * The main window and the rules every web contents lives under: sandboxed, isolated, no Node,
 * no navigation away from the app, no new windows, no webviews, no permissions, no remote content.
 */
import path from 'node:path';
import { BrowserWindow, app, session, shell, type WebContents } from 'electron';
import type { Logger } from '../core/logger.js';
import { APP_ORIGIN, APP_SCHEME } from './protocol.js';

const ALLOWED_REQUEST_SCHEMES = new Set([`${APP_SCHEME}:`, 'data:', 'blob:', 'devtools:']);

export function hardenSessions(logger: Logger): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    logger.info({ permission }, 'permission request denied');
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  // No remote content: anything but our scheme (and in-page data/blob URLs) is cancelled.
  ses.webRequest.onBeforeRequest((details, callback) => {
    let scheme = '';
    try {
      scheme = new URL(details.url).protocol;
    } catch {
      // unparsable: refuse
    }
    const allowed = ALLOWED_REQUEST_SCHEMES.has(scheme);
    if (!allowed) logger.warn({ scheme }, 'blocked a request to a non-app URL');
    callback({ cancel: !allowed });
  });
}

export function hardenWebContents(contents: WebContents, logger: Logger): void {
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) {
      event.preventDefault();
      logger.warn('blocked navigation away from the app');
    }
  });
  contents.on('will-redirect', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Documentation links (https) open in the user's browser; nothing opens inside the app.
    const external = externalLink(url);
    // Reviewed (docs/security.md): only a parsed https URL without credentials reaches openExternal.
    if (external) void shell.openExternal(external); // eng-disable OPEN_EXTERNAL_JS_CHECK
    return { action: 'deny' };
  });
}

/**
 * The URL a link may open in the user's browser: https only, no user name or password in it
 * (file:, smb:, custom protocol handlers and javascript: never reach the shell). Null otherwise.
 */
export function externalLink(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password || !parsed.hostname) return null;
  return parsed.href;
}

export function createMainWindow(preloadPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#0b0d10',
    title: 'RadLabel — research use only',
    webPreferences: {
      // Reviewed (docs/security.md): the preload exposes one narrow contextBridge API.
      preload: path.resolve(preloadPath), // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      // Middle-click would otherwise open links in a new window (the open handler denies it too).
      disableBlinkFeatures: 'Auxclick',
      devTools: !app.isPackaged,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}
