import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../main/audit/audit-log.js';
import { ReceiveAuditor } from '../../../main/audit/receive-log.js';

describe('PACS receive audit', () => {
  it('writes one entry per burst of a sender, with its counts, once the sender is quiet', async () => {
    const events: AuditEvent[] = [];
    const auditor = new ReceiveAuditor((event) => events.push(event), 50);
    for (let i = 0; i < 20; i += 1) auditor.received('MODALITY1', 'stored');
    auditor.received('MODALITY1', 'duplicate');
    expect(auditor.noted('OTHER', { status: 'failed' as const, code: 'malformed' })).toMatchObject({
      status: 'failed',
    });
    expect(events).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(events).toEqual([
      expect.objectContaining({
        action: 'receive',
        subject: 'scp:MODALITY1',
        outcome: 'ok',
        detail: { stored: 20, duplicates: 1, failed: 0 },
      }),
      expect.objectContaining({
        subject: 'scp:OTHER',
        outcome: 'failed',
        detail: { stored: 0, duplicates: 0, failed: 1 },
      }),
    ]);
  });

  it('writes open bursts on close', () => {
    const events: AuditEvent[] = [];
    const auditor = new ReceiveAuditor((event) => events.push(event), 60_000);
    auditor.received('SENDER', 'stored');
    auditor.close();
    expect(events).toHaveLength(1);
  });
});
