/**
 * MPR of one series: axial, sagittal and coronal planes of its volume with crosshairs, the window
 * presets, the left-button tool (crosshairs or window/level), an optional MIP slab and the loading
 * progress. It replaces the viewport layout while open; Esc or M or the close button leave it.
 *
 * `MprGrid` is the three planes alone, for other screens that need MPR of a series with something
 * drawn on top (`planeOverlay`) and access to the viewports (`onEngine`).
 */
import { Enums, type VolumeViewport } from '@cornerstonejs/core';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SeriesSummary } from '../../../../shared/contract.js';
import { useErrorMessage } from '../../components/useErrorMessage.js';
import { presetForKey } from '../../imaging/windowPresets.js';
import { useUiStore } from '../../stores/useUiStore.js';
import { findSeries, useViewerStore } from '../../stores/useViewerStore.js';
import { imageLoadError } from '../load-error.js';
import { type MprUnavailable, headerGeometry } from './mprGeometry.js';
import {
  MPR_PLANES,
  type MprEngine,
  type MprLeftTool,
  type MprPlane,
  type VoxelUnderPoint,
  createMprEngine,
  loadMprVolume,
  planeColour,
  releaseMprVolume,
  resetMpr,
  setSlab,
  setWindow,
  sliceOf,
  volumeIdOf,
  voxelAt,
  windowOf,
} from './mprVolume.js';
import { planeEdgeMarkers } from './mprOrientation.js';
import { useMprStore } from './useMprStore.js';
import type { EdgeMarkers } from '../../imaging/imageReadout.js';
import { useReadingStore } from '../../stores/useReadingStore.js';
import { WindowPresetGroup } from '../WindowPresetGroup.js';
import './mpr.css';

const markerSides = ['top', 'right', 'bottom', 'left'] as const;

type LoadState =
  | { kind: 'loading'; percent: number }
  | { kind: 'ready'; failed: number }
  | { kind: 'unavailable'; reason: MprUnavailable }
  | { kind: 'failed'; error: unknown };

export interface MprGridProps {
  seriesInstanceUID: string;
  /** Image ids in spatial order (the catalog's order). */
  imageIds: readonly string[];
  /** Drawn above each plane (pointer events pass through unless the overlay takes them). */
  planeOverlay?: (plane: MprPlane, viewport: VolumeViewport) => ReactNode;
  /** The engine once the planes exist (null again when they are gone). */
  onEngine?: (mpr: MprEngine | null) => void;
  /** Loading progress and outcome. */
  onState?: (state: LoadState) => void;
}

interface PlaneReadout {
  slice: number;
  count: number;
  width: number | null;
  center: number | null;
}

function readoutOf(viewport: VolumeViewport): PlaneReadout {
  const { index, count } = sliceOf(viewport);
  const window = windowOf(viewport);
  return { slice: index, count, width: window?.width ?? null, center: window?.center ?? null };
}

