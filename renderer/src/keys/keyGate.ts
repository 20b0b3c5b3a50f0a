/**
 * Keys pressed while a study opens are kept, then handed on in order once the viewer can act on
 * them (docs/annotation-tools.md, "Keys while a study opens"). Opening a study mounts the viewer in
 * two steps (viewer/firstDraw.ts): the viewports first, the annotation panel's body (the study's
 * status, the AI findings and their keys) once the first image is drawn. A key pressed in between,
 * or while the worklist still waits for the study, had nothing to act on it and was lost; the
 * reader who presses L right after the double-click gets the Length tool once the image is there.
 *
 * A part that is not ready yet holds the keys (`holdKeys`, by name) and lets them go when it is
 * (`releaseKeys`); every hold ends by itself after MAX_HOLD_MS, so keys are never kept for long.
 * While any hold is on, a key is taken at the window before any other listener and kept; when the
 * last hold ends, the kept keys are dispatched again, one per task, to the element that has the
 * focus then. Not kept: keys typed into text fields, bare modifiers, F1–F12 and browser shortcuts
 * with Ctrl (only Ctrl with Z, Y, A, Enter and the arrows, the app's own, are kept).
 *
 * Small and without imports: the entry's early chunk (session/early.ts) holds the keys while a
 * reload restores the viewer.
 */

/** The hold of a study being opened: from the double-click (or a reload restoring the viewer) until
 * the annotation panel has the study (annotation/panel/AnnotationPanel.tsx). */
export const OPENING_STUDY = 'opening-study';

/** The longest a hold keeps the keys (a study that never finishes opening). */
export const MAX_HOLD_MS = 10_000;

const CTRL_KEYS = new Set(['z', 'y', 'a', 'enter', 'arrowup', 'arrowdown', 'arrowleft', 'arrowright']);
const MODIFIERS = new Set(['Control', 'Shift', 'Alt', 'Meta', 'AltGraph', 'CapsLock', 'OS']);
const TEXT_INPUTS = new Set(['text', 'search', 'email', 'number', 'password', 'tel', 'url', 'date', '']);

const holds = new Map<string, ReturnType<typeof setTimeout>>();
const kept: KeyboardEventInit[] = [];
let installed = false;
let replaying: ReturnType<typeof setTimeout> | null = null;
const replayed = new WeakSet<Event>();

function typing(target: EventTarget | null): boolean {
  if (target instanceof HTMLInputElement) return TEXT_INPUTS.has(target.type);
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLElement && target.isContentEditable;
}

/** Whether a hold keeps this key (the others go on as usual). */
export function keptWhileHeld(event: KeyboardEvent): boolean {
  if (MODIFIERS.has(event.key) || /^F\d{1,2}$/.test(event.key)) return false;
  if ((event.ctrlKey || event.metaKey) && !CTRL_KEYS.has(event.key.toLowerCase())) return false;
  return !typing(event.target);
}

function onKey(event: KeyboardEvent): void {
  // Kept while a hold is on, and after it behind the keys still waiting (their order is kept).
  if (holds.size === 0 && kept.length === 0) return;
  if (replayed.has(event) || !keptWhileHeld(event)) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  kept.push({
    key: event.key,
    code: event.code,
    ctrlKey: event.ctrlKey,
    shiftKey: event.shiftKey,
    altKey: event.altKey,
    metaKey: event.metaKey,
    repeat: event.repeat,
    bubbles: true,
    cancelable: true,
  });
}

function install(): void {
  if (installed) return;
  installed = true;
  window.addEventListener('keydown', onKey, { capture: true });
}

/** Hands the kept keys on, one per task, while nothing holds them (a key may start a new hold). */
function replay(): void {
  replaying = null;
  if (holds.size > 0) return;
  const next = kept.shift();
  if (!next) return;
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : document.body;
  const event = new KeyboardEvent('keydown', next);
  replayed.add(event);
  (typing(focused) ? document.body : focused).dispatchEvent(event);
  if (kept.length > 0) replaying = setTimeout(replay, 0);
}

/** `reason` is not ready: keys wait for it (again: the hold's time starts over). */
export function holdKeys(reason: string): void {
  install();
  const timer = holds.get(reason);
  if (timer !== undefined) clearTimeout(timer);
  holds.set(
    reason,
    setTimeout(() => releaseKeys(reason), MAX_HOLD_MS),
  );
}

/** `reason` is ready. When nothing else holds them, the kept keys go on (in a later task, so that
 * listeners mounted in the same commit as the release are there). */
export function releaseKeys(reason: string): void {
  const timer = holds.get(reason);
  if (timer === undefined) return;
  clearTimeout(timer);
  holds.delete(reason);
  if (holds.size === 0 && kept.length > 0 && replaying === null) replaying = setTimeout(replay, 0);
}

/** Whether keys are being kept now (tests and diagnostics). */
export function keysHeld(): boolean {
  return holds.size > 0 || kept.length > 0;
}
