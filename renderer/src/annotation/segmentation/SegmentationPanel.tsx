/**
 * The segmentation panel beside the viewports: labelmap tools, the segment list (visibility,
 * lock, colour, opacity; each segment made for a schema label of kind 'segment', chosen in the
 * measurement tools' label picker: type-ahead, 1–9, the last label preselected), undo/redo,
 * interpolation with its progress and cancel, and whether the voxels are saved.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useViewerStore } from '../../stores/useViewerStore.js';
import { redo, undo } from '../tools/history.js';
import { LabelChooser } from '../LabelPicker.js';
import { useSchema } from '../tools/storeLink.js';
import { cancelInterpolation, interpolateSegment } from './interpolate.js';
import {
  activateSegmentTool,
  addSegment,
  closeSegmentation,
  openSegmentation,
  reloadWithGpuRendering,
  selectSegment,
  setBrushSize,
  setThreshold,
  updateSegment,
  windowRange,
} from './segmentationSession.js';
import { SEGMENT_TOOLS, useSegmentationStore } from './useSegmentationStore.js';
import { ModelRunSection, RegionGrowOptions, SegmentationSourceBadge } from './ModelRunSection.js';
import './segmentation.css';

export function SegmentationToggle() {
  const { t } = useTranslation();
  const open = useSegmentationStore((state) => state.panelOpen);
  const toggle = useSegmentationStore((state) => state.togglePanel);
  return (
    <button
      type="button"
      className={open ? 'tool-button tool-button--active' : 'tool-button'}
      data-testid="segmentation-toggle"
      aria-pressed={open}
      title={t('segmentation.toggleTitle')}
      onClick={toggle}
    >
      {t('segmentation.toggle')}
    </button>
  );
}

/** Opens the active viewport's series while the panel is open; saves and closes it after. */
function useSegmentationOfActiveViewport(open: boolean) {
  const activeViewport = useViewerStore((state) => state.activeViewport);
  const series = useViewerStore((state) => state.assignments[state.activeViewport] ?? null);
  const ready = useViewerStore((state) => (series ? state.images[series]?.state === 'ready' : false));
  useEffect(() => {
    if (!open || !ready) return;
    let timer = 0;
    // The viewport's stack is set a moment after its image ids are known.
    const attempt = () => {
      void openSegmentation(activeViewport).then(() => {
        if (useSegmentationStore.getState().error === 'no-series') timer = window.setTimeout(attempt, 200);
      });
    };
    attempt();
    return () => window.clearTimeout(timer);
  }, [open, ready, activeViewport, series]);
  useEffect(() => {
    if (!open) void closeSegmentation();
  }, [open]);
  useEffect(() => () => void closeSegmentation(), []);
}