function PlanePane({
  plane,
  mpr,
  setElement,
  drawn,
  overlay,
}: {
  plane: MprPlane;
  mpr: MprEngine | null;
  setElement: (plane: MprPlane, element: HTMLDivElement | null) => void;
  drawn: boolean;
  overlay?: ReactNode;
}) {
  const { t } = useTranslation();
  const [element, setOwnElement] = useState<HTMLDivElement | null>(null);
  const [readout, setReadout] = useState<PlaneReadout | null>(null);
  const [markers, setMarkers] = useState<EdgeMarkers | null>(null);
  const orientationShown = useReadingStore((state) => !state.hiddenFields.includes('orientation'));
  const [probe, setProbe] = useState<VoxelUnderPoint | null>(null);
  const slab = useMprSlab();

  useEffect(() => {
    setElement(plane, element);
  }, [setElement, plane, element]);

  useEffect(() => {
    if (!element || !mpr || !drawn) return;
    const viewport = mpr.viewport(plane);
    const update = () => {
      setReadout(readoutOf(viewport));
      setMarkers((current) => {
        const next = planeEdgeMarkers(viewport);
        return current && next && markerSides.every((side) => current[side] === next[side]) ? current : next;
      });
    };
    update();
    element.addEventListener(Enums.Events.IMAGE_RENDERED, update);
    return () => element.removeEventListener(Enums.Events.IMAGE_RENDERED, update);
  }, [element, mpr, plane, drawn]);

  const onPointerMove = (event: React.PointerEvent<HTMLDivElement>) => {
    if (!mpr || !drawn || !element) return;
    const box = element.getBoundingClientRect();
    setProbe(voxelAt(mpr.viewport(plane), [event.clientX - box.left, event.clientY - box.top]));
  };

  return (
    <div
      className={`mpr-pane mpr-pane--${plane}`}
      data-testid={`mpr-${plane}`}
      data-drawn={drawn ? 'true' : 'false'}
      onPointerMove={onPointerMove}
      onPointerLeave={() => setProbe(null)}
      onContextMenu={(event) => event.preventDefault()}
    >
      <div ref={setOwnElement} className="viewport-element" data-testid={`mpr-element-${plane}`} />
      <div className="viewport-overlay mpr-overlay">
        <div className="viewport-overlay__corner viewport-overlay__corner--top-left">
          <div className="mpr-plane-name" style={{ color: planeColour[plane] }}>
            {t(`mpr.plane.${plane}`)}
          </div>
          {readout ? (
            <div data-testid="mpr-slice" data-index={readout.slice} data-count={readout.count}>
              {t('mpr.slice', { index: readout.slice + 1, count: readout.count })}
            </div>
          ) : null}
        </div>
        <div className="viewport-overlay__corner viewport-overlay__corner--bottom-left">
          {probe ? (
            <div
              data-testid="mpr-probe"
              data-value={probe.value}
              data-i={probe.ijk[0]}
              data-j={probe.ijk[1]}
              data-k={probe.ijk[2]}
            >
              {t('mpr.value', { value: Math.round(probe.value * 10) / 10 })}
            </div>
          ) : null}
        </div>
        <div className="viewport-overlay__corner viewport-overlay__corner--bottom-right">
          {slab > 0 ? <div data-testid="mpr-slab-readout">{t('mpr.slabReadout', { mm: slab })}</div> : null}
          {readout && readout.width !== null && readout.center !== null ? (
            <div
              data-testid="mpr-window"
              data-width={Math.round(readout.width)}
              data-center={Math.round(readout.center)}
            >
              {t('viewer.windowLevel', {
                width: Math.round(readout.width),
                center: Math.round(readout.center),
              })}
            </div>
          ) : null}
        </div>
        {orientationShown && markers
          ? markerSides.map((side) => (
              <div
                key={side}
                className={`viewport-overlay__marker viewport-overlay__marker--${side}`}
                data-testid={`mpr-marker-${side}`}
              >
                {markers[side]}
              </div>
            ))
          : null}
      </div>
      {overlay}
    </div>
  );
}

/** Slab thickness in mm (0: thin plane), shared by the toolbar and the overlays. */
const slabListeners = new Set<(mm: number) => void>();
let slabMm = 0;
function useMprSlab(): number {
  const [mm, setMm] = useState(slabMm);
  useEffect(() => {
    slabListeners.add(setMm);
    return () => {
      slabListeners.delete(setMm);
    };
  }, []);
  return mm;
}
function publishSlab(mm: number): void {
  slabMm = mm;
  for (const listener of slabListeners) listener(mm);
}

