/**
 * The running (or last) import job, fed by `import.progress` events. Only one job is shown at a
 * time; progress events of other jobs (another window) are ignored.
 */
import { create } from 'zustand';
import type { ImportProgress } from '../../../shared/contract.js';
import type { AnnotationsImportedEvent } from '../../../shared/interchange.js';
import { host } from '../host/index.js';

type Stage = 'idle' | 'preparing' | 'running' | 'finished';

interface ImportState {
  stage: Stage;
  jobId: string | null;
  progress: ImportProgress | null;
  startError: unknown;
  /** Staging folders of the current upload (web host): their files are shown by the user's names. */
  stagedRoots: string[];
  /**
   * SR and SEG objects of this import that did not become annotations as they are (damaged,
   * unreadable, measurements skipped), each with main's reasons; main reads them after the files
   * are in the catalog, so they come after the import's own progress.
   */
  annotationProblems: AnnotationsImportedEvent['objects'];
  /** Upload (web) or path resolution, then `import.start`. */
  importFiles(files: File[]): Promise<void>;
  importPaths(paths: string[], stagedRoots?: string[]): Promise<void>;
  cancel(): Promise<void>;
  dismiss(): void;
  receive(progress: ImportProgress): void;
  receiveAnnotations(event: AnnotationsImportedEvent): void;
}

const FINAL_PHASES = new Set<ImportProgress['phase']>(['done', 'cancelled', 'failed']);

/** No job: what a new import starts from and what dismissing leaves. */
const NO_JOB = {
  jobId: null,
  progress: null,
  startError: null,
  stagedRoots: [],
  annotationProblems: [],
} satisfies Partial<ImportState>;

export const useImportStore = create<ImportState>()((set, get) => ({
  stage: 'idle',
  ...NO_JOB,

  async importFiles(files) {
    if (files.length === 0) return;
    set({ ...NO_JOB, stage: 'preparing' });
    try {
      const paths = await host.filesToPaths(files);
      // In a browser these are the host's staging folders; in Electron the files' own paths.
      await get().importPaths(paths, host.kind === 'web' ? paths : []);
    } catch (error) {
      set({ stage: 'finished', startError: error });
    }
  },

  async importPaths(paths, stagedRoots = []) {
    const wanted = paths.map((path) => path.trim()).filter(Boolean);
    if (wanted.length === 0) return;
    set({ ...NO_JOB, stage: 'preparing', stagedRoots });
    try {
      const { jobId } = await host.api.call('import.start', { paths: wanted });
      set({ stage: 'running', jobId });
      // An event may have been missed between start and subscription; ask once.
      get().receive(await host.api.call('import.status', { jobId }));
    } catch (error) {
      set({ stage: 'finished', startError: error });
    }
  },

  async cancel() {
    const { jobId } = get();
    if (jobId) await host.api.call('import.cancel', { jobId });
  },

  dismiss() {
    if (get().stage === 'running') return;
    set({ ...NO_JOB, stage: 'idle' });
  },

  receive(progress) {
    const { jobId, progress: previous } = get();
    if (progress.jobId !== jobId) return;
    // Events and the status reply can cross; never move backwards.
    if (previous && FINAL_PHASES.has(previous.phase)) return;
    if (previous && progress.filesDone < previous.filesDone && !FINAL_PHASES.has(progress.phase)) return;
    set({ progress, stage: FINAL_PHASES.has(progress.phase) ? 'finished' : 'running' });
  },

  receiveAnnotations(event) {
    // Shown with the import on screen (objects a PACS sends meanwhile: PACS settings, pacs/ReceivedProblems.tsx).
    if (get().stage === 'idle') return;
    const withProblems = event.objects.filter((object) => object.problems.length > 0);
    if (withProblems.length === 0) return;
    const known = new Set(get().annotationProblems.map((object) => object.sopInstanceUID));
    const added = withProblems.filter((object) => !known.has(object.sopInstanceUID));
    if (added.length > 0) set({ annotationProblems: [...get().annotationProblems, ...added].slice(-500) });
  },
}));
