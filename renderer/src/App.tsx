/** The app shell: header, research-use banner, the current screen, dialogs and global wiring. */
import { useEffect } from 'react';
import { AccountGate } from './account/AccountGate.js';
import { CacheSettingsDialog } from './cache/CacheSettingsDialog.js';
import { DeleteStudyDialog } from './cache/DeleteStudyDialog.js';
import { AboutDialog } from './components/AboutDialog.js';
import { Header } from './components/Header.js';
import { HelpOverlay } from './components/HelpOverlay.js';
import { DeidExportDialog } from './deid/DeidExportDialog.js';
import { DeidSettingsDialog } from './deid/DeidSettingsDialog.js';
import { ResearchBanner } from './components/ResearchBanner.js';
import { host } from './host/index.js';
import { DropZone } from './importing/DropZone.js';
import { ImportDialog } from './importing/ImportDialog.js';
import { useDeidStore } from './stores/useDeidStore.js';
import { useImportStore } from './stores/useImportStore.js';
import { useUiStore } from './stores/useUiStore.js';
import { useWorklistStore } from './stores/useWorklistStore.js';
import { ViewerScreen } from './viewer/ViewerScreen.js';
import { isTextEntry } from './viewer/panels.js';
import { WorklistScreen } from './worklist/WorklistScreen.js';

function useMainEvents(): void {
  useEffect(() => {
    const offProgress = host.api.on('import.progress', (progress) =>
      useImportStore.getState().receive(progress),
    );
    const offChanged = host.api.on('catalog.changed', () => void useWorklistStore.getState().refresh());
    const offDeid = host.api.on('deid.progress', (progress) => useDeidStore.getState().receive(progress));
    return () => {
      offProgress();
      offChanged();
      offDeid();
    };
  }, []);
}

function useHelpKey(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '?') return;
      if (isTextEntry(event.target)) return;
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
  const closeDialog = useUiStore((state) => state.closeDialog);
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
      {dialog === 'deidSettings' ? <DeidSettingsDialog onClose={closeDialog} /> : null}
      {dialog === 'deidExport' ? <DeidExportDialog /> : null}
      {dialog === 'cacheSettings' ? <CacheSettingsDialog onClose={closeDialog} /> : null}
      <DeleteStudyDialog />
      <DropZone />
      <AccountGate />
    </div>
  );
}
