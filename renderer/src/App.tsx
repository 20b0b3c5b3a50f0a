/** The app shell: header, research-use banner, the current screen, dialogs and global wiring. */
import { Suspense, lazy, useEffect } from 'react';
import { AccountGate } from './account/AccountGate.js';
import { DeleteStudyDialog } from './cache/DeleteStudyDialog.js';
import { Header } from './components/Header.js';
import { ResearchBanner } from './components/ResearchBanner.js';
import { host } from './host/index.js';
import { DropZone } from './importing/DropZone.js';
import { useDeidStore } from './stores/useDeidStore.js';
import { useImportStore } from './stores/useImportStore.js';
import { useUiStore } from './stores/useUiStore.js';
import { useWorklistStore } from './stores/useWorklistStore.js';
import { ViewerScreen } from './viewer/ViewerScreen.js';
import { isTextEntry } from './viewer/panels.js';
import { usePrewarmViewer } from './viewer/prewarm.js';
import { WorklistScreen } from './worklist/WorklistScreen.js';
import { useReadingTimer } from './stats/readingTimer.js';
import { useViewerStore } from './stores/useViewerStore.js';

// Dialogs are loaded when first opened: neither the worklist nor the first image needs them.
const AboutDialog = lazy(() =>
  import('./components/AboutDialog.js').then((m) => ({ default: m.AboutDialog })),
);
const HelpOverlay = lazy(() =>
  import('./components/HelpOverlay.js').then((m) => ({ default: m.HelpOverlay })),
);
const ImportDialog = lazy(() =>
  import('./importing/ImportDialog.js').then((m) => ({ default: m.ImportDialog })),
);
const DeidSettingsDialog = lazy(() =>
  import('./deid/DeidSettingsDialog.js').then((m) => ({ default: m.DeidSettingsDialog })),
);
const DeidExportDialog = lazy(() =>
  import('./deid/DeidExportDialog.js').then((m) => ({ default: m.DeidExportDialog })),
);
// The statistics dashboard (and ECharts) load when it is first shown.
const StatsScreen = lazy(() => import('./stats/StatsScreen.js').then((m) => ({ default: m.StatsScreen })));
const CacheSettingsDialog = lazy(() =>
  import('./cache/CacheSettingsDialog.js').then((m) => ({ default: m.CacheSettingsDialog })),
);
const LabelSchemaDialog = lazy(() =>
  import('./annotation/schema/LabelSchemaDialog.js').then((m) => ({ default: m.LabelSchemaDialog })),
);

function useMainEvents(): void {
  useEffect(() => {
    const offProgress = host.api.on('import.progress', (progress) =>
      useImportStore.getState().receive(progress),
    );
    const offAnnotations = host.api.on('annotation.imported', (event) =>
      useImportStore.getState().receiveAnnotations(event),
    );
    const offChanged = host.api.on('catalog.changed', () => void useWorklistStore.getState().refresh());
    const offDeid = host.api.on('deid.progress', (progress) => useDeidStore.getState().receive(progress));
    return () => {
      offProgress();
      offAnnotations();
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
  // Active reading time of the study open in the viewer (docs/statistics.md).
  const openStudy = useViewerStore((state) => state.detail?.study.studyInstanceUID ?? null);
  useReadingTimer(openStudy, screen === 'viewer');
  // Cornerstone and the viewer's tools are set up while the worklist waits (viewer/prewarm.ts).
  usePrewarmViewer(screen === 'worklist');

  return (
    <div className="app">
      <Header />
      <ResearchBanner />
      {screen === 'viewer' ? (
        <ViewerScreen />
      ) : screen === 'stats' ? (
        <Suspense fallback={null}>
          <StatsScreen />
        </Suspense>
      ) : (
        <WorklistScreen />
      )}
      <Suspense fallback={null}>
        {dialog === 'about' ? <AboutDialog /> : null}
        {dialog === 'help' ? <HelpOverlay /> : null}
        {dialog === 'import' ? <ImportDialog /> : null}
        {dialog === 'deidSettings' ? <DeidSettingsDialog onClose={closeDialog} /> : null}
        {dialog === 'deidExport' ? <DeidExportDialog /> : null}
        {dialog === 'cacheSettings' ? <CacheSettingsDialog onClose={closeDialog} /> : null}
        {dialog === 'labelSchema' ? <LabelSchemaDialog onClose={closeDialog} /> : null}
      </Suspense>
      <DeleteStudyDialog />
      <DropZone />
      <AccountGate />
    </div>
  );
}
