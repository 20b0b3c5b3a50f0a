/**
 * "De-identify & export" for several studies chosen in the worklist: the settings that will apply
 * and one folder, then each study exported in turn into that folder (one export job per study, as
 * the single-study dialog runs it, so each keeps its own report), with a line per study.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeidProgressEvent, StudySummary } from '../../../shared/contract.js';
import { Dialog } from '../components/Dialog.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { DeidSettingsBlock } from '../deid/DeidSettingsSummary.js';
import { ExportFolderField } from '../deid/ExportFolderField.js';
import { formatDicomDate, formatPersonName } from '../i18n/format.js';
import { useDeidStore } from '../stores/useDeidStore.js';

interface Outcome {
  progress: DeidProgressEvent | null;
  error: unknown;
}

interface ExportStudiesDialogProps {
  studies: StudySummary[];
  onClose(): void;
}

/** Runs one study's export through the de-identification store and waits for its end. */
async function exportOne(studyInstanceUID: string, outputDir: string): Promise<Outcome> {
  const store = useDeidStore;
  store.getState().resetExport();
  await store.getState().startExport(studyInstanceUID, outputDir);
  return new Promise<Outcome>((resolve) => {
    const check = (): boolean => {
      const job = store.getState().export;
      if (job.studyInstanceUID !== studyInstanceUID || job.stage !== 'finished') return false;
      resolve({ progress: job.progress, error: job.error ?? null });
      return true;
    };
    if (check()) return;
    const unsubscribe = store.subscribe(() => {
      if (check()) unsubscribe();
    });
  });
}

export function ExportStudiesDialog({ studies, onClose }: ExportStudiesDialogProps) {
  const { t, i18n } = useTranslation();
  const errorMessage = useErrorMessage();
  const settings = useDeidStore((state) => state.settings);
  const loadSettings = useDeidStore((state) => state.loadSettings);
  const current = useDeidStore((state) => state.export);
  const [outputDir, setOutputDir] = useState('');
  const [loadError, setLoadError] = useState<unknown>(null);
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});
  const [running, setRunning] = useState<string | null>(null);
  const [finished, setFinished] = useState(false);
  const cancelled = useRef(false);
  const [wasCancelled, setWasCancelled] = useState(false);

  useEffect(() => {
    loadSettings().catch(setLoadError);
  }, [loadSettings]);

  const start = async () => {
    cancelled.current = false;
    setFinished(false);
    setOutcomes({});
    for (const study of studies) {
      if (cancelled.current) break;
      setRunning(study.studyInstanceUID);
      const outcome = await exportOne(study.studyInstanceUID, outputDir.trim());
      setOutcomes((previous) => ({ ...previous, [study.studyInstanceUID]: outcome }));
      // A folder refused, a key missing: the next study would fail the same way.
      if (outcome.error && !outcome.progress) break;
    }
    setRunning(null);
    setWasCancelled(cancelled.current);
    setFinished(true);
    useDeidStore.getState().resetExport();
  };

  const cancel = () => {
    cancelled.current = true;
    void useDeidStore.getState().cancelExport();
  };

  const close = () => {
    if (running) return;
    onClose();
  };

  const lineOf = (study: StudySummary): string => {
    const outcome = outcomes[study.studyInstanceUID];
    if (running === study.studyInstanceUID) {
      return current.progress
        ? `${t('deid.running')} ${t('deid.progress', current.progress)}`
        : t('deid.running');
    }
    if (!outcome) return '';
    if (outcome.error && !outcome.progress)
      return t('deid.startFailed', { message: errorMessage(outcome.error) });
    if (outcome.progress?.error) return t('deid.failed', { message: outcome.progress.error });
    if (outcome.progress?.cancelled) return t('deid.cancelled');
    return outcome.progress ? t('deid.progress', outcome.progress) : t('deid.finished');
  };

  return (
    <Dialog
      title={t('deid.exportStudiesTitle', { count: studies.length })}
      testId="deid-export-many"
      wide
      onClose={close}
      footer={
        <>
          {running ? (
            <button type="button" className="button" data-testid="deid-export-many-cancel" onClick={cancel}>
              {t('deid.cancel')}
            </button>
          ) : (
            <button type="button" className="button" data-testid="deid-export-many-close" onClick={close}>
              {t('deid.close')}
            </button>
          )}
          {!finished ? (
            <button
              type="button"
              className="button button--primary"
              data-testid="deid-export-many-start"
              disabled={
                Boolean(running) || !settings || settings.settingsFileDamaged || outputDir.trim() === ''
              }
              onClick={() => void start()}
            >
              {t('deid.start')}
            </button>
          ) : null}
        </>
      }
    >
      <ol className="export-many__studies" data-testid="deid-export-many-studies">
        {studies.map((study) => (
          <li
            key={study.studyInstanceUID}
            data-testid="deid-export-many-study"
            data-study-uid={study.studyInstanceUID}
            data-state={
              running === study.studyInstanceUID
                ? 'running'
                : outcomes[study.studyInstanceUID]
                  ? outcomes[study.studyInstanceUID]!.error ||
                    outcomes[study.studyInstanceUID]!.progress?.error
                    ? 'failed'
                    : 'done'
                  : 'waiting'
            }
          >
            <strong>{formatPersonName(study.patientName)}</strong>{' '}
            <span className="hint">
              {[
                formatDicomDate(study.studyDate, i18n.language),
                study.studyDescription || t('worklist.noDescription'),
              ]
                .filter(Boolean)
                .join(' · ')}
            </span>
            <div className="hint" data-testid="deid-export-many-line">
              {lineOf(study)}
            </div>
          </li>
        ))}
      </ol>
      <DeidSettingsBlock settings={settings} loadError={loadError} />
      <ExportFolderField
        id="deid-many-output-dir"
        value={outputDir}
        disabled={Boolean(running) || finished}
        onChange={setOutputDir}
        inputTestId="deid-export-many-dir"
      />
      {finished ? (
        <p data-testid="deid-export-many-status">
          <strong>{wasCancelled ? t('deid.cancelled') : t('deid.finished')}</strong>
        </p>
      ) : null}
    </Dialog>
  );
}
