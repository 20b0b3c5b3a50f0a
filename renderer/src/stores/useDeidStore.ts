/**
 * De-identification in the renderer: the local settings (never the secret, which stays in main),
 * the preview panel's visibility, and the export job of the dialog, fed by `deid.progress`.
 */
import { create } from 'zustand';
import type {
  DeidProgressEvent,
  DeidSettings,
  DeidSettingsView,
  DeidStudyReport,
} from '../../../shared/contract.js';
import { host } from '../host/index.js';

type ExportStage = 'idle' | 'starting' | 'running' | 'finished';

interface ExportState {
  stage: ExportStage;
  studyInstanceUID: string | null;
  jobId: string | null;
  progress: DeidProgressEvent | null;
  report: DeidStudyReport | null;
  error: unknown;
}

interface DeidState {
  settings: DeidSettingsView | null;
  previewOpen: boolean;
  export: ExportState;
  loadSettings(): Promise<DeidSettingsView>;
  saveSettings(settings: DeidSettings): Promise<DeidSettingsView>;
  togglePreview(): void;
  startExport(studyInstanceUID: string, outputDir: string): Promise<void>;
  cancelExport(): Promise<void>;
  resetExport(): void;
  receive(progress: DeidProgressEvent): void;
  /** Reads the finished export's report again (after held images were released or excluded). */
  refreshReport(): Promise<void>;
}

const idleExport: ExportState = {
  stage: 'idle',
  studyInstanceUID: null,
  jobId: null,
  progress: null,
  report: null,
  error: null,
};

export const useDeidStore = create<DeidState>()((set, get) => ({
  settings: null,
  previewOpen: false,
  export: idleExport,

  async loadSettings() {
    const settings = await host.api.call('deid.getSettings', {});
    set({ settings });
    return settings;
  },

  async saveSettings(settings) {
    const saved = await host.api.call('deid.saveSettings', settings);
    set({ settings: saved });
    return saved;
  },

  togglePreview() {
    set((state) => ({ previewOpen: !state.previewOpen }));
  },

  async startExport(studyInstanceUID, outputDir) {
    if (get().export.stage === 'running' || get().export.stage === 'starting') return;
    set({ export: { ...idleExport, stage: 'starting', studyInstanceUID } });
    try {
      const { jobId } = await host.api.call('deid.exportStudy', { studyInstanceUID, outputDir });
      const early = get().export.progress;
      set((state) => ({ export: { ...state.export, stage: 'running', jobId, progress: null } }));
      if (early?.jobId === jobId) get().receive(early);
    } catch (error) {
      set({ export: { ...idleExport, stage: 'finished', studyInstanceUID, error } });
    }
  },

  async cancelExport() {
    const { jobId, stage } = get().export;
    if (jobId && stage === 'running') await host.api.call('deid.cancel', { jobId });
  },

  resetExport() {
    if (get().export.stage === 'running') return;
    set({ export: idleExport });
  },

  async refreshReport() {
    const { studyInstanceUID, stage } = get().export;
    if (!studyInstanceUID || stage !== 'finished') return;
    try {
      const report = await host.api.call('deid.studyReport', { studyInstanceUID });
      set((state) => ({ export: { ...state.export, report } }));
    } catch (error) {
      set((state) => ({ export: { ...state.export, error } }));
    }
  },

  receive(progress) {
    const current = get().export;
    // The event can arrive before `deid.exportStudy` answers with the job id: keep it then.
    if (current.stage === 'starting' && current.jobId === null) {
      set({ export: { ...current, progress } });
      return;
    }
    if (progress.jobId !== current.jobId || current.stage === 'finished') return;
    if (!progress.finished) {
      set({ export: { ...current, progress } });
      return;
    }
    set({ export: { ...current, progress, stage: 'finished' } });
    if (!current.studyInstanceUID || progress.error) return;
    const studyInstanceUID = current.studyInstanceUID;
    host.api.call('deid.studyReport', { studyInstanceUID }).then(
      (report) => set((state) => ({ export: { ...state.export, report } })),
      (error: unknown) => set((state) => ({ export: { ...state.export, error } })),
    );
  },
}));
