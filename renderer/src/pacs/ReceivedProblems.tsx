/**
 * SR and SEG objects a PACS (or a modality, a colleague's workstation) sent here that were stored
 * but did not become annotations as they are, each with main's reason (`pacs.receivedProblems`,
 * kept by main/pacs/service.ts). Shown in the PACS settings, and as a notice in the worklist's
 * toolbar that opens them, so a reader learns why a segmentation the PACS sent is not there even
 * when no import is on screen. Only what the import status shows for such objects: kind and SOP
 * Instance UID, plus the sender's AE title and the time. Main keeps the list in the catalog (it
 * outlives a restart, the newest 20,000): shown a page at a time, the newest first; the
 * administrator clears it (with a confirmation; audited).
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_PACS_RECEIVED_PROBLEMS, type PacsReceivedProblems } from '../../../shared/pacs.js';
import { AnnotationObjectCell, ReasonTable, ReasonsCell } from '../components/ReasonTable.js';
import { host } from '../host/index.js';
import { useWorklistStore } from '../stores/useWorklistStore.js';

const NONE: PacsReceivedProblems = { objects: [], total: 0, offset: 0 };

/**
 * The receiver's list, asked once and kept current by main's events. Asked before the reader has
 * signed in (a shared workstation's sign-in, docs/accounts.md), main refuses: it is asked again
 * when the worklist next loads, which it does once the reader is in.
 */
export function useReceivedProblems(): PacsReceivedProblems {
  const [problems, setProblems] = useState<PacsReceivedProblems>(NONE);
  useEffect(() => {
    let live = true;
    let evented = false;
    let answered = false;
    const ask = () =>
      host.api.call('pacs.receivedProblems', {}).then(
        (first) => {
          answered = true;
          // An event that came meanwhile is newer than this answer.
          if (live && !evented) setProblems(first);
        },
        () => undefined,
      );
    const off = host.api.on('pacs.receivedProblems', (next) => {
      evented = true;
      setProblems(next);
    });
    const offWorklist = useWorklistStore.subscribe((state, previous) => {
      if (!answered && state.studies !== previous.studies) void ask();
    });
    void ask();
    return () => {
      live = false;
      off();
      offWorklist();
    };
  }, []);
  return problems;
}

/**
 * An older page of the log (offset > 0), asked again whenever main's first page changes (an object
 * added or the log cleared); the first page is the one the events keep current. Null until main
 * answers for this offset.
 */
