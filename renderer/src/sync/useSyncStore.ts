/**
 * What the sync panel and the header indicator show: the engine's status (`sync.status`, kept
 * fresh by the `sync.state` / `sync.progress` events and a slow poll while something is moving)
 * and the annotation conflicts (`sync.conflicts`, refreshed when annotations change).
 */
import { create } from 'zustand';
import type { SyncProgress, SyncStatus } from '../../../shared/sync.js';
import type { SyncConflict } from '../../../shared/sync-conflicts.js';
import { host } from '../host/index.js';

interface SyncStoreState {
  status: SyncStatus | null;
  conflicts: SyncConflict[];
  /** The error of the last refresh (sync not available on this host), or null. */
  error: unknown;
  refresh(): Promise<void>;
  refreshConflicts(): Promise<void>;
  receiveProgress(progress: SyncProgress): void;
  receiveState(state: Omit<SyncStatus, 'studies'>): void;
}

export const useSyncStore = create<SyncStoreState>()((set, get) => ({
  status: null,
  conflicts: [],
  error: null,
  async refresh() {
    try {
      const status = await host.api.call('sync.status', {});
      set({ status, error: null });
    } catch (error) {
      set({ error });
    }
    await get().refreshConflicts();
  },
  async refreshConflicts() {
    try {
      const { conflicts } = await host.api.call('sync.conflicts', {});
      set({ conflicts });
    } catch (error) {
      set({ error });
    }
  },
  receiveProgress(progress) {
    const status = get().status;
    if (status) set({ status: { ...status, state: progress.state, progress } });
  },
  receiveState(state) {
    const status = get().status;
    if (status) set({ status: { ...status, ...state } });
  },
}));

let started = false;

/**
 * Subscribes once for the app's life: events keep the header indicator current; per-study rows
 * are fetched again every few seconds while a pass runs, and when it ends.
 */
export function startSyncUpdates(): void {
  if (started) return;
  started = true;
  const store = useSyncStore.getState();
  void store.refresh();
  host.api.on('sync.progress', (progress) => {
    const before = useSyncStore.getState().status?.state;
    useSyncStore.getState().receiveProgress(progress);
    if (before !== progress.state) void useSyncStore.getState().refresh();
  });
  // A pass began or ended, or sync was paused: the per-study rows changed too.
  host.api.on('sync.state', (state) => {
    useSyncStore.getState().receiveState(state);
    void useSyncStore.getState().refresh();
  });
  host.api.on('annotation.changed', () => void useSyncStore.getState().refreshConflicts());
  window.setInterval(() => {
    const { status } = useSyncStore.getState();
    if (!status) return;
    const moving =
      status.state === 'syncing' ||
      status.state === 'offline' ||
      status.studies.some((study) => study.state !== 'synced' && study.state !== 'failed');
    if (moving) void useSyncStore.getState().refresh();
  }, 2000);
}