export function SegmentationPanel() {
  const { t, i18n } = useTranslation();
  const open = useSegmentationStore((state) => state.panelOpen);
  useSegmentationOfActiveViewport(open);
  const status = useSegmentationStore((state) => state.status);
  const error = useSegmentationStore((state) => state.error);
  const segments = useSegmentationStore((state) => state.segments);
  const activeSegment = useSegmentationStore((state) => state.activeSegment);
  const tool = useSegmentationStore((state) => state.tool);
  const brushSize = useSegmentationStore((state) => state.brushSize);
  const threshold = useSegmentationStore((state) => state.threshold);
  const save = useSegmentationStore((state) => state.save);
  const interpolation = useSegmentationStore((state) => state.interpolation);
  const schema = useSchema();
  const segmentLabels = schema.labels.filter((label) => label.kind === 'segment');
  const [labelId, setLabelId] = useState('');
  const [picking, setPicking] = useState(false);
  const chosenLabel = segmentLabels.find((label) => label.id === labelId) ?? segmentLabels[0];
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (interpolation.phase !== 'running') return;
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, [interpolation.phase]);

  if (!open) return null;
  const ready = status === 'ready';

  return (
    <aside
      className="segmentation-panel"
      data-testid="segmentation-panel"
      aria-label={t('segmentation.title')}
    >
      <div className="segmentation-panel__header">
        <h3 className="panel-title">{t('segmentation.title')}</h3>
        <span className={`seg-save seg-save--${save}`} data-testid="seg-save-state" data-state={save}>
          {t(`segmentation.save.${save}`)}
        </span>
      </div>
      {status === 'loading' ? <p className="seg-note">{t('segmentation.loading')}</p> : null}
      {status === 'failed' ? (
        <p className="seg-note seg-note--error" data-testid="seg-error">
          {error === 'no-series'
            ? t('segmentation.noSeries')
            : error === 'cpu-rendering'
              ? t('segmentation.needsGpu')
              : t('segmentation.failed', { message: error })}
        </p>
      ) : null}
      {status === 'failed' && error === 'cpu-rendering' ? (
        <button type="button" className="button" data-testid="seg-use-gpu" onClick={reloadWithGpuRendering}>
          {t('segmentation.useGpu')}
        </button>
      ) : null}
      {ready ? (
        <>
          <div className="seg-tools" role="group" aria-label={t('segmentation.tools')}>
            {SEGMENT_TOOLS.map((name) => (
              <button
                key={name}
                type="button"
                className={tool === name ? 'tool-button tool-button--active' : 'tool-button'}
                data-testid={`seg-tool-${name}`}
                aria-pressed={tool === name}
                title={t(`segmentation.toolTitle.${name}`)}
                disabled={activeSegment === null}
                onClick={() => activateSegmentTool(tool === name ? null : name)}
              >
                {t(`segmentation.tool.${name}`)}
              </button>
            ))}
          </div>
          {tool === 'RegionGrow' ? (
            <RegionGrowOptions />
          ) : (
            <label className="seg-row">
              {t('segmentation.brushSize')}
              <input
                type="range"
                min={1}
                max={50}
                value={brushSize}
                data-testid="seg-brush-size"
                onChange={(event) => setBrushSize(Number(event.target.value))}
              />
              <span>{brushSize}</span>
            </label>
          )}
          {tool === 'ThresholdBrush' ? (
            <div className="seg-row" data-testid="seg-threshold">
              {t('segmentation.threshold')}
              <input
                type="number"
                value={threshold?.lower ?? 0}
                data-testid="seg-threshold-lower"
                onChange={(event) =>
                  setThreshold({ lower: Number(event.target.value), upper: threshold?.upper ?? 0 })
                }
              />
              –
              <input
                type="number"
                value={threshold?.upper ?? 0}
                data-testid="seg-threshold-upper"
                onChange={(event) =>
                  setThreshold({ lower: threshold?.lower ?? 0, upper: Number(event.target.value) })
                }
              />
              <button
                type="button"
                className="button button--ghost"
                onClick={() => {
                  const range = windowRange();
                  if (range) setThreshold(range);
                }}
              >
                {t('segmentation.thresholdFromWindow')}
              </button>
            </div>
          ) : null}
          <div className="seg-row">
            {segmentLabels.length === 0 ? (
              <span className="seg-note">{t('segmentation.noLabels')}</span>
            ) : (
              <button
                type="button"
                className="button"
                data-testid="seg-add"
                aria-expanded={picking}
                onClick={() => setPicking(!picking)}
              >
                {t('segmentation.addSegment')}
              </button>
            )}
          </div>
          {picking && segmentLabels.length > 0 ? (
            // The measurement tools' label picker: type-ahead, ↑/↓, Enter, 1–9; Esc adds nothing.
            <div
              className="label-picker seg-label-picker"
              role="dialog"
              aria-label={t('segmentation.label')}
              data-testid="label-picker"
              data-stage="label"
              data-tool="segment"
            >
              <LabelChooser
                labels={segmentLabels}
                preselected={chosenLabel}
                onPick={(label) => {
                  setPicking(false);
                  setLabelId(label.id);
                  addSegment(label, i18n.language);
                  if (!useSegmentationStore.getState().tool) activateSegmentTool('Brush');
                }}
                onEscape={() => setPicking(false)}
                hint={t('segmentation.pickerHint')}
              />
            </div>
          ) : null}
          <SegmentationSourceBadge />
          {segments.length === 0 ? <p className="seg-note">{t('segmentation.noSegments')}</p> : null}
          <ul className="segment-list" data-testid="segment-list">
            {segments.map((segment) => (
              <li
                key={segment.segmentIndex}
                className={
                  segment.segmentIndex === activeSegment ? 'segment-row segment-row--active' : 'segment-row'
                }
                data-testid={`segment-${segment.segmentIndex}`}
                data-layer={segment.layer}
                onClick={() => selectSegment(segment.segmentIndex)}
              >
                <input
                  type="color"
                  value={segment.color}
                  aria-label={t('segmentation.color')}
                  onClick={(event) => event.stopPropagation()}
                  onChange={(event) => updateSegment(segment.segmentIndex, { color: event.target.value })}
                />
                <span className="segment-row__name">{segment.name}</span>
                <span className="segment-row__layer">
                  {t('segmentation.layer', { layer: segment.layer + 1 })}
                </span>
                <button
                  type="button"
                  className={segment.visible ? 'tool-button' : 'tool-button tool-button--active'}
                  data-testid={`segment-visible-${segment.segmentIndex}`}
                  aria-pressed={!segment.visible}
                  onClick={(event) => {
                    event.stopPropagation();
                    updateSegment(segment.segmentIndex, { visible: !segment.visible });
                  }}
                >
                  {segment.visible ? t('segmentation.visible') : t('segmentation.hidden')}
                </button>
                <button
                  type="button"
                  className={segment.locked ? 'tool-button tool-button--active' : 'tool-button'}
                  data-testid={`segment-lock-${segment.segmentIndex}`}
                  aria-pressed={segment.locked}
                  onClick={(event) => {
                    event.stopPropagation();
                    updateSegment(segment.segmentIndex, { locked: !segment.locked });
                  }}
                >
                  {segment.locked ? t('segmentation.locked') : t('segmentation.lock')}
                </button>
                <input
                  type="range"
                  min={0}
                  max={100}
                  value={Math.round((segment.opacity ?? 0.5) * 100)}
                  aria-label={t('segmentation.opacity')}
                  data-testid={`segment-opacity-${segment.segmentIndex}`}
                  onClick={(event) => event.stopPropagation()}
                  onChange={(event) =>
                    updateSegment(segment.segmentIndex, { opacity: Number(event.target.value) / 100 })
                  }
                />
              </li>
            ))}
          </ul>
          <div className="seg-row">
            <button type="button" className="tool-button" data-testid="seg-undo" onClick={undo}>
              {t('segmentation.undo')}
            </button>
            <button type="button" className="tool-button" data-testid="seg-redo" onClick={redo}>
              {t('segmentation.redo')}
            </button>
            <button
              type="button"
              className="tool-button"
              data-testid="seg-interpolate"
              title={t('segmentation.interpolateTitle')}
              disabled={activeSegment === null || interpolation.phase === 'running'}
              onClick={() => {
                if (activeSegment !== null) interpolateSegment(activeSegment).catch(() => undefined);
              }}
            >
              {t('segmentation.interpolate')}
            </button>
          </div>
          <ModelRunSection />
          <div className="seg-interpolation" data-testid="seg-interpolation" data-phase={interpolation.phase}>
            {interpolation.phase === 'running' ? (
              <>
                <progress />
                <span>
                  {t(`segmentation.interpolation.${interpolation.step}`, {
                    seconds: Math.round((now - interpolation.startedAt) / 1000),
                  })}
                </span>
                <button
                  type="button"
                  className="button button--ghost"
                  data-testid="seg-interpolate-cancel"
                  onClick={cancelInterpolation}
                >
                  {t('segmentation.cancel')}
                </button>
              </>
            ) : null}
            {interpolation.phase === 'done' ? (
              <span>{t('segmentation.interpolation.done', { slices: interpolation.slices })}</span>
            ) : null}
            {interpolation.phase === 'cancelled' ? (
              <span>{t('segmentation.interpolation.cancelled')}</span>
            ) : null}
            {interpolation.phase === 'failed' ? (
              <span className="seg-note--error" data-testid="seg-interpolation-error">
                {t(`segmentation.interpolation.failed.${interpolation.message}`, {
                  defaultValue: t('segmentation.interpolation.failed.pipeline'),
                })}
              </span>
            ) : null}
          </div>
        </>
      ) : null}
    </aside>
  );
}
