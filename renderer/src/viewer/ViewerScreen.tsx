/** The viewer: toolbar, the study's series on the left, the viewport layout filling the rest. */
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDicomDate, formatPersonName } from '../i18n/format.js';
import { DeidPreviewPanel } from '../deid/DeidPreviewPanel.js';
import { useDeidStore } from '../stores/useDeidStore.js';
import { useUiStore } from '../stores/useUiStore.js';
import { useViewerStore } from '../stores/useViewerStore.js';
import { SeriesList } from '../worklist/SeriesList.js';
import { ViewerToolbar } from './ViewerToolbar.js';
import { ViewportGrid } from './ViewportGrid.js';
import { useViewerKeys } from './useViewerKeys.js';

export function ViewerScreen() {
  const { t, i18n } = useTranslation();
  const detail = useViewerStore((state) => state.detail);
  const layout = useViewerStore((state) => state.layout);
  const assignments = useViewerStore((state) => state.assignments);
  const showSeries = useViewerStore((state) => state.showSeries);
  const stopCine = useViewerStore((state) => state.stopCine);
  const showScreen = useUiStore((state) => state.showScreen);
  const previewOpen = useDeidStore((state) => state.previewOpen);

  const back = useCallback(() => {
    stopCine();
    showScreen('worklist');
  }, [showScreen, stopCine]);
  useViewerKeys(back);

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
          <h3 className="panel-title">{t('viewer.series')}</h3>
          <SeriesList
            series={detail.series}
            highlighted={shown}
            onPick={(series) => showSeries(series.seriesInstanceUID)}
          />
        </aside>
        <ViewportGrid detail={detail} layout={layout} />
        {previewOpen ? <DeidPreviewPanel /> : null}
      </div>
    </main>
  );
}
