/**
 * Cache & backup (docs/cache.md): encryption of the local cache, retention of originals after
 * their de-identified copy synced, the backup folder (a local folder or a mounted network share)
 * with the daily backup and how many to keep, "Back up now", and restore from a backup folder
 * (checked completely first; takes effect at the next start).
 */
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CacheSettings, CacheStatus } from '../../../shared/cache.js';
import { Dialog } from '../components/Dialog.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { host } from '../host/index.js';
import './cache.css';

export function CacheSettingsDialog({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const [status, setStatus] = useState<CacheStatus | null>(null);
  const [draft, setDraft] = useState<CacheSettings | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [restorePath, setRestorePath] = useState('');

  useEffect(() => {
    host.api.call('cache.status', {}).then(
      (loaded) => {
        setStatus(loaded);
        setDraft(loaded.settings);
      },
      (failure: unknown) => setError(failure),
    );
  }, []);

  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      setMessage(await work());
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    void run(async () => {
      const saved = await host.api.call('cache.saveSettings', draft);
      setStatus(saved);
      setDraft(saved.settings);
      return t('cache.settings.saved');
    });
  };

  const backupNow = () =>
    void run(async () => {
      const backup = await host.api.call(
        'backup.create',
        draft?.backup.folder ? { folder: draft.backup.folder } : {},
      );
      setStatus(await host.api.call('cache.status', {}));
      return t('cache.settings.backedUp', { path: backup.path });
    });

  const restore = () =>
    void run(async () => {
      await host.api.call('backup.restore', { path: restorePath.trim() });
      return t('cache.settings.restoreStaged');
    });

  const backup = draft?.backup;
  const setBackup = (patch: Partial<CacheSettings['backup']>) =>
    setDraft((current) => (current ? { ...current, backup: { ...current.backup, ...patch } } : current));

  return (
    <Dialog
      title={t('cache.settings.title')}
      testId="cache-settings"
      onClose={onClose}
      wide
      footer={
        <>
          <button type="button" className="button" onClick={onClose} data-testid="cache-settings-close">
            {t('cache.settings.close')}
          </button>
          <button
            type="submit"
            form="cache-settings-form"
            className="button button--primary"
            disabled={!draft || busy}
            data-testid="cache-settings-save"
          >
            {t('cache.settings.save')}
          </button>
        </>
      }
    >
      {draft && backup && status ? (
        <form id="cache-settings-form" className="cache-settings" onSubmit={save}>
          <fieldset>
            <legend>{t('cache.settings.protection')}</legend>
            <CheckRow
              testId="cache-encrypt"
              checked={draft.encrypt}
              onChange={(encrypt) => setDraft({ ...draft, encrypt })}
              label={t('cache.settings.encrypt')}
            />
            <p data-testid="cache-encrypted-state">
              {status.catalogEncrypted ? t('cache.settings.encryptedNow') : t('cache.settings.plainNow')}
            </p>
            <label>
              {t('cache.settings.retention')}
              <input
                type="number"
                min={0}
                max={36500}
                data-testid="cache-retention"
                value={draft.retentionDays ?? ''}
                placeholder={t('cache.settings.never')}
                onChange={(event) =>
                  setDraft({
                    ...draft,
                    retentionDays:
                      event.target.value === '' ? null : Math.max(0, Math.round(Number(event.target.value))),
                  })
                }
              />
            </label>
          </fieldset>
          <fieldset>
            <legend>{t('cache.settings.backups')}</legend>
            <label>
              {t('cache.settings.folder')}
              <input
                type="text"
                data-testid="backup-folder"
                value={backup.folder ?? ''}
                placeholder={t('cache.settings.folderPlaceholder')}
                onChange={(event) =>
                  setBackup({ folder: event.target.value.trim() === '' ? null : event.target.value })
                }
              />
            </label>
            <CheckRow
              testId="backup-daily"
              checked={backup.daily}
              onChange={(daily) => setBackup({ daily })}
              label={t('cache.settings.daily')}
            />
            <label>
              {t('cache.settings.keep')}
              <input
                type="number"
                min={1}
                max={365}
                data-testid="backup-keep"
                value={backup.keep}
                onChange={(event) =>
                  setBackup({ keep: Math.min(365, Math.max(1, Math.round(Number(event.target.value) || 1))) })
                }
              />
            </label>
            <CheckRow
              testId="backup-with-files"
              checked={backup.withFiles}
              onChange={(withFiles) => setBackup({ withFiles })}
              label={t('cache.settings.withFiles')}
            />
            <p>
              {status.lastBackupAt
                ? t('cache.settings.lastBackup', { at: status.lastBackupAt })
                : t('cache.settings.noBackup')}
            </p>
            <div className="cache-settings__row">
              <button
                type="button"
                className="button"
                disabled={busy || !backup.folder}
                onClick={backupNow}
                data-testid="backup-now"
              >
                {t('cache.settings.backupNow')}
              </button>
            </div>
          </fieldset>
          <fieldset>
            <legend>{t('cache.settings.restore')}</legend>
            <p>{t('cache.settings.restoreHelp')}</p>
            <div className="cache-settings__row">
              <input
                type="text"
                data-testid="restore-path"
                value={restorePath}
                placeholder={t('cache.settings.restorePlaceholder')}
                onChange={(event) => setRestorePath(event.target.value)}
              />
              <button
                type="button"
                className="button button--danger"
                disabled={busy || restorePath.trim() === ''}
                onClick={restore}
                data-testid="restore-start"
              >
                {t('cache.settings.restoreButton')}
              </button>
            </div>
          </fieldset>
        </form>
      ) : null}
      {message ? (
        <p role="status" data-testid="cache-message">
          {message}
        </p>
      ) : null}
      {error ? (
        <p className="error-text" role="alert" data-testid="cache-error">
          {errorMessage(error)}
        </p>
      ) : null}
    </Dialog>
  );
}

/** One setting as a checkbox with its label (the label is the click target). */
function CheckRow({
  testId,
  checked,
  onChange,
  label,
}: {
  testId: string;
  checked: boolean;
  onChange(checked: boolean): void;
  label: string;
}) {
  return (
    <label>
      <input
        type="checkbox"
        checked={checked}
        data-testid={testId}
        onChange={(event) => onChange(event.target.checked)}
      />
      {label}
    </label>
  );
}
