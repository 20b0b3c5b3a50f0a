/**
 * Reading time (docs/statistics.md): while a study is open in the viewer, the reader's activity
 * (pointer, keys, wheel) is noted; the time between two activities counts when it is at most two
 * minutes (IDLE_AFTER_MS), a longer gap is idle and does not count. The active time of this opening
 * of the study (one session id) is sent to main every 15 s while it grows, and when the study closes.
 */
import { useEffect } from 'react';
import { ActiveTime } from '../../../shared/stats.js';
import { host } from '../host/index.js';

const EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel'] as const;

export function useReadingTimer(studyInstanceUID: string | null, active: boolean): void {
  useEffect(() => {
    if (!studyInstanceUID || !active) return;
    const sessionId = crypto.randomUUID();
    const time = new ActiveTime();
    let sent = 0;
    let lastMove = 0;
    const onActivity = (event: Event) => {
      const now = performance.now();
      // Pointer moves come by the hundred: one note per second is plenty.
      if (event.type === 'pointermove' && now - lastMove < 1000) return;
      if (event.type === 'pointermove') lastMove = now;
      time.note(now);
    };
    const flush = () => {
      const activeMs = Math.round(time.ms);
      if (activeMs <= sent) return;
      sent = activeMs;
      void host.api.call('stats.recordReading', { sessionId, studyInstanceUID, activeMs }).catch(() => {
        // Not recorded this time; the next flush sends the larger total.
        sent = 0;
      });
    };
    time.note(performance.now());
    for (const type of EVENTS) window.addEventListener(type, onActivity, { passive: true, capture: true });
    const timer = window.setInterval(flush, 15_000);
    window.addEventListener('pagehide', flush);
    return () => {
      for (const type of EVENTS) window.removeEventListener(type, onActivity, { capture: true });
      window.removeEventListener('pagehide', flush);
      window.clearInterval(timer);
      flush();
    };
  }, [studyInstanceUID, active]);
}
