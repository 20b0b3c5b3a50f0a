/** Studies on the left, the selected study's series on the right; Enter or double-click opens. */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { ImportButton } from '../importing/ImportButton.js';
import { ImportStatus } from '../importing/ImportStatus.js';
import { formatDicomDate, formatPersonName } from '../i18n/format.js';
import { useUiStore } from '../stores/useUiStore.js';
import { PAGE_SIZE, useWorklistStore } from '../stores/useWorklistStore.js';
import { openStudy } from './openStudy.js';
import { SearchBox } from './SearchBox.js';
import { SeriesList } from './SeriesList.js';
import { StudyTable } from './StudyTable.js';

export function WorklistScreen() {
  const { t, i18n } = useTranslation();
  const errorMessage = useErrorMessage();
  const total = useWorklistStore((state) => state.total);
  const count = useWorklistStore((state) => state.studies.length);
  const search = useWorklistStore((state) => state.search);
  const loading = useWorklistStore((state) => state.loading);
  const error = useWorklistStore((state) => state.error);
  const detail = useWorklistStore((state) => state.selectedDetail);
  const selected = useWorklistStore((state) => state.selectedStudyUID);
  const refresh = useWorklistStore((state) => state.refresh);
  const loadMore = useWorklistStore((state) => state.loadMore);
  const moveSelection = useWorklistStore((state) => state.moveSelection);
  const dialogOpen = useUiStore((state) => state.dialog !== null);
  const openDialog = useUiStore((state) => state.openDialog);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    if (dialogOpen) return;
    const onKey = (event: KeyboardEvent) => {
      const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
      if (event.key === '/' && !typing) {
        event.preventDefault();
        document.getElementById('worklist-search')?.focus();
      } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        moveSelection(event.key === 'ArrowDown' ? 1 : -1);
      } else if (event.key === 'Enter' && selected && !(event.target instanceof HTMLButtonElement)) {
        event.preventDefault();
        void openStudy(selected);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dialogOpen, moveSelection, selected]);

  return (
    <main className="worklist" data-testid="worklist">
      <div className="worklist__toolbar">
        <SearchBox />
        <span className="worklist__count" data-testid="study-count" aria-live="polite">
          {t('worklist.studies', { count: total })}
        </span>
        {total > count ? <span className="hint">{t('worklist.showingFirst', { count, total })}</span> : null}
        <span className="spacer" />
        <ImportButton />
      </div>
      <ImportStatus />
      <div className="worklist__body">
        <section className="worklist__table">
          {error ? (
            <p className="error-text">{t('worklist.loadFailed', { message: errorMessage(error) })}</p>
          ) : null}
          <StudyTable onOpen={(study) => void openStudy(study.studyInstanceUID)} />
          {total > count ? (
            <div className="worklist__more">
              <button
                type="button"
                className="button"
                data-testid="worklist-more"
                disabled={loading}
                onClick={() => void loadMore()}
              >
                {t('worklist.showMore', { count: Math.min(PAGE_SIZE, total - count) })}
              </button>
            </div>
          ) : null}
          {!loading && count === 0 && !error ? (
            <p className="empty-state" data-testid="worklist-empty">
              {search.trim() ? t('worklist.noMatch', { search: search.trim() }) : t('worklist.empty')}
            </p>
          ) : null}
        </section>
        <aside className="worklist__series" data-testid="study-series-panel">
          {detail ? (
            <>
              <div className="worklist__series-header">
                <div>
                  <div className="worklist__series-patient">{formatPersonName(detail.study.patientName)}</div>
                  <div className="worklist__series-study">
                    {[formatDicomDate(detail.study.studyDate, i18n.language), detail.study.studyDescription]
                      .filter(Boolean)
                      .join(' · ')}
                  </div>
                </div>
                <div className="worklist__series-actions">
                  <button
                    type="button"
                    className="button"
                    data-testid="deid-export-open"
                    onClick={() => openDialog('deidExport')}
                  >
                    {t('deid.exportButton')}
                  </button>
                  <button
                    type="button"
                    className="button button--primary"
                    data-testid="open-study"
                    onClick={() => void openStudy(detail.study.studyInstanceUID)}
                  >
                    {t('worklist.open')}
                  </button>
                </div>
              </div>
              <h3 className="panel-title">{t('worklist.series')}</h3>
              <SeriesList
                series={detail.series}
                onPick={(series) => void openStudy(detail.study.studyInstanceUID, series.seriesInstanceUID)}
                onOpen={(series) => void openStudy(detail.study.studyInstanceUID, series.seriesInstanceUID)}
              />
            </>
          ) : (
            <p className="empty-state">{t('worklist.selectStudy')}</p>
          )}
        </aside>
      </div>
    </main>
  );
}
