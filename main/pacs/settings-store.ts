/**
 * The PACS settings in the catalog's SQLite database (migration 0009): the local AE and the remote
 * nodes. Its own connection to the catalog file, like the held-image store; without a file
 * (tests) an in-memory database with the same schema.
 */
import type { PacsLocalSettings, PacsNode } from '../../shared/pacs.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { openCatalogConnection } from '../catalog/catalog.js';
import { migrate } from '../catalog/migrate.js';

export const DEFAULT_LOCAL_SETTINGS: PacsLocalSettings = {
  enabled: false,
  aeTitle: 'RADLABEL',
  port: 11112,
  bindAddress: '0.0.0.0',
  allowedCallers: [],
  acceptAnyCaller: false,
};

interface LocalRow {
  enabled: number;
  ae_title: string;
  port: number;
  bind_address: string;
  accept_any_caller: number;
}

interface NodeRow {
  id: number;
  name: string;
  ae_title: string;
  host: string;
  port: number;
}

export class PacsSettingsStore {
  readonly #db: ReturnType<typeof openCatalogConnection>;
  readonly #now: () => Date;

  constructor(catalogFile: string | null, now: () => Date = () => new Date()) {
    this.#db = openCatalogConnection(catalogFile ?? ':memory:');
    if (!catalogFile) migrate(this.#db);
    this.#now = now;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  local(): PacsLocalSettings {
    const row = this.#db
      .prepare<[], LocalRow>(
        'SELECT enabled, ae_title, port, bind_address, accept_any_caller FROM pacs_local_ae WHERE id = 1',
      )
      .get();
    if (!row) return { ...DEFAULT_LOCAL_SETTINGS, allowedCallers: [] };
    const callers = this.#db
      .prepare<[], { ae_title: string; host: string }>(
        'SELECT ae_title, host FROM pacs_allowed_caller ORDER BY id',
      )
      .all();
    return {
      enabled: row.enabled === 1,
      aeTitle: row.ae_title,
      port: row.port,
      bindAddress: row.bind_address,
      acceptAnyCaller: row.accept_any_caller === 1,
      allowedCallers: callers.map((caller) => ({ aeTitle: caller.ae_title, host: caller.host })),
    };
  }

  saveLocal(settings: PacsLocalSettings): void {
    const now = this.#now().toISOString();
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO pacs_local_ae (id, enabled, ae_title, port, bind_address, accept_any_caller, updated_at)
           VALUES (1, @enabled, @aeTitle, @port, @bindAddress, @acceptAnyCaller, @now)
           ON CONFLICT(id) DO UPDATE SET enabled = excluded.enabled, ae_title = excluded.ae_title,
             port = excluded.port, bind_address = excluded.bind_address,
             accept_any_caller = excluded.accept_any_caller, updated_at = excluded.updated_at`,
        )
        .run({
          enabled: settings.enabled ? 1 : 0,
          aeTitle: settings.aeTitle,
          port: settings.port,
          bindAddress: settings.bindAddress,
          acceptAnyCaller: settings.acceptAnyCaller ? 1 : 0,
          now,
        });
      this.#db.prepare('DELETE FROM pacs_allowed_caller').run();
      const insert = this.#db.prepare('INSERT INTO pacs_allowed_caller (ae_title, host) VALUES (?, ?)');
      for (const caller of settings.allowedCallers) insert.run(caller.aeTitle, caller.host);
    })();
  }

  nodes(): PacsNode[] {
    return this.#db
      .prepare<[], NodeRow>(
        'SELECT id, name, ae_title, host, port FROM pacs_node ORDER BY name COLLATE NOCASE, id',
      )
      .all()
      .map(nodeOf);
  }

  node(id: number): PacsNode | null {
    const row = this.#db
      .prepare<[number], NodeRow>('SELECT id, name, ae_title, host, port FROM pacs_node WHERE id = ?')
      .get(id);
    return row ? nodeOf(row) : null;
  }

  saveNode(node: Omit<PacsNode, 'id'> & { id?: number | undefined }): PacsNode {
    const now = this.#now().toISOString();
    if (node.id !== undefined) {
      const changed = this.#db
        .prepare(
          'UPDATE pacs_node SET name = ?, ae_title = ?, host = ?, port = ?, updated_at = ? WHERE id = ?',
        )
        .run(node.name, node.aeTitle, node.host, node.port, now, node.id).changes;
      if (changed === 0) throw new AppError(ErrorCode.NotFound, 'This PACS node is no longer configured.');
      return { ...node, id: node.id };
    }
    const id = Number(
      this.#db
        .prepare(
          'INSERT INTO pacs_node (name, ae_title, host, port, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(node.name, node.aeTitle, node.host, node.port, now, now).lastInsertRowid,
    );
    return { ...node, id };
  }

  deleteNode(id: number): void {
    this.#db.prepare('DELETE FROM pacs_node WHERE id = ?').run(id);
  }
}

function nodeOf(row: NodeRow): PacsNode {
  return { id: row.id, name: row.name, aeTitle: row.ae_title, host: row.host, port: row.port };
}
