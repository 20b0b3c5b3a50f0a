/**
 * PACS settings (main/pacs/): the local AE of the C-STORE SCP (one row) and the remote nodes the
 * reader queries and retrieves from. AE titles, hosts and ports only: nothing about patients.
 */
import type { Migration } from './migration.js';

export const pacsNodes: Migration = {
  version: 9,
  name: 'pacs-nodes',
  up(db) {
    db.exec(`
      CREATE TABLE pacs_local_ae (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        enabled INTEGER NOT NULL DEFAULT 0,
        ae_title TEXT NOT NULL,
        port INTEGER NOT NULL,
        bind_address TEXT NOT NULL,
        accept_any_caller INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE pacs_allowed_caller (
        id INTEGER PRIMARY KEY,
        ae_title TEXT NOT NULL,
        host TEXT NOT NULL DEFAULT ''
      );
      CREATE TABLE pacs_node (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        ae_title TEXT NOT NULL,
        host TEXT NOT NULL,
        port INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `);
  },
};
