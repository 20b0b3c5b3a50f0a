import { useTranslation } from 'react-i18next';
import { isLanguage, languageNames, languages } from '../i18n/index.js';
import { useSettingsStore } from '../stores/useSettingsStore.js';

export function LanguageSwitch() {
  const { t } = useTranslation();
  const language = useSettingsStore((state) => state.language);
  const setLanguage = useSettingsStore((state) => state.setLanguage);
  return (
    <label className="language-switch">
      <span className="visually-hidden">{t('header.language')}</span>
      <select
        value={language}
        data-testid="language-switch"
        aria-label={t('header.language')}
        onChange={(event) => {
          if (isLanguage(event.target.value)) setLanguage(event.target.value);
        }}
      >
        {languages.map((code) => (
          <option key={code} value={code}>
            {languageNames[code]}
          </option>
        ))}
      </select>
    </label>
  );
}
