/**
 * "Export annotations": the chosen studies (or the whole catalog), a format, a folder and whether
 * to de-identify; then progress with cancel (`export.start`, `export.progress`, `export.cancel`).
 * Main checks the folder and writes; the dialog only shows what happens.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AnnotationExportFormat, ExportProgressEvent } from '../../../../shared/interchange.js';
import { Dialog } from '../../components/Dialog.js';
import { useErrorMessage } from '../../components/useErrorMessage.js';
import { ExportFolderField } from '../../deid/ExportFolderField.js';
import { host } from '../../host/index.js';
import { ensureExportStrings } from './strings.js';

const FORMATS: AnnotationExportFormat[] = ['sr', 'seg', 'nifti', 'nnunet', 'csv', 'json'];

export function AnnotationExportDialog({
  studyInstanceUIDs,
  onClose,
}: {
  /** The studies chosen in the worklist (one or more). */
  studyInstanceUIDs: string[];
  onClose(): void;
}) {
  const { t, i18n } = useTranslation();
  ensureExportStrings(i18n);
  const errorMessage = useErrorMessage();
  const [format, setFormat] = useState<AnnotationExportFormat>('sr');
  const [scope, setScope] = useState<'chosen' | 'all'>(studyInstanceUIDs.length > 0 ? 'chosen' : 'all');
  const [outputDir, setOutputDir] = useState('');
  const [deid, setDeid] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  // Every job's latest event, kept from the start: a short export may finish before its id is known here.
  const [latest, setLatest] = useState<Record<string, ExportProgressEvent>>({});
  const progress = jobId ? (latest[jobId] ?? null) : null;
  const [startError, setStartError] = useState<unknown>(null);

  useEffect(
    () =>
      host.api.on('export.progress', (payload) => setLatest((all) => ({ ...all, [payload.jobId]: payload }))),
    [],
  );

  const running = jobId !== null && !progress?.finished;
  const start = async () => {
    setStartError(null);
    setJobId(null);
    try {
      const { jobId: id } = await host.api.call('export.start', {
        format,
        outputDir: outputDir.trim(),
        studyInstanceUIDs: scope === 'all' ? [] : studyInstanceUIDs,
        deid,
      });
      setJobId(id);
    } catch (error) {
      setStartError(error);
    }
  };

  let status: string | null = null;
  if (running) status = t('annotationExport.running');
  else if (progress?.error) status = t('annotationExport.failed', { message: progress.error });
  else if (progress?.cancelled) status = t('annotationExport.cancelled');
  else if (progress?.finished) status = t('annotationExport.finished');
  const fraction = progress && progress.studiesTotal > 0 ? progress.studiesDone / progress.studiesTotal : 0;

  return (
    <Dialog
      title={t('annotationExport.title')}
      testId="annotation-export-dialog"
      wide
      onClose={() => !running && onClose()}
      footer={
        <>
          {running ? (
            <button
              type="button"
              className="button"
              data-testid="annotation-export-cancel"
              onClick={() => jobId && void host.api.call('export.cancel', { jobId })}
            >
              {t('annotationExport.cancel')}
            </button>
          ) : (
            <button type="button" className="button" data-testid="annotation-export-close" onClick={onClose}>
              {t('annotationExport.close')}
            </button>
          )}
          <button
            type="button"
            className="button button--primary"
            data-testid="annotation-export-start"
            disabled={running || outputDir.trim() === ''}
            onClick={() => void start()}
          >
            {t('annotationExport.start')}
          </button>
        </>
      }
    >
      <fieldset className="deid-export__settings" disabled={running}>
        <legend>{t('annotationExport.scope')}</legend>
        {studyInstanceUIDs.length > 0 ? (
          <label>
            <input
              type="radio"
              name="annotation-export-scope"
              data-testid="annotation-export-scope-chosen"
              checked={scope === 'chosen'}
              onChange={() => setScope('chosen')}
            />{' '}
            {t('annotationExport.scopeChosen', { count: studyInstanceUIDs.length })}
          </label>
        ) : null}{' '}
        <label>
          <input
            type="radio"
            name="annotation-export-scope"
            data-testid="annotation-export-scope-all"
            checked={scope === 'all'}
            onChange={() => setScope('all')}
          />{' '}
          {t('annotationExport.scopeAll')}
        </label>
      </fieldset>
      <div className="deid-export__folder">
        <label htmlFor="annotation-export-format">{t('annotationExport.format')}</label>
        <select
          id="annotation-export-format"
          data-testid="annotation-export-format"
          value={format}
          disabled={running}
          onChange={(event) => setFormat(event.target.value as AnnotationExportFormat)}
        >
          {FORMATS.map((f) => (
            <option key={f} value={f}>
              {t(`annotationExport.formats.${f}`)}
            </option>
          ))}
        </select>
      </div>
      <ExportFolderField
        id="annotation-export-dir"
        value={outputDir}
        disabled={running}
        onChange={setOutputDir}
        inputTestId="annotation-export-dir"
      />
      <label>
        <input
          type="checkbox"
          data-testid="annotation-export-deid"
          checked={deid}
          disabled={running}
          onChange={(event) => setDeid(event.target.checked)}
        />{' '}
        {t('annotationExport.deid')}
      </label>
      <p className="hint">{t('annotationExport.deidHint')}</p>
      <p className="hint">{t('annotationExport.researchOnly')}</p>
      {startError ? <p className="error-text">{errorMessage(startError)}</p> : null}
      {status ? (
        <div
          className="deid-export__status"
          data-testid="annotation-export-status"
          data-finished={String(Boolean(progress?.finished))}
        >
          <strong className={progress?.error ? 'error-text' : undefined}>{status}</strong>
          {progress ? (
            <span className="hint" data-testid="annotation-export-counts">
              {t('annotationExport.progress', progress)}
            </span>
          ) : null}
        </div>
      ) : null}
      {running ? (
        <progress
          className="import-status__bar"
          data-testid="annotation-export-progress"
          max={1}
          value={fraction}
        />
      ) : null}
      {progress?.finished && progress.notes.length > 0 ? (
        <details>
          <summary>{t('annotationExport.notes')}</summary>
          <ul>
            {progress.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </Dialog>
  );
}
