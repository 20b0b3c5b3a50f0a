/**
 * The project secret at rest: 32 random bytes sealed with AES-256-GCM under a key derived
 * (HKDF-SHA-256) from the KeyProvider's master key. The file holds only the IV, the tag and the
 * ciphertext; the secret itself is never written in the clear, logged or sent to the renderer.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { KeyProvider } from '../deid/linkage.js';

const SECRET_BYTES = 32;
const FORMAT = 'radlabel-sealed-secret/1';

interface SealedFile {
  format: typeof FORMAT;
  iv: string;
  tag: string;
  ciphertext: string;
}

function sealingKey(keys: KeyProvider, purpose = 'radlabel-project-secret'): Buffer {
  return Buffer.from(
    crypto.hkdfSync('sha256', keys.masterKey(), Buffer.from(purpose), Buffer.from('aes-256-gcm'), 32),
  );
}

function seal(secret: Uint8Array, keys: KeyProvider, purpose?: string): SealedFile {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', sealingKey(keys, purpose), iv);
  cipher.setAAD(Buffer.from(FORMAT));
  const ciphertext = Buffer.concat([cipher.update(secret), cipher.final()]);
  return {
    format: FORMAT,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

function open(sealed: SealedFile, keys: KeyProvider, purpose?: string): Uint8Array {
  try {
    const decipher = crypto.createDecipheriv(
      'aes-256-gcm',
      sealingKey(keys, purpose),
      Buffer.from(sealed.iv, 'base64'),
    );
    decipher.setAAD(Buffer.from(FORMAT));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(
      ErrorCode.KeyUnavailable,
      'The de-identification secret of this data folder was protected with another key, so it cannot be ' +
        'opened: pseudonyms would no longer match earlier exports. Use the key this folder was set up with.',
      { cause: error },
    );
  }
}

/** The sealed project secret in one file; created on first use. */
export class SealedSecretFile {
  #secret: Uint8Array | null = null;

  constructor(
    private readonly file: string,
    private readonly keys: KeyProvider,
  ) {}

  exists(): boolean {
    return fs.existsSync(this.file);
  }

  /** The secret, opened (or created) once per process and then kept in memory. */
  get(): Uint8Array {
    if (this.#secret) return this.#secret;
    let sealed: SealedFile | null = null;
    try {
      sealed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as SealedFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new AppError(ErrorCode.Io, 'The de-identification secret file cannot be read.', {
          cause: error,
        });
    }
    if (sealed && sealed.format !== FORMAT)
      throw new AppError(
        ErrorCode.Io,
        'The de-identification secret file is not in a format this version knows.',
      );
    this.#secret = sealed ? open(sealed, this.keys) : this.#create();
    return this.#secret;
  }

  #create(): Uint8Array {
    const secret = crypto.randomBytes(SECRET_BYTES);
    const content = `${JSON.stringify(seal(secret, this.keys), null, 2)}\n`;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    const fd = fs.openSync(temporary, 'w', 0o600);
    try {
      fs.writeFileSync(fd, content);
      // Losing the secret to a crash would change every pseudonym: it reaches the disk first.
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      // `link` fails when another process created the secret meanwhile: then theirs wins.
      fs.linkSync(temporary, this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return open(JSON.parse(fs.readFileSync(this.file, 'utf8')) as SealedFile, this.keys);
    } finally {
      fs.rmSync(temporary, { force: true });
    }
    return secret;
  }
}

/**
 * A caller's value (the sync server's password or token) sealed the same way under the same key
 * (in the desktop app, the OS keychain through safeStorage), with a key derived for `purpose`.
 * Written atomically with mode 0600; never logged.
 */
export class SealedValueFile {
  constructor(
    private readonly file: string,
    private readonly keys: KeyProvider,
    private readonly purpose: string,
  ) {}

  /** The value, or null when none was saved. */
  read(): string | null {
    let sealed: SealedFile;
    try {
      sealed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as SealedFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new AppError(ErrorCode.Io, 'A protected value of this data folder cannot be read.', {
        cause: error,
      });
    }
    if (sealed.format !== FORMAT)
      throw new AppError(
        ErrorCode.Io,
        'A protected value of this data folder is not in a format this version knows.',
      );
    return Buffer.from(open(sealed, this.keys, this.purpose)).toString('utf8');
  }

  write(value: string): void {
    const content = `${JSON.stringify(seal(Buffer.from(value, 'utf8'), this.keys, this.purpose), null, 2)}\n`;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, content, { mode: 0o600 });
    fs.renameSync(temporary, this.file);
  }

  clear(): void {
    fs.rmSync(this.file, { force: true });
  }
}
