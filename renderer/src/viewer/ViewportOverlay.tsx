/** The four-corner text over an image, as on every radiology workstation. */
import { useTranslation } from 'react-i18next';
import type { SeriesSummary, StudySummary } from '../../../shared/contract.js';
import { formatDicomDate, formatPersonName } from '../i18n/format.js';
import type { ViewportReadout } from './useViewportReadout.js';

interface ViewportOverlayProps {
  study: StudySummary;
  series: SeriesSummary;
  readout: ViewportReadout;
}

export function ViewportOverlay({ study, series, readout }: ViewportOverlayProps) {
  const { t, i18n } = useTranslation();
  return (
    <div className="viewport-overlay" aria-hidden="true">
      <div className="viewport-overlay__corner viewport-overlay__corner--top-left">
        <div data-testid="overlay-patient">{formatPersonName(study.patientName)}</div>
        <div>{study.patientId}</div>
      </div>
      <div className="viewport-overlay__corner viewport-overlay__corner--top-right">
        <div data-testid="overlay-study-date">{formatDicomDate(study.studyDate, i18n.language)}</div>
        <div data-testid="overlay-series">{series.seriesDescription}</div>
        <div>
          {series.modality}
          {series.seriesNumber !== null
            ? ` · ${t('worklist.seriesNumber', { number: series.seriesNumber })}`
            : ''}
        </div>
      </div>
      <div className="viewport-overlay__corner viewport-overlay__corner--bottom-left">
        <div data-testid="overlay-image" data-index={readout.index + 1} data-total={readout.total}>
          {t('viewer.image', { index: readout.index + 1, total: readout.total })}
        </div>
      </div>
      <div className="viewport-overlay__corner viewport-overlay__corner--bottom-right">
        {readout.width !== null && readout.center !== null ? (
          <div data-testid="overlay-window" data-width={readout.width} data-center={readout.center}>
            {t('viewer.windowLevel', { width: readout.width, center: readout.center })}
          </div>
        ) : null}
        <div data-testid="overlay-zoom">{t('viewer.zoom', { zoom: readout.zoomPercent })}</div>
      </div>
    </div>
  );
}
