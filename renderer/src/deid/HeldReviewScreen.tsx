/**
 * The review of images an export held for burned-in text: each held image as stored (rendered
 * by Cornerstone from the catalog), the reason, boxes where OCR found text (the export's reading,
 * or read when the image is first reviewed) and where saved rules mask; the reader drags regions
 * over the text, resizes them by their corner and edge handles or with the arrow keys (Alt: the
 * size, Shift: ten pixels), previews them as black boxes over the image, then releases the image (main saves the regions as a pixel rule for the device and image size
 * and writes the image masked into the export) or excludes it.
 */
import { Enums, type StackViewport, utilities, type Types } from '@cornerstonejs/core';
import { type PointerEvent as ReactPointerEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeidHeldObject, DeidPixelRect } from '../../../shared/contract.js';
import { Dialog } from '../components/Dialog.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { host } from '../host/index.js';
import { resizeKeepingZoom } from '../imaging/imageHandling.js';
import { initImaging } from '../imaging/initImaging.js';
import { heldReasonText } from './engineText.js';
import { editRegion, handlePoint, nudgeRegion, RESIZE_HANDLES, type RegionHandle } from './regionEdit.js';
import './deid-review.css';

const VIEWPORT_ID = 'deid-held-review';

interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
}

type Outcome =
  | { kind: 'busy' }
  | { kind: 'released'; rule: string }
  | { kind: 'still-held'; reasons: string }
  | { kind: 'excluded' }
  | { kind: 'failed'; message: string };

