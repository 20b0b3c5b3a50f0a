/**
 * In the export dialog: the study's series that show a face, whether each will be defaced or
 * held, and "Deface…" to open the deface view.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DefaceSeriesSummary } from '../../../../shared/deface-contract.js';
import { effectiveDeidOptions } from '../../../../shared/deid-options.js';
import { host } from '../../host/index.js';
import { useDeidStore } from '../../stores/useDeidStore.js';
import { DefaceScreen } from './DefaceScreen.js';
import { useDefaceStrings } from './i18n.js';
import './deface.css';

export function DefaceSeriesList({ studyInstanceUID }: { studyInstanceUID: string }) {
  useDefaceStrings();
  const { t } = useTranslation();
  const settings = useDeidStore((state) => state.settings);
  const [series, setSeries] = useState<DefaceSeriesSummary[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const load = useCallback(() => {
    host.api
      .call('deid.defaceSeries', { studyInstanceUID })
      .then(setSeries)
      .catch(() => setSeries([]));
  }, [studyInstanceUID]);
  useEffect(load, [load]);
  if (series.length === 0) return null;
  const optionOn =
    settings !== null &&
    effectiveDeidOptions(settings.profile, settings.options).includes('cleanRecognizableVisualFeatures');
  return (
    <section className="deface-list" data-testid="deface-list">
      <strong>{t('deface.listTitle')}</strong>
      <p className="hint">{optionOn ? t('deface.listHint') : t('deface.optionOff')}</p>
      {series.map((entry) => (
        <div
          key={entry.seriesInstanceUID}
          className="deface-list__row"
          data-testid="deface-series"
          data-accepted={entry.accepted}
        >
          <span>{entry.seriesDescription || entry.seriesInstanceUID}</span>
          <span className="hint" data-testid="deface-series-status">
            {entry.accepted ? t('deface.accepted') : t('deface.notAccepted')}
            {entry.automatic ? '' : ` · ${t('deface.manual')}`}
          </span>
          <button
            type="button"
            className="button"
            data-testid="deface-open"
            onClick={() => setOpen(entry.seriesInstanceUID)}
          >
            {t('deface.open')}
          </button>
        </div>
      ))}
      {open ? (
        <DefaceScreen
          studyInstanceUID={studyInstanceUID}
          seriesInstanceUID={open}
          onClose={() => {
            setOpen(null);
            load();
          }}
        />
      ) : null}
    </section>
  );
}
