import { useTranslation } from 'react-i18next';
import { type WindowPreset, windowPresets } from '../imaging/windowPresets.js';

/**
 * The toolbar's CT window presets (keys 1–4), one button each with its key, width and level in
 * its title: the stack toolbar's (`preset-<id>`) and the MPR screen's (`mpr-preset-<id>`).
 */
export function WindowPresetGroup({
  testIdPrefix,
  disabled = false,
  onPick,
}: {
  testIdPrefix: string;
  disabled?: boolean;
  onPick(preset: WindowPreset): void;
}) {
  const { t } = useTranslation();
  return (
    <div className="toolbar-group">
      <span className="toolbar-label">{t('viewer.presets')}</span>
      {windowPresets.map((preset) => (
        <button
          key={preset.id}
          type="button"
          className="tool-button"
          data-testid={`${testIdPrefix}${preset.id}`}
          title={`${preset.key} · W ${preset.width} L ${preset.center}`}
          disabled={disabled}
          onClick={() => onPick(preset)}
        >
          {t(`viewer.preset.${preset.id}`)}
        </button>
      ))}
    </div>
  );
}
