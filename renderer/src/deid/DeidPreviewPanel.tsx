/**
 * The viewer's side panel: every attribute of the current image before and after
 * de-identification under the local settings, changes first, removed values struck through.
 */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeidPreviewRow } from '../../../shared/contract.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { host } from '../host/index.js';
import { useActiveSopInstanceUID } from './currentInstance.js';

type Preview = { uid: string; rows: DeidPreviewRow[] } | { uid: string; error: unknown };

const changed = (row: DeidPreviewRow): boolean => row.before !== row.after;
const removed = (row: DeidPreviewRow): boolean => row.action.startsWith('X');

/** Changes first (removals last among them), each group in the engine's order. */
function ordered(rows: DeidPreviewRow[]): DeidPreviewRow[] {
  const rank = (row: DeidPreviewRow) => (!changed(row) ? 2 : removed(row) ? 1 : 0);
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => rank(a.row) - rank(b.row) || a.index - b.index)
    .map(({ row }) => row);
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
  const rows = useMemo(() => (shown && 'rows' in shown ? ordered(shown.rows) : []), [shown]);
  const changes = rows.filter(changed).length;
  const visible = changedOnly ? rows.filter(changed) : rows;

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
                {visible.map((row, index) => (
                  <tr
                    key={`${row.tag}-${row.depth}-${index}`}
                    className={[
                      changed(row) ? 'deid-row--changed' : '',
                      removed(row) ? 'deid-row--removed' : '',
                    ].join(' ')}
                    data-testid="deid-preview-row"
                    data-keyword={row.keyword}
                  >
                    <td className="deid-table__tag">{row.tag}</td>
                    <td className="deid-table__keyword" style={{ paddingLeft: `${6 + row.depth * 12}px` }}>
                      {row.keyword || row.vr}
                    </td>
                    <td className="deid-table__before" data-testid="deid-preview-before" title={row.before}>
                      {row.before}
                    </td>
                    <td className="deid-table__after" data-testid="deid-preview-after" title={row.after}>
                      {row.after}
                    </td>
                    <td className="deid-table__action">
                      <span className={`deid-action deid-action--${row.action.charAt(0)}`}>{row.action}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </aside>
  );
}
