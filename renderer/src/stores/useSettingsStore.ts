/** User preferences that survive a restart (kept in localStorage; nothing here is PHI). */
import { create } from 'zustand';
import { type Language, changeLanguage, isLanguage } from '../i18n/index.js';

const LANGUAGE_KEY = 'radlabel.language';

function initialLanguage(): Language {
  const stored = window.localStorage.getItem(LANGUAGE_KEY);
  if (isLanguage(stored)) return stored;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

interface SettingsState {
  language: Language;
  setLanguage(language: Language): void;
}

export const useSettingsStore = create<SettingsState>()((set) => ({
  language: initialLanguage(),
  setLanguage(language) {
    window.localStorage.setItem(LANGUAGE_KEY, language);
    set({ language });
    void changeLanguage(language);
  },
}));
