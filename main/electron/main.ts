/**
 * The Electron shell: the only code that imports `electron`. It owns the window, the preload, the
 * `app://` protocol, the single-instance lock and the user-data folder, and serves the same
 * services as the web host and the CLI.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Menu, app, dialog } from 'electron';
import { createLogger } from '../core/logger.js';
import { SQLITE_BINDING_ENV, SQLITE_PACKAGE } from '../core/sqlite.js';
import { DATA_DIR_ENV, PRODUCT_NAME } from '../core/paths.js';
import { defaultRendererDir } from '../core/routes.js';
import { createServices, type Services } from '../services.js';
import { registerIpc } from './ipc.js';
import { keychainKeyProvider } from './keychain.js';
import { LINKAGE_KEY_ENV, environmentKeyProvider } from '../deid/linkage.js';
import { handleAppScheme, registerAppScheme } from './protocol.js';
import { createMainWindow, hardenSessions, hardenWebContents } from './window.js';
import { chooseBinding } from './native-binding.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const buildMainDir = path.resolve(here, '..');
const preloadPath = path.resolve(buildMainDir, '..', 'preload', 'preload.cjs');

/**
 * better-sqlite3 built for this Electron (from a checkout: `npm start` builds it into build/native/),
 * named for every SQLite opener of this process and its workers. Returns a message when it is missing.
 */
function useElectronSqlite(): string | null {
  if (app.isPackaged) return null;
  const root = path.resolve(buildMainDir, '..', '..');
  const manifest = createRequire(import.meta.url).resolve(`${SQLITE_PACKAGE}/package.json`);
  const choice = chooseBinding({
    root,
    isPackaged: false,
    target: {
      betterSqlite3: (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version,
      electron: process.versions.electron,
      platform: process.platform,
      arch: process.arch,
    },
  });
  if (choice.kind === 'missing') return choice.message;
  if (choice.kind === 'file') process.env[SQLITE_BINDING_ENV] = choice.path;
  return null;
}

/** `--data-dir DIR` / `--data-dir=DIR`, else RADLABEL_DATA_DIR, else Electron's userData. */
function dataDirOverride(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--data-dir' && argv[i + 1]) return path.resolve(argv[i + 1]!);
    if (arg.startsWith('--data-dir=')) return path.resolve(arg.slice('--data-dir='.length));
  }
  const fromEnv = process.env[DATA_DIR_ENV];
  return fromEnv ? path.resolve(fromEnv) : undefined;
}

app.setName(PRODUCT_NAME);
const override = dataDirOverride(process.argv);
if (override) app.setPath('userData', override);
app.enableSandbox();
registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const dataDir = app.getPath('userData');
  const logger = createLogger({ logDir: path.join(dataDir, 'logs') });
  let services: Services | undefined;
  let disposeIpc: (() => void) | undefined;

  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, logger));

  const sqliteProblem = useElectronSqlite();

  void app.whenReady().then(() => {
    if (sqliteProblem) {
      logger.error({ code: 'native-binding-missing' }, 'better-sqlite3 not built for Electron');
      dialog.showErrorBox(PRODUCT_NAME, sqliteProblem);
      app.exit(1);
      return;
    }
    hardenSessions(logger);
    // An explicit key (a machine without a keyring, a managed workstation) wins over the keychain.
    const keyProvider = process.env[LINKAGE_KEY_ENV]
      ? environmentKeyProvider()
      : keychainKeyProvider(dataDir);
    try {
      services = createServices({ dataDir, host: 'electron', logger, keyProvider });
    } catch (error) {
      // An encrypted catalog without its key (no keychain, another computer's folder) or an unusable
      // data folder: said in the administrator's words, no half-started window.
      logger.error(
        { code: (error as { code?: string }).code ?? 'internal' },
        'data folder could not be opened',
      );
      dialog.showErrorBox(PRODUCT_NAME, error instanceof Error ? error.message : String(error));
      app.exit(1);
      return;
    }
    handleAppScheme(services, defaultRendererDir(buildMainDir));
    disposeIpc = registerIpc(services, logger);
    // The DICOM receiver starts with the app when its settings enable it; its errors show on the PACS settings page.
    void services.pacs.start();
    Menu.setApplicationMenu(buildMenu());
    createMainWindow(preloadPath);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow(preloadPath);
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let closing = false;
  app.on('will-quit', (event) => {
    if (closing || !services) return;
    closing = true;
    event.preventDefault();
    disposeIpc?.();
    void services.close().finally(() => {
      logger.flush();
      app.quit();
    });
  });

  function buildMenu(): Menu {
    const about = (): void => {
      void dialog.showMessageBox({
        type: 'info',
        title: `About ${PRODUCT_NAME}`,
        message: `${PRODUCT_NAME} ${app.getVersion()}`,
        detail:
          'Research use only. Not for diagnosis or treatment.\n仅供科研使用，不可用于临床诊断。\n\n' +
          `Data folder: ${dataDir}`,
      });
    };
    return Menu.buildFromTemplate([
      ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
      { role: 'fileMenu' },
      { role: 'editMenu' },
      {
        label: 'View',
        submenu: [
          { role: 'resetZoom' },
          { role: 'zoomIn' },
          { role: 'zoomOut' },
          { type: 'separator' },
          { role: 'togglefullscreen' },
          ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        ],
      },
      { role: 'help', submenu: [{ label: `About ${PRODUCT_NAME}`, click: about }] },
    ]);
  }
}
