/**
 * The reader's place (shared/ui-session.ts), kept in the data folder as `ui-session.json` so that
 * both a page reload and an app restart (Electron may wipe its origin storage) restore it. Written
 * whole to a temporary file and renamed, so a crash leaves the previous copy. A damaged or
 * unreadable file is treated as no session: losing one's place must never stop the app starting.
 * Nothing of its content is logged (the search text may be a patient's name).
 */
import fs from 'node:fs';
import path from 'node:path';
import { type UiSession, UiSession as UiSessionSchema } from '../../shared/ui-session.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../core/logger.js';

export const UI_SESSION_FILE_NAME = 'ui-session.json';

export class UiSessionStore {
  readonly #file: string;
  #sequence = 0;

  constructor(
    dataDir: string,
    private readonly logger: Logger,
    /** Whether the catalog still has a study: a saved place never names one it does not. */
    private readonly studyExists: (studyInstanceUID: string) => boolean = () => true,
  ) {
    this.#file = path.join(dataDir, UI_SESSION_FILE_NAME);
  }

  /**
   * Forgets deleted studies: the place is rewritten without them, and without the search text, which
   * may be the deleted patient's name. A page saving its place a moment later is pruned in `save`.
   */
  forget(studyUids: readonly string[]): void {
    const session = this.load();
    if (!session) return;
    const gone = new Set(studyUids);
    const pruned = prune(session, (uid) => !gone.has(uid));
    if (pruned === session) return;
    this.#write({ ...pruned, worklist: { ...pruned.worklist, search: '' } });
  }

  load(): UiSession | null {
    let text: string;
    try {
      text = fs.readFileSync(this.#file, 'utf8');
    } catch {
      return null;
    }
    try {
      const parsed = UiSessionSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // Not JSON: fall through.
    }
    this.logger.warn({}, 'ui session file unreadable; starting without it');
    return null;
  }

  save(session: UiSession): void {
    const valid = UiSessionSchema.parse(session);
    const pruned = prune(valid, this.studyExists);
    // A page that still shows a deleted study may also still show the search that found it.
    this.#write(pruned === valid ? valid : { ...pruned, worklist: { ...pruned.worklist, search: '' } });
  }

  #write(valid: UiSession): void {
    const temporary = `${this.#file}.${process.pid}.${(this.#sequence += 1)}.tmp`;
    try {
      fs.writeFileSync(temporary, JSON.stringify(valid));
      fs.renameSync(temporary, this.#file);
    } catch (error) {
      fs.rmSync(temporary, { force: true });
      throw new AppError(
        ErrorCode.Io,
        'Your place in the viewer could not be saved (check the data folder).',
        {
          cause: error,
        },
      );
    }
  }
}

/** The session without the studies `keep` refuses; the same object when nothing changes. */
export function prune(session: UiSession, keep: (studyInstanceUID: string) => boolean): UiSession {
  const selected = session.worklist.selectedStudyUID;
  const viewer = session.viewer;
  const selectionGone = selected !== null && !keep(selected);
  const viewerGone = viewer !== null && !keep(viewer.studyInstanceUID);
  const comparisonGone =
    viewer !== null && !viewerGone && viewer.comparisonStudyUID !== null && !keep(viewer.comparisonStudyUID);
  const viewportsGone =
    viewer !== null && !viewerGone && viewer.viewports.some((v) => v !== null && !keep(v.studyInstanceUID));
  if (!selectionGone && !viewerGone && !comparisonGone && !viewportsGone) return session;
  return {
    ...session,
    screen: viewerGone ? 'worklist' : session.screen,
    worklist: { ...session.worklist, selectedStudyUID: selectionGone ? null : selected },
    viewer:
      viewer === null || viewerGone
        ? null
        : {
            ...viewer,
            comparisonStudyUID: comparisonGone ? null : viewer.comparisonStudyUID,
            viewports: viewer.viewports.map((v) => (v !== null && !keep(v.studyInstanceUID) ? null : v)),
          },
  };
}
