/** Reading time (shared/stats.ts ActiveTime): gaps up to two minutes count, longer ones are idle. */
import { describe, expect, it } from 'vitest';
import { ActiveTime, IDLE_AFTER_MS } from '../../../shared/stats.js';
import { readingBucket } from '../../../shared/stats-figures.js';

describe('active reading time', () => {
  it('counts the time between activities up to two minutes apart and nothing across a longer pause', () => {
    const time = new ActiveTime();
    const s = 1000;
    for (const at of [0, 10 * s, 70 * s, 190 * s /* 120 s gap: counts */, 400 * s /* 210 s: idle */, 405 * s])
      time.note(at);
    expect(time.ms).toBe(10 * s + 60 * s + 120 * s + 5 * s);
    expect(IDLE_AFTER_MS).toBe(120_000);
  });

  it('a single activity, or activities out of order, add nothing', () => {
    const time = new ActiveTime();
    time.note(5000);
    expect(time.ms).toBe(0);
    time.note(4000);
    expect(time.ms).toBe(0);
  });

  it('reading buckets: < 1, 1–2, 2–5, 5–10, 10–20, ≥ 20 minutes', () => {
    const min = 60_000;
    expect([0, 0.99 * min, min, 4 * min, 5 * min, 19 * min, 20 * min, 300 * min].map(readingBucket)).toEqual([
      0, 0, 1, 2, 3, 4, 5, 5,
    ]);
  });
});
