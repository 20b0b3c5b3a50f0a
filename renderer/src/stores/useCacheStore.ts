/** The protected cache in the interface: which deletion waits for confirmation. */
import { create } from 'zustand';
import type { StudySummary } from '../../../shared/contract.js';

export interface PendingDelete {
  kind: 'study' | 'patient';
  study: StudySummary;
}

interface CacheState {
  pendingDelete: PendingDelete | null;
  askDelete(pending: PendingDelete): void;
  cancelDelete(): void;
}

export const useCacheStore = create<CacheState>((set) => ({
  pendingDelete: null,
  askDelete: (pendingDelete) => set({ pendingDelete }),
  cancelDelete: () => set({ pendingDelete: null }),
}));
