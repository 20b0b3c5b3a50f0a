/**
 * Studies on the left, the focused study's series on the right; Enter or double-click opens.
 * Several studies can be chosen (Ctrl/⌘+click, Shift+click, Shift+↑/↓, Ctrl+A) for export; the
 * study menu opens on right-click, the context-menu key or Shift+F10.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AnnotationExportDialog } from '../annotation/export/AnnotationExportDialog.js';
import { ensureExportStrings } from '../annotation/export/strings.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { ImportButton } from '../importing/ImportButton.js';
import { ImportStatus } from '../importing/ImportStatus.js';
import { PacsSettingsDialog } from '../pacs/PacsSettingsDialog.js';
import { QueryPacsDialog } from '../pacs/QueryPacsDialog.js';
import { ReceivedProblemsNotice } from '../pacs/ReceivedProblems.js';
import { formatDicomDate, formatPersonName } from '../i18n/format.js';
import { useUiStore } from '../stores/useUiStore.js';
import { PAGE_SIZE, useWorklistStore } from '../stores/useWorklistStore.js';
import { openStudy } from './openStudy.js';
import { ExportStudiesDialog } from './ExportStudiesDialog.js';
import { SearchBox } from './SearchBox.js';
import { SeriesList } from './SeriesList.js';
import { type MenuPlace, StudyContextMenu } from './StudyContextMenu.js';
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
  const selection = useWorklistStore((state) => state.selection);
  const studies = useWorklistStore((state) => state.studies);
  const searchRevision = useWorklistStore((state) => state.searchRevision);
  const openDialog = useUiStore((state) => state.openDialog);
  const [menu, setMenu] = useState<MenuPlace | null>(null);
  const [exportMany, setExportMany] = useState<string[] | null>(null);
  const [annotationExport, setAnnotationExport] = useState<string[] | null>(null);
  const [pacsDialog, setPacsDialog] = useState<'settings' | 'query' | null>(null);
  const [toast, setToast] = useState<string | null>(null);
  const dialogOpen =
    useUiStore((state) => state.dialog !== null) ||
    exportMany !== null ||
    annotationExport !== null ||
    menu !== null ||
    pacsDialog !== null;

  /** Export of the chosen studies: the single-study dialog for one, the list dialog for several. */
  const exportChosen = useCallback(() => {
    const chosen = useWorklistStore.getState().selection;
    if (chosen.length > 1) setExportMany(chosen);
    else openDialog('deidExport');
  }, [openDialog]);

  const closeMenu = useCallback(() => setMenu(null), []);

  useEffect(() => {
    if (!toast) return;
    const timer = window.setTimeout(() => setToast(null), 4000);
    return () => window.clearTimeout(timer);
  }, [toast]);

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
      } else if ((event.key === 'a' || event.key === 'A') && (event.ctrlKey || event.metaKey) && !typing) {
        event.preventDefault();
        useWorklistStore.getState().selectAll();
      } else if ((event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey)) && selected) {
        // The keyboard's way to the study menu: placed at the focused study's row.
        const study = useWorklistStore
          .getState()
          .studies.find((entry) => entry.studyInstanceUID === selected);
        const row = document.querySelector(`[data-testid="study-row"][data-study-uid="${selected}"]`);
        if (!study || !row) return;
        event.preventDefault();
        const box = row.getBoundingClientRect();
        setMenu({ study, x: box.left + 24, y: box.bottom });
      } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        moveSelection(event.key === 'ArrowDown' ? 1 : -1, event.shiftKey);
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
        <SearchBox key={searchRevision} />
        <span className="worklist__count" data-testid="study-count" aria-live="polite">
          {t('worklist.studies', { count: total })}
        </span>
        {selection.length > 1 ? (
          <>
            <span className="worklist__selection" data-testid="selection-count">
              {t('worklist.selectedCount', { count: selection.length })}
            </span>
            <button
              type="button"
              className="button button--ghost"
              data-testid="selection-clear"
              onClick={() => useWorklistStore.getState().clickStudy(selected ?? selection[0]!, 'single')}
            >
              {t('worklist.clearSelection')}
            </button>
          </>
        ) : null}
        {toast ? (
          <span className="worklist__toast" data-testid="worklist-toast" role="status">
            {toast}
          </span>
        ) : null}
        {total > count ? <span className="hint">{t('worklist.showingFirst', { count, total })}</span> : null}
        <span className="spacer" />
        <ReceivedProblemsNotice onOpen={() => setPacsDialog('settings')} />
        <button
          type="button"
          className="button"
          data-testid="pacs-query-open"
          onClick={() => setPacsDialog('query')}
        >
          {t('pacs.queryButton')}
        </button>
        <button
          type="button"
          className="button button--ghost"
          data-testid="pacs-settings-open"
          onClick={() => setPacsDialog('settings')}
        >
          {t('pacs.settingsButton')}
        </button>
        <ImportButton />
      </div>
      <ImportStatus />
      <div className="worklist__body">
        <section className="worklist__table">
          {error ? (
            <p className="error-text">{t('worklist.loadFailed', { message: errorMessage(error) })}</p>
          ) : null}
          <StudyTable
            onOpen={(study) => void openStudy(study.studyInstanceUID)}
            onMenu={(study, x, y) => setMenu({ study, x, y })}
          />
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
                    onClick={exportChosen}
                  >
                    {selection.length > 1
                      ? t('worklist.menu.exportSelected', { count: selection.length })
                      : t('deid.exportButton')}
                  </button>
                  <button
                    type="button"
                    className="button"
                    data-testid="annotation-export-open"
                    onClick={() => {
                      const chosen = useWorklistStore.getState().selection;
                      setAnnotationExport(chosen.length > 0 ? chosen : [detail.study.studyInstanceUID]);
                    }}
                  >
                    {(ensureExportStrings(i18n), t('annotationExport.open'))}
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
      {menu ? (
        <StudyContextMenu
          place={menu}
          onClose={closeMenu}
          onOpen={(study) => void openStudy(study.studyInstanceUID)}
          onExport={exportChosen}
          onCopied={(value) =>
            setToast(value === null ? t('worklist.copyFailed') : t('worklist.copied', { value }))
          }
        />
      ) : null}
      {annotationExport ? (
        <AnnotationExportDialog
          studyInstanceUIDs={annotationExport}
          onClose={() => setAnnotationExport(null)}
        />
      ) : null}
      {exportMany ? (
        <ExportStudiesDialog
          studies={exportMany
            .map((uid) => studies.find((study) => study.studyInstanceUID === uid))
            .filter((study): study is NonNullable<typeof study> => study !== undefined)}
          onClose={() => setExportMany(null)}
        />
      ) : null}
      {pacsDialog === 'settings' ? <PacsSettingsDialog onClose={() => setPacsDialog(null)} /> : null}
      {pacsDialog === 'query' ? <QueryPacsDialog onClose={() => setPacsDialog(null)} /> : null}
    </main>
  );
}
