/** The app shell: header, research-use banner, the current screen, dialogs and global wiring. */
import { useEffect } from 'react';
import { AboutDialog } from './components/AboutDialog.js';
import { Header } from './components/Header.js';
import { HelpOverlay } from './components/HelpOverlay.js';
import { ResearchBanner } from './components/ResearchBanner.js';
import { host } from './host/index.js';
import { DropZone } from './importing/DropZone.js';
import { ImportDialog } from './importing/ImportDialog.js';
import { useImportStore } from './stores/useImportStore.js';
import { useUiStore } from './stores/useUiStore.js';
import { useWorklistStore } from './stores/useWorklistStore.js';
import { ViewerScreen } from './viewer/ViewerScreen.js';
import { WorklistScreen } from './worklist/WorklistScreen.js';

function useMainEvents(): void {
  useEffect(() => {
    const offProgress = host.api.on('import.progress', (progress) =>
      useImportStore.getState().receive(progress),
    );
    const offChanged = host.api.on('catalog.changed', () => void useWorklistStore.getState().refresh());
    return () => {
      offProgress();
      offChanged();
    };
  }, []);
}

function useHelpKey(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '?') return;
      const target = event.target;
      if (target instanceof HTMLInputElement && target.type !== 'range') return;
      if (target instanceof HTMLTextAreaElement) return;
      event.preventDefault();
      useUiStore.getState().toggleDialog('help');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

export function App() {
  const screen = useUiStore((state) => state.screen);
  const dialog = useUiStore((state) => state.dialog);
  useMainEvents();
  useHelpKey();

  return (
    <div className="app">
      <Header />
      <ResearchBanner />
      {screen === 'viewer' ? <ViewerScreen /> : <WorklistScreen />}
      {dialog === 'about' ? <AboutDialog /> : null}
      {dialog === 'help' ? <HelpOverlay /> : null}
      {dialog === 'import' ? <ImportDialog /> : null}
      <DropZone />
    </div>
  );
}
