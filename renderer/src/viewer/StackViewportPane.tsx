/**
 * One layout slot: a Cornerstone stack viewport with its overlay and slider. The viewport is
 * enabled once per slot; a new series only swaps the stack. Right after the first image is on
 * screen the whole stack is prefetched, ahead of the reader in the direction of scrolling first
 * (imaging/scrollPrefetch.ts), so scrolling soon reads from cache.
 */
import { Enums, type StackViewport } from '@cornerstonejs/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SeriesSummary, StudySummary } from '../../../shared/contract.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { imageLoadError } from './load-error.js';
import {
  PREFETCH_IN_FLIGHT,
  RENDERING_ENGINE_ID,
  initImaging,
  renderingChoice,
} from '../imaging/initImaging.js';
import { attachDisplayCanvas } from '../imaging/displayCanvas.js';
import { resizeKeepingZoom } from '../imaging/imageHandling.js';
import { startScrollPrefetch } from '../imaging/scrollPrefetch.js';
import { stackToolGroup } from '../imaging/stackToolGroup.js';
import { playCine, stopCine } from '../imaging/viewportCommands.js';
import { orderedForReading, useReadingStore } from '../stores/useReadingStore.js';
import { type SeriesImages, useViewerStore } from '../stores/useViewerStore.js';
import { applyStartWindow, startIndexOf } from '../session/startView.js';
import { ImageSlider } from './ImageSlider.js';
import { ViewportOverlay } from './ViewportOverlay.js';
import { registerViewport } from './viewportRegistry.js';
import { reportViewportSettled } from './firstDraw.js';
import { useViewportReadout } from './useViewportReadout.js';
import { PRESS_AT_ONCE } from './pressAtOnce.js';
import { useSegmentationStore } from '../annotation/segmentation/useSegmentationStore.js';

interface StackViewportPaneProps {
  slot: number;
  study: StudySummary;
  series: SeriesSummary | null;
}

const viewportIdOf = (slot: number): string => `slot-${slot}`;

type PaneState =
  | { kind: 'empty' }
  | { kind: 'no-images' }
  | { kind: 'loading' }
  | { kind: 'ready' }
  | { kind: 'failed'; error: unknown };

/** Outcome of the last `setStack`, remembered with the image ids it was for. */
type StackResult = { imageIds: string[]; ok: true } | { imageIds: string[]; ok: false; error: unknown };

function paneStateOf(
  series: SeriesSummary | null,
  images: SeriesImages | undefined,
  stack: StackResult | null,
): PaneState {
  if (!series) return { kind: 'empty' };
  if (!images || images.state === 'loading') return { kind: 'loading' };
  if (images.state === 'failed') return { kind: 'failed', error: images.error };
  if (images.state === 'no-images') return { kind: 'no-images' };
  if (stack?.imageIds !== images.imageIds) return { kind: 'loading' };
  return stack.ok ? { kind: 'ready' } : { kind: 'failed', error: stack.error };
}

/**
 * The overlay and the slider, which change with every image: React renders them once (and on
 * configuration changes); the readout's events write their per-image text and position.
 */
function ReadoutLayer({
  slot,
  element,
  study,
  series,
}: {
  slot: number;
  element: HTMLDivElement;
  study: StudySummary;
  series: SeriesSummary;
}) {
  const readout = useViewportReadout(element);
  return (
    <>
      <ViewportOverlay study={study} series={series} readout={readout} />
      <ImageSlider slot={slot} readout={readout} />
    </>
  );
}

