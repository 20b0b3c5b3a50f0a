/**
 * Reads a password for a CLI command (`radlabel account create|reset-password`): on a terminal,
 * a prompt on stderr with the typed characters not echoed; otherwise one line of standard input
 * per password (`printf '%s\n' "$PW" | radlabel account create ...`). Never from argv: the command
 * line of a process is visible to every user of the machine (ps, /proc).
 */
import readline from 'node:readline';

export interface SecretSource {
  /** Whether the prompt is a terminal (then the password is typed twice). */
  readonly interactive: boolean;
  read(prompt: string): Promise<string>;
}

export class InterruptedError extends Error {}

export function processSecretSource(
  stdin: NodeJS.ReadStream = process.stdin,
  stderr: NodeJS.WriteStream = process.stderr,
): SecretSource {
  if (stdin.isTTY) return { interactive: true, read: (prompt) => readHidden(prompt, stdin, stderr) };
  let lines: AsyncIterator<string> | null = null;
  return {
    interactive: false,
    async read() {
      lines ??= readline.createInterface({ input: stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
      const next = await lines.next();
      if (next.done) throw new Error('Standard input ended before the password.');
      return next.value;
    },
  };
}

function readHidden(prompt: string, stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve, reject) => {
    // Echo off before the prompt shows, so nothing typed after it is echoed.
    const wasRaw = stdin.isRaw;
    stdin.setRawMode(true);
    stderr.write(prompt);
    stdin.setEncoding('utf8');
    stdin.resume();
    let value = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new InterruptedError('Interrupted.'));
        if (char === '\u0004') return finish(value ? undefined : new InterruptedError('No password given.'));
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else if (char >= ' ') value += char;
      }
    };
    stdin.on('data', onData);
  });
}
