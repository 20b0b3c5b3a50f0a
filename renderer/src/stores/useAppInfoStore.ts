/** `app.info` from main, fetched once for the About dialog. */
import { create } from 'zustand';
import type { AppInfo } from '../../../shared/contract.js';
import { host } from '../host/index.js';

interface AppInfoState {
  info: AppInfo | null;
  load(): Promise<void>;
}

export const useAppInfoStore = create<AppInfoState>()((set, get) => ({
  info: null,
  async load() {
    if (get().info) return;
    set({ info: await host.api.call('app.info', {}) });
  },
}));
