/**
 * The text over an image, as on every radiology workstation: patient and study in the top corners,
 * image number, instance and slice location, thickness and the value under the pointer bottom
 * left, window and zoom bottom right, and the patient directions (from ImageOrientationPatient,
 * following flips and rotation) in the middle of each edge. Each field can be hidden in the
 * overlay settings (ReadingTools.tsx); the choice persists.
 */
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { SeriesSummary, StudySummary } from '../../../shared/contract.js';
import { formatDicomDate, formatPersonName } from '../i18n/format.js';
import { type EdgeMarkers, formatValue } from '../imaging/imageReadout.js';
import { type OverlayField, useReadingStore } from '../stores/useReadingStore.js';
import type { ViewportReadout } from './useViewportReadout.js';
import './reading.css';

interface ViewportOverlayProps {
  study: StudySummary;
  series: SeriesSummary;
  readout: ViewportReadout;
}

const markerSides = ['top', 'right', 'bottom', 'left'] as const;

export function ViewportOverlay({ study, series, readout }: ViewportOverlayProps) {
  const { t } = useTranslation();
  const hidden = useReadingStore((state) => state.hiddenFields);
  const shown = (field: OverlayField) => !hidden.includes(field);
  const { attributes, pointer, markers } = readout;
  const pointerValue = pointer
    ? `${pointer.values.map(formatValue).join(' ')}${attributes.units ? ` ${attributes.units}` : ''}`
    : null;

  return (
    <div className="viewport-overlay" aria-hidden="true" data-testid="viewport-overlay">
      <OverlayHeader study={study} series={series} />
      <div
        className="viewport-overlay__corner viewport-overlay__corner--bottom-left"
        data-overlay-box="bottom-left"
      >
        {shown('pixel') && pointer && pointerValue !== null ? (
          <div
            className="viewport-overlay__pixel"
            data-testid="overlay-pixel"
            data-value={pointer.values.join(',')}
            data-column={pointer.column}
            data-row={pointer.row}
            data-units={attributes.units}
          >
            {t('reading.pixel', { value: pointerValue })}{' '}
            {t('reading.pixelAt', { x: pointer.column, y: pointer.row })}
          </div>
        ) : null}
        {shown('position') && (attributes.instanceNumber !== null || attributes.sliceLocation !== null) ? (
          <div
            data-testid="overlay-position"
            data-instance={attributes.instanceNumber ?? ''}
            data-location={attributes.sliceLocation ?? ''}
          >
            {[
              attributes.instanceNumber !== null
                ? t('reading.instance', { number: attributes.instanceNumber })
                : null,
              attributes.sliceLocation !== null
                ? t('reading.location', { location: formatValue(attributes.sliceLocation) })
                : null,
            ]
              .filter(Boolean)
              .join(' · ')}
          </div>
        ) : null}
        {shown('thickness') && attributes.sliceThickness !== null ? (
          <div data-testid="overlay-thickness">
            {t('reading.thickness', { thickness: formatValue(attributes.sliceThickness) })}
          </div>
        ) : null}
        {/* The image number stays for tests and navigation; hiding it hides its text only. */}
        <div
          data-testid="overlay-image"
          data-index={readout.index + 1}
          data-total={readout.total}
          hidden={!shown('image')}
        >
          {t('viewer.image', { index: readout.index + 1, total: readout.total })}
        </div>
      </div>
      <div
        className="viewport-overlay__corner viewport-overlay__corner--bottom-right"
        data-overlay-box="bottom-right"
      >
        {readout.width !== null && readout.center !== null ? (
          <div
            data-testid="overlay-window"
            data-width={readout.width}
            data-center={readout.center}
            hidden={!shown('window')}
          >
            {t('viewer.windowLevel', { width: readout.width, center: readout.center })}
          </div>
        ) : null}
        <div data-testid="overlay-zoom" hidden={!shown('zoom')}>
          {t('viewer.zoom', { zoom: readout.zoomPercent })}
        </div>
      </div>
      {shown('orientation') && markers ? <OverlayMarkers markers={markers} /> : null}
    </div>
  );
}

/**
 * The top corners (patient, study, series) and the edge letters change rarely: kept apart and
 * memoised, so a scroll step re-renders only the fields that follow the image.
 */
const OverlayHeader = memo(function OverlayHeader({
  study,
  series,
}: {
  study: StudySummary;
  series: SeriesSummary;
}) {
  const { t, i18n } = useTranslation();
  const hidden = useReadingStore((state) => state.hiddenFields);
  const shown = (field: OverlayField) => !hidden.includes(field);
  return (
    <>
      <div
        className="viewport-overlay__corner viewport-overlay__corner--top-left"
        data-overlay-box="top-left"
      >
        {shown('patient') ? (
          <>
            <div data-testid="overlay-patient">{formatPersonName(study.patientName)}</div>
            <div>{study.patientId}</div>
          </>
        ) : null}
      </div>
      <div
        className="viewport-overlay__corner viewport-overlay__corner--top-right"
        data-overlay-box="top-right"
      >
        {shown('study') ? (
          <div data-testid="overlay-study-date">{formatDicomDate(study.studyDate, i18n.language)}</div>
        ) : null}
        {shown('series') ? (
          <>
            <div data-testid="overlay-series">{series.seriesDescription}</div>
            <div>
              {series.modality}
              {series.seriesNumber !== null
                ? ` · ${t('worklist.seriesNumber', { number: series.seriesNumber })}`
                : ''}
            </div>
          </>
        ) : null}
      </div>
    </>
  );
});

const OverlayMarkers = memo(
  function OverlayMarkers({ markers }: { markers: EdgeMarkers }) {
    return (
      <>
        {markerSides.map((side) => (
          <div
            key={side}
            className={`viewport-overlay__marker viewport-overlay__marker--${side}`}
            data-testid={`overlay-marker-${side}`}
            data-overlay-box={`marker-${side}`}
          >
            {markers[side]}
          </div>
        ))}
      </>
    );
  },
  (a, b) => markerSides.every((side) => a.markers[side] === b.markers[side]),
);
