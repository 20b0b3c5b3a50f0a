/**
 * Image tools of the toolbar: flip, rotate, window presets beyond the CT ones (MR, computed from
 * the image, the reader's own — saved and kept across restarts), and the overlay settings (fields
 * shown, stack direction). Their keys (H, V, [, ]) are listed in the help sheet.
 */
import { type StackViewport } from '@cornerstonejs/core';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { flipHorizontal, flipVertical, rotateBy } from '../imaging/imageHandling.js';
import { dataWindow } from '../imaging/imageWindow.js';
import { applyWindow, currentWindow } from '../imaging/viewportCommands.js';
import { dataPresetIds, mrWindowPresets, windowPresets } from '../imaging/windowPresets.js';
import { overlayFields, useReadingStore } from '../stores/useReadingStore.js';
import { useUiStore } from '../stores/useUiStore.js';
import { useViewerStore } from '../stores/useViewerStore.js';
import { formatValue } from '../imaging/imageReadout.js';
import { viewportInSlot } from './viewportRegistry.js';
import { applyMprWindow, mprEngineNow, mprWindow, useMprOpen } from './mpr/mprToolbar.js';
import './reading.css';

type Popover = 'windows' | 'settings' | null;

function activeViewport(): StackViewport | null {
  return viewportInSlot(useViewerStore.getState().activeViewport)?.viewport ?? null;
}

function withActive(command: (viewport: StackViewport) => void): () => void {
  return () => {
    // While MPR is open the stack viewports are hidden: nothing may change them unseen.
    if (mprEngineNow()) return;
    const viewport = activeViewport();
    if (viewport) command(viewport);
  };
}

/** A window preset: on the MPR planes while MPR is open, else on the active viewport. */
function windowCommand(width: number, center: number): () => void {
  return () => {
    const mpr = mprEngineNow();
    if (mpr) applyMprWindow(mpr, width, center);
    else {
      const viewport = activeViewport();
      if (viewport) applyWindow(viewport, width, center);
    }
  };
}

/** Flip and rotate of the active stack viewport, as one list (keys in useReadingKeys). */
const imageCommands = [
  { id: 'flip-h', label: 'reading.flipH', title: 'reading.flipHTitle', command: flipHorizontal },
  { id: 'flip-v', label: 'reading.flipV', title: 'reading.flipVTitle', command: flipVertical },
  {
    id: 'rotate-left',
    label: 'reading.rotateLeft',
    title: 'reading.rotateLeftTitle',
    command: (viewport: StackViewport) => rotateBy(viewport, -90),
  },
  {
    id: 'rotate-right',
    label: 'reading.rotateRight',
    title: 'reading.rotateRightTitle',
    command: (viewport: StackViewport) => rotateBy(viewport, 90),
  },
] as const;

function applyDataPreset(viewport: StackViewport, preset: 'auto' | 'full'): void {
  const window = dataWindow(viewport.getCornerstoneImage(), preset);
  if (window) applyWindow(viewport, window.width, window.center);
}

