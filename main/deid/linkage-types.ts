/**
 * The engine's view of the linkage table (original ↔ pseudonym, date offsets). The encrypted
 * SQLite implementation is in linkage.ts; the engine only hands entries over.
 */
export type LinkageEntry = (
  | { kind: 'uid'; original: string; pseudonym: string }
  | { kind: 'patient'; original: string; pseudonym: string; dateOffsetDays: number | null }
) & {
  /**
   * The project the pseudonym belongs to (each project derives unrelated pseudonyms, so one
   * original has one row per project). Absent on rows recorded before per-project keys.
   */
  project?: string;
};

export interface LinkageStore {
  record(entries: LinkageEntry[]): void;
  /**
   * The entry whose pseudonym this is, or null (sync maps the project's UIDs of a study this
   * machine uploaded back to its originals: main/sync/outbox.ts `mapBack`).
   */
  reverse?(kind: LinkageEntry['kind'], pseudonym: string): LinkageEntry | null;
}
