/** What an export did to a study: objects written/held/failed, attributes per action, held objects and why. */
import { useTranslation } from 'react-i18next';
import type { DeidStudyReport } from '../../../shared/contract.js';
import { heldReasonText, warningText } from './engineText.js';

const actionOrder = [
  'removed',
  'emptied',
  'dummied',
  'cleaned',
  'uidsRemapped',
  'datesShifted',
  'kept',
  'privateRemoved',
  'privateKept',
] as const;

export function DeidReportView({ report, onReview }: { report: DeidStudyReport; onReview?: () => void }) {
  const { t } = useTranslation();
  return (
    <section className="deid-report" data-testid="deid-report">
      <h3 className="panel-title">{t('deid.reportTitle')}</h3>
      <div className="deid-report__tiles">
        <div className="deid-tile deid-tile--ok" data-testid="deid-report-done">
          <span className="deid-tile__value">{report.objects.done}</span>
          <span className="deid-tile__label">{t('deid.objectsDone')}</span>
        </div>
        <div
          className={report.objects.held > 0 ? 'deid-tile deid-tile--warn' : 'deid-tile'}
          data-testid="deid-report-held"
        >
          <span className="deid-tile__value">{report.objects.held}</span>
          <span className="deid-tile__label">{t('deid.objectsHeld')}</span>
        </div>
        <div
          className={report.objects.failed > 0 ? 'deid-tile deid-tile--danger' : 'deid-tile'}
          data-testid="deid-report-failed"
        >
          <span className="deid-tile__value">{report.objects.failed}</span>
          <span className="deid-tile__label">{t('deid.objectsFailed')}</span>
        </div>
        {report.objects.duplicates > 0 ? (
          <div className="deid-tile" data-testid="deid-report-duplicates">
            <span className="deid-tile__value">{report.objects.duplicates}</span>
            <span className="deid-tile__label">{t('deid.objectsDuplicates')}</span>
          </div>
        ) : null}
        {report.objects.conflicts > 0 ? (
          <div className="deid-tile deid-tile--danger" data-testid="deid-report-conflicts">
            <span className="deid-tile__value">{report.objects.conflicts}</span>
            <span className="deid-tile__label">{t('deid.objectsConflicts')}</span>
          </div>
        ) : null}
      </div>
      {report.pseudonymousStudyInstanceUID ? (
        <p className="deid-report__uid">
          <span className="hint">{t('deid.pseudonymousStudy')}</span>{' '}
          <code data-testid="deid-report-study-uid">{report.pseudonymousStudyInstanceUID}</code>
        </p>
      ) : null}
      <h4 className="deid-report__heading">{t('deid.actionsTitle')}</h4>
      <dl className="deid-report__actions" data-testid="deid-report-actions">
        {actionOrder.map((action) => (
          <div key={action} className="deid-report__action" data-action={action}>
            <dt>{t(`deid.action.${action}`)}</dt>
            <dd>{report.actions[action] ?? 0}</dd>
          </div>
        ))}
      </dl>
      {report.held.length > 0 ? (
        <>
          <h4 className="deid-report__heading deid-report__heading--warn">{t('deid.heldTitle')}</h4>
          <p className="hint">{t('deid.heldNote')}</p>
          {onReview ? (
            <button
              type="button"
              className="button button--primary"
              data-testid="deid-review-open"
              onClick={onReview}
            >
              {t('deid.review.open')}
            </button>
          ) : null}
          <table className="deid-table">
            <thead>
              <tr>
                <th scope="col">{t('deid.sopInstance')}</th>
                <th scope="col">{t('deid.reasons')}</th>
              </tr>
            </thead>
            <tbody>
              {report.held.map((held) => (
                <tr key={held.sopInstanceUID} data-testid="deid-held-row">
                  <td className="deid-table__uid">{held.sopInstanceUID}</td>
                  <td data-testid="deid-held-reasons">
                    {held.reasons
                      .map((reason, index) => heldReasonText(t, held.reasonCodes[index], reason))
                      .join('; ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {report.excluded && report.excluded.length > 0 ? (
        <p className="hint" data-testid="deid-report-excluded">
          {t('deid.review.excludedCount', { count: report.excluded.length })}
        </p>
      ) : null}
      {report.failed.length > 0 ? (
        <>
          <h4 className="deid-report__heading deid-report__heading--danger">{t('deid.failedTitle')}</h4>
          <ul className="deid-report__list">
            {report.failed.map((failure, index) => (
              <li key={index} data-testid="deid-failed-row">
                {failure.message} <span className="error-code">[{failure.code}]</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {report.warnings.length > 0 ? (
        <>
          <h4 className="deid-report__heading">{t('deid.warningsTitle')}</h4>
          <ul className="deid-report__list" data-testid="deid-report-warnings">
            {report.warnings.map((warning) => (
              <li key={warning.code}>
                {warningText(t, warning.code, warning.message)} <span className="hint">×{warning.count}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
