/**
 * Wheel scrolling as a reader expects it from a mouse and from a trackpad. Cornerstone's
 * StackScrollTool moves one slice per wheel event, whatever its size: a trackpad sends dozens of
 * small pixel deltas per light swipe, which jumped ten slices. Here:
 *
 * - an event the size of a wheel notch or more (|deltaY| ≥ NOTCH_MIN_PX in pixel mode, any event
 *   in line or page mode) moves round(|deltaY| / NOTCH_PX) slices, at least one;
 * - smaller pixel deltas (trackpads, smooth-scrolling mice) add up, one slice per NOTCH_PX;
 *   a change of direction or a pause of ACCUMULATION_IDLE_MS starts the sum again.
 *
 * Wheel down (positive deltaY) moves to the next image: towards the feet in the reading order.
 */
import { type StackViewport, type Types, cache, getEnabledElement, utilities } from '@cornerstonejs/core';
import { StackScrollTool } from '@cornerstonejs/tools';
import type { Types as ToolTypes } from '@cornerstonejs/tools';

/** Pixels per notch: Chromium and Firefox report 100–120 px per notch of a mouse wheel. */
export const NOTCH_PX = 100;
/** A single event at least this large is a wheel notch, not a trackpad delta. */
export const NOTCH_MIN_PX = 50;
export const ACCUMULATION_IDLE_MS = 1000;

/** Slices to move for one wheel event, given what earlier small deltas left over. */
export function wheelSlices(
  deltaY: number,
  deltaMode: number,
  carried: number,
): { slices: number; carried: number } {
  if (deltaY === 0) return { slices: 0, carried };
  const direction = Math.sign(deltaY);
  if (deltaMode !== 0 || Math.abs(deltaY) >= NOTCH_MIN_PX) {
    const notches = deltaMode === 0 ? Math.max(1, Math.round(Math.abs(deltaY) / NOTCH_PX)) : 1;
    return { slices: direction * notches, carried: 0 };
  }
  const sum = Math.sign(carried) === -direction ? deltaY : carried + deltaY;
  const slices = Math.trunc(sum / NOTCH_PX);
  return { slices, carried: sum - slices * NOTCH_PX };
}

export class ReadingScrollTool extends StackScrollTool {
  static override toolName = 'ReadingScroll';
  private carried = 0;
  private lastWheelAt = 0;

  override mouseWheelCallback(evt: ToolTypes.EventTypes.MouseWheelEventType): void {
    const { element, detail } = evt.detail;
    const wheel = detail as unknown as WheelEvent;
    const now = performance.now();
    if (now - this.lastWheelAt > ACCUMULATION_IDLE_MS) this.carried = 0;
    this.lastWheelAt = now;
    const { slices, carried } = wheelSlices(wheel.deltaY, wheel.deltaMode, this.carried);
    this.carried = carried;
    if (slices === 0) return;
    const target = getEnabledElement(element)?.viewport;
    if (!target) return;
    const invert = (this.configuration as { invert?: boolean }).invert === true;
    utilities.scroll(target as Types.IStackViewport, {
      delta: invert ? -slices : slices,
      debounceLoading: true,
    });
    // A decoded image gets its frame at once (see showImage in viewportCommands.ts).
    const stack = target as StackViewport;
    const imageId = stack.getImageIds()[stack.getTargetImageIdIndex()];
    if (imageId !== undefined && cache.isLoaded(imageId)) stack.render();
  }
}
