/** Series of one study as thumbnails; used by the worklist's side panel and the viewer's strip. */
import { useTranslation } from 'react-i18next';
import type { SeriesSummary } from '../../../shared/contract.js';
import { startSeriesDrag } from '../viewer/seriesDrag.js';
import { SeriesThumbnail } from './SeriesThumbnail.js';

interface SeriesListProps {
  series: SeriesSummary[];
  highlighted?: ReadonlySet<string>;
  onPick(series: SeriesSummary): void;
  onOpen?(series: SeriesSummary): void;
  /** Cards can be dragged onto a viewport (in the viewer). */
  draggable?: boolean;
}

export function SeriesList({ series, highlighted, onPick, onOpen, draggable }: SeriesListProps) {
  const { t } = useTranslation();
  return (
    <ul className="series-list" data-testid="series-list">
      {series.map((item) => (
        <li key={item.seriesInstanceUID}>
          <button
            type="button"
            className={
              highlighted?.has(item.seriesInstanceUID) ? 'series-card series-card--shown' : 'series-card'
            }
            data-testid="series-card"
            data-series-uid={item.seriesInstanceUID}
            onClick={() => onPick(item)}
            onDoubleClick={() => onOpen?.(item)}
            draggable={draggable}
            onDragStart={draggable ? (event) => startSeriesDrag(event, item.seriesInstanceUID) : undefined}
          >
            <SeriesThumbnail sopInstanceUID={item.thumbnailSopInstanceUID} modality={item.modality} />
            <span className="series-card__text">
              <span className="series-card__title">
                {item.seriesDescription || t('worklist.noDescription')}
              </span>
              <span className="series-card__meta">
                {item.modality}
                {item.seriesNumber !== null
                  ? ` · ${t('worklist.seriesNumber', { number: item.seriesNumber })}`
                  : ''}
              </span>
              <span className="series-card__meta">
                {t('worklist.seriesImages', { count: item.numberOfInstances })}
              </span>
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
