/**
 * The workstation's de-identification settings: profile, options, project and clinical-trial
 * identity, OCR. Main validates them again (the contract's zod schema); pixel rules are kept as
 * they are (edited in the settings file until a rule editor exists).
 */
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  DeidSettings as DeidSettingsSchema,
  type DeidSettings,
  deidOptionNames,
} from '../../../shared/contract.js';
import { deidOptionConflicts, impliedDeidOptions } from '../../../shared/deid-options.js';
import { Dialog } from '../components/Dialog.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { useDeidStore } from '../stores/useDeidStore.js';

type TrialField = keyof DeidSettings['clinicalTrial'];
const trialFields: TrialField[] = ['sponsorName', 'protocolId', 'protocolName', 'siteId', 'siteName'];

export function DeidSettingsDialog({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const loadSettings = useDeidStore((state) => state.loadSettings);
  const saveSettings = useDeidStore((state) => state.saveSettings);
  const [draft, setDraft] = useState<DeidSettings | null>(null);
  const [secretCreated, setSecretCreated] = useState(false);
  const [damaged, setDamaged] = useState(false);
  const [error, setError] = useState<{ kind: 'load' | 'save'; error: unknown } | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    loadSettings().then(
      ({ secretCreated: created, settingsFileDamaged, ...settings }) => {
        setDraft(settings);
        setSecretCreated(created);
        setDamaged(settingsFileDamaged);
      },
      (failure: unknown) => setError({ kind: 'load', error: failure }),
    );
  }, [loadSettings]);

  const update = (patch: Partial<DeidSettings>) =>
    setDraft((current) => (current ? { ...current, ...patch } : current));
  const updateTrial = (field: TrialField, value: string) =>
    setDraft((current) => {
      if (!current) return current;
      const clinicalTrial = { ...current.clinicalTrial };
      if (value === '' && field !== 'sponsorName' && field !== 'protocolId') delete clinicalTrial[field];
      else clinicalTrial[field] = value;
      return { ...current, clinicalTrial };
    });
  const toggleOption = (option: DeidSettings['options'][number]) =>
    setDraft((current) =>
      current
        ? {
            ...current,
            options: current.options.includes(option)
              ? current.options.filter((item) => item !== option)
              : deidOptionNames.filter((item) => item === option || current.options.includes(item)),
          }
        : current,
    );

  // The same rule main applies when saving (shared/deid-options.ts), shown while the boxes change.
  const implied = draft ? impliedDeidOptions(draft.profile) : [];
  const conflicts = draft ? deidOptionConflicts(draft.profile, draft.options) : [];
  const projectIdValid = draft ? DeidSettingsSchema.shape.projectId.safeParse(draft.projectId).success : true;
  const invalid = conflicts.length > 0 || !projectIdValid;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft || invalid) return;
    setSaving(true);
    setError(null);
    try {
      await saveSettings(draft);
      onClose();
    } catch (failure) {
      setError({ kind: 'save', error: failure });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog
      title={t('deid.settingsTitle')}
      testId="deid-settings-dialog"
      wide
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" data-testid="deid-settings-cancel" onClick={onClose}>
            {t('deid.cancel')}
          </button>
          <button
            type="submit"
            form="deid-settings-form"
            className="button button--primary"
            data-testid="deid-settings-save"
            disabled={!draft || saving || invalid}
          >
            {t('deid.save')}
          </button>
        </>
      }
    >
      {error ? (
        <p className="error-text" data-testid="deid-settings-error">
          {t(error.kind === 'load' ? 'deid.loadFailed' : 'deid.saveFailed', {
            message: errorMessage(error.error),
          })}
        </p>
      ) : null}
      {damaged ? (
        <p className="error-text" data-testid="deid-settings-damaged">
          {t('deid.settingsDamaged')}
        </p>
      ) : null}
      {draft ? (
        <form id="deid-settings-form" className="deid-settings" onSubmit={(event) => void submit(event)}>
          <fieldset className="deid-settings__group">
            <legend>{t('deid.profile')}</legend>
            {(['research', 'basic'] as const).map((profile) => (
              <label key={profile} className="deid-settings__choice">
                <input
                  type="radio"
                  name="deid-profile"
                  value={profile}
                  data-testid={`deid-profile-${profile}`}
                  checked={draft.profile === profile}
                  onChange={() => update({ profile })}
                />
                {t(`deid.profiles.${profile}`)}
              </label>
            ))}
          </fieldset>
          <fieldset className="deid-settings__group">
            <legend>{t('deid.options')}</legend>
            <div className="deid-settings__options">
              {deidOptionNames.map((option) => {
                const byProfile = implied.includes(option);
                return (
                  <label
                    key={option}
                    className="deid-settings__choice"
                    title={byProfile ? t('deid.impliedByProfile') : undefined}
                  >
                    <input
                      type="checkbox"
                      data-testid={`deid-option-${option}`}
                      data-implied={byProfile ? 'true' : undefined}
                      checked={byProfile || draft.options.includes(option)}
                      disabled={byProfile}
                      onChange={() => toggleOption(option)}
                    />
                    {t(`deid.option.${option}`)}
                  </label>
                );
              })}
            </div>
            {implied.length > 0 ? (
              <p className="hint" data-testid="deid-options-implied-note">
                {t('deid.impliedNote')}
              </p>
            ) : null}
            {conflicts.map((conflict) => (
              <p
                key={conflict.code}
                className="error-text"
                role="alert"
                data-testid="deid-option-conflict"
                data-code={conflict.code}
              >
                {t(
                  conflict.impliedByProfile
                    ? `deid.conflict.${conflict.code}-profile`
                    : `deid.conflict.${conflict.code}`,
                  {
                    defaultValue: conflict.message,
                  },
                )}
              </p>
            ))}
          </fieldset>
          <div className="deid-settings__fields">
            <label>
              <span>{t('deid.projectId')}</span>
              <input
                type="text"
                data-testid="deid-project-id"
                value={draft.projectId}
                maxLength={32}
                aria-invalid={!projectIdValid}
                aria-describedby="deid-project-id-hint"
                onChange={(event) => update({ projectId: event.target.value })}
              />
              <span
                id="deid-project-id-hint"
                className={projectIdValid ? 'hint' : 'error-text'}
                data-testid={projectIdValid ? 'deid-project-id-hint' : 'deid-project-id-error'}
              >
                {t(projectIdValid ? 'deid.projectIdHint' : 'deid.projectIdInvalid')}
              </span>
            </label>
            {trialFields.map((field) => (
              <label key={field}>
                <span>{t(`deid.${field}`)}</span>
                <input
                  type="text"
                  data-testid={`deid-trial-${field}`}
                  value={draft.clinicalTrial[field] ?? ''}
                  maxLength={64}
                  onChange={(event) => updateTrial(field, event.target.value)}
                />
              </label>
            ))}
          </div>
          <label className="deid-settings__choice">
            <input
              type="checkbox"
              data-testid="deid-ocr"
              checked={draft.ocr}
              onChange={(event) => update({ ocr: event.target.checked })}
            />
            {t('deid.ocr')}
          </label>
          <p className="hint">
            {t('deid.pixelRules', { count: draft.pixelRules.length })} ·{' '}
            {secretCreated ? t('deid.secretCreated') : t('deid.secretNotCreated')}
          </p>
          <p className="hint">{t('deid.secretNote')}</p>
        </form>
      ) : !error ? (
        <p>{t('app.loading')}</p>
      ) : null}
    </Dialog>
  );
}
