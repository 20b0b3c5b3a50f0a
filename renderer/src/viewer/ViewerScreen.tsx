/**
 * The viewer: toolbar, the study's series on the left (thumbnails to click or drag onto a
 * viewport; a prior study's below them when comparing), the viewport layout filling the rest.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDicomDate, formatPersonName } from '../i18n/format.js';
import { DeidPreviewPanel } from '../deid/DeidPreviewPanel.js';
import { TagBrowser } from '../tags/TagBrowser.js';
import { SegmentationPanel } from '../annotation/segmentation/SegmentationPanel.js';
import { AnnotationPanel } from '../annotation/panel/AnnotationPanel.js';
import { useDeidStore } from '../stores/useDeidStore.js';
import { useUiStore } from '../stores/useUiStore.js';
import { useViewerStore } from '../stores/useViewerStore.js';
import { SeriesList } from '../worklist/SeriesList.js';
import { ComparePrior } from './ComparePrior.js';
import { ViewerToolbar } from './ViewerToolbar.js';
import { ViewportGrid } from './ViewportGrid.js';
import { MprScreen, useMprSeries } from './mpr/MprScreen.js';
import { useEscapeCloses } from './panels.js';
import { reconcileLinking, stopLinking } from './sync/linking.js';
import { useViewerKeys } from './useViewerKeys.js';
import { beginViewerMount, reportViewportSettled, useViewerSettled } from './firstDraw.js';
import './layout.css';

/** How often linking follows what the viewports show (series swapped, stacks loaded). */
const LINK_RECONCILE_MS = 100;

/**
 * Linked scrolling and reference lines, once the viewer has settled (firstDraw.ts): before a first
 * image there is nothing to follow, and configuring the reference lines' source would run in the
 * mount's task, ahead of that image.
 */
function useLinking(linked: boolean, settled: boolean): void {
  const activeViewport = useViewerStore((state) => state.activeViewport);
  useEffect(() => {
    if (!settled) return;
    const reconcile = () => reconcileLinking(useViewerStore.getState().activeViewport, linked);
    reconcile();
    const timer = window.setInterval(reconcile, LINK_RECONCILE_MS);
    return () => window.clearInterval(timer);
  }, [linked, activeViewport, settled]);
  useEffect(() => stopLinking, []);
}

export function ViewerScreen() {
  const { t, i18n } = useTranslation();
  const detail = useViewerStore((state) => state.detail);
  const comparison = useViewerStore((state) => state.comparison);
  const layout = useViewerStore((state) => state.layout);
  const assignments = useViewerStore((state) => state.assignments);
  const showSeries = useViewerStore((state) => state.showSeries);
  const closeComparison = useViewerStore((state) => state.closeComparison);
  const stopCine = useViewerStore((state) => state.stopCine);
  const showScreen = useUiStore((state) => state.showScreen);
  const previewOpen = useDeidStore((state) => state.previewOpen);
  const [linked, setLinked] = useState(true);
  const mprSeries = useMprSeries();
  // The viewports first, the side bar's series and the panels once one has drawn (firstDraw.ts).
  useState(beginViewerMount);
  const settled = useViewerSettled();

  const back = useCallback(() => {
    stopCine();
    showScreen('worklist');
  }, [showScreen, stopCine]);
  useViewerKeys(back);
  const closePreview = useCallback(() => {
    if (useDeidStore.getState().previewOpen) useDeidStore.getState().togglePreview();
  }, []);
  useEscapeCloses(previewOpen, closePreview);
  useLinking(linked, settled);
  // MPR shown from the start has no stack viewport to wait for.
  useEffect(() => {
    if (mprSeries) reportViewportSettled();
  }, [mprSeries]);

  if (!detail) return null;
  const shown = new Set(assignments.filter((uid): uid is string => uid !== null));

  return (
    <main className="viewer" data-testid="viewer">
      <ViewerToolbar onBack={back} />
      <div className="viewer__body">
        <aside className="viewer__series">
          <div className="viewer__study">
            <div className="viewer__patient">{formatPersonName(detail.study.patientName)}</div>
            <div className="viewer__study-meta">
              {[formatDicomDate(detail.study.studyDate, i18n.language), detail.study.studyDescription]
                .filter(Boolean)
                .join(' · ')}
            </div>
          </div>
          <label className="link-scrolling" title={t('layouts.linkScrollingTitle')}>
            <input
              type="checkbox"
              checked={linked}
              data-testid="link-scrolling"
              onChange={(event) => setLinked(event.target.checked)}
            />
            {t('layouts.linkScrolling')}
          </label>
          {settled ? <ComparePrior study={detail.study} /> : null}
          <h3 className="panel-title">{t('viewer.series')}</h3>
          {settled ? (
            <SeriesList
              series={detail.series}
              highlighted={shown}
              onPick={(series) => showSeries(series.seriesInstanceUID)}
              draggable
            />
          ) : null}
          {settled && comparison ? (
            <section className="viewer__prior" data-testid="prior-series">
              <div className="viewer__prior-header">
                <h3 className="panel-title">
                  {t('layouts.prior')} · {formatDicomDate(comparison.study.studyDate, i18n.language)}
                </h3>
                <button
                  type="button"
                  className="button button--ghost"
                  data-testid="close-prior"
                  onClick={closeComparison}
                >
                  {t('layouts.closePrior')}
                </button>
              </div>
              <SeriesList
                series={comparison.series}
                highlighted={shown}
                onPick={(series) => showSeries(series.seriesInstanceUID)}
                draggable
              />
            </section>
          ) : null}
        </aside>
        {mprSeries ? <MprScreen series={mprSeries} /> : <ViewportGrid detail={detail} layout={layout} />}
        {previewOpen ? <DeidPreviewPanel /> : null}
        <TagBrowser />
        <SegmentationPanel />
        <AnnotationPanel />
      </div>
    </main>
  );
}
