/** Which screen and which dialog are showing. */
import { create } from 'zustand';

export type Screen = 'worklist' | 'viewer' | 'stats';
export type Dialog =
  'about' | 'help' | 'import' | 'deidSettings' | 'deidExport' | 'cacheSettings' | 'labelSchema' | null;

interface UiState {
  screen: Screen;
  dialog: Dialog;
  showScreen(screen: Screen): void;
  openDialog(dialog: Exclude<Dialog, null>): void;
  toggleDialog(dialog: Exclude<Dialog, null>): void;
  closeDialog(): void;
}

export const useUiStore = create<UiState>()((set) => ({
  screen: 'worklist',
  dialog: null,
  showScreen: (screen) => set({ screen }),
  openDialog: (dialog) => set({ dialog }),
  toggleDialog: (dialog) => set((state) => ({ dialog: state.dialog === dialog ? null : dialog })),
  closeDialog: () => set({ dialog: null }),
}));
