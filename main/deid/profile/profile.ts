/**
 * Turns Table E.1-1 (data) plus a project's options and overrides into one decision per tag.
 */
import { engineRowsSource, tableE11Source } from './table-e1-1.js';
import { optionPrecedence, type DeidOptionName } from './options.js';

/** Actions as written in the table, combined ones included. */
export const tableActions = ['D', 'Z', 'X', 'K', 'C', 'U', 'Z/D', 'X/Z', 'X/D', 'X/Z/D', 'X/Z/U*'] as const;
export type TableAction = (typeof tableActions)[number];

/** What the engine does. Combined table actions collapse to the least destructive one that leaks nothing. */
export type EngineAction = 'D' | 'Z' | 'X' | 'K' | 'C' | 'U';

/** Table E.1-1's option columns, as abbreviated in table-e1-1.ts. */
export const optionColumns: Record<string, DeidOptionName> = {
  priv: 'retainSafePrivate',
  uid: 'retainUIDs',
  dev: 'retainDeviceIdentity',
  inst: 'retainInstitutionIdentity',
  pat: 'retainPatientCharacteristics',
  full: 'retainLongitudinalFullDates',
  mod: 'retainLongitudinalModifiedDates',
  desc: 'cleanDescriptors',
  struct: 'cleanStructuredContent',
  graph: 'cleanGraphics',
};

export interface ProfileRow {
  /** `gggg,eeee`, possibly with `xx` for repeating groups. */
  tag: string;
  name: string;
  basic: TableAction;
  options: Partial<Record<DeidOptionName, TableAction>>;
}

function isTableAction(value: string): value is TableAction {
  return (tableActions as readonly string[]).includes(value);
}

export function parseTable(source: string = tableE11Source): ProfileRow[] {
  const rows: ProfileRow[] = [];
  for (const line of source.split('\n')) {
    if (!line.trim()) continue;
    const [left = '', name = ''] = line.split(' | ');
    const [tag = '', basic = '', ...columns] = left.trim().split(/\s+/);
    if (!/^[0-9A-Fx]{4},[0-9A-Fx]{4}$/.test(tag) || !isTableAction(basic))
      throw new Error(`bad Table E.1-1 line: ${line}`);
    const options: ProfileRow['options'] = {};
    for (const column of columns) {
      const [key = '', action = ''] = column.split('=');
      const option = optionColumns[key];
      if (!option || !isTableAction(action)) throw new Error(`bad Table E.1-1 column: ${line}`);
      options[option] = action;
    }
    rows.push({ tag, name: name.trim(), basic, options });
  }
  return rows;
}

/**
 * Combined actions: X/Z and X/Z/D keep the attribute present but empty or dummy, because the
 * engine does not know each IOD's attribute types and an empty Type 2 attribute leaks nothing;
 * X/Z/U* keeps the (remapped) references so a de-identified study stays linked.
 */
export function collapse(action: TableAction): EngineAction {
  switch (action) {
    case 'X/Z':
      return 'Z';
    case 'Z/D':
    case 'X/D':
    case 'X/Z/D':
      return 'D';
    case 'X/Z/U*':
      return 'U';
    default:
      return action;
  }
}

/** The standard's rows, then the engine's own rows for attributes the table does not name (table-e1-1.ts, engineRowsSource). */
export function profileRows(): ProfileRow[] {
  return [...parseTable(tableE11Source), ...parseTable(engineRowsSource)];
}

function tagNumber(tag: string): number {
  return parseInt(tag.replace(',', ''), 16) >>> 0;
}

export interface ResolvedAction {
  action: EngineAction;
  /** The table's action before collapsing (e.g. `X/Z`), when the table decided. */
  tableAction?: TableAction;
  /** The table row (or override) that decided, for reports and the preview. */
  source: 'table' | 'override' | 'unlisted';
  row?: ProfileRow;
}

export class Profile {
  readonly #exact = new Map<number, ProfileRow>();
  readonly #repeating: Array<{ mask: number; value: number; row: ProfileRow }> = [];
  readonly #overrides: Map<number, EngineAction>;

  constructor(
    readonly options: ReadonlySet<DeidOptionName>,
    overrides: Map<number, EngineAction> = new Map(),
    readonly rows: ProfileRow[] = profileRows(),
  ) {
    this.#overrides = overrides;
    for (const row of rows) {
      if (row.tag.includes('x')) {
        const mask = tagNumber(row.tag.replace(/[0-9A-F]/g, 'F').replace(/x/g, '0'));
        this.#repeating.push({ mask, value: tagNumber(row.tag.replace(/x/g, '0')) & mask, row });
      } else {
        this.#exact.set(tagNumber(row.tag), row);
      }
    }
  }

  row(tag: number): ProfileRow | undefined {
    const exact = this.#exact.get(tag);
    if (exact) return exact;
    for (const entry of this.#repeating) if ((tag & entry.mask) >>> 0 === entry.value) return entry.row;
    return undefined;
  }

  resolve(tag: number): ResolvedAction | undefined {
    const override = this.#overrides.get(tag);
    if (override) return { action: override, source: 'override' };
    const row = this.row(tag);
    if (!row) return undefined;
    let action: TableAction = row.basic;
    for (const option of optionPrecedence) {
      const column = row.options[option];
      if (column && this.options.has(option)) action = column;
    }
    return { action: collapse(action), tableAction: action, source: 'table', row };
  }
}
