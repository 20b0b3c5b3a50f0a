/**
 * The deface view: the series' mid-sagittal, axial (at the nose tip) and coronal (at the cut)
 * planes, reformatted by main, with the cutting surface drawn on each (red line, the part that
 * becomes air tinted). The reader drags the two handles on the sagittal plane, or the line on
 * the axial plane to move the cut forwards or backwards, and applies: main remembers the cut for
 * the series and the export writes it defaced.
 */
import { type PointerEvent as ReactPointerEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DefaceCutView, DefacePlane, DefaceView } from '../../../../shared/deface-contract.js';
import { Dialog } from '../../components/Dialog.js';
import { useErrorMessage } from '../../components/useErrorMessage.js';
import { host } from '../../host/index.js';
import { cutLine, cutYAt, type PlaneName, shiftCut, toPixel } from './geometry.js';
import { useDefaceStrings } from './i18n.js';
import './deface.css';

const DISPLAY_HEIGHT = 260;

/** Patient-direction letters at the low and high end of a plane axis (LPS: +x left, +y posterior, +z head). */
const LETTERS = { x: ['R', 'L'], y: ['A', 'P'], z: ['I', 'S'] } as const;

function axisLetters(axis: 'x' | 'y' | 'z', step: number): [string, string] {
  const [low, high] = LETTERS[axis];
  return step > 0 ? [low, high] : [high, low];
}

function PlaneCanvas({ plane }: { plane: DefacePlane }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const context = canvas?.getContext('2d');
    if (!canvas || !context) return;
    const grey = Uint8Array.from(atob(plane.pixels), (character) => character.charCodeAt(0));
    const image = context.createImageData(plane.width, plane.height);
    for (let index = 0; index < grey.length; index += 1) {
      image.data[4 * index] = grey[index]!;
      image.data[4 * index + 1] = grey[index]!;
      image.data[4 * index + 2] = grey[index]!;
      image.data[4 * index + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  }, [plane]);
  return <canvas ref={ref} width={plane.width} height={plane.height} className="deface-plane__image" />;
}

interface PlaneProps {
  name: PlaneName;
  plane: DefacePlane;
  cut: DefaceCutView;
  onCut(cut: DefaceCutView): void;
}

function PlaneView({ name, plane, cut, onCut }: PlaneProps) {
  useDefaceStrings();
  const { t } = useTranslation();
  const svg = useRef<SVGSVGElement>(null);
  const [dragging, setDragging] = useState<'superior' | 'inferior' | 'line' | null>(null);
  const widthMm = plane.width * Math.abs(plane.du);
  const heightMm = plane.height * Math.abs(plane.dv);
  const displayWidth = Math.round((DISPLAY_HEIGHT * widthMm) / heightMm);
  const line = cutLine(plane, cut, name);

  const planePoint = (event: ReactPointerEvent): { u: number; v: number } | null => {
    const rect = svg.current?.getBoundingClientRect();
    if (!rect) return null;
    const i = ((event.clientX - rect.left) / rect.width) * plane.width;
    const j = ((event.clientY - rect.top) / rect.height) * plane.height;
    return { u: plane.u0 + i * plane.du, v: plane.v0 + j * plane.dv };
  };
  const onMove = (event: ReactPointerEvent) => {
    if (!dragging) return;
    const point = planePoint(event);
    if (!point) return;
    if (name === 'sagittal' && dragging !== 'line') {
      const moved = [cut[dragging][0], point.u, point.v] as [number, number, number];
      const other = dragging === 'superior' ? cut.inferior : cut.superior;
      if (Math.abs(moved[2] - other[2]) < 5) return;
      onCut({ ...cut, [dragging]: moved });
    } else if (name === 'axial' && dragging === 'line') {
      onCut(shiftCut(cut, point.v - cutYAt(cut, plane.at)));
    }
  };
  // The tinted part: from the line to the plane's anterior edge.
  const anteriorLeft = plane.u === 'y' ? plane.du > 0 : false;
  const anteriorTop = plane.v === 'y' ? plane.dv > 0 : false;
  let tint: string | null = null;
  if (line && name === 'sagittal') {
    const edge = anteriorLeft ? 0 : plane.width;
    tint = `${line[0].i},${line[0].j} ${line[1].i},${line[1].j} ${edge},${line[1].j} ${edge},${line[0].j}`;
  } else if (line && name === 'axial') {
    const edge = anteriorTop ? 0 : plane.height;
    tint = `0,${line[0].j} ${plane.width},${line[0].j} ${plane.width},${edge} 0,${edge}`;
  } else if (line && name === 'coronal') {
    // Removed where the cut lies behind this coronal plane: check one row past the line.
    const below = plane.v0 + (line[0].j + 1) * plane.dv;
    const edge = cutYAt(cut, below) > plane.at ? plane.height : 0;
    tint = `0,${line[0].j} ${plane.width},${line[0].j} ${plane.width},${edge} 0,${edge}`;
  }
  const handle = (which: 'superior' | 'inferior') => {
    const pixel = toPixel(plane, cut[which]);
    return (
      <circle
        key={which}
        data-testid={`deface-handle-${which}`}
        className="deface-plane__handle"
        cx={pixel.i}
        cy={pixel.j}
        r={Math.max(plane.width, plane.height) / 40}
        onPointerDown={(event) => {
          (event.target as Element).setPointerCapture(event.pointerId);
          setDragging(which);
        }}
      />
    );
  };
  return (
    <figure className="deface-plane" data-testid={`deface-plane-${name}`}>
      <div className="deface-plane__stack" style={{ width: displayWidth, height: DISPLAY_HEIGHT }}>
        <PlaneCanvas plane={plane} />
        <svg
          ref={svg}
          className="deface-plane__overlay"
          viewBox={`0 0 ${plane.width} ${plane.height}`}
          preserveAspectRatio="none"
          onPointerMove={onMove}
          onPointerUp={() => setDragging(null)}
          onPointerCancel={() => setDragging(null)}
        >
          {tint ? <polygon className="deface-plane__tint" points={tint} /> : null}
          {line ? (
            <line
              data-testid={`deface-line-${name}`}
              className={
                name === 'axial' ? 'deface-plane__line deface-plane__line--drag' : 'deface-plane__line'
              }
              x1={line[0].i}
              y1={line[0].j}
              x2={line[1].i}
              y2={line[1].j}
              data-j={((line[0].j + line[1].j) / 2).toFixed(2)}
              vectorEffect="non-scaling-stroke"
              onPointerDown={(event) => {
                if (name !== 'axial') return;
                (event.target as Element).setPointerCapture(event.pointerId);
                setDragging('line');
              }}
            />
          ) : null}
          {name === 'sagittal' ? [handle('superior'), handle('inferior')] : null}
        </svg>
        <span
          className="deface-plane__letter viewport-overlay__marker--left"
          data-testid="deface-letter-left"
        >
          {axisLetters(plane.u, plane.du)[0]}
        </span>
        <span
          className="deface-plane__letter viewport-overlay__marker--right"
          data-testid="deface-letter-right"
        >
          {axisLetters(plane.u, plane.du)[1]}
        </span>
        <span className="deface-plane__letter viewport-overlay__marker--top" data-testid="deface-letter-top">
          {axisLetters(plane.v, plane.dv)[0]}
        </span>
        <span
          className="deface-plane__letter viewport-overlay__marker--bottom"
          data-testid="deface-letter-bottom"
        >
          {axisLetters(plane.v, plane.dv)[1]}
        </span>
      </div>
      <figcaption>{t(`deface.${name}`)}</figcaption>
    </figure>
  );
}

