/** Whether the viewer's DICOM tag browser is open (key T, the toolbar's Tags button; Esc closes). */
import { create } from 'zustand';

interface TagBrowserState {
  open: boolean;
  toggle(): void;
  close(): void;
}

export const useTagBrowserStore = create<TagBrowserState>()((set) => ({
  open: false,
  toggle: () => set((state) => ({ open: !state.open })),
  close: () => set({ open: false }),
}));
