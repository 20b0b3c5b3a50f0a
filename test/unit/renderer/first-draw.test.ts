/**
 * The viewer's two-step mount (renderer/src/viewer/firstDraw.ts): the side bar and the panels wait
 * until a viewport has drawn its first image (or settled otherwise), then mount in a task after
 * that frame; at the latest after FALLBACK_MS; once settled they stay.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  FALLBACK_MS,
  beginViewerMount,
  reportViewportSettled,
  subscribeViewerSettled,
  viewerSettled,
} from '../../../renderer/src/viewer/firstDraw.js';

describe('the viewer mounts its panels after the first image', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.runOnlyPendingTimers();
    vi.useRealTimers();
  });

  it('a mounting viewer waits; a settled viewport lets the rest mount in the next task, not during the draw', () => {
    beginViewerMount();
    expect(viewerSettled()).toBe(false);
    const changes: boolean[] = [];
    const stop = subscribeViewerSettled(() => changes.push(viewerSettled()));
    reportViewportSettled();
    // Still the frame that drew the image: nothing mounts within it.
    expect(viewerSettled()).toBe(false);
    vi.advanceTimersByTime(0);
    expect(viewerSettled()).toBe(true);
    expect(changes).toEqual([true]);
    stop();
  });

  it('without any viewport settling, the panels mount after FALLBACK_MS and not before', () => {
    beginViewerMount();
    vi.advanceTimersByTime(FALLBACK_MS - 1);
    expect(viewerSettled()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(viewerSettled()).toBe(true);
  });

  it('once settled, later viewports (another series, another study) change nothing', () => {
    beginViewerMount();
    reportViewportSettled();
    vi.advanceTimersByTime(0);
    const changes: boolean[] = [];
    const stop = subscribeViewerSettled(() => changes.push(viewerSettled()));
    reportViewportSettled();
    vi.advanceTimersByTime(FALLBACK_MS);
    expect(viewerSettled()).toBe(true);
    expect(changes).toEqual([]);
    stop();
  });

  it('a new viewer mount starts waiting again, and its fallback is its own', () => {
    beginViewerMount();
    vi.advanceTimersByTime(FALLBACK_MS / 2);
    beginViewerMount();
    vi.advanceTimersByTime(FALLBACK_MS / 2 + 1);
    expect(viewerSettled()).toBe(false);
    vi.advanceTimersByTime(FALLBACK_MS / 2);
    expect(viewerSettled()).toBe(true);
  });
});
