/**
 * The command line run in the test's own process (main/cli/run.ts), as `radlabel <args>` would
 * run: its exit status and what it printed. Ctrl-C is never pressed; passwords come from `secrets`
 * when a command asks for one.
 */
import { runCli } from '../../main/cli/run.js';
import type { SecretSource } from '../../main/cli/secret.js';

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** `env` is the whole environment the CLI sees (nothing of the test's own unless passed). */
export async function runCliInProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  secrets?: SecretSource,
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const status = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    onInterrupt: () => () => undefined,
    ...(secrets ? { secrets } : {}),
  });
  return { status, stdout, stderr };
}
