/**
 * The sync panel (issue #10 item 6): the project, the research-use notice where data leaves, overall
 * progress, last sync time, sync now, pause / resume, loading a project manifest, each study's
 * state (local only, queued, uploading n/m, synced, failed with the reason, conflict) and the
 * conflicts to resolve (ConflictView).
 */
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StudySummary } from '../../../shared/contract.js';
import type { SyncStudyStatus } from '../../../shared/sync.js';
import { Dialog } from '../components/Dialog.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { host } from '../host/index.js';
import { formatPersonName } from '../i18n/format.js';
import { ConflictView } from './ConflictView.js';
import { useSyncStore } from './useSyncStore.js';
import './sync.css';

export type StudyRowState = 'local' | SyncStudyStatus['state'] | 'conflict';

/** A study's state as the panel shows it: a conflict wins over the transfer state. */
export function rowState(row: SyncStudyStatus, conflictStudies: ReadonlySet<string>): StudyRowState {
  if (
    conflictStudies.has(row.studyInstanceUID) ||
    (row.remoteStudyInstanceUID !== null && conflictStudies.has(row.remoteStudyInstanceUID))
  )
    return 'conflict';
  return row.state;
}

export function SyncPanel({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const status = useSyncStore((s) => s.status);
  const conflicts = useSyncStore((s) => s.conflicts);
  const refresh = useSyncStore((s) => s.refresh);
  const [manifest, setManifest] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [local, setLocal] = useState<StudySummary[]>([]);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [openConflict, setOpenConflict] = useState<string | null>(null);

  useEffect(() => {
    void refresh();
    void (async () => {
      try {
        const page = await host.api.call('catalog.listStudies', { limit: 1000 });
        setLocal(page.studies);
      } catch (error) {
        setMessage(errorMessage(error));
      }
    })();
    // Once when the panel opens; the store keeps itself current afterwards.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const run = async (action: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await action();
    } catch (error) {
      setMessage(errorMessage(error));
    }
    await refresh();
  };

  const loadProject = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const loaded = await host.api.call('sync.loadProject', { source: manifest.trim() });
      setMessage(t('sync.loaded', { id: loaded.project?.projectId ?? '' }));
    });
  };

  const addToProject = () =>
    void run(async () => {
      const { queued } = await host.api.call('sync.selectStudies', { studyInstanceUIDs: [...chosen] });
      setChosen(new Set());
      setMessage(t('sync.added', { count: queued }));
    });

  const project = status?.project ?? null;
  const progress = status?.progress;
  const rows = status?.studies ?? [];
  const conflictStudies = new Set(conflicts.map((c) => c.studyInstanceUID));
  const inProject = new Set(rows.flatMap((r) => [r.studyInstanceUID, r.remoteStudyInstanceUID ?? '']));
  const localOnly = local.filter((study) => !inProject.has(study.studyInstanceUID));
  const byUid = new Map(local.map((study) => [study.studyInstanceUID, study]));
  const studyName = (uid: string) => {
    const study = byUid.get(uid);
    if (!study) return uid;
    return [formatPersonName(study.patientName), study.studyDescription, study.studyDate]
      .filter(Boolean)
      .join(' · ');
  };
  const stateText = (row: SyncStudyStatus, state: StudyRowState): string => {
    switch (state) {
      case 'uploading':
      case 'downloading':
        return t(`sync.states.${state}`, { done: row.done, total: row.total });
      case 'failed':
        return t('sync.states.failed', { reason: row.error ?? '' });
      default:
        return t(`sync.states.${state}`);
    }
  };
  const engineState = status?.state ?? 'not-configured';
  const shownConflict = conflicts.find((c) => c.annotationUid === openConflict) ?? null;

  return (
    <Dialog
      title={t('sync.title')}
      testId="sync-panel"
      onClose={onClose}
      wide
      footer={
        <button type="button" className="button button--ghost" onClick={onClose}>
          {t('sync.close')}
        </button>
      }
    >
      <p className="sync-panel__notice" data-testid="sync-notice">
        {t('sync.notice')}
      </p>

      {project ? (
        <dl className="sync-panel__project" data-testid="sync-project">
          <dt>{t('sync.project')}</dt>
          <dd data-testid="sync-project-id">{project.projectId}</dd>
          <dt>{t('sync.server')}</dt>
          <dd>
            {project.baseUrl}
            {project.intervalMinutes ? ` (${t('sync.interval', { minutes: project.intervalMinutes })})` : ''}
          </dd>
        </dl>
      ) : (
        <p data-testid="sync-no-project">{t('sync.noProject')}</p>
      )}
      <form className="sync-panel__manifest" onSubmit={loadProject}>
        <label>
          {t('sync.manifest')}
          <input
            type="text"
            data-testid="sync-manifest-input"
            value={manifest}
            onChange={(e) => setManifest(e.target.value)}
          />
        </label>
        <button type="submit" className="button" data-testid="sync-load" disabled={!manifest.trim()}>
          {t('sync.load')}
        </button>
      </form>

      <div className="sync-panel__controls">
        <span className="sync-panel__state" data-testid="sync-engine-state" data-state={engineState}>
          {t(`sync.engine.${engineState}`)}
        </span>
        <button
          type="button"
          className="button"
          data-testid="sync-now"
          disabled={!project || engineState === 'paused'}
          onClick={() => void run(() => host.api.call('sync.now', {}))}
        >
          {t('sync.syncNow')}
        </button>
        {engineState === 'paused' ? (
          <button
            type="button"
            className="button button--ghost"
            data-testid="sync-resume"
            onClick={() => void run(() => host.api.call('sync.resume', {}))}
          >
            {t('sync.resume')}
          </button>
        ) : (
          <button
            type="button"
            className="button button--ghost"
            data-testid="sync-pause"
            disabled={!project}
            onClick={() => void run(() => host.api.call('sync.pause', {}))}
          >
            {t('sync.pause')}
          </button>
        )}
      </div>
      {progress ? (
        <div className="sync-panel__progress">
          <progress
            data-testid="sync-progress"
            max={Math.max(progress.itemsTotal, 1)}
            value={progress.itemsDone}
          />
          <span>
            {t('sync.overall', { done: progress.itemsDone, total: progress.itemsTotal })}
            {progress.itemsFailed > 0 ? ` · ${t('sync.overallFailed', { count: progress.itemsFailed })}` : ''}
          </span>
        </div>
      ) : null}
      <p className="sync-panel__last">
        {t('sync.lastSync')}:{' '}
        <span data-testid="sync-last">
          {status?.lastSyncAt ? new Date(status.lastSyncAt).toLocaleString() : t('sync.never')}
        </span>
        {status?.lastError ? (
          <span className="sync-panel__error" data-testid="sync-last-error">
            {' '}
            · {t('sync.lastError')}: {status.lastError}
          </span>
        ) : null}
      </p>
      {message ? (
        <p className="sync-panel__message" role="status" data-testid="sync-message">
          {message}
        </p>
      ) : null}

      {conflicts.length > 0 ? (
        <section className="sync-panel__conflicts" data-testid="sync-conflicts">
          <h3>{t('sync.conflicts.title')}</h3>
          <p>{t('sync.conflicts.count', { count: conflicts.length })}</p>
          <ul>
            {conflicts.map((conflict) => (
              <li key={conflict.annotationUid} data-testid="sync-conflict-item">
                {studyName(conflict.studyInstanceUID)} — {conflict.heads.map((h) => h.author).join(' / ')}{' '}
                <button
                  type="button"
                  className="button button--ghost"
                  data-testid="sync-conflict-open"
                  onClick={() =>
                    setOpenConflict(openConflict === conflict.annotationUid ? null : conflict.annotationUid)
                  }
                >
                  {t('sync.conflicts.show')}
                </button>
              </li>
            ))}
          </ul>
          {shownConflict ? (
            <ConflictView
              key={shownConflict.heads.map((h) => h.versionId).join()}
              conflict={shownConflict}
              onDone={(done) => {
                setOpenConflict(null);
                setMessage(done);
                void refresh();
              }}
            />
          ) : null}
        </section>
      ) : null}

      <h3>{t('sync.studies')}</h3>
      <table className="sync-panel__table" data-testid="sync-studies">
        <thead>
          <tr>
            <th />
            <th>{t('sync.study')}</th>
            <th>{t('sync.direction')}</th>
            <th>{t('sync.state')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const state = rowState(row, conflictStudies);
            return (
              <tr
                key={`${row.direction}:${row.studyInstanceUID}`}
                data-testid="sync-study-row"
                data-study={row.studyInstanceUID}
                data-remote-study={row.remoteStudyInstanceUID ?? ''}
                data-state={state}
              >
                <td />
                <td>{studyName(row.studyInstanceUID)}</td>
                <td>{t(`sync.${row.direction}`)}</td>
                <td data-testid="sync-study-state" className={`sync-state sync-state--${state}`}>
                  {stateText(row, state)}
                  {row.held > 0 ? ` · ${t('sync.held', { count: row.held })}` : ''}
                </td>
              </tr>
            );
          })}
          {localOnly.map((study) => (
            <tr
              key={`local:${study.studyInstanceUID}`}
              data-testid="sync-study-row"
              data-study={study.studyInstanceUID}
              data-state="local"
            >
              <td>
                <input
                  type="checkbox"
                  data-testid="sync-choose"
                  aria-label={studyName(study.studyInstanceUID)}
                  checked={chosen.has(study.studyInstanceUID)}
                  onChange={(e) => {
                    const next = new Set(chosen);
                    if (e.target.checked) next.add(study.studyInstanceUID);
                    else next.delete(study.studyInstanceUID);
                    setChosen(next);
                  }}
                />
              </td>
              <td>{studyName(study.studyInstanceUID)}</td>
              <td />
              <td data-testid="sync-study-state" className="sync-state sync-state--local">
                {t('sync.states.local')}
              </td>
            </tr>
          ))}
          {rows.length === 0 && localOnly.length === 0 ? (
            <tr>
              <td colSpan={4}>{t('sync.noStudies')}</td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <button
        type="button"
        className="button"
        data-testid="sync-add"
        disabled={!project || chosen.size === 0}
        onClick={addToProject}
      >
        {t('sync.addToProject')}
      </button>
    </Dialog>
  );
}
