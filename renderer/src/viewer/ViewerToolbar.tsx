import { useTranslation } from 'react-i18next';
import { applyPreset, resetView, toggleInvert } from '../imaging/viewportCommands.js';
import { useDeidStore } from '../stores/useDeidStore.js';
import { type Layout, useViewerStore } from '../stores/useViewerStore.js';
import { ReadingTools } from './ReadingTools.js';
import { MprButton } from './mpr/MprButton.js';
import { applyMprWindow, resetMprView, toggleMprInvert, useMprEngine, useMprOpen } from './mpr/mprToolbar.js';
import { viewportInSlot } from './viewportRegistry.js';
import { WindowPresetGroup } from './WindowPresetGroup.js';
import { TagBrowserToggle } from '../tags/TagBrowser.js';
import { SegmentationToggle } from '../annotation/segmentation/SegmentationPanel.js';
import { ToolPalette } from '../annotation/tools/ToolPalette.js';
import { SaveIndicator } from '../annotation/SaveIndicator.js';

const layouts: Layout[] = ['1x1', '1x2', '2x2'];

export function ViewerToolbar({ onBack }: { onBack(): void }) {
  const { t } = useTranslation();
  const layout = useViewerStore((state) => state.layout);
  const setLayout = useViewerStore((state) => state.setLayout);
  const activeViewport = useViewerStore((state) => state.activeViewport);
  const playing = useViewerStore(
    (state) => state.cineViewport !== null && state.cineViewport === state.activeViewport,
  );
  const toggleCine = useViewerStore((state) => state.toggleCine);
  const cineFps = useViewerStore((state) => state.cineFps);
  const setCineFps = useViewerStore((state) => state.setCineFps);
  const previewOpen = useDeidStore((state) => state.previewOpen);
  const togglePreview = useDeidStore((state) => state.togglePreview);
  // While MPR is open, presets, Reset and Invert act on its planes; stack-only controls are disabled.
  const mpr = useMprEngine();
  const mprOpen = useMprOpen();

  const withActive = (command: (handle: NonNullable<ReturnType<typeof viewportInSlot>>) => void) => () => {
    const handle = viewportInSlot(activeViewport);
    if (handle) command(handle);
  };

  return (
    <div className="viewer-toolbar" role="toolbar">
      <button type="button" className="button button--ghost" data-testid="viewer-back" onClick={onBack}>
        ← {t('viewer.back')}
      </button>
      <div className="toolbar-group" aria-label={t('viewer.layout')}>
        <span className="toolbar-label">{t('viewer.layout')}</span>
        {layouts.map((item) => (
          <button
            key={item}
            type="button"
            className={item === layout ? 'tool-button tool-button--active' : 'tool-button'}
            data-testid={`layout-${item}`}
            aria-pressed={item === layout}
            disabled={mprOpen}
            {...(mprOpen ? { title: t('mpr.stackOnly.layout') } : {})}
            onClick={() => setLayout(item)}
          >
            {item.replace('x', '×')}
          </button>
        ))}
      </div>
      <WindowPresetGroup
        testIdPrefix="preset-"
        onPick={(preset) =>
          mpr
            ? applyMprWindow(mpr, preset.width, preset.center)
            : withActive(({ viewport }) => applyPreset(viewport, preset))()
        }
      />
      <div className="toolbar-group">
        <button
          type="button"
          className="tool-button"
          data-testid="viewer-reset"
          title="R"
          onClick={mpr ? () => resetMprView(mpr) : withActive(({ viewport }) => resetView(viewport))}
        >
          {t('viewer.reset')}
        </button>
        <button
          type="button"
          className="tool-button"
          data-testid="viewer-invert"
          title="I"
          onClick={mpr ? () => toggleMprInvert(mpr) : withActive(({ viewport }) => toggleInvert(viewport))}
        >
          {t('viewer.invert')}
        </button>
      </div>
      <ReadingTools />
      <fieldset
        className="toolbar-fieldset"
        data-testid="stack-tools"
        disabled={mprOpen}
        {...(mprOpen ? { title: t('mpr.stackOnly.tools') } : {})}
      >
        <ToolPalette />
        <SegmentationToggle />
      </fieldset>
      <MprButton />
      <div className="toolbar-group">
        <button
          type="button"
          className={playing ? 'tool-button tool-button--active' : 'tool-button'}
          data-testid="cine-toggle"
          aria-pressed={playing}
          title={mprOpen ? t('mpr.stackOnly.cine') : 'Space'}
          disabled={mprOpen}
          onClick={toggleCine}
        >
          {playing ? `❚❚ ${t('viewer.pause')}` : `▶ ${t('viewer.play')}`}
        </button>
        <label className="cine-fps">
          <input
            type="number"
            min={1}
            max={60}
            value={cineFps}
            disabled={mprOpen}
            data-testid="cine-fps"
            onChange={(event) => setCineFps(Number(event.target.value) || 1)}
          />
          {t('viewer.fps')}
        </label>
      </div>
      <span className="spacer" />
      <SaveIndicator />
      <div className="toolbar-group">
        <button
          type="button"
          className={previewOpen ? 'tool-button tool-button--active' : 'tool-button'}
          data-testid="deid-preview-toggle"
          aria-pressed={previewOpen}
          title="D"
          onClick={togglePreview}
        >
          {t('deid.previewToggle')}
        </button>
        <TagBrowserToggle />
      </div>
    </div>
  );
}
