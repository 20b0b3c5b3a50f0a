/**
 * The arrow's text, asked in the page (Cornerstone's default is `window.prompt`, which blocks the
 * page and cannot be styled or translated). An empty text removes a new arrow, as Cornerstone does.
 */
import type { Types as CoreTypes } from '@cornerstonejs/core';
import { useToolStore } from './useToolStore.js';

interface ArrowEventDetail {
  currentPoints?: { client?: CoreTypes.Point2 };
}

let lastPointer = { x: window.innerWidth / 2, y: window.innerHeight / 2 };
window.addEventListener('pointerup', (event) => (lastPointer = { x: event.clientX, y: event.clientY }), {
  capture: true,
});

export function arrowTextCallbacks() {
  return {
    getTextCallback(done: (text: string) => void) {
      useToolStore.getState().setArrowPrompt({ at: { ...lastPointer }, initial: '', done });
    },
    changeTextCallback(
      data: { data?: { label?: string } },
      eventDetail: ArrowEventDetail,
      done: (text: string) => void,
    ) {
      const client = eventDetail.currentPoints?.client;
      const at = client ? { x: client[0], y: client[1] } : { ...lastPointer };
      useToolStore.getState().setArrowPrompt({ at, initial: data.data?.label ?? '', done });
    },
  };
}