export function DefaceScreen({
  studyInstanceUID,
  seriesInstanceUID,
  onClose,
}: {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  onClose(applied: boolean): void;
}) {
  useDefaceStrings();
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const [view, setView] = useState<DefaceView | null>(null);
  const [cut, setCut] = useState<DefaceCutView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    let live = true;
    host.api
      .call('deid.defaceView', { studyInstanceUID, seriesInstanceUID })
      .then((answer) => {
        if (!live) return;
        setView(answer);
        setCut(answer.cut);
      })
      .catch((caught: unknown) => live && setError(caught));
    return () => {
      live = false;
    };
  }, [studyInstanceUID, seriesInstanceUID]);

  const apply = async () => {
    if (!cut) return;
    setSaving(true);
    try {
      await host.api.call('deid.defaceAccept', { studyInstanceUID, seriesInstanceUID, cut });
      onClose(true);
    } catch (caught) {
      setError(caught);
      setSaving(false);
    }
  };

  return (
    <Dialog
      title={t('deface.title')}
      testId="deface-screen"
      wide
      onClose={() => onClose(false)}
      footer={
        <>
          <button type="button" className="button" data-testid="deface-cancel" onClick={() => onClose(false)}>
            {t('deface.cancel')}
          </button>
          {view?.automaticCut ? (
            <button
              type="button"
              className="button"
              data-testid="deface-reset"
              onClick={() => view.automaticCut && setCut(view.automaticCut)}
            >
              {t('deface.reset')}
            </button>
          ) : null}
          <button
            type="button"
            className="button button--primary"
            data-testid="deface-apply"
            disabled={!cut || saving}
            onClick={() => void apply()}
          >
            {t('deface.apply')}
          </button>
        </>
      }
    >
      {error ? <p className="error-text">{errorMessage(error)}</p> : null}
      {!view && !error ? <p className="hint">{t('deface.loading')}</p> : null}
      {view && cut ? (
        <div
          className="deface-screen"
          data-testid="deface-planes"
          data-superior={cut.superior.join(',')}
          data-inferior={cut.inferior.join(',')}
        >
          <p className="hint">{t('deface.help')}</p>
          <p className="hint">
            {view.automaticCut ? t('deface.automatic') : t('deface.noAutomatic')}{' '}
            {t('deface.surfaceTime', { ms: Math.round(view.surfaceMs) })}
          </p>
          <div className="deface-screen__planes">
            <PlaneView name="sagittal" plane={view.planes.sagittal} cut={cut} onCut={setCut} />
            <PlaneView name="axial" plane={view.planes.axial} cut={cut} onCut={setCut} />
            <PlaneView name="coronal" plane={view.planes.coronal} cut={cut} onCut={setCut} />
          </div>
        </div>
      ) : null}
    </Dialog>
  );
}
