/**
 * The audit log for an administrator (docs/audit.md): the newest entries with filters (action,
 * reader), the hash chain check, and the (filtered) log as a CSV download. Subjects are
 * pseudonyms: nothing here names a patient.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type AuditActionName, AuditActionName as Actions, type AuditEntry } from '../../../shared/audit.js';
import { Dialog } from '../components/Dialog.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { host } from '../host/index.js';

export function AuditDialog({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const [action, setAction] = useState<AuditActionName | ''>('');
  const [reader, setReader] = useState('');
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [total, setTotal] = useState(0);
  const [check, setCheck] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const filter = useCallback(
    () => ({ ...(action ? { action } : {}), ...(reader.trim() ? { reader: reader.trim() } : {}) }),
    [action, reader],
  );

  useEffect(() => {
    host.api.call('audit.list', { ...filter(), limit: 200 }).then(
      (page) => {
        setEntries(page.entries);
        setTotal(page.total);
      },
      (failure: unknown) => setError(failure),
    );
  }, [filter]);

  const verify = () =>
    host.api.call('audit.verify', {}).then(
      (result) =>
        setCheck(
          result.ok
            ? t('account.audit.intact', { count: result.checked })
            : t('account.audit.broken', { seq: result.firstBrokenSeq ?? 0, reason: result.reason ?? '' }),
        ),
      (failure: unknown) => setError(failure),
    );

  const exportCsv = () =>
    host.api.call('audit.exportCsv', filter()).then(
      ({ csv }) => {
        const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
        const link = document.createElement('a');
        link.href = url;
        link.download = `radlabel-audit-${new Date().toISOString().slice(0, 10)}.csv`;
        link.click();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
      },
      (failure: unknown) => setError(failure),
    );

  return (
    <Dialog title={t('account.audit.title')} testId="audit-dialog" onClose={onClose} wide>
      <div className="audit-filters">
        <label>
          {t('account.audit.action')}
          <select
            data-testid="audit-action"
            value={action}
            onChange={(event) => setAction(event.target.value as AuditActionName | '')}
          >
            <option value="">{t('account.audit.all')}</option>
            {Actions.options.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('account.audit.reader')}
          <input
            data-testid="audit-reader"
            value={reader}
            onChange={(event) => setReader(event.target.value)}
          />
        </label>
        <button type="button" data-testid="audit-verify" onClick={() => void verify()}>
          {t('account.audit.verify')}
        </button>
        <button type="button" data-testid="audit-export" onClick={() => void exportCsv()}>
          {t('account.audit.export')}
        </button>
      </div>
      {check ? <p data-testid="audit-check">{check}</p> : null}
      {error ? <p role="alert">{errorMessage(error)}</p> : null}
      <p data-testid="audit-total">{t('account.audit.shown', { shown: entries.length, total })}</p>
      <div className="audit-table-wrap">
        <table className="audit-table">
          <thead>
            <tr>
              <th>#</th>
              <th>{t('account.audit.time')}</th>
              <th>{t('account.audit.reader')}</th>
              <th>{t('account.audit.action')}</th>
              <th>{t('account.audit.subject')}</th>
              <th>{t('account.audit.outcome')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.seq} data-testid="audit-row" data-action={entry.action}>
                <td>{entry.seq}</td>
                <td>{new Date(entry.at).toLocaleString()}</td>
                <td>{entry.reader}</td>
                <td>{entry.action}</td>
                <td title={JSON.stringify(entry.detail)}>
                  {entry.subjectKind}:{entry.subject.slice(0, 12)}
                </td>
                <td>{entry.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Dialog>
  );
}
