/**
 * The viewer's side panel: every attribute of the current image before and after
 * de-identification under the local settings, changes first, removed values struck through; a
 * legend and tooltips say what each action code means, full values show on hover, and each item of
 * a code sequence is one row with its meaning (expandable to its attributes).
 */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeidPreviewRow } from '../../../shared/contract.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { host } from '../host/index.js';
import { useActiveSopInstanceUID } from './currentInstance.js';
import {
  actionDetails,
  actionLetters,
  changed,
  codeAction,
  codeText,
  entryRows,
  groupCodeItems,
  orderedEntries,
  removed,
  splitAction,
} from './previewRows.js';
import './deid-review.css';

type Preview = { uid: string; rows: DeidPreviewRow[] } | { uid: string; error: unknown };

/** The tooltip of an action: what its letter means, then what its detail means. */
function useActionTitle(): (action: string) => string {
  const { t } = useTranslation();
  return (action) => {
    const { letter, detail } = splitAction(action);
    const base = (actionLetters as readonly string[]).includes(letter)
      ? t(`deid.actionCode.${letter}`)
      : action;
    if (!detail) return `${letter} — ${base}`;
    const key = actionDetails[detail];
    return `${action} — ${base}${key ? `; ${t(`deid.actionDetail.${key}`)}` : ''}`;
  };
}

function ActionBadge({ action }: { action: string }) {
  const title = useActionTitle();
  return (
    <span
      className={`deid-action deid-action--${action.charAt(0)}`}
      title={title(action)}
      data-testid="deid-preview-action"
    >
      {action}
    </span>
  );
}

