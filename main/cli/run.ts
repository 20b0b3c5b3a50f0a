/** The CLI without the process: parses argv, dispatches to a subcommand, returns the exit status. */
import { CLI_SESSION_ID, runInSession } from '../account/sessions.js';
import { isAppError } from '../../shared/errors.js';
import { PRODUCT_NAME } from '../core/paths.js';
import { productVersion } from '../services.js';
import { type CliContext, ExitStatus, UsageError } from './command.js';
import { commands } from './commands/index.js';

export async function runCli(argv: string[], context: CliContext): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    context.stdout.write(help());
    return first === undefined ? ExitStatus.Usage : ExitStatus.Ok;
  }
  if (first === '--version' || first === '-v') {
    context.stdout.write(`${productVersion()}\n`);
    return ExitStatus.Ok;
  }
  const command = commands.find((candidate) => candidate.name === first);
  if (!command) {
    context.stderr.write(`radlabel: unknown command "${first}". Run "radlabel --help" for the list.\n`);
    return ExitStatus.Usage;
  }
  try {
    // The CLI runs as the operating system's user with the data folder's key: no reader sign-in (docs/accounts.md).
    return await runInSession(CLI_SESSION_ID, () => command.run(rest, context));
  } catch (error) {
    if (error instanceof UsageError) {
      context.stderr.write(`radlabel ${command.name}: ${error.message}\n\n${command.usage}\n`);
      return ExitStatus.Usage;
    }
    if (isAppError(error)) {
      context.stderr.write(`radlabel ${command.name}: ${error.message}\n`);
      return ExitStatus.Fatal;
    }
    context.stderr.write(
      `radlabel ${command.name}: an unexpected error occurred (a bug). ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    return ExitStatus.Fatal;
  }
}

function help(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return `${PRODUCT_NAME} ${productVersion()} — DICOM labeling workstation for research (not for diagnosis).

Usage: radlabel <command> [options]

Commands:
${commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Options:
  -h, --help     Show this help (or a command's, after its name)
  -v, --version  Show the version

The data folder is --data-dir, else $RADLABEL_DATA_DIR, else the user data folder.
`;
}