export function StackViewportPane({ slot, study, series }: StackViewportPaneProps) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const [element, setElement] = useState<HTMLDivElement | null>(null);
  const [stack, setStack] = useState<StackResult | null>(null);
  const active = useViewerStore((store) => store.activeViewport === slot);
  const setActive = useViewerStore((store) => store.setActiveViewport);
  const images = useViewerStore((store) => (series ? store.images[series.seriesInstanceUID] : undefined));
  const cinePlaying = useViewerStore((store) => store.cineViewport === slot);
  const cineFps = useViewerStore((store) => store.cineFps);
  const labelmapTool = useSegmentationStore((store) => store.tool !== null);
  const state = paneStateOf(series, images, stack);

  // Enable the slot's viewport for the lifetime of the pane.
  useEffect(() => {
    if (!element) return;
    const { engine } = initImaging();
    const viewportId = viewportIdOf(slot);
    engine.enableElement({
      viewportId,
      type: Enums.ViewportType.STACK,
      element,
      defaultOptions: { background: [0, 0, 0] },
    });
    const toolGroup = stackToolGroup();
    toolGroup.addViewport(viewportId, RENDERING_ENGINE_ID);
    const enabled = engine.getViewport(viewportId) as StackViewport;
    const unregister = registerViewport(slot, { viewport: enabled, element });
    // enableElement sized the canvas from the element (its layout is up to date now). The
    // observer's first report comes in the first frame, right after the first image is drawn, and
    // a resize there fitted the viewport again and drew that image a second time in the next
    // frame (vfirst, session 20): only a size that changed since is acted on.
    const box = element.getBoundingClientRect();
    let size = `${box.width}x${box.height}`;
    const resizeObserver = new ResizeObserver((entries) => {
      const rect = entries.at(-1)?.contentRect;
      const now = rect ? `${rect.width}x${rect.height}` : '';
      if (now === size) return;
      size = now;
      resizeKeepingZoom(engine);
    });
    resizeObserver.observe(element);
    return () => {
      resizeObserver.disconnect();
      stopCine(element);
      unregister();
      toolGroup.removeViewports(RENDERING_ENGINE_ID, viewportId);
      engine.disableElement(viewportId);
    };
  }, [slot, element]);

  // vdisplay: the CPU image shown at its natural size and scaled by the compositor
  // (imaging/displayCanvas.ts), for the lifetime of the slot's viewport (enabled just above).
  useEffect(() => {
    if (!element) return;
    const viewport = initImaging().engine.getViewport(viewportIdOf(slot)) as StackViewport | undefined;
    return viewport ? attachDisplayCanvas(viewport) : undefined;
  }, [slot, element]);

  // Show the series' images once their ids are known.
  const imageIds = images?.state === 'ready' ? images.imageIds : null;
  const reverseStacks = useReadingStore((store) => store.reverseStacks);
  const seriesUID = series?.seriesInstanceUID ?? null;
  useEffect(() => {
    if (!element || !imageIds || !seriesUID) return;
    // Enabled by the effect above, which runs first on the same commit.
    const viewport = initImaging().engine.getViewport(viewportIdOf(slot)) as StackViewport | undefined;
    if (!viewport) return;
    let current = true;
    let stopPrefetch = (): void => undefined;
    let frame = 0;
    let prefetchTimer = 0;
    // Where this viewport starts (hanging protocol, restored session): image and window.
    const start = useViewerStore.getState().startViewFor(slot, seriesUID);
    const ordered = orderedForReading(imageIds, reverseStacks);
    viewport
      .setStack(ordered, startIndexOf(start, ordered))
      .then(() => {
        if (!current) return;
        applyStartWindow(viewport, start);
        if (start) useViewerStore.getState().clearStartView(slot, start);
        viewport.render();
        // Cornerstone draws in the next animation frame's first callback; everything else waits
        // for that draw: this callback runs after it in the same frame and marks the pane ready
        // (its overlay and slider render then), the rest of the stack starts loading in a task
        // after the frame, and so do the viewer's deferred parts (firstDraw.ts). Neither React nor
        // the prefetch's requests and answers compete with the first draw for the main thread.
        frame = window.requestAnimationFrame(() => {
          if (!current) return;
          setStack({ imageIds, ok: true });
          if (imageIds.length > 1) {
            prefetchTimer = window.setTimeout(() => {
              if (current) stopPrefetch = startScrollPrefetch(viewport, PREFETCH_IN_FLIGHT);
            }, 0);
          }
          reportViewportSettled();
        });
      })
      .catch((error: unknown) => {
        if (current) setStack({ imageIds, ok: false, error: imageLoadError(error) });
      });
    return () => {
      current = false;
      window.cancelAnimationFrame(frame);
      window.clearTimeout(prefetchTimer);
      stopPrefetch();
    };
  }, [slot, element, imageIds, reverseStacks, seriesUID]);

  // The rest of the viewer screen mounts once a viewport has settled (firstDraw.ts): a ready one
  // reports from the frame that draws its image (above), and again here.
  const settled = state.kind !== 'loading';
  useEffect(() => {
    if (!settled) return;
    const frame = window.requestAnimationFrame(reportViewportSettled);
    return () => window.cancelAnimationFrame(frame);
  }, [settled]);

  const ready = state.kind === 'ready';
  useEffect(() => {
    if (!element || !ready) return;
    if (cinePlaying) playCine(element, cineFps);
    else stopCine(element);
  }, [element, cinePlaying, cineFps, ready]);
  // Stopped in the same task as the key or click that stops it, not after React's next render,
  // when the cine could have stepped once more.
  useEffect(() => {
    if (!element) return;
    return useViewerStore.subscribe((now, before) => {
      if (before.cineViewport === slot && now.cineViewport !== slot) stopCine(element);
    });
  }, [element, slot]);

  return (
    <div
      className={active ? 'viewport-pane viewport-pane--active' : 'viewport-pane'}
      data-testid={`viewport-${slot}`}
      data-state={state.kind}
      data-rendering={renderingChoice().mode}
      onPointerDown={() => setActive(slot)}
      onContextMenu={(event) => event.preventDefault()}
    >
      <div
        ref={setElement}
        className="viewport-element"
        data-testid={`viewport-element-${slot}`}
        // A labelmap tool on the left button hears of a press at once, not after Cornerstone's
        // 400 ms double-click wait (pressAtOnce.ts, renderer/vite-plugins/press-at-once.ts).
        data-cornerstone-press={labelmapTool ? PRESS_AT_ONCE.value : undefined}
      />
      {state.kind === 'ready' && series && element ? (
        <ReadoutLayer slot={slot} element={element} study={study} series={series} />
      ) : null}
      {state.kind === 'empty' ? <div className="viewport-message">{t('viewer.emptyViewport')}</div> : null}
      {state.kind === 'no-images' ? <div className="viewport-message">{t('viewer.noImages')}</div> : null}
      {state.kind === 'loading' ? <div className="viewport-message">{t('viewer.loading')}</div> : null}
      {state.kind === 'failed' ? (
        <div className="viewport-message viewport-message--error" data-testid="viewport-error">
          {t('viewer.loadFailed', { message: errorMessage(state.error) })}
        </div>
      ) : null}
    </div>
  );
}
