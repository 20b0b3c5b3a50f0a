/**
 * A labelmap tool (brush, eraser, threshold brush, scissors, fill, region grow) is on a stack
 * viewport's left button: its element carries `data-cornerstone-press="immediate"`
 * (StackViewportPane), which Cornerstone's press listener reads to hand it the press at once
 * rather than after its 400 ms double-click wait (renderer/vite-plugins/press-at-once.ts).
 */
export const PRESS_AT_ONCE = { attribute: 'data-cornerstone-press', value: 'immediate' } as const;

/** Whether a left press on this viewport element paints a labelmap. */
export function paintsOnPress(element: Element): boolean {
  return element.getAttribute(PRESS_AT_ONCE.attribute) === PRESS_AT_ONCE.value;
}
