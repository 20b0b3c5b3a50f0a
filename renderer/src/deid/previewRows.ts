/**
 * The preview's rows as the reader sees them: the attributes of one code sequence item
 * (CodeValue, CodingSchemeDesignator, CodeMeaning, …) as one "code" entry with its meaning, and
 * the action codes explained.
 */
import type { DeidPreviewRow } from '../../../shared/contract.js';

/** Attributes of a code sequence item (PS3.3 Table 8.8-1). */
const codeKeywords = new Set([
  'CodeValue',
  'CodingSchemeDesignator',
  'CodingSchemeVersion',
  'CodeMeaning',
  'LongCodeValue',
  'URNCodeValue',
]);
const valueKeywords = ['CodeValue', 'LongCodeValue', 'URNCodeValue'];

export type PreviewEntry =
  { kind: 'row'; row: DeidPreviewRow } | { kind: 'code'; depth: number; rows: DeidPreviewRow[] };

export const changed = (row: DeidPreviewRow): boolean => row.before !== row.after;
export const removed = (row: DeidPreviewRow): boolean => row.action.startsWith('X');

/** Consecutive code attributes at the same depth inside a sequence, one entry per item. */
export function groupCodeItems(rows: readonly DeidPreviewRow[]): PreviewEntry[] {
  const entries: PreviewEntry[] = [];
  let group: DeidPreviewRow[] = [];
  const flush = () => {
    if (group.length === 0) return;
    if (group.length > 1 && group.some((row) => valueKeywords.includes(row.keyword)))
      entries.push({ kind: 'code', depth: group[0]!.depth, rows: group });
    else for (const row of group) entries.push({ kind: 'row', row });
    group = [];
  };
  for (const row of rows) {
    const isCode = row.depth > 0 && codeKeywords.has(row.keyword);
    const continues =
      isCode &&
      group.length > 0 &&
      group[0]!.depth === row.depth &&
      !group.some((member) => member.keyword === row.keyword);
    if (!continues) flush();
    if (isCode) group.push(row);
    else entries.push({ kind: 'row', row });
  }
  flush();
  return entries;
}

export function entryRows(entry: PreviewEntry): DeidPreviewRow[] {
  return entry.kind === 'row' ? [entry.row] : entry.rows;
}

/** Changes first (removals last among them), each group in the engine's order. */
export function orderedEntries(entries: PreviewEntry[]): PreviewEntry[] {
  const rank = (entry: PreviewEntry) => {
    const rows = entryRows(entry);
    if (!rows.some(changed)) return 2;
    return rows.every(removed) ? 1 : 0;
  };
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => rank(a.entry) - rank(b.entry) || a.index - b.index)
    .map(({ entry }) => entry);
}

/** `(113100, DCM) "Basic Application Confidentiality Profile"` for one side of a code item. */
export function codeText(rows: readonly DeidPreviewRow[], side: 'before' | 'after'): string {
  const value = (keyword: string) => rows.find((row) => row.keyword === keyword)?.[side] ?? '';
  const code = valueKeywords.map(value).find((text) => text !== '') ?? '';
  const scheme = value('CodingSchemeDesignator');
  const meaning = value('CodeMeaning');
  if (!code && !scheme && !meaning) return '';
  const head = code || scheme ? `(${[code, scheme].filter(Boolean).join(', ')})` : '';
  return [head, meaning ? `"${meaning}"` : ''].filter(Boolean).join(' ');
}

/** The action of a code item: its members' action when they agree, else the first changed one's. */
export function codeAction(rows: readonly DeidPreviewRow[]): string {
  const first = rows[0]!.action;
  if (rows.every((row) => row.action === first)) return first;
  return rows.find(changed)?.action ?? first;
}

/** Base letters of the PS3.15 profile actions the engine reports. */
export const actionLetters = ['X', 'Z', 'D', 'U', 'K', 'C'] as const;
/** Details the engine adds after a letter, e.g. "D (set)"; keys of deid.actionDetail.*. */
export const actionDetails: Record<string, string> = {
  set: 'set',
  added: 'added',
  'standard UID': 'standardUid',
  'private creator': 'privateCreator',
  'safe private': 'safePrivate',
  'age policy': 'agePolicy',
  shifted: 'shifted',
  'time kept': 'timeKept',
  kept: 'kept',
  removed: 'removed',
  'pixels masked': 'pixelsMasked',
  'pixels decoded': 'pixelsDecoded',
  date: 'date',
  private: 'private',
  opaque: 'opaque',
  'nothing left after cleaning': 'nothingLeft',
  'safe private, identifying number': 'safePrivateNumber',
};

/** "D (set)" → { letter: 'D', detail: 'set' }. */
export function splitAction(action: string): { letter: string; detail: string | null } {
  const match = /^([A-Z])\s*(?:\((.*)\))?$/.exec(action.trim());
  if (!match) return { letter: action, detail: null };
  return { letter: match[1]!, detail: match[2] ?? null };
}