/** H, V, [ and ] act on the active viewport, as the other viewer keys do (useViewerKeys.ts). */
function useReadingKeys(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (useUiStore.getState().dialog !== null) return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target;
      if (target instanceof HTMLInputElement && target.type !== 'range' && target.type !== 'checkbox') return;
      if (target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return;
      const commands: Record<string, (viewport: StackViewport) => void> = {
        h: flipHorizontal,
        H: flipHorizontal,
        v: flipVertical,
        V: flipVertical,
        '[': (viewport) => rotateBy(viewport, -90),
        ']': (viewport) => rotateBy(viewport, 90),
      };
      const command = commands[event.key];
      const viewport = command && !mprEngineNow() ? activeViewport() : null;
      if (!command || !viewport) return;
      event.preventDefault();
      command(viewport);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** One of the toolbar's popovers (window presets, overlay settings). */
function ReadingPopover({ label, testId, children }: { label: string; testId: string; children: ReactNode }) {
  return (
    <div className="reading-popover" role="dialog" aria-label={label} data-testid={testId}>
      {children}
    </div>
  );
}

export function ReadingTools() {
  const { t } = useTranslation();
  const [open, setOpen] = useState<Popover>(null);
  const [presetName, setPresetName] = useState('');
  const root = useRef<HTMLDivElement>(null);
  const hidden = useReadingStore((state) => state.hiddenFields);
  const setFieldShown = useReadingStore((state) => state.setFieldShown);
  const reverseStacks = useReadingStore((state) => state.reverseStacks);
  const setReverseStacks = useReadingStore((state) => state.setReverseStacks);
  const userPresets = useReadingStore((state) => state.userPresets);
  const savePreset = useReadingStore((state) => state.savePreset);
  const deletePreset = useReadingStore((state) => state.deletePreset);
  const mprOpen = useMprOpen();
  useReadingKeys();

  // A click elsewhere or Escape closes the popover (Escape then does not also leave the viewer).
  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(null);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      event.stopImmediatePropagation();
      setOpen(null);
    };
    window.addEventListener('pointerdown', onPointerDown);
    window.addEventListener('keydown', onKey, { capture: true });
    return () => {
      window.removeEventListener('pointerdown', onPointerDown);
      window.removeEventListener('keydown', onKey, { capture: true });
    };
  }, [open]);

  const toggle = (popover: Popover) => setOpen((current) => (current === popover ? null : popover));

  const saveCurrent = () => {
    const mpr = mprEngineNow();
    const viewport = activeViewport();
    const window = mpr ? mprWindow(mpr) : viewport ? currentWindow(viewport) : null;
    const name = presetName.trim();
    if (!window || !name) return;
    savePreset(name, window.width, window.center);
    setPresetName('');
  };

  return (
    <div className="toolbar-group reading-tools" ref={root}>
      {imageCommands.map((item) => (
        <button
          key={item.id}
          type="button"
          className="tool-button"
          data-testid={`viewer-${item.id}`}
          title={mprOpen ? t('mpr.stackOnly.flipRotate') : t(item.title)}
          aria-label={t(item.title)}
          disabled={mprOpen}
          onClick={withActive(item.command)}
        >
          {t(item.label)}
        </button>
      ))}
      <button
        type="button"
        className={open === 'windows' ? 'tool-button tool-button--active' : 'tool-button'}
        data-testid="window-presets-toggle"
        aria-expanded={open === 'windows'}
        onClick={() => toggle('windows')}
      >
        {t('reading.windows')} ▾
      </button>
      <button
        type="button"
        className={open === 'settings' ? 'tool-button tool-button--active' : 'tool-button'}
        data-testid="overlay-settings-toggle"
        aria-expanded={open === 'settings'}
        title={t('reading.settingsTitle')}
        onClick={() => toggle('settings')}
      >
        ⚙ {t('reading.settings')}
      </button>

      {open === 'windows' ? (
        <ReadingPopover label={t('reading.windows')} testId="window-presets">
          <h4>{t('reading.ctPresets')}</h4>
          {windowPresets.map((preset) => (
            <button
              key={preset.id}
              type="button"
              className="tool-button"
              onClick={windowCommand(preset.width, preset.center)}
            >
              {t(`viewer.preset.${preset.id}`)}
              <span className="reading-popover__values">
                W {preset.width} L {preset.center}
              </span>
            </button>
          ))}
          <h4>{t('reading.mrPresets')}</h4>
          {mrWindowPresets.map((preset) => (
            <button
              key={preset.id}
              type="button"
              className="tool-button"
              data-testid={`preset-${preset.id}`}
              onClick={windowCommand(preset.width, preset.center)}
            >
              {t(`reading.preset.${preset.id}`)}
              <span className="reading-popover__values">
                W {preset.width} L {preset.center}
              </span>
            </button>
          ))}
          {dataPresetIds.map((id) => (
            <button
              key={id}
              type="button"
              className="tool-button"
              data-testid={`preset-${id}`}
              disabled={mprOpen}
              {...(mprOpen ? { title: t('mpr.stackOnly.dataWindow') } : {})}
              onClick={withActive((viewport) => applyDataPreset(viewport, id))}
            >
              {t(`reading.preset.${id}`)}
            </button>
          ))}
          <h4>{t('reading.userPresets')}</h4>
          {userPresets.length === 0 ? (
            <div className="reading-popover__values">{t('reading.noUserPresets')}</div>
          ) : null}
          {userPresets.map((preset) => (
            <div key={preset.id} className="reading-popover__preset">
              <button
                type="button"
                className="tool-button"
                data-testid="user-preset"
                data-name={preset.name}
                onClick={windowCommand(preset.width, preset.center)}
              >
                {preset.name}
                <span className="reading-popover__values">
                  W {formatValue(Math.round(preset.width * 100) / 100)} L{' '}
                  {formatValue(Math.round(preset.center * 100) / 100)}
                </span>
              </button>
              <button
                type="button"
                className="tool-button"
                aria-label={t('reading.deletePreset', { name: preset.name })}
                title={t('reading.deletePreset', { name: preset.name })}
                onClick={() => deletePreset(preset.id)}
              >
                ✕
              </button>
            </div>
          ))}
          <form
            className="reading-popover__save"
            onSubmit={(event) => {
              event.preventDefault();
              saveCurrent();
            }}
          >
            <input
              type="text"
              value={presetName}
              maxLength={40}
              placeholder={t('reading.presetName')}
              aria-label={t('reading.presetName')}
              data-testid="preset-name"
              onChange={(event) => setPresetName(event.target.value)}
            />
            <button
              type="submit"
              className="tool-button"
              data-testid="preset-save"
              disabled={!presetName.trim()}
            >
              {t('reading.savePreset')}
            </button>
          </form>
        </ReadingPopover>
      ) : null}

      {open === 'settings' ? (
        <ReadingPopover label={t('reading.settingsTitle')} testId="overlay-settings">
          <h4>{t('reading.fields')}</h4>
          {overlayFields.map((field) => (
            <label key={field}>
              <input
                type="checkbox"
                checked={!hidden.includes(field)}
                data-testid={`overlay-field-${field}`}
                onChange={(event) => setFieldShown(field, event.target.checked)}
              />
              {t(`reading.field.${field}`)}
            </label>
          ))}
          <h4>{t('reading.direction')}</h4>
          <label>
            <input
              type="radio"
              name="stack-direction"
              checked={!reverseStacks}
              data-testid="stack-direction-reading"
              onChange={() => setReverseStacks(false)}
            />
            {t('reading.directionReading')}
          </label>
          <label>
            <input
              type="radio"
              name="stack-direction"
              checked={reverseStacks}
              data-testid="stack-direction-reversed"
              onChange={() => setReverseStacks(true)}
            />
            {t('reading.directionReversed')}
          </label>
        </ReadingPopover>
      ) : null}
    </div>
  );
}