/** A rectangle from two corners in image pixels, clamped to the image. */
function rectBetween(a: [number, number], b: [number, number], columns: number, rows: number): DeidPixelRect {
  const clamp = (value: number, max: number) => Math.min(max, Math.max(0, value));
  const x0 = Math.floor(clamp(Math.min(a[0], b[0]), columns));
  const y0 = Math.floor(clamp(Math.min(a[1], b[1]), rows));
  const x1 = Math.ceil(clamp(Math.max(a[0], b[0]), columns));
  const y1 = Math.ceil(clamp(Math.max(a[1], b[1]), rows));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Where the image lies on the viewport's canvas (CSS pixels), from its corners. */
function imageFrame(viewport: StackViewport, columns: number, rows: number): Frame | null {
  const imageId = viewport.getCurrentImageId();
  if (!imageId) return null;
  // Cornerstone draws pixel (i, j) centred on imageToWorldCoords(i + 1/2, j + 1/2) (its image
  // coordinates are offset by half a pixel from the image's corner, measured on the canvas).
  const corner = (x: number, y: number) =>
    viewport.worldToCanvas(utilities.imageToWorldCoords(imageId, [x + 0.5, y + 0.5]) as Types.Point3);
  const a = corner(0, 0);
  const b = corner(columns, rows);
  return {
    left: Math.min(a[0], b[0]),
    top: Math.min(a[1], b[1]),
    width: Math.abs(b[0] - a[0]),
    height: Math.abs(b[1] - a[1]),
  };
}

export function HeldReviewScreen({
  studyInstanceUID,
  onClose,
}: {
  studyInstanceUID: string;
  onClose(): void;
}) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const [objects, setObjects] = useState<DeidHeldObject[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [selected, setSelected] = useState(0);
  const [regions, setRegions] = useState<Record<string, DeidPixelRect[]>>({});
  const [preview, setPreview] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [element, setElement] = useState<HTMLDivElement | null>(null);
  const [placed, setPlaced] = useState<{ sop: string; frame: Frame | null } | null>(null);
  const [drag, setDrag] = useState<
    | { kind: 'draw'; from: [number, number]; to: [number, number] }
    | { kind: 'edit'; index: number; handle: RegionHandle; from: [number, number]; start: DeidPixelRect }
    | null
  >(null);
  /** The region the handles and the arrow keys act on. */
  const [active, setActive] = useState<number | null>(null);
  /** Where OCR found text, per image: asked of main when the image is shown (read once, then kept). */
  const [found, setFound] = useState<Record<string, DeidPixelRect[] | 'failed'>>({});

  const load = useCallback(() => {
    host.api.call('deid.heldObjects', { studyInstanceUID }).then(setObjects, setLoadError);
  }, [studyInstanceUID]);
  useEffect(load, [load]);

  const current = objects?.[selected] ?? null;
  const currentFound = current ? found[current.sopInstanceUID] : undefined;
  const textBoxes = Array.isArray(currentFound) ? currentFound : (current?.ocrBoxes ?? []);
  const currentRegions = current ? (regions[current.sopInstanceUID] ?? null) : null;
  // Until the reader draws, the proposal is what a saved rule and OCR already mark.
  const shownRegions = current ? (currentRegions ?? [...current.ruleRegions, ...textBoxes]) : [];
  const setCurrentRegions = (next: DeidPixelRect[]) => {
    if (current) setRegions((all) => ({ ...all, [current.sopInstanceUID]: next }));
  };

  // The text boxes of the image shown: main answers from the export's reading or reads it now.
  const shownSop = current?.sopInstanceUID ?? null;
  const askedFound = shownSop ? found[shownSop] : undefined;
  const asked = useRef(new Set<string>());
  useEffect(() => {
    if (!shownSop || askedFound !== undefined || asked.current.has(shownSop)) return;
    asked.current.add(shownSop);
    host.api.call('deid.heldTextBoxes', { studyInstanceUID, sopInstanceUID: shownSop }).then(
      ({ boxes }) => setFound((all) => ({ ...all, [shownSop]: boxes })),
      () => setFound((all) => ({ ...all, [shownSop]: 'failed' })),
    );
  }, [shownSop, askedFound, studyInstanceUID]);

  // One stack viewport for the screen's lifetime; no tools: the mouse draws regions.
  useEffect(() => {
    if (!element) return;
    const { engine } = initImaging();
    engine.enableElement({
      viewportId: VIEWPORT_ID,
      type: Enums.ViewportType.STACK,
      element,
      defaultOptions: { background: [0, 0, 0] },
    });
    const resizeObserver = new ResizeObserver(() => resizeKeepingZoom(engine));
    resizeObserver.observe(element);
    return () => {
      resizeObserver.disconnect();
      engine.disableElement(VIEWPORT_ID);
    };
  }, [element]);

  const sop = current?.sopInstanceUID ?? null;
  const columns = current?.columns ?? 0;
  const rows = current?.rows ?? 0;
  useEffect(() => {
    if (!element || !sop) return;
    const { engine } = initImaging();
    const viewport = engine.getViewport(VIEWPORT_ID) as StackViewport | undefined;
    if (!viewport) return;
    let live = true;
    const place = () => live && setPlaced({ sop, frame: imageFrame(viewport, columns, rows) });
    element.addEventListener(Enums.Events.IMAGE_RENDERED, place);
    element.addEventListener(Enums.Events.CAMERA_MODIFIED, place);
    viewport.setStack([host.imageIdFor(sop)], 0).then(
      () => viewport.render(),
      (error: unknown) => live && setOutcome({ kind: 'failed', message: errorMessage(error) }),
    );
    return () => {
      live = false;
      element.removeEventListener(Enums.Events.IMAGE_RENDERED, place);
      element.removeEventListener(Enums.Events.CAMERA_MODIFIED, place);
    };
  }, [element, sop, columns, rows, errorMessage]);

  // Drawing starts anywhere on the stage (a bar along an edge starts outside the image); points
  // are clamped to the image.
  const [overlayElement, setOverlayElement] = useState<SVGSVGElement | null>(null);
  const toImagePoint = (clientX: number, clientY: number): [number, number] => {
    if (!overlayElement) return [0, 0];
    const box = overlayElement.getBoundingClientRect();
    return [((clientX - box.left) / box.width) * columns, ((clientY - box.top) / box.height) * rows];
  };
  const toImage = (event: ReactPointerEvent<Element>) => toImagePoint(event.clientX, event.clientY);

  const pending = current?.status === 'held' && outcome?.kind !== 'busy';
  const release = async () => {
    if (!current || shownRegions.length === 0) return;
    setOutcome({ kind: 'busy' });
    try {
      const result = await host.api.call('deid.releaseHeld', {
        studyInstanceUID,
        sopInstanceUID: current.sopInstanceUID,
        regions: shownRegions,
      });
      setOutcome(
        result.status === 'released'
          ? { kind: 'released', rule: result.ruleName }
          : {
              kind: 'still-held',
              reasons: result.reasons
                .map((reason, index) => heldReasonText(t, result.reasonCodes[index], reason))
                .join('; '),
            },
      );
    } catch (error) {
      setOutcome({ kind: 'failed', message: errorMessage(error) });
    }
    load();
  };
  const exclude = async () => {
    if (!current) return;
    setOutcome({ kind: 'busy' });
    try {
      await host.api.call('deid.excludeHeld', { studyInstanceUID, sopInstanceUID: current.sopInstanceUID });
      setOutcome({ kind: 'excluded' });
    } catch (error) {
      setOutcome({ kind: 'failed', message: errorMessage(error) });
    }
    load();
  };

  const frame = placed && placed.sop === sop ? placed.frame : null;
  const drawing = drag?.kind === 'draw' ? rectBetween(drag.from, drag.to, columns, rows) : null;
  const stroke = Math.max(1, Math.max(columns, rows) / 300);
  // Handles about ten screen pixels wide, whatever the image's size on screen.
  const handleSize = frame && frame.width > 0 ? (10 * columns) / frame.width : stroke * 4;
  const activeRegion = active !== null && pending ? (shownRegions[active] ?? null) : null;
  const startEdit = (event: ReactPointerEvent<SVGElement>, index: number, handle: RegionHandle) => {
    if (!pending || event.button !== 0) return;
    event.stopPropagation();
    event.currentTarget.setPointerCapture(event.pointerId);
    setActive(index);
    const point = toImagePoint(event.clientX, event.clientY);
    setDrag({ kind: 'edit', index, handle, from: point, start: shownRegions[index]! });
  };

  return (
    <Dialog
      title={t('deid.review.title')}
      testId="deid-held-review"
      wide
      onClose={onClose}
      footer={
        <button type="button" className="button" data-testid="held-review-close" onClick={onClose}>
          {t('deid.review.close')}
        </button>
      }
    >
      <p className="hint">{t('deid.review.note')}</p>
      {loadError ? <p className="error-text">{errorMessage(loadError)}</p> : null}
      {objects && objects.length === 0 ? <p className="hint">{t('deid.review.none')}</p> : null}
      <div className="held-review">
        <ul className="held-review__list" data-testid="held-review-list">
          {(objects ?? []).map((object, index) => (
            <li key={object.sopInstanceUID}>
              <button
                type="button"
                className={
                  index === selected ? 'held-review__item held-review__item--active' : 'held-review__item'
                }
                data-testid="held-review-item"
                data-status={object.status}
                aria-pressed={index === selected}
                onClick={() => {
                  setSelected(index);
                  setOutcome(null);
                  setPreview(false);
                  setActive(null);
                }}
              >
                <span className="held-review__item-name">
                  {object.modality || '—'} {object.columns}×{object.rows}
                </span>
                <span className={`held-review__badge held-review__badge--${object.status}`}>
                  {t(`deid.review.status.${object.status}`)}
                </span>
              </button>
            </li>
          ))}
        </ul>
        <div className="held-review__main">
          <div
            className={pending ? 'held-review__stage held-review__stage--draw' : 'held-review__stage'}
            data-testid="held-review-stage"
            tabIndex={0}
            onPointerDown={(event) => {
              if (!pending || !overlayElement || event.button !== 0) return;
              event.currentTarget.setPointerCapture(event.pointerId);
              const point = toImage(event);
              setActive(null);
              setDrag({ kind: 'draw', from: point, to: point });
            }}
            onPointerMove={(event) => {
              if (!drag) return;
              if (drag.kind === 'draw') {
                setDrag({ ...drag, to: toImage(event) });
                return;
              }
              const [x, y] = toImage(event);
              const next = editRegion(
                drag.start,
                drag.handle,
                x - drag.from[0],
                y - drag.from[1],
                columns,
                rows,
              );
              setCurrentRegions(shownRegions.map((region, index) => (index === drag.index ? next : region)));
            }}
            onPointerUp={(event) => {
              if (!drag) return;
              setDrag(null);
              if (drag.kind !== 'draw') return;
              const rect = rectBetween(drag.from, toImage(event), columns, rows);
              if (rect.width >= 1 && rect.height >= 1) {
                setCurrentRegions([...shownRegions, rect]);
                setActive(shownRegions.length);
              }
            }}
            onKeyDown={(event) => {
              if (!activeRegion || active === null) return;
              if (event.key === 'Delete' || event.key === 'Backspace') {
                event.preventDefault();
                setCurrentRegions(shownRegions.filter((_, index) => index !== active));
                setActive(null);
                return;
              }
              const next = nudgeRegion(
                activeRegion,
                event.key,
                { shift: event.shiftKey, alt: event.altKey },
                columns,
                rows,
              );
              if (!next) return;
              event.preventDefault();
              event.stopPropagation();
              setCurrentRegions(shownRegions.map((region, index) => (index === active ? next : region)));
            }}
          >
            <div className="held-review__image" ref={setElement} data-testid="held-review-image" />
            {current && frame ? (
              <svg
                className="held-review__overlay"
                data-testid="held-review-overlay"
                data-columns={columns}
                data-rows={rows}
                style={{ left: frame.left, top: frame.top, width: frame.width, height: frame.height }}
                viewBox={`0 0 ${columns} ${rows}`}
                preserveAspectRatio="none"
                ref={setOverlayElement}
              >
                {textBoxes.map((box, index) => (
                  <rect
                    key={`ocr-${index}`}
                    className="held-review__ocr"
                    data-testid="held-review-ocr-box"
                    x={box.x}
                    y={box.y}
                    width={box.width}
                    height={box.height}
                    strokeWidth={stroke}
                  />
                ))}
                {shownRegions.map((region, index) => (
                  <rect
                    key={`region-${index}`}
                    className={[
                      'held-review__region',
                      preview ? 'held-review__region--masked' : '',
                      index === active && pending ? 'held-review__region--active' : '',
                      pending ? 'held-review__region--editable' : '',
                    ]
                      .filter(Boolean)
                      .join(' ')}
                    data-testid="held-review-region"
                    data-active={index === active && pending ? 'true' : undefined}
                    onPointerDown={(event) => startEdit(event, index, 'move')}
                    data-x={region.x}
                    data-y={region.y}
                    data-width={region.width}
                    data-height={region.height}
                    x={region.x}
                    y={region.y}
                    width={region.width}
                    height={region.height}
                    strokeWidth={stroke}
                  />
                ))}
                {activeRegion && active !== null && !preview
                  ? RESIZE_HANDLES.map((handle) => {
                      const [x, y] = handlePoint(activeRegion, handle);
                      return (
                        <rect
                          key={`handle-${handle}`}
                          className={`held-review__handle held-review__handle--${handle}`}
                          data-testid="held-review-handle"
                          data-handle={handle}
                          x={x - handleSize / 2}
                          y={y - handleSize / 2}
                          width={handleSize}
                          height={handleSize}
                          onPointerDown={(event) => startEdit(event, active, handle)}
                        />
                      );
                    })
                  : null}
                {drawing ? (
                  <rect
                    className="held-review__drawing"
                    x={drawing.x}
                    y={drawing.y}
                    width={drawing.width}
                    height={drawing.height}
                    strokeWidth={stroke}
                  />
                ) : null}
              </svg>
            ) : null}
          </div>
          {current ? (
            <div className="held-review__side">
              <p className="held-review__device" data-testid="held-review-device">
                {t('deid.review.device', {
                  modality: current.modality || '—',
                  manufacturer: current.manufacturer || t('deid.review.unknownDevice'),
                  model: current.manufacturerModelName,
                  columns: current.columns,
                  rows: current.rows,
                })}
              </p>
              <h4 className="deid-report__heading">{t('deid.review.reasons')}</h4>
              <ul className="deid-report__list" data-testid="held-review-reasons">
                {current.reasons.map((reason, index) => (
                  <li key={index}>{heldReasonText(t, current.reasonCodes[index], reason)}</li>
                ))}
              </ul>
              <p className="hint held-review__legend">
                <span className="held-review__swatch held-review__swatch--ocr" /> {t('deid.review.ocrBoxes')}{' '}
                <span className="held-review__swatch held-review__swatch--region" />{' '}
                {t('deid.review.ruleRegions')}
              </p>
              <p className="hint">{t('deid.review.drawHint')}</p>
              <p className="hint">{t('deid.review.editHint')}</p>
              <p
                className="hint"
                data-testid="held-review-ocr-status"
                data-state={
                  currentFound === undefined ? 'reading' : currentFound === 'failed' ? 'failed' : 'done'
                }
              >
                {currentFound === undefined
                  ? t('deid.review.ocrReading')
                  : currentFound === 'failed'
                    ? t('deid.review.ocrFailed')
                    : t('deid.review.ocrFound', { count: textBoxes.length })}
              </p>
              <p data-testid="held-review-region-count">
                {t('deid.review.regions', { count: shownRegions.length })}
              </p>
              <ol className="held-review__regions">
                {shownRegions.map((region, index) => (
                  <li key={index}>
                    <code>
                      {region.x},{region.y} {region.width}×{region.height}
                    </code>{' '}
                    <button
                      type="button"
                      className="button button--ghost held-review__remove"
                      aria-label={t('deid.review.removeRegion', { index: index + 1 })}
                      title={t('deid.review.removeRegion', { index: index + 1 })}
                      disabled={!pending}
                      onClick={() => {
                        setCurrentRegions(shownRegions.filter((_, other) => other !== index));
                        setActive(null);
                      }}
                    >
                      ×
                    </button>
                  </li>
                ))}
              </ol>
              <div className="held-review__actions">
                <button
                  type="button"
                  className="button"
                  data-testid="held-review-clear"
                  disabled={!pending || shownRegions.length === 0}
                  onClick={() => {
                    setCurrentRegions([]);
                    setActive(null);
                  }}
                >
                  {t('deid.review.clearRegions')}
                </button>
                <button
                  type="button"
                  className="button"
                  data-testid="held-review-preview"
                  aria-pressed={preview}
                  disabled={shownRegions.length === 0}
                  onClick={() => setPreview(!preview)}
                >
                  {t('deid.review.preview')}
                </button>
                <button
                  type="button"
                  className="button button--primary"
                  data-testid="held-review-release"
                  disabled={!pending || shownRegions.length === 0}
                  onClick={() => void release()}
                >
                  {t('deid.review.release')}
                </button>
                <button
                  type="button"
                  className="button"
                  data-testid="held-review-exclude"
                  disabled={!pending}
                  onClick={() => void exclude()}
                >
                  {t('deid.review.exclude')}
                </button>
              </div>
              {outcome ? (
                <p
                  className={
                    outcome.kind === 'failed' || outcome.kind === 'still-held' ? 'error-text' : 'hint'
                  }
                  data-testid="held-review-outcome"
                  data-kind={outcome.kind}
                >
                  {outcome.kind === 'busy'
                    ? t('deid.review.releasing')
                    : outcome.kind === 'released'
                      ? t('deid.review.released', { rule: outcome.rule })
                      : outcome.kind === 'still-held'
                        ? t('deid.review.stillHeld', { reasons: outcome.reasons })
                        : outcome.kind === 'excluded'
                          ? t('deid.review.excluded')
                          : t('deid.review.failed', { message: outcome.message })}
                </p>
              ) : null}
            </div>
          ) : null}
        </div>
      </div>
    </Dialog>
  );
}
