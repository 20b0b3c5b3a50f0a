/**
 * "De-identify & export": the settings that will apply, the folder to write to, then progress with
 * cancel, then the report. The folder is only where to write; main checks it and reads nothing
 * but the study's stored files.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../components/Dialog.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { host } from '../host/index.js';
import { formatPersonName } from '../i18n/format.js';
import { useDeidStore } from '../stores/useDeidStore.js';
import { useUiStore } from '../stores/useUiStore.js';
import { useWorklistStore } from '../stores/useWorklistStore.js';
import { DeidReportView } from './DeidReportView.js';
import { DeidSettingsDialog } from './DeidSettingsDialog.js';
import { DeidSettingsBlock } from './DeidSettingsSummary.js';
import { ExportFolderField } from './ExportFolderField.js';
import { HeldReviewScreen } from './HeldReviewScreen.js';
import { DefaceSeriesList } from './deface/DefaceSeriesList.js';

export function DeidExportDialog() {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const close = useUiStore((state) => state.closeDialog);
  const detail = useWorklistStore((state) => state.selectedDetail);
  const settings = useDeidStore((state) => state.settings);
  const loadSettings = useDeidStore((state) => state.loadSettings);
  const job = useDeidStore((state) => state.export);
  const startExport = useDeidStore((state) => state.startExport);
  const cancelExport = useDeidStore((state) => state.cancelExport);
  const resetExport = useDeidStore((state) => state.resetExport);
  const [outputDir, setOutputDir] = useState('');
  const [loadError, setLoadError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const [reviewing, setReviewing] = useState(false);
  const refreshReport = useDeidStore((state) => state.refreshReport);
  /** Images the study's last export held (kept in the catalog: also after a restart), when no report is shown. */
  const [lastHeld, setLastHeld] = useState<{ held: number; total: number } | null>(null);

  useEffect(() => {
    loadSettings().catch(setLoadError);
  }, [loadSettings]);

  // A finished job of another study is not this dialog's business.
  const studyUID = detail?.study.studyInstanceUID ?? null;
  useEffect(() => {
    const current = useDeidStore.getState().export;
    if (current.stage === 'finished' && current.studyInstanceUID !== studyUID) resetExport();
  }, [studyUID, resetExport]);

  const running = job.stage === 'starting' || job.stage === 'running';
  const showsReport = Boolean(job.report);
  useEffect(() => {
    if (!studyUID || running || showsReport || reviewing) return;
    let live = true;
    host.api.call('deid.heldObjects', { studyInstanceUID: studyUID }).then(
      (objects) =>
        live &&
        setLastHeld({
          held: objects.filter((object) => object.status === 'held').length,
          total: objects.length,
        }),
      () => live && setLastHeld(null),
    );
    return () => {
      live = false;
    };
  }, [studyUID, running, showsReport, reviewing]);
  const finished = job.stage === 'finished';
  // A run that did not get going (the folder was refused, the study's files went missing) or was
  // cancelled can be tried again: the folder stays editable and Start becomes Retry.
  const retryable =
    finished &&
    !job.report &&
    (Boolean(job.error) || Boolean(job.progress?.error) || Boolean(job.progress?.cancelled));
  const editable = !finished || retryable;
  const progress = job.progress;
  const fraction = progress && progress.filesFound > 0 ? progress.filesDone / progress.filesFound : 0;
  const onClose = () => {
    if (running) return;
    resetExport();
    close();
  };

  let status: string | null = null;
  if (running) status = t('deid.running');
  else if (finished && job.error && !progress)
    status = t('deid.startFailed', { message: errorMessage(job.error) });
  else if (finished && progress?.error) status = t('deid.failed', { message: progress.error });
  else if (finished && progress?.cancelled) status = t('deid.cancelled');
  else if (finished) status = t('deid.finished');

  return (
    <Dialog
      title={t('deid.exportTitle')}
      testId="deid-export-dialog"
      wide
      onClose={onClose}
      footer={
        <>
          {running ? (
            <button
              type="button"
              className="button"
              data-testid="deid-export-cancel"
              onClick={() => void cancelExport()}
            >
              {t('deid.cancel')}
            </button>
          ) : (
            <button type="button" className="button" data-testid="deid-export-close" onClick={onClose}>
              {t('deid.close')}
            </button>
          )}
          {editable ? (
            <button
              type="button"
              className="button button--primary"
              data-testid={retryable ? 'deid-export-retry' : 'deid-export-start'}
              disabled={
                running || !detail || !settings || settings.settingsFileDamaged || outputDir.trim() === ''
              }
              onClick={() => detail && void startExport(detail.study.studyInstanceUID, outputDir.trim())}
            >
              {retryable ? t('deid.retry') : t('deid.start')}
            </button>
          ) : null}
        </>
      }
    >
      {detail ? (
        <p className="deid-export__study">
          <strong>{formatPersonName(detail.study.patientName)}</strong>
          <span className="hint">
            {' '}
            · {detail.study.studyDescription || t('worklist.noDescription')} ·{' '}
            {t('worklist.seriesImages', { count: detail.study.numberOfInstances })}
          </span>
        </p>
      ) : null}
      <DeidSettingsBlock settings={settings} loadError={loadError}>
        <button
          type="button"
          className="button button--ghost deid-export__edit"
          data-testid="deid-export-edit-settings"
          disabled={running}
          onClick={() => setEditing(true)}
        >
          {t('deid.editSettings')}
        </button>
      </DeidSettingsBlock>
      {detail && !running ? <DefaceSeriesList studyInstanceUID={detail.study.studyInstanceUID} /> : null}
      {editable ? (
        <ExportFolderField
          id="deid-output-dir"
          value={outputDir}
          disabled={running}
          onChange={setOutputDir}
          inputTestId="deid-output-dir"
          chooseTestId="deid-output-choose"
        />
      ) : (
        <p className="deid-export__path" data-testid="deid-export-path">
          <span className="hint">{t('deid.outputDir')}</span> <code>{outputDir}</code>
        </p>
      )}
      {status ? (
        <div className="deid-export__status" data-testid="deid-export-status" data-stage={job.stage}>
          <strong className={finished && (job.error || progress?.error) ? 'error-text' : undefined}>
            {status}
          </strong>
          {progress ? (
            <span className="hint" data-testid="deid-export-counts">
              {t('deid.progress', progress)}
            </span>
          ) : null}
        </div>
      ) : null}
      {running ? (
        <progress
          className="import-status__bar"
          data-testid="deid-export-progress"
          max={1}
          {...(progress ? { value: fraction } : {})}
        />
      ) : null}
      {finished && job.error && progress ? <p className="error-text">{errorMessage(job.error)}</p> : null}
      {job.report ? <DeidReportView report={job.report} onReview={() => setReviewing(true)} /> : null}
      {!job.report && !running && lastHeld && lastHeld.total > 0 ? (
        <p className="deid-export__last-held" data-testid="deid-last-held">
          <span className="hint">
            {t('deid.review.lastExport', { held: lastHeld.held, total: lastHeld.total })}
          </span>{' '}
          <button
            type="button"
            className="button"
            data-testid="deid-review-last"
            onClick={() => setReviewing(true)}
          >
            {t('deid.review.open')}
          </button>
        </p>
      ) : null}
      {reviewing && (job.studyInstanceUID ?? studyUID) ? (
        <HeldReviewScreen
          studyInstanceUID={(job.studyInstanceUID ?? studyUID)!}
          onClose={() => {
            setReviewing(false);
            void refreshReport();
          }}
        />
      ) : null}
      {editing ? <DeidSettingsDialog onClose={() => setEditing(false)} /> : null}
    </Dialog>
  );
}
