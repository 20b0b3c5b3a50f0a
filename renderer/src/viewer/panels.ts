/**
 * Keyboard focus in the viewer. Shortcuts are handled at the window level, so a click in a panel
 * (a checkbox, a button) never takes them away; only fields where the reader types text keep their
 * keys. Esc closes the panel opened last (de-identification preview, tag browser…) and never
 * leaves the viewer: leaving has its own keys (Backspace, Alt+←) and the Back button.
 */
import { useEffect } from 'react';

const NON_TEXT_INPUTS = new Set([
  'checkbox',
  'radio',
  'range',
  'button',
  'submit',
  'reset',
  'color',
  'file',
  'image',
]);

/** Whether a key event's target is a place where the reader types (the viewer leaves it alone). */
export function isTextEntry(target: EventTarget | null): boolean {
  if (target instanceof HTMLInputElement) return !NON_TEXT_INPUTS.has(target.type);
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLElement && target.isContentEditable;
}

/** Close functions of the open panels, the last opened last. */
const openPanels: Array<() => void> = [];

/** Registers an open panel so that Esc closes it (call from the panel or its owner). */
export function useEscapeCloses(open: boolean, close: () => void): void {
  useEffect(() => {
    if (!open) return;
    const entry = () => close();
    openPanels.push(entry);
    return () => {
      const index = openPanels.lastIndexOf(entry);
      if (index >= 0) openPanels.splice(index, 1);
    };
  }, [open, close]);
}

/** Closes the panel opened last; false when none is open. */
export function closeTopPanel(): boolean {
  const close = openPanels.at(-1);
  if (!close) return false;
  close();
  return true;
}