function usePage(offset: number, first: PacsReceivedProblems): PacsReceivedProblems | null {
  const [older, setOlder] = useState<PacsReceivedProblems | null>(null);
  useEffect(() => {
    if (offset === 0) return;
    let live = true;
    host.api.call('pacs.receivedProblems', { offset }).then(
      (answer) => {
        if (live) setOlder(answer);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [offset, first]);
  if (offset === 0) return first;
  return older?.offset === offset ? older : null;
}

/**
 * The table in the PACS settings, a page at a time, with Clear (confirmed) for whoever may clear it
 * (`mayClear`: an administrator, or the one user of a workstation without accounts).
 */
export function ReceivedProblemsSection({ mayClear }: { mayClear: boolean }) {
  const { t, i18n } = useTranslation();
  const first = useReceivedProblems();
  const [chosenOffset, setOffset] = useState(0);
  const [confirming, setConfirming] = useState(false);
  const [clearing, setClearing] = useState(false);
  const [clearFailed, setClearFailed] = useState(false);
  const total = first.total;
  // The log shrank under an older page (cleared, trimmed): the last page there is.
  const offset =
    chosenOffset > 0 && chosenOffset >= total
      ? Math.max(0, Math.floor((total - 1) / MAX_PACS_RECEIVED_PROBLEMS) * MAX_PACS_RECEIVED_PROBLEMS)
      : chosenOffset;
  const page = usePage(offset, first);
  if (total === 0) return null;
  const objects = page?.objects ?? [];
  const shownFrom = page ? page.offset : offset;
  const time = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short', timeStyle: 'medium' });
  const clear = async () => {
    setClearing(true);
    setClearFailed(false);
    try {
      await host.api.call('pacs.clearReceivedProblems', {});
      setConfirming(false);
      setOffset(0);
    } catch {
      setClearFailed(true);
    } finally {
      setClearing(false);
    }
  };
  return (
    <details className="import-errors pacs-problems" open data-testid="pacs-received-problems">
      <summary>{t('pacs.receivedProblemsTitle', { count: total })}</summary>
      <p className="hint">{t('pacs.receivedProblemsHint')}</p>
      {total > MAX_PACS_RECEIVED_PROBLEMS ? (
        <div className="pacs-row" data-testid="pacs-received-pages">
          <span className="hint" data-testid="pacs-received-range">
            {t('pacs.receivedProblemsRange', {
              from: shownFrom + 1,
              to: shownFrom + objects.length,
              count: total,
            })}
          </span>
          <button
            type="button"
            className="button button--ghost"
            data-testid="pacs-received-newer"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - MAX_PACS_RECEIVED_PROBLEMS))}
          >
            {t('pacs.receivedProblemsNewer')}
          </button>
          <button
            type="button"
            className="button button--ghost"
            data-testid="pacs-received-older"
            disabled={offset + MAX_PACS_RECEIVED_PROBLEMS >= total}
            onClick={() => setOffset(offset + MAX_PACS_RECEIVED_PROBLEMS)}
          >
            {t('pacs.receivedProblemsOlder')}
          </button>
        </div>
      ) : null}
      <ReasonTable columns={[t('pacs.receivedObject'), t('pacs.receivedFrom'), t('pacs.receivedReason')]}>
        {objects.map((object) => (
          <tr
            key={`${object.sopInstanceUID}\u0000${object.receivedAt}`}
            data-testid="pacs-received-problem"
            data-kind={object.kind}
            data-uid={object.sopInstanceUID}
          >
            <AnnotationObjectCell kind={object.kind} uid={object.sopInstanceUID} />
            <td data-testid="pacs-received-from">
              {object.callingAeTitle}
              <div className="hint">{time.format(new Date(object.receivedAt))}</div>
            </td>
            <ReasonsCell problems={object.problems} testId="pacs-received-reason" />
          </tr>
        ))}
      </ReasonTable>
      <div className="pacs-row">
        {!mayClear ? (
          <span className="hint" data-testid="pacs-received-admin-clears">
            {t('pacs.receivedProblemsAdminClears')}
          </span>
        ) : confirming ? (
          <>
            <span data-testid="pacs-received-clear-question">
              {t('pacs.receivedProblemsClearQuestion', { count: total })}
            </span>
            <button
              type="button"
              className="button button--danger"
              data-testid="pacs-received-clear-confirm"
              disabled={clearing}
              onClick={() => void clear()}
            >
              {t('pacs.receivedProblemsClearConfirm')}
            </button>
            <button
              type="button"
              className="button"
              data-testid="pacs-received-clear-cancel"
              disabled={clearing}
              onClick={() => setConfirming(false)}
            >
              {t('pacs.receivedProblemsClearCancel')}
            </button>
          </>
        ) : (
          <button
            type="button"
            className="button"
            data-testid="pacs-received-clear"
            onClick={() => {
              setClearFailed(false);
              setConfirming(true);
            }}
          >
            {t('pacs.receivedProblemsClear')}
          </button>
        )}
        {clearFailed ? (
          <span className="pacs-message--error" role="alert" data-testid="pacs-received-clear-failed">
            {t('pacs.receivedProblemsClearFailed')}
          </span>
        ) : null}
      </div>
    </details>
  );
}

/** The worklist's notice: how many received objects have problems; opens the PACS settings. */
export function ReceivedProblemsNotice({ onOpen }: { onOpen(): void }) {
  const { t } = useTranslation();
  const { total } = useReceivedProblems();
  if (total === 0) return null;
  return (
    <button
      type="button"
      className="button button--ghost pacs-problems-notice"
      data-testid="pacs-problems-notice"
      onClick={onOpen}
    >
      {t('pacs.receivedProblemsNotice', { count: total })}
    </button>
  );
}
