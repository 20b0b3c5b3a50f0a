/**
 * Where to import from. Electron offers the native picker; a browser offers file and folder inputs
 * (uploaded to the host's staging folder) and a path typed by the user, which main reads directly.
 */
import { type FormEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../components/Dialog.js';
import { host } from '../host/index.js';
import { useImportStore } from '../stores/useImportStore.js';
import { useUiStore } from '../stores/useUiStore.js';

export function ImportDialog() {
  const { t } = useTranslation();
  const close = useUiStore((state) => state.closeDialog);
  const importFiles = useImportStore((state) => state.importFiles);
  const importPaths = useImportStore((state) => state.importPaths);
  const [path, setPath] = useState('');
  const folderInput = useRef<HTMLInputElement>(null);

  const startWithFiles = (list: FileList | null) => {
    const files = list ? Array.from(list) : [];
    if (files.length === 0) return;
    close();
    void importFiles(files);
  };

  const submitPath = (event: FormEvent) => {
    event.preventDefault();
    if (!path.trim()) return;
    close();
    void importPaths([path.trim()]);
  };

  const pickNative = async () => {
    const paths = (await host.pickImportPaths?.()) ?? [];
    if (paths.length === 0) return;
    close();
    void importPaths(paths);
  };

  return (
    <Dialog
      title={t('import.title')}
      testId="import-dialog"
      onClose={close}
      footer={
        <button type="button" className="button" onClick={close}>
          {t('import.close')}
        </button>
      }
    >
      <div className="import-dialog__choices">
        {host.pickImportPaths ? (
          <button
            type="button"
            className="button button--primary"
            data-testid="import-pick-native"
            onClick={() => void pickNative()}
          >
            {t('import.chooseFiles')}
          </button>
        ) : (
          <>
            <label className="button">
              {t('import.chooseFiles')}
              <input
                type="file"
                multiple
                hidden
                data-testid="import-file-input"
                onChange={(event) => startWithFiles(event.currentTarget.files)}
              />
            </label>
            <label className="button">
              {t('import.chooseFolder')}
              <input
                ref={(element) => {
                  folderInput.current = element;
                  // React does not know the non-standard attribute; Chromium and Electron do.
                  element?.setAttribute('webkitdirectory', '');
                }}
                type="file"
                multiple
                hidden
                data-testid="import-folder-input"
                onChange={(event) => startWithFiles(event.currentTarget.files)}
              />
            </label>
          </>
        )}
      </div>
      <form className="import-dialog__path" onSubmit={submitPath}>
        <label htmlFor="import-path">{t('import.pathLabel')}</label>
        <div className="import-dialog__path-row">
          <input
            id="import-path"
            type="text"
            value={path}
            placeholder={t('import.pathPlaceholder')}
            data-testid="import-path"
            spellCheck={false}
            autoComplete="off"
            onChange={(event) => setPath(event.target.value)}
          />
          <button
            type="submit"
            className="button button--primary"
            data-testid="import-path-submit"
            disabled={!path.trim()}
          >
            {t('import.pathSubmit')}
          </button>
        </div>
      </form>
      <p className="hint">{t('import.dropHint')}</p>
    </Dialog>
  );
}
