/**
 * Stepping through a stack in the page as a reader does, for e2e specs and the viewer benches
 * (test/bench/viewer*.bench.ts): one key per slice, each waiting for its image to be drawn.
 */
import type { Page } from 'playwright-core';

export interface StackSteps {
  /** ArrowDown presses, one per slice drawn. */
  steps: number;
  /** Page-clock milliseconds from the first press until the last slice was drawn. */
  ms: number;
}

/**
 * In the page: ArrowDown from the slice viewport 0 shows to the last of its stack, each press
 * waiting until the stack has set that slice's image (CORNERSTONE_STACK_NEW_IMAGE with its index)
 * and rendered it.
 */
export function stepToLastSlice(page: Pick<Page, 'evaluate'>): Promise<StackSteps> {
  return page.evaluate(async () => {
    const element = document.querySelector('[data-testid="viewport-element-0"]')!;
    const overlay = document.querySelector('[data-testid="viewport-0"] [data-testid="overlay-image"]')!;
    const total = Number(overlay.getAttribute('data-total'));
    const start = performance.now();
    let steps = 0;
    for (let index = Number(overlay.getAttribute('data-index')); index < total; index += 1) {
      const drawn = new Promise<void>((resolve) => {
        let wanted = false;
        const onNew = (event: Event) => {
          wanted = (event as CustomEvent<{ imageIdIndex: number }>).detail.imageIdIndex === index;
        };
        const onRendered = () => {
          if (!wanted) return;
          element.removeEventListener('CORNERSTONE_STACK_NEW_IMAGE', onNew);
          element.removeEventListener('CORNERSTONE_IMAGE_RENDERED', onRendered);
          resolve();
        };
        element.addEventListener('CORNERSTONE_STACK_NEW_IMAGE', onNew);
        element.addEventListener('CORNERSTONE_IMAGE_RENDERED', onRendered);
      });
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
      await drawn;
      steps += 1;
    }
    return { steps, ms: performance.now() - start };
  });
}
