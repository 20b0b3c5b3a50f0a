/**
 * Review and sign-off (issue #11 item 2, docs/ai-review.md): who may review (the project
 * manifest's role, else the local account's, else everyone on a workstation without accounts),
 * the blinded mode (the manifest's `review`, else the workstation's settings file), returns and
 * verifications (migration 0015, append-only), and the visibility rule main applies to every
 * annotation query: in a blinded project an annotator sees only their own annotations — and not
 * the AI's when `blindAi` — until the study is verified; reviewers and administrators see all.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3-multiple-ciphers';
import { type ReviewEvent, type ReviewRole, ReviewSettings, type ReviewState } from '../../shared/ai.js';
import type { AnnotationVersion } from '../../shared/annotation.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { SyncManifest, manifestReader } from '../../shared/sync-manifest.js';

export interface ReviewIdentity {
  /** Accounts exist on this workstation (sign-in is on). */
  accounts: boolean;
  /** The signed-in reader (id = lower-case user name) and the account's role, else null. */
  reader: { readerId: string; username: string; role: 'admin' | 'reader' } | null;
  /** The reader id stamped on versions (currentReader). */
  readerId: string;
}

export const REVIEW_DIR = 'review';
const SETTINGS_FILE = 'settings.json';
/** Where sync keeps the loaded project's manifest (main/sync/sync-app.ts). */
const PROJECT_MANIFEST = path.join('sync', 'project.json');

export class ReviewService {
  readonly #db: Database.Database;
  readonly #dataDir: string;
  readonly #identity: () => ReviewIdentity;
  readonly #now: () => number;
  readonly #s;
  #manifestCache: { mtimeMs: number; manifest: SyncManifest | null } | null = null;

  constructor(options: {
    db: Database.Database;
    dataDir: string;
    identity: () => ReviewIdentity;
    now?: () => number;
  }) {
    this.#db = options.db;
    this.#dataDir = options.dataDir;
    this.#identity = options.identity;
    this.#now = options.now ?? (() => Date.now());
    this.#s = {
      add: this.#db.prepare<[string, string, string, string, number]>(
        'INSERT INTO review_event (study_uid, action, reviewer, comment, at) VALUES (?, ?, ?, ?, ?)',
      ),
      events: this.#db.prepare<
        [string],
        { study_uid: string; action: string; reviewer: string; comment: string; at: number }
      >('SELECT study_uid, action, reviewer, comment, at FROM review_event WHERE study_uid = ? ORDER BY seq'),
      status: this.#db.prepare<[string], { status: string }>(
        'SELECT status FROM study_annotation_status WHERE study_uid = ? ORDER BY seq DESC LIMIT 1',
      ),
    };
  }

  /** The loaded project's manifest, when sync has one (re-read when the file changes). */
  manifest(): SyncManifest | null {
    const file = path.join(this.#dataDir, PROJECT_MANIFEST);
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(file).mtimeMs;
    } catch {
      return null;
    }
    if (this.#manifestCache?.mtimeMs === mtimeMs) return this.#manifestCache.manifest;
    let manifest: SyncManifest | null = null;
    try {
      const parsed = SyncManifest.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      manifest = parsed.success ? parsed.data : null;
    } catch {
      manifest = null;
    }
    this.#manifestCache = { mtimeMs, manifest };
    return manifest;
  }

  settings(): ReviewSettings {
    const fromProject = this.manifest()?.review;
    if (fromProject) return fromProject;
    try {
      const text = fs.readFileSync(path.join(this.#dataDir, REVIEW_DIR, SETTINGS_FILE), 'utf8');
      const parsed = ReviewSettings.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // No settings file: the defaults.
    }
    return ReviewSettings.parse({});
  }

  saveSettings(settings: ReviewSettings): ReviewSettings {
    this.requireRole(['admin'], 'Only an administrator can change the review settings.');
    const folder = path.join(this.#dataDir, REVIEW_DIR);
    try {
      fs.mkdirSync(folder, { recursive: true });
      const file = path.join(folder, SETTINGS_FILE);
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(settings, null, 2));
      fs.renameSync(`${file}.tmp`, file);
    } catch (error) {
      throw new AppError(ErrorCode.Io, 'The review settings could not be saved to the data folder.', {
        cause: error,
      });
    }
    return this.settings();
  }

  state(): ReviewState {
    const { role, from } = this.#role();
    return { role, roleFrom: from, settings: this.settings() };
  }

  #role(): { role: ReviewRole; from: ReviewState['roleFrom'] } {
    const identity = this.#identity();
    const manifest = this.manifest();
    const username = identity.reader?.username ?? identity.readerId;
    if (manifest) {
      const entry = manifestReader(manifest, username);
      if (entry) return { role: entry.role, from: 'project' };
    }
    if (identity.accounts) {
      if (!identity.reader) return { role: 'annotator', from: 'account' };
      return { role: identity.reader.role === 'admin' ? 'admin' : 'annotator', from: 'account' };
    }
    // A workstation without accounts and without a project: its one user does everything.
    return { role: manifest ? 'annotator' : 'admin', from: manifest ? 'project' : 'workstation' };
  }

  role(): ReviewRole {
    return this.#role().role;
  }

  requireRole(roles: readonly ReviewRole[], message: string): void {
    if (!roles.includes(this.role())) throw new AppError(ErrorCode.Forbidden, message);
  }

  #status(studyInstanceUID: string): string | null {
    return this.#s.status.get(studyInstanceUID)?.status ?? null;
  }

  /**
   * Which versions of a study the current reader may see: everything, unless the project is
   * blinded, the reader is an annotator and the study is not verified yet.
   */
  visibility(studyInstanceUID: string): ((version: AnnotationVersion) => boolean) | null {
    const settings = this.settings();
    if (!settings.blinded || this.role() !== 'annotator') return null;
    if (this.#status(studyInstanceUID) === 'verified') return null;
    const me = this.#identity().readerId;
    return (version) => (version.source.startsWith('ai:') ? !settings.blindAi : version.author === me);
  }

  /** AI findings are hidden from this reader in this study (blinded project with blindAi). */
  aiHidden(studyInstanceUID: string): boolean {
    const settings = this.settings();
    return (
      settings.blinded &&
      settings.blindAi &&
      this.role() === 'annotator' &&
      this.#status(studyInstanceUID) !== 'verified'
    );
  }

  record(studyInstanceUID: string, action: ReviewEvent['action'], comment: string): ReviewEvent {
    const event: ReviewEvent = {
      studyInstanceUID,
      action,
      reviewer: this.#identity().readerId,
      comment,
      at: this.#now(),
    };
    try {
      this.#s.add.run(event.studyInstanceUID, event.action, event.reviewer, event.comment, event.at);
    } catch (error) {
      throw new AppError(ErrorCode.Io, 'The review could not be saved to the data folder.', { cause: error });
    }
    return event;
  }

  events(studyInstanceUID: string): ReviewEvent[] {
    return this.#s.events.all(studyInstanceUID).map((row) => ({
      studyInstanceUID: row.study_uid,
      action: row.action as ReviewEvent['action'],
      reviewer: row.reviewer,
      comment: row.comment,
      at: row.at,
    }));
  }
}
