/** Renderer entry: language first (so the first paint is in the user's language), then the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { installAnnotationPersistence } from './annotation/persist.js';
import { initI18n } from './i18n/index.js';
import { restoreSession, startSessionPersistence } from './session/session.js';
import { useSettingsStore } from './stores/useSettingsStore.js';
import './styles/app.css';

initI18n(useSettingsStore.getState().language);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
// Back to where the reader was (search, study, layout, slices, windows) before the first paint.
void restoreSession().finally(() => {
  startSessionPersistence();
  // Stored annotations follow the open studies; every edit is saved as a version (docs/annotation.md).
  installAnnotationPersistence();
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
