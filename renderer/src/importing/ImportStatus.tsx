/**
 * Progress of the current import (bar, counts, cancel) and, afterwards, the files it refused and
 * the files it did not read (pipes, devices, hidden files, DICOMDIR), each with its reason.
 * Each refused file is named as the user knows it (an uploaded file by its own name, not the
 * host's staging path) with its reason said once: main's message, which is specific but English,
 * in English; the translated reason of its code otherwise, the English message as a tooltip.
 */
import { useTranslation } from 'react-i18next';
import type { ImportFileError } from '../../../shared/contract.js';
import { AnnotationObjectCell, ReasonTable, ReasonsCell } from '../components/ReasonTable.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { useImportStore } from '../stores/useImportStore.js';

/** The files an import refused or did not read: each file's name as the user knows it and its reason. */
function FileReasons({
  files,
  rowTestId,
  reasonTestId,
  stagedRoots,
}: {
  files: readonly ImportFileError[];
  rowTestId: string;
  reasonTestId?: string;
  stagedRoots: readonly string[];
}) {
  const { t, i18n } = useTranslation();
  const english = (i18n.resolvedLanguage ?? i18n.language ?? 'en').startsWith('en');
  const reasonOf = (error: ImportFileError): string =>
    english && error.message ? error.message : t(`errors.${error.code}`, { defaultValue: error.message });
  return (
    <ReasonTable columns={[t('import.errorPath'), t('import.errorReason')]}>
      {files.map((file) => (
        <tr key={`${file.path}\u0000${file.code}`} data-testid={rowTestId} data-code={file.code}>
          <td className="import-errors__path" title={displayPath(file.path, stagedRoots)}>
            <span>{displayPath(file.path, stagedRoots)}</span>
          </td>
          <td title={english ? undefined : file.message}>
            <span className="import-errors__reason" data-testid={reasonTestId}>
              {reasonOf(file)}
            </span>
          </td>
        </tr>
      ))}
    </ReasonTable>
  );
}

export function ImportStatus() {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const stagedRoots = useImportStore((state) => state.stagedRoots);
  const annotationProblems = useImportStore((state) => state.annotationProblems);
  const stage = useImportStore((state) => state.stage);
  const progress = useImportStore((state) => state.progress);
  const startError = useImportStore((state) => state.startError);
  const cancel = useImportStore((state) => state.cancel);
  const dismiss = useImportStore((state) => state.dismiss);

  if (stage === 'idle') return null;

  const running = stage === 'preparing' || stage === 'running';
  const fraction = progress && progress.filesFound > 0 ? progress.filesDone / progress.filesFound : 0;
  const title = startError
    ? t('import.startFailed', { message: errorMessage(startError) })
    : progress
      ? t(`import.phase.${progress.phase}`)
      : t('import.uploading');

  return (
    <section
      className={`import-status${startError || progress?.phase === 'failed' ? ' import-status--failed' : ''}`}
      data-testid="import-status"
    >
      <div className="import-status__row">
        <strong data-testid="import-phase" data-phase={progress?.phase ?? stage}>
          {title}
        </strong>
        {progress ? (
          <span className="import-status__counts" data-testid="import-counts">
            {t('import.counts', progress)}
          </span>
        ) : null}
        <span className="spacer" />
        {running ? (
          <button
            type="button"
            className="button"
            data-testid="import-cancel"
            disabled={!progress}
            onClick={() => void cancel()}
          >
            {t('import.cancel')}
          </button>
        ) : (
          <button
            type="button"
            className="button button--ghost"
            data-testid="import-dismiss"
            onClick={dismiss}
          >
            {t('import.dismiss')}
          </button>
        )}
      </div>
      {running ? (
        <progress
          className="import-status__bar"
          data-testid="import-progress"
          max={1}
          {...(progress && progress.phase !== 'scanning' ? { value: fraction } : {})}
        />
      ) : null}
      {progress && progress.failed > 0 ? (
        <details className="import-errors" open={!running} data-testid="import-errors">
          <summary>{t('import.errorsTitle', { count: progress.failed })}</summary>
          {progress.errors.length < progress.failed ? (
            <p className="hint">
              {t('import.errorsMore', { shown: progress.errors.length, count: progress.failed })}
            </p>
          ) : null}
          <FileReasons
            files={progress.errors}
            rowTestId="import-error-row"
            reasonTestId="import-error-reason"
            stagedRoots={stagedRoots}
          />
        </details>
      ) : null}
      {annotationProblems.length > 0 ? (
        <details className="import-errors" open={!running} data-testid="import-annotation-problems">
          <summary>{t('import.annotationProblemsTitle', { count: annotationProblems.length })}</summary>
          <ReasonTable columns={[t('import.errorPath'), t('import.errorReason')]}>
            {annotationProblems.map((object) => (
              <tr
                key={object.sopInstanceUID}
                data-testid="import-annotation-problem"
                data-kind={object.kind}
                data-uid={object.sopInstanceUID}
              >
                <AnnotationObjectCell kind={object.kind} uid={object.sopInstanceUID} />
                <ReasonsCell problems={object.problems} testId="import-annotation-reason" />
              </tr>
            ))}
          </ReasonTable>
        </details>
      ) : null}
      {progress && progress.skippedFiles.length > 0 ? (
        <details className="import-errors" data-testid="import-skipped">
          <summary>{t('import.skippedTitle', { count: progress.skipped })}</summary>
          <FileReasons
            files={progress.skippedFiles}
            rowTestId="import-skipped-row"
            stagedRoots={stagedRoots}
          />
        </details>
      ) : null}
    </section>
  );
}

/** A path inside an upload's staging folder, as the user's own relative name; other paths as they are. */
export function displayPath(full: string, stagedRoots: readonly string[]): string {
  for (const root of stagedRoots) {
    if (full === root) return full;
    for (const separator of ['/', '\\']) {
      const prefix = root.endsWith(separator) ? root : `${root}${separator}`;
      if (full.startsWith(prefix)) return full.slice(prefix.length);
    }
  }
  return full;
}
