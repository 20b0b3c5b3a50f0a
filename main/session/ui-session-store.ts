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
  ) {
    this.#file = path.join(dataDir, UI_SESSION_FILE_NAME);
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