export function MprGrid({ seriesInstanceUID, imageIds, planeOverlay, onEngine, onState }: MprGridProps) {
  const [elements, setElements] = useState<Partial<Record<MprPlane, HTMLDivElement>>>({});
  const [mpr, setMpr] = useState<MprEngine | null>(null);
  const [drawn, setDrawn] = useState<Record<MprPlane, boolean>>({
    axial: false,
    sagittal: false,
    coronal: false,
  });
  const setElementOf = useCallback(
    (plane: MprPlane, element: HTMLDivElement | null) =>
      setElements((current) =>
        current[plane] === (element ?? undefined) ? current : { ...current, [plane]: element ?? undefined },
      ),
    [],
  );

  const { axial, sagittal, coronal } = elements;
  useEffect(() => {
    if (!axial || !sagittal || !coronal) return;
    let current = true;
    const engine = createMprEngine({ axial, sagittal, coronal });
    const volumeId = volumeIdOf(seriesInstanceUID);
    // The engine is an external system created here; the planes render from it.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setMpr(engine);
    onEngine?.(engine);
    publishSlab(0);
    onState?.({ kind: 'loading', percent: 0 });
    // A plane counts as drawn at its first render once the volume is set on it.
    let volumeSet = false;
    const seen = new Set<MprPlane>();
    const listeners = MPR_PLANES.map((plane) => {
      const element = elements[plane]!;
      const onRendered = () => {
        if (!volumeSet || seen.has(plane) || !current) return;
        seen.add(plane);
        setDrawn((state) => ({ ...state, [plane]: true }));
        if (seen.size === MPR_PLANES.length) performance.mark('radlabel:mpr-drawn');
      };
      element.addEventListener(Enums.Events.IMAGE_RENDERED, onRendered);
      return () => element.removeEventListener(Enums.Events.IMAGE_RENDERED, onRendered);
    });
    let progress = 0;
    loadMprVolume(
      engine,
      volumeId,
      imageIds,
      (percent) => {
        if (percent === progress || !current) return;
        progress = percent;
        onState?.({ kind: 'loading', percent });
      },
      () => current,
      () => {
        volumeSet = true;
      },
    )
      .then(({ failed }) => {
        if (!current) return;
        performance.mark('radlabel:mpr-loaded');
        const { problem } = headerGeometry(imageIds);
        onState?.(problem ? { kind: 'unavailable', reason: problem } : { kind: 'ready', failed });
      })
      .catch((error: unknown) => {
        if (current) onState?.({ kind: 'failed', error: imageLoadError(error) });
      });
    return () => {
      current = false;
      for (const remove of listeners) remove();
      onEngine?.(null);
      setMpr(null);
      setDrawn({ axial: false, sagittal: false, coronal: false });
      releaseMprVolume(volumeId);
      engine.dispose();
    };
    // The elements object changes with each plane; the three elements are the dependencies.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [axial, sagittal, coronal, seriesInstanceUID, imageIds]);

  return (
    <div className="mpr-grid" data-testid="mpr-grid">
      {MPR_PLANES.map((plane) => (
        <PlanePane
          key={plane}
          plane={plane}
          mpr={mpr}
          setElement={setElementOf}
          drawn={drawn[plane]}
          overlay={mpr && drawn[plane] && planeOverlay ? planeOverlay(plane, mpr.viewport(plane)) : undefined}
        />
      ))}
    </div>
  );
}

const SLAB_CHOICES = [0, 5, 10, 20, 40];

export function MprScreen({ series }: { series: SeriesSummary }) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const close = useMprStore((state) => state.close);
  const images = useViewerStore((state) => state.images[series.seriesInstanceUID]);
  const [mpr, setMpr] = useState<MprEngine | null>(null);
  const [state, setState] = useState<LoadState>({ kind: 'loading', percent: 0 });
  const [leftTool, setLeftTool] = useState<MprLeftTool>('crosshairs');
  const slab = useMprSlab();

  useEffect(() => {
    if (mpr) mpr.setLeftTool(leftTool);
  }, [mpr, leftTool]);

  const chooseSlab = (mm: number) => {
    const value = Math.max(0, Math.min(200, Number.isFinite(mm) ? mm : 0));
    publishSlab(value);
    if (mpr) setSlab(mpr, value);
  };

  // Esc and M leave MPR; 1–4 window presets and R reset act on the three planes.
  useEffect(() => {
    const ignored = (event: KeyboardEvent): boolean => {
      if (useUiStore.getState().dialog !== null || event.ctrlKey || event.metaKey || event.altKey)
        return true;
      const target = event.target;
      if (target instanceof HTMLInputElement && target.type !== 'range' && target.type !== 'checkbox')
        return true;
      return target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement;
    };
    // Esc listens in the document's capture phase: after the window's capture listeners of what is
    // open on top (a toolbar popover closes first and stops the key), before the viewer's own Esc
    // (back to the worklist), which leaving MPR must come before.
    const onEscape = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || ignored(event)) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      close();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' || ignored(event)) return;
      if (!mpr) return;
      const preset = presetForKey(event.key);
      if (preset) setWindow(mpr, preset.width, preset.center);
      else if (event.key === 'r' || event.key === 'R') {
        resetMpr(mpr);
        publishSlab(0);
      } else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey, { capture: true });
    document.addEventListener('keydown', onEscape, { capture: true });
    return () => {
      window.removeEventListener('keydown', onKey, { capture: true });
      document.removeEventListener('keydown', onEscape, { capture: true });
    };
  }, [mpr, close]);

  const imageIds = images?.state === 'ready' ? images.imageIds : null;

  return (
    <div className="mpr" data-testid="mpr" data-state={state.kind}>
      <div className="mpr-toolbar" role="toolbar" aria-label={t('mpr.title')}>
        <span className="mpr-title">{t('mpr.title')}</span>
        <div className="toolbar-group" aria-label={t('mpr.leftButton')}>
          <span className="toolbar-label">{t('mpr.leftButton')}</span>
          {(['crosshairs', 'windowLevel'] as const).map((tool) => (
            <button
              key={tool}
              type="button"
              className={tool === leftTool ? 'tool-button tool-button--active' : 'tool-button'}
              data-testid={`mpr-tool-${tool}`}
              aria-pressed={tool === leftTool}
              onClick={() => setLeftTool(tool)}
            >
              {t(`mpr.tool.${tool}`)}
            </button>
          ))}
        </div>
        <WindowPresetGroup
          testIdPrefix="mpr-preset-"
          disabled={!mpr}
          onPick={(preset) => mpr && setWindow(mpr, preset.width, preset.center)}
        />
        <label className="toolbar-group mpr-slab" title={t('mpr.slabTitle')}>
          <span className="toolbar-label">{t('mpr.slab')}</span>
          <select
            data-testid="mpr-slab-choice"
            value={SLAB_CHOICES.includes(slab) ? String(slab) : 'custom'}
            disabled={!mpr}
            onChange={(event) => {
              if (event.target.value !== 'custom') chooseSlab(Number(event.target.value));
            }}
          >
            {SLAB_CHOICES.map((mm) => (
              <option key={mm} value={String(mm)}>
                {mm === 0 ? t('mpr.slabOff') : t('mpr.slabMm', { mm })}
              </option>
            ))}
            {SLAB_CHOICES.includes(slab) ? null : (
              <option value="custom">{t('mpr.slabMm', { mm: slab })}</option>
            )}
          </select>
          <input
            type="number"
            min={0}
            max={200}
            step={1}
            value={slab}
            disabled={!mpr}
            aria-label={t('mpr.slabCustom')}
            data-testid="mpr-slab"
            onChange={(event) => chooseSlab(Number(event.target.value))}
          />
        </label>
        <button
          type="button"
          className="tool-button"
          data-testid="mpr-reset"
          title="R"
          disabled={!mpr}
          onClick={() => {
            if (!mpr) return;
            resetMpr(mpr);
            publishSlab(0);
          }}
        >
          {t('viewer.reset')}
        </button>
        <span className="spacer" />
        {state.kind === 'loading' ? (
          <div className="mpr-progress" data-testid="mpr-progress" data-percent={state.percent}>
            <span>{t('mpr.loading', { percent: state.percent })}</span>
            <progress max={100} value={state.percent} />
          </div>
        ) : null}
        {state.kind === 'ready' && state.failed > 0 ? (
          <span className="mpr-warning" data-testid="mpr-failed">
            {t('mpr.someFailed', { count: state.failed })}
          </span>
        ) : null}
        <button type="button" className="tool-button" data-testid="mpr-close" title="Esc · M" onClick={close}>
          {t('mpr.close')}
        </button>
      </div>
      {state.kind === 'unavailable' ? (
        <div className="viewport-message viewport-message--error mpr-message" data-testid="mpr-unavailable">
          {t('mpr.unavailableAfterLoad', { reason: t(`mpr.unavailable.${state.reason}`) })}
        </div>
      ) : null}
      {state.kind === 'failed' ? (
        <div className="viewport-message viewport-message--error mpr-message" data-testid="mpr-error">
          {t('viewer.loadFailed', { message: errorMessage(state.error) })}
        </div>
      ) : null}
      {imageIds ? (
        <MprGrid
          seriesInstanceUID={series.seriesInstanceUID}
          imageIds={imageIds}
          onEngine={(engine) => {
            setMpr(engine);
            useMprStore.getState().setEngine(engine);
          }}
          onState={setState}
        />
      ) : (
        <div className="viewport-message">{t('viewer.loading')}</div>
      )}
    </div>
  );
}

/**
 * The series shown in MPR, if it is open and belongs to the open study (or its prior). MPR closes
 * when the viewer does.
 */
export function useMprSeries(): SeriesSummary | null {
  const uid = useMprStore((state) => state.seriesInstanceUID);
  const detail = useViewerStore((state) => state.detail);
  const comparison = useViewerStore((state) => state.comparison);
  useEffect(() => () => useMprStore.getState().close(), []);
  return findSeries({ detail, comparison }, uid)?.series ?? null;
}
