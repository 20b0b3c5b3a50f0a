/** The de-identification settings in a few lines, as the export dialogs show them before Start. */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeidSettingsView } from '../../../shared/contract.js';
import { useErrorMessage } from '../components/useErrorMessage.js';

/**
 * The settings an export will apply, for both export dialogs: why they could not be read, a
 * damaged settings file, or the summary with `children` beside it (the Edit button).
 */
export function DeidSettingsBlock({
  settings,
  loadError,
  children,
}: {
  settings: DeidSettingsView | null;
  loadError: unknown;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  return (
    <>
      {loadError ? (
        <p className="error-text">{t('deid.loadFailed', { message: errorMessage(loadError) })}</p>
      ) : null}
      {settings?.settingsFileDamaged ? <p className="error-text">{t('deid.settingsDamaged')}</p> : null}
      {settings ? (
        <div className="deid-export__settings">
          <DeidSettingsSummary settings={settings} />
          {children}
        </div>
      ) : null}
    </>
  );
}

export function DeidSettingsSummary({ settings }: { settings: DeidSettingsView }) {
  const { t } = useTranslation();
  const trial = settings.clinicalTrial;
  return (
    <dl className="deid-summary" data-testid="deid-settings-summary">
      <dt>{t('deid.profile')}</dt>
      <dd data-testid="deid-summary-profile">{t(`deid.profiles.${settings.profile}`)}</dd>
      <dt>{t('deid.options')}</dt>
      <dd>
        {settings.options.length === 0 ? (
          <span className="hint">{t('deid.optionsNone')}</span>
        ) : (
          <ul className="deid-summary__options">
            {settings.options.map((option) => (
              <li key={option}>{t(`deid.option.${option}`)}</li>
            ))}
          </ul>
        )}
      </dd>
      <dt>{t('deid.projectIdShort')}</dt>
      <dd className="deid-summary__mono" data-testid="deid-summary-project">
        {settings.projectId}
      </dd>
      {trial.sponsorName || trial.protocolId ? (
        <>
          <dt>{t('deid.protocolId')}</dt>
          <dd>{[trial.sponsorName, trial.protocolId, trial.siteId].filter(Boolean).join(' · ')}</dd>
        </>
      ) : null}
      <dt>{t('deid.pixelRules', { count: settings.pixelRules.length })}</dt>
      <dd>{settings.ocr ? t('deid.ocrOn') : t('deid.ocrOff')}</dd>
    </dl>
  );
}
