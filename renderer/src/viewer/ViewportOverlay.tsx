/**
 * The text over an image, as on every radiology workstation: patient and study in the top corners,
 * image number, instance and slice location, thickness and the value under the pointer bottom
 * left, window and zoom bottom right, and the patient directions (from ImageOrientationPatient,
 * following flips and rotation) in the middle of each edge. Each field can be hidden in the
 * overlay settings (ReadingTools.tsx); the choice persists.
 */
import { memo, useLayoutEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { SeriesSummary, StudySummary } from '../../../shared/contract.js';
import { formatDicomDate, formatPersonName } from '../i18n/format.js';
import { type OverlayField, useReadingStore } from '../stores/useReadingStore.js';
import { overlayTexts } from './overlayText.js';
import { OverlayWriter } from './overlayWriter.js';
import type { ViewportReadoutSource } from './useViewportReadout.js';
import './reading.css';

interface ViewportOverlayProps {
  study: StudySummary;
  series: SeriesSummary;
  readout: ViewportReadoutSource;
}

/**
 * React renders the boxes; the fields that follow the image (bottom corners, edge letters) are
 * written into them by an OverlayWriter from the readout's events, not re-rendered per image.
 * The writer is made again when the fields shown or the language change (strings translated once).
 */
export function ViewportOverlay({ study, series, readout }: ViewportOverlayProps) {
  const { t, i18n } = useTranslation();
  const hidden = useReadingStore((state) => state.hiddenFields);
  const language = i18n.language;
  // t changes with the language; the language is named so the templates follow it either way.
  const texts = useMemo(
    () => overlayTexts((key, values) => t(key, { ...values, lng: language })),
    [t, language],
  );
  const bottomLeft = useRef<HTMLDivElement>(null);
  const bottomRight = useRef<HTMLDivElement>(null);
  const markers = useRef<HTMLDivElement>(null);

  useLayoutEffect(() => {
    if (!bottomLeft.current || !bottomRight.current || !markers.current) return;
    const writer = new OverlayWriter(
      { bottomLeft: bottomLeft.current, bottomRight: bottomRight.current, markers: markers.current },
      texts,
      hidden,
    );
    return readout.subscribe((next) => writer.write(next));
  }, [readout, texts, hidden]);

  return (
    <div className="viewport-overlay" aria-hidden="true" data-testid="viewport-overlay">
      <OverlayHeader study={study} series={series} />
      {/* The children of these three boxes are the writer's (React renders none). */}
      <div
        ref={bottomLeft}
        className="viewport-overlay__corner viewport-overlay__corner--bottom-left"
        data-overlay-box="bottom-left"
      />
      <div
        ref={bottomRight}
        className="viewport-overlay__corner viewport-overlay__corner--bottom-right"
        data-overlay-box="bottom-right"
      />
      <div ref={markers} className="viewport-overlay__markers" />
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
