/**
 * A press on a viewport that asks for it reaches Cornerstone's tools at once. Build-time code: runs
 * in Node (docs/annotation.md "Speed", renderer/README.md).
 *
 * Cornerstone's mouse-down listener (tools 5.x, eventListeners/mouse/mouseDownListener.js) holds
 * every left-button press for up to 400 ms to tell a click from a double click: the tool hears of
 * the press (MOUSE_DOWN) only when that time is up, when the pointer has moved more than 3 px, or
 * when a second press comes. With a labelmap tool on the button that means a click of the brush,
 * the fill or the scissors does nothing for 0.4 s, and in a stroke the brush sets itself up
 * (~1.5 ms) inside the first move, which then waits for a later frame. No labelmap tool has a
 * double-click action.
 *
 * So the listener gets one edit: when the element or an ancestor carries
 * `data-cornerstone-press="immediate"` (the stack viewports carry it while a labelmap tool is on
 * the left button: StackViewportPane), it sends the press in its own task, after it has set up its
 * state as usual, instead of waiting. The double click that may follow is then ignored, as
 * Cornerstone does after a drag. (Sending it from a zero-delay timer instead was tried: under load
 * Chromium ran that timer after the first move, which then did the set-up as before.)
 */
import type { Plugin } from 'vite';

const MOUSE_DOWN_LISTENER =
  /\/node_modules\/@cornerstonejs\/tools\/dist\/esm\/eventListeners\/mouse\/mouseDownListener\.js$/;

/** The end of `mouseDownListener` in @cornerstonejs/tools 5.14: must be found exactly once. */
export const PRESS_ANCHOR =
  "    document.addEventListener('mousemove', _onMouseDrag);\n}\nfunction _doMouseDown(evt) {";
export const PRESS_EDIT =
  "    document.addEventListener('mousemove', _onMouseDrag);\n" +
  '    if (state.element.closest?.(\'[data-cornerstone-press="immediate"]\')) {\n' +
  '        _doStateMouseDownAndUp();\n' +
  '    }\n' +
  '}\nfunction _doMouseDown(evt) {';

const plain = (id: string): string => id.replaceAll('\\', '/').split('?')[0]!;

/** The listener's source with the edit; throws when Cornerstone's code is no longer what it edits. */
export function pressAtOnce(code: string, id = 'mouseDownListener.js'): string {
  if (code.split(PRESS_ANCHOR).length !== 2)
    throw new Error(
      `press-at-once: Cornerstone's mouse-down listener changed; the end of its listener is not found once in ${id}`,
    );
  return code.replace(PRESS_ANCHOR, PRESS_EDIT);
}

export function pressAtOncePlugin(): Plugin {
  return {
    name: 'radlabel-press-at-once',
    enforce: 'pre',
    transform(code, id) {
      if (!MOUSE_DOWN_LISTENER.test(plain(id))) return null;
      return { code: pressAtOnce(code, id), map: null };
    },
  };
}
