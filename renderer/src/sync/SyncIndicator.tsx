/**
 * The sync indicator in the header (issue #10 item 6): the engine's state at a glance (not set up,
 * syncing n/m, synced, paused, offline), conflicts and failed studies first; opens the sync panel.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SyncPanel } from './SyncPanel.js';
import { startSyncUpdates, useSyncStore } from './useSyncStore.js';

export function SyncIndicator() {
  const { t } = useTranslation();
  const status = useSyncStore((s) => s.status);
  const conflicts = useSyncStore((s) => s.conflicts.length);
  const [open, setOpen] = useState(false);
  useEffect(() => startSyncUpdates(), []);

  const state = status?.state ?? 'not-configured';
  const failed = status?.studies.filter((s) => s.state === 'failed').length ?? 0;
  let text: string;
  let tone = state as string;
  if (conflicts > 0) {
    text = t('sync.indicator.conflicts', { count: conflicts });
    tone = 'conflict';
  } else if (failed > 0 && state !== 'syncing') {
    text = t('sync.indicator.failed', { count: failed });
    tone = 'failed';
  } else {
    text = t(`sync.indicator.${state}`, {
      done: status?.progress.itemsDone ?? 0,
      total: status?.progress.itemsTotal ?? 0,
    });
  }
  const lastSync = status?.lastSyncAt
    ? `${t('sync.lastSync')}: ${new Date(status.lastSyncAt).toLocaleString()}`
    : '';

  return (
    <>
      <button
        type="button"
        className={`button button--ghost sync-indicator sync-indicator--${tone}`}
        data-testid="sync-indicator"
        data-state={tone}
        title={lastSync || t('sync.title')}
        onClick={() => setOpen(true)}
      >
        <span className="sync-indicator__dot" aria-hidden="true" />
        {text}
      </button>
      {open ? <SyncPanel onClose={() => setOpen(false)} /> : null}
    </>
  );
}