function ActionLegend() {
  const { t } = useTranslation();
  return (
    <details className="deid-legend" data-testid="deid-preview-legend">
      <summary>{t('deid.legendTitle')}</summary>
      <dl className="deid-legend__list">
        {actionLetters.map((letter) => (
          <div key={letter} className="deid-legend__item" data-testid="deid-legend-item" data-code={letter}>
            <dt>
              <span className={`deid-action deid-action--${letter}`}>{letter}</span>
            </dt>
            <dd>{t(`deid.actionCode.${letter}`)}</dd>
          </div>
        ))}
        {Object.entries(actionDetails).map(([detail, key]) => (
          <div
            key={detail}
            className="deid-legend__item"
            data-testid="deid-legend-item"
            data-code={`(${detail})`}
          >
            <dt>
              <code>({detail})</code>
            </dt>
            <dd>{t(`deid.actionDetail.${key}`)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

function RowCells({ row }: { row: DeidPreviewRow }) {
  return (
    <>
      <td className="deid-table__tag">{row.tag}</td>
      <td
        className="deid-table__keyword"
        style={{ paddingLeft: `${6 + row.depth * 12}px` }}
        title={row.keyword}
      >
        {row.keyword || row.vr}
      </td>
      <td className="deid-table__before" data-testid="deid-preview-before" title={row.before}>
        {row.before}
      </td>
      <td className="deid-table__after" data-testid="deid-preview-after" title={row.after}>
        {row.after}
      </td>
      <td className="deid-table__action">
        <ActionBadge action={row.action} />
      </td>
    </>
  );
}

const rowClass = (rows: DeidPreviewRow[]): string =>
  [rows.some(changed) ? 'deid-row--changed' : '', rows.every(removed) ? 'deid-row--removed' : ''].join(' ');

function CodeEntry({ rows, depth }: { rows: DeidPreviewRow[]; depth: number }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const before = codeText(rows, 'before');
  const after = codeText(rows, 'after');
  return (
    <>
      <tr className={`${rowClass(rows)} deid-row--code`} data-testid="deid-preview-code" data-expanded={open}>
        <td className="deid-table__tag">
          <button
            type="button"
            className="deid-code__toggle"
            aria-expanded={open}
            data-testid="deid-preview-code-toggle"
            title={open ? t('deid.codeCollapse') : t('deid.codeExpand')}
            onClick={() => setOpen(!open)}
          >
            {open ? '▾' : '▸'}
          </button>
        </td>
        <td className="deid-table__keyword" style={{ paddingLeft: `${6 + depth * 12}px` }}>
          {t('deid.codeRow')}
        </td>
        <td className="deid-table__before" data-testid="deid-preview-before" title={before}>
          {before}
        </td>
        <td className="deid-table__after" data-testid="deid-preview-after" title={after}>
          {after}
        </td>
        <td className="deid-table__action">
          <ActionBadge action={codeAction(rows)} />
        </td>
      </tr>
      {open
        ? rows.map((row, index) => (
            <tr
              key={`${row.tag}-${index}`}
              className={`${rowClass([row])} deid-row--code-member`}
              data-testid="deid-preview-row"
              data-keyword={row.keyword}
            >
              <RowCells row={row} />
            </tr>
          ))
        : null}
    </>
  );
}

export function DeidPreviewPanel() {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const uid = useActiveSopInstanceUID();
  const [preview, setPreview] = useState<Preview | null>(null);
  const [changedOnly, setChangedOnly] = useState(false);

  useEffect(() => {
    if (!uid) return;
    let current = true;
    host.api.call('deid.preview', { sopInstanceUID: uid }).then(
      (rows) => current && setPreview({ uid, rows }),
      (error: unknown) => current && setPreview({ uid, error }),
    );
    return () => {
      current = false;
    };
  }, [uid]);

  const shown = preview && preview.uid === uid ? preview : null;
  const rows = useMemo(() => (shown && 'rows' in shown ? shown.rows : []), [shown]);
  const entries = useMemo(() => orderedEntries(groupCodeItems(rows)), [rows]);
  const changes = rows.filter(changed).length;
  const visible = changedOnly ? entries.filter((entry) => entryRows(entry).some(changed)) : entries;

  return (
    <aside className="deid-preview" data-testid="deid-preview" aria-label={t('deid.previewTitle')}>
      <header className="deid-preview__header">
        <h3 className="deid-preview__title">{t('deid.previewTitle')}</h3>
        <label className="deid-preview__filter">
          <input
            type="checkbox"
            data-testid="deid-preview-changed-only"
            checked={changedOnly}
            onChange={(event) => setChangedOnly(event.target.checked)}
          />
          {t('deid.previewChangedOnly')}
        </label>
      </header>
      <p className="deid-preview__note">{t('deid.previewNote')}</p>
      <ActionLegend />
      {!uid ? <p className="hint">{t('deid.previewNoImage')}</p> : null}
      {uid && !shown ? <p className="hint">{t('deid.previewLoading')}</p> : null}
      {shown && 'error' in shown ? (
        <p className="error-text" data-testid="deid-preview-error">
          {t('deid.previewFailed', { message: errorMessage(shown.error) })}
        </p>
      ) : null}
      {shown && 'rows' in shown ? (
        <>
          <p className="hint" data-testid="deid-preview-counts">
            {t('deid.previewCounts', { changed: changes, total: rows.length })}
          </p>
          <div className="deid-preview__scroll">
            <table className="deid-table deid-preview__table" data-testid="deid-preview-table">
              <thead>
                <tr>
                  <th scope="col">{t('deid.previewColumns.tag')}</th>
                  <th scope="col">{t('deid.previewColumns.keyword')}</th>
                  <th scope="col">{t('deid.previewColumns.before')}</th>
                  <th scope="col">{t('deid.previewColumns.after')}</th>
                  <th scope="col">{t('deid.previewColumns.action')}</th>
                </tr>
              </thead>
              <tbody>
                {visible.map((entry, index) =>
                  entry.kind === 'code' ? (
                    <CodeEntry key={`code-${index}`} rows={entry.rows} depth={entry.depth} />
                  ) : (
                    <tr
                      key={`${entry.row.tag}-${entry.row.depth}-${index}`}
                      className={rowClass([entry.row])}
                      data-testid="deid-preview-row"
                      data-keyword={entry.row.keyword}
                    >
                      <RowCells row={entry.row} />
                    </tr>
                  ),
                )}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </aside>
  );
}
