/**
 * The toolbar's MPR button (key M): opens the active viewport's series in MPR, or closes MPR. It is
 * disabled, with the reason as its tooltip, for a series whose geometry cannot make a volume.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { seriesInstances } from '../../stores/seriesInstances.js';
import { useUiStore } from '../../stores/useUiStore.js';
import { useViewerStore } from '../../stores/useViewerStore.js';
import { type MprGeometry, catalogGeometry } from './mprGeometry.js';
import { useMprStore } from './useMprStore.js';

const geometryBySeries = new Map<string, Promise<MprGeometry>>();

/** The catalog's verdict on a series (instances listed once per series and page). */
export function seriesGeometry(seriesInstanceUID: string): Promise<MprGeometry> {
  let verdict = geometryBySeries.get(seriesInstanceUID);
  if (!verdict) {
    verdict = seriesInstances(seriesInstanceUID).then(catalogGeometry);
    verdict.catch(() => geometryBySeries.delete(seriesInstanceUID));
    geometryBySeries.set(seriesInstanceUID, verdict);
  }
  return verdict;
}

type Availability = { state: 'checking' } | { state: 'none' } | ({ state: 'known' } & MprGeometry);

function useActiveSeriesGeometry(): { seriesInstanceUID: string | null; availability: Availability } {
  const seriesInstanceUID = useViewerStore((state) => state.assignments[state.activeViewport] ?? null);
  const [known, setKnown] = useState<{ uid: string; geometry: MprGeometry } | null>(null);
  useEffect(() => {
    if (!seriesInstanceUID) return;
    let current = true;
    seriesGeometry(seriesInstanceUID).then(
      (geometry) => current && setKnown({ uid: seriesInstanceUID, geometry }),
      () => current && setKnown({ uid: seriesInstanceUID, geometry: { ok: false, reason: 'no-position' } }),
    );
    return () => {
      current = false;
    };
  }, [seriesInstanceUID]);
  if (!seriesInstanceUID) return { seriesInstanceUID, availability: { state: 'none' } };
  if (known?.uid !== seriesInstanceUID) return { seriesInstanceUID, availability: { state: 'checking' } };
  return { seriesInstanceUID, availability: { state: 'known', ...known.geometry } };
}

export function MprButton() {
  const { t } = useTranslation();
  const openSeries = useMprStore((state) => state.seriesInstanceUID);
  const open = useMprStore((state) => state.open);
  const close = useMprStore((state) => state.close);
  const { seriesInstanceUID, availability } = useActiveSeriesGeometry();
  const isOpen = openSeries !== null;
  const usable = availability.state === 'known' && availability.ok;
  const reason =
    availability.state === 'known' && !availability.ok
      ? t(`mpr.unavailable.${availability.reason}`)
      : availability.state === 'none'
        ? t('mpr.unavailable.empty')
        : null;
  const disabled = !isOpen && !usable;

  // M toggles MPR, as the button does (listed in the help sheet).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'm' && event.key !== 'M') return;
      if (useUiStore.getState().dialog !== null || event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target;
      if (target instanceof HTMLInputElement && target.type !== 'range' && target.type !== 'checkbox') return;
      if (target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return;
      if (isOpen) close();
      else if (usable && seriesInstanceUID) open(seriesInstanceUID);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [isOpen, usable, seriesInstanceUID, open, close]);

  return (
    <div className="toolbar-group">
      <button
        type="button"
        className={isOpen ? 'tool-button tool-button--active' : 'tool-button'}
        data-testid="mpr-toggle"
        data-available={usable ? 'true' : availability.state === 'checking' ? 'checking' : 'false'}
        data-reason={availability.state === 'known' && !availability.ok ? availability.reason : undefined}
        aria-pressed={isOpen}
        disabled={disabled}
        title={reason ? `${t('mpr.button')}: ${reason}` : `${t('mpr.buttonTitle')} (M)`}
        onClick={() => (isOpen ? close() : seriesInstanceUID && open(seriesInstanceUID))}
      >
        {t('mpr.button')}
      </button>
      {reason && !isOpen ? (
        <span className="visually-hidden" data-testid="mpr-unavailable-reason">
          {reason}
        </span>
      ) : null}
    </div>
  );
}
