/**
 * PACS receive in the audit log (docs/audit.md): one entry per burst of objects from one calling
 * AE title (the sender's objects of an association or a C-MOVE), written once that AE has sent
 * nothing for `quietMs`, with the counts stored / duplicate / failed. One entry per image would
 * bury everything else in the log. The subject is the calling AE title (a device, not a patient).
 */
import type { AuditEvent } from './audit-log.js';

interface Burst {
  stored: number;
  duplicates: number;
  failed: number;
  timer: NodeJS.Timeout;
}

export class ReceiveAuditor {
  private readonly bursts = new Map<string, Burst>();

  constructor(
    private readonly record: (event: AuditEvent) => void,
    private readonly quietMs = 5000,
  ) {}

  received(callingAeTitle: string, status: 'stored' | 'duplicate' | 'failed'): void {
    const key = callingAeTitle.slice(0, 16);
    let burst = this.bursts.get(key);
    if (burst) clearTimeout(burst.timer);
    else {
      burst = { stored: 0, duplicates: 0, failed: 0, timer: undefined as unknown as NodeJS.Timeout };
      this.bursts.set(key, burst);
    }
    if (status === 'stored') burst.stored += 1;
    else if (status === 'duplicate') burst.duplicates += 1;
    else burst.failed += 1;
    burst.timer = setTimeout(() => this.flush(key), this.quietMs);
    burst.timer.unref();
  }

  private flush(key: string): void {
    const burst = this.bursts.get(key);
    if (!burst) return;
    clearTimeout(burst.timer);
    this.bursts.delete(key);
    this.record({
      action: 'receive',
      subjectKind: 'job',
      subject: `scp:${key}`,
      outcome: burst.failed > 0 && burst.stored === 0 ? 'failed' : 'ok',
      detail: { stored: burst.stored, duplicates: burst.duplicates, failed: burst.failed },
      reader: 'pacs',
    });
  }

  /** Counts an outcome and hands it back (for `return noted(ae, outcome)`). */
  noted<T extends { status: 'stored' | 'duplicate' | 'failed' }>(callingAeTitle: string, outcome: T): T {
    this.received(callingAeTitle, outcome.status);
    return outcome;
  }

  /** Writes every open burst now (on close). */
  close(): void {
    for (const key of [...this.bursts.keys()]) this.flush(key);
  }
}
