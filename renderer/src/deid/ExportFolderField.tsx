/**
 * Where a de-identified export is written: a path typed in, or chosen with the desktop app's
 * folder picker (the web host has none), with the hint that main checks it. One field for the
 * single-study dialog (DeidExportDialog) and the many-studies one (ExportStudiesDialog).
 */
import { useTranslation } from 'react-i18next';
import { host } from '../host/index.js';

export function ExportFolderField({
  id,
  value,
  disabled,
  onChange,
  inputTestId,
  chooseTestId,
}: {
  id: string;
  value: string;
  disabled: boolean;
  onChange(folder: string): void;
  inputTestId: string;
  chooseTestId?: string;
}) {
  const { t } = useTranslation();
  return (
    <div className="deid-export__folder">
      <label htmlFor={id}>{t('deid.outputDir')}</label>
      <div className="deid-export__folder-row">
        <input
          id={id}
          type="text"
          spellCheck={false}
          autoComplete="off"
          data-testid={inputTestId}
          placeholder={t('deid.outputDirPlaceholder')}
          value={value}
          disabled={disabled}
          onChange={(event) => onChange(event.target.value)}
        />
        {host.pickExportFolder ? (
          <button
            type="button"
            className="button"
            {...(chooseTestId ? { 'data-testid': chooseTestId } : {})}
            disabled={disabled}
            onClick={() => void host.pickExportFolder?.().then((folder) => folder && onChange(folder))}
          >
            {t('deid.chooseFolder')}
          </button>
        ) : null}
      </div>
      <p className="hint">{t('deid.outputDirHint')}</p>
    </div>
  );
}
