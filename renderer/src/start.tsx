/** The app proper, loaded by the entry (main.tsx): language first, the reader's place, then the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { installAnnotationPersistence } from './annotation/persist.js';
import { initI18n } from './i18n/index.js';
import { dropEarly } from './session/early.js';
import { restoreSession, startSessionPersistence } from './session/session.js';
import { useSettingsStore } from './stores/useSettingsStore.js';

export function startApp(root: HTMLElement): void {
  // The app's code is loaded and evaluated (the restore benchmark's reference point).
  performance.mark('radlabel:app-start');
  // So the first paint is in the user's language.
  initI18n(useSettingsStore.getState().language);
  // Back to where the reader was (search, study, layout, slices, windows) before the first paint.
  void restoreSession().finally(() => {
    dropEarly();
    startSessionPersistence();
    // Stored annotations follow the open studies; every edit is saved as a version (docs/annotation.md).
    installAnnotationPersistence();
    createRoot(root).render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  });
}
