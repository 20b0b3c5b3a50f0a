/**
 * SR and SEG objects a PACS (or a modality, a colleague's workstation) sent here that were stored
 * but did not become annotations as they are, each with main's reason (`pacs.receivedProblems`,
 * kept by main/pacs/service.ts). Shown in the PACS settings, and as a notice in the worklist's
 * toolbar that opens them, so a reader learns why a segmentation the PACS sent is not there even
 * when no import is on screen. Only what the import status shows for such objects: kind and SOP
 * Instance UID, plus the sender's AE title and the time.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PacsReceivedProblems } from '../../../shared/pacs.js';
import { AnnotationObjectCell, ReasonTable, ReasonsCell } from '../components/ReasonTable.js';
import { host } from '../host/index.js';
import { useWorklistStore } from '../stores/useWorklistStore.js';

const NONE: PacsReceivedProblems = { objects: [], total: 0 };

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

/** The table in the PACS settings. */
export function ReceivedProblemsSection() {
  const { t, i18n } = useTranslation();
  const { objects, total } = useReceivedProblems();
  if (total === 0) return null;
  const time = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short', timeStyle: 'medium' });
  return (
    <details className="import-errors pacs-problems" open data-testid="pacs-received-problems">
      <summary>{t('pacs.receivedProblemsTitle', { count: total })}</summary>
      <p className="hint">{t('pacs.receivedProblemsHint')}</p>
      {objects.length < total ? (
        <p className="hint">{t('pacs.receivedProblemsMore', { shown: objects.length, count: total })}</p>
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
