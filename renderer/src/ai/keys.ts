/**
 * The AI review keys (docs/ai-review.md): while the AI findings list is open and the study has
 * findings, A accepts, R rejects (then 1–9 pick the reason, Esc cancels), E accepts for editing,
 * N / P go to the next / previous finding. They take the key before the annotation tools' keys
 * (A Angle, E Ellipse, N Arrow, P Probe), which work again when the list is closed.
 */
import { keyInterceptors } from '../annotation/tools/useAnnotationKeys.js';
import { useAiStore } from './useAiStore.js';

export const AI_KEYS = { accept: 'A', reject: 'R', edit: 'E', next: 'N', previous: 'P' } as const;

function onKey(event: KeyboardEvent): boolean {
  const state = useAiStore.getState();
  if (!state.open || state.hidden || state.findings.length === 0) return false;
  if (event.ctrlKey || event.metaKey || event.altKey) return false;
  if (state.rejecting) {
    if (event.key === 'Escape') {
      state.cancelReject();
      return true;
    }
    const index = Number(event.key) - 1;
    if (Number.isInteger(index) && index >= 0 && index < Math.min(9, state.reasons.length)) {
      void state.decide('rejected', state.reasons[index]!.id);
      return true;
    }
    return false;
  }
  if (event.shiftKey) return false;
  switch (event.key.toUpperCase()) {
    case AI_KEYS.accept:
      void state.decide('accepted');
      return true;
    case AI_KEYS.reject:
      state.startReject();
      return true;
    case AI_KEYS.edit:
      void state.decide('edited');
      return true;
    case AI_KEYS.next:
      state.next();
      return true;
    case AI_KEYS.previous:
      state.previous();
      return true;
    default:
      return false;
  }
}

let installed = false;
export function installAiKeys(): void {
  if (installed) return;
  installed = true;
  keyInterceptors.add(onKey);
}
