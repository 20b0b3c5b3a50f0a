/**
 * A CLI subcommand. Each lives in its own file under commands/ and is registered once in
 * commands/index.ts; `radlabel --help` lists them from there.
 */
import type { SecretSource } from './secret.js';

export interface CliOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface CliContext {
  stdout: CliOutput;
  stderr: CliOutput;
  env: NodeJS.ProcessEnv;
  /** Lets a command react to Ctrl-C (e.g. cancel an import); returns an unsubscribe function. */
  onInterrupt(listener: () => void): () => void;
  /** Where passwords come from (a prompt without echo, or standard input; never argv). */
  secrets?: SecretSource;
}

export interface Command {
  name: string;
  /** One line for `radlabel --help`. */
  summary: string;
  /** Full usage text for `radlabel <name> --help`. */
  usage: string;
  /** Runs the command; resolves to the process exit status. */
  run(args: string[], context: CliContext): Promise<number>;
}

/** Exit statuses shared by every command. */
export const ExitStatus = {
  Ok: 0,
  /** Some inputs failed (the rest was done). */
  PartialFailure: 1,
  /** Wrong usage: unknown command or option, missing argument. */
  Usage: 2,
  /** The command could not run at all (data folder unusable, internal error). */
  Fatal: 3,
  /** Interrupted by the user (128 + SIGINT). */
  Interrupted: 130,
} as const;

/** Thrown by option parsing for a usage error; the message is shown with the command's usage. */
export class UsageError extends Error {}
