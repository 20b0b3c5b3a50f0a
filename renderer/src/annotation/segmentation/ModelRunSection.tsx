/**
 * The segmentation panel's assisted parts (issue #11 item 5): the click-to-segment tool's options,
 * the badge of a segmentation a model proposed, and "Run model…" with its progress and cancel.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { cancelModelRun, loadModels, runModel } from './runModel.js';
import { useSegmentationStore } from './useSegmentationStore.js';

export function RegionGrowOptions() {
  const { t } = useTranslation();
  const tolerance = useSegmentationStore((state) => state.regionTolerance);
  const threeD = useSegmentationStore((state) => state.region3d);
  const last = useSegmentationStore((state) => state.lastRegion);
  return (
    <div className="seg-row" data-testid="seg-region">
      <label>
        {t('segmentation.region.tolerance')}
        <input
          type="number"
          min={0}
          value={tolerance}
          data-testid="seg-region-tolerance"
          onChange={(event) =>
            useSegmentationStore.setState({ regionTolerance: Math.max(0, Number(event.target.value)) })
          }
        />
      </label>
      <label>
        <input
          type="checkbox"
          checked={threeD}
          data-testid="seg-region-3d"
          onChange={(event) => useSegmentationStore.setState({ region3d: event.target.checked })}
        />
        {t('segmentation.region.threeD')}
      </label>
      {last ? (
        <span className="seg-note" data-testid="seg-region-result" data-voxels={last.voxels}>
          {last.voxels > 0
            ? t('segmentation.region.result', { voxels: last.voxels, slices: last.slices })
            : t('segmentation.region.nothing')}
        </span>
      ) : null}
    </div>
  );
}

/** Shown while the open segmentation's newest version is a model's: a pre-annotation to review. */
export function SegmentationSourceBadge() {
  const { t } = useTranslation();
  const source = useSegmentationStore((state) => state.openSource);
  if (!source?.source.startsWith('ai:')) return null;
  return (
    <p className="seg-ai-badge" data-testid="seg-ai-badge" data-source={source.source}>
      {t('segmentation.model.badge', { author: source.author })}
    </p>
  );
}

export function ModelRunSection() {
  const { t } = useTranslation();
  const models = useSegmentationStore((state) => state.models);
  const run = useSegmentationStore((state) => state.modelRun);
  const series = useSegmentationStore((state) => state.seriesInstanceUID);
  const [chosen, setChosen] = useState('');
  useEffect(() => {
    void loadModels();
  }, [series]);
  if (models.length === 0) return null;
  const modelId = models.some((model) => model.id === chosen) ? chosen : models[0]!.id;
  const running =
    run !== null && run.seriesInstanceUID === series && !['done', 'failed', 'cancelled'].includes(run.phase);
  const shown = run !== null && run.seriesInstanceUID === series ? run : null;
  const voxels = shown?.voxels ? Object.values(shown.voxels).reduce((sum, count) => sum + count, 0) : 0;
  return (
    <section className="seg-model" data-testid="seg-model" aria-label={t('segmentation.model.title')}>
      <h4 className="seg-model__title">{t('segmentation.model.title')}</h4>
      <p className="seg-note seg-model__notice">{t('segmentation.model.notice')}</p>
      <div className="seg-row">
        <label>
          {t('segmentation.model.choose')}
          <select
            value={modelId}
            data-testid="seg-model-select"
            disabled={running}
            onChange={(event) => setChosen(event.target.value)}
          >
            {models.map((model) => (
              <option key={model.id} value={model.id} disabled={!model.available}>
                {`${model.name} ${model.version} · ${model.manufacturer}`}
                {model.available ? '' : ` ${t('segmentation.model.unavailable')}`}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="button"
          data-testid="seg-model-run"
          title={t('segmentation.model.runTitle')}
          disabled={running}
          onClick={() => void runModel(modelId)}
        >
          {t('segmentation.model.run')}
        </button>
      </div>
      {shown ? (
        <div className="seg-row" data-testid="seg-model-progress" data-phase={shown.phase}>
          {running ? <progress max={Math.max(1, shown.total)} value={shown.done} /> : null}
          <span
            className={shown.phase === 'failed' ? 'seg-note--error' : undefined}
            data-testid="seg-model-status"
          >
            {t(`segmentation.model.phase.${shown.phase}`, {
              done: shown.done,
              total: shown.total,
              voxels,
              message: shown.error?.message ?? '',
            })}
          </span>
          {running ? (
            <button
              type="button"
              className="button button--ghost"
              data-testid="seg-model-cancel"
              onClick={() => void cancelModelRun()}
            >
              {t('segmentation.cancel')}
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
