/**
 * Which rows of an instance's attributes the tag browser shows: collapsed sequences and items hide
 * what they hold; a search shows the rows that match (keyword, tag in any usual spelling, value,
 * private creator) with every sequence and item above them opened.
 */
import type { DicomTagRow } from '../../../shared/contract.js';

export interface ShownRow {
  index: number;
  row: DicomTagRow;
  /** The row matches the search. */
  match: boolean;
  /** Sequences and items: whether what they hold is shown. */
  expanded: boolean;
  /** Sequences and items: whether they hold anything. */
  hasChildren: boolean;
}

/** "(0010,0010)", "0010,0010", "00100010", "0010 0010" → "00100010"; null when not tag-like. */
export function tagQuery(query: string): string | null {
  const compact = query.replace(/[\s(),]/g, '').toUpperCase();
  return /^[0-9A-F]{4,8}$/.test(compact) ? compact : null;
}

export function compactTag(tag: string): string {
  return tag.replace(/[(),]/g, '');
}

export function rowMatches(row: DicomTagRow, query: string): boolean {
  const needle = query.trim().toLowerCase();
  if (!needle) return false;
  const tag = tagQuery(needle);
  if (tag && compactTag(row.tag).startsWith(tag)) return true;
  if (tag && tag.length >= 4 && compactTag(row.tag).includes(tag)) return true;
  return (
    row.keyword.toLowerCase().includes(needle) ||
    row.value.toLowerCase().includes(needle) ||
    (row.creator?.toLowerCase().includes(needle) ?? false)
  );
}

/**
 * The rows to show, in file order. `toggled` holds the indices whose default state the reader
 * flipped: sequences are shown closed and items open unless toggled.
 */
export function shownRows(
  rows: readonly DicomTagRow[],
  query: string,
  toggled: ReadonlySet<number>,
): ShownRow[] {
  const hasChildren = new Uint8Array(rows.length);
  for (const row of rows) if (row.parent !== null) hasChildren[row.parent] = 1;
  const expandedByDefault = (index: number) => rows[index]!.kind === 'item';
  const expanded = (index: number) => expandedByDefault(index) !== toggled.has(index);

  if (query.trim()) {
    const matches = new Uint8Array(rows.length);
    const keep = new Uint8Array(rows.length);
    rows.forEach((row, index) => {
      if (!rowMatches(row, query)) return;
      matches[index] = 1;
      keep[index] = 1;
      for (let parent = row.parent; parent !== null && !keep[parent]; parent = rows[parent]!.parent)
        keep[parent] = 1;
    });
    const shown: ShownRow[] = [];
    rows.forEach((row, index) => {
      if (!keep[index]) return;
      shown.push({
        index,
        row,
        match: matches[index] === 1,
        expanded: row.kind !== 'element' && hasChildren[index] === 1,
        hasChildren: hasChildren[index] === 1,
      });
    });
    return shown;
  }

  const shown: ShownRow[] = [];
  const open = new Uint8Array(rows.length);
  rows.forEach((row, index) => {
    // Only shown rows are marked open, so an open parent is a shown one.
    const visible = row.parent === null || open[row.parent] === 1;
    if (!visible) return;
    const isOpen = row.kind !== 'element' && expanded(index);
    if (isOpen) open[index] = 1;
    shown.push({ index, row, match: false, expanded: isOpen, hasChildren: hasChildren[index] === 1 });
  });
  return shown;
}
