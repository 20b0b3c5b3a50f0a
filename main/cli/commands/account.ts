/**
 * `radlabel account list|create|reset-password|disable|enable`: reader accounts of a data folder
 * for a headless administrator (docs/accounts.md). The command line runs as the operating system's
 * user who holds the data folder and its key, so it needs no sign-in; every change goes through the
 * same `account.*` handlers as the Accounts screen (password rule, last administrator kept) and is
 * audited with the reader `cli:<user>`. Passwords are read from a prompt without echo, or one line
 * each from standard input; never from the command line.
 */
import type { ReaderAccountView } from '../../../shared/audit.js';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { type CliContext, type Command, ExitStatus, UsageError } from '../command.js';
import { dataDirOption, openServices, parseCommandArgs } from '../options.js';
import { InterruptedError } from '../secret.js';

const ACTIONS = ['list', 'create', 'reset-password', 'disable', 'enable'] as const;
type Action = (typeof ACTIONS)[number];

export const accountCommand: Command = {
  name: 'account',
  summary: 'List, create, reset, disable or enable reader accounts.',
  usage: `Usage: radlabel account list [--data-dir DIR]
       radlabel account create USER [--name "FULL NAME"] [--role reader|admin] [--must-change] [--data-dir DIR]
       radlabel account reset-password USER [--data-dir DIR]
       radlabel account disable USER [--data-dir DIR]
       radlabel account enable USER [--data-dir DIR]

Manages the reader accounts of a shared workstation. Passwords are never given on the command line:
on a terminal they are asked for twice without echo; otherwise each is one line of standard input,
e.g. printf '%s\\n' "$PASSWORD" | radlabel account create alice.
A password has at least 8 characters of at least two kinds (letters, digits, other signs) and is not
the user name. After reset-password the reader must choose a new password at the next sign-in.
The last enabled administrator can be neither disabled nor made a reader. The first account created
is always an administrator and turns sign-in on.

Options:
  --name NAME     The reader's full name (create; default: the user name)
  --role ROLE     reader (default) or admin (create)
  --must-change   The reader must change the initial password at the first sign-in (create)
  --data-dir DIR  The RadLabel data folder (default: $RADLABEL_DATA_DIR, else the user data folder)
  -h, --help      Show this help

Exit status: 0 done; 2 usage error; 3 refused (e.g. a weak password, the last administrator) or could not run.`,

  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, {
      ...dataDirOption,
      name: { type: 'string' },
      role: { type: 'string' },
      'must-change': { type: 'boolean' },
    });
    if (values.help) {
      context.stdout.write(`${this.usage}\n`);
      return ExitStatus.Ok;
    }
    const [action, username, ...rest] = positionals;
    if (!ACTIONS.includes(action as Action))
      throw new UsageError(action ? `Unknown action "${action}".` : `Say what to do: ${ACTIONS.join(', ')}.`);
    if (action === 'list' ? username !== undefined : username === undefined || rest.length > 0)
      throw new UsageError(action === 'list' ? 'list takes no user name.' : `${action} takes one user name.`);
    if (
      action !== 'create' &&
      (values.name !== undefined || values.role !== undefined || values['must-change'])
    )
      throw new UsageError('--name, --role and --must-change go with create.');
    const role = values.role ?? 'reader';
    if (role !== 'reader' && role !== 'admin') throw new UsageError('--role is reader or admin.');

    // The password first: a data folder is not opened for a command that cannot get one.
    const password =
      action === 'create' || action === 'reset-password' ? await readNewPassword(context, username!) : null;
    if (password === null && (action === 'create' || action === 'reset-password'))
      return ExitStatus.Interrupted;

    const { services } = openServices(values['data-dir'], context.env);
    try {
      const handlers = services.handlers;
      if (action === 'list') {
        const accounts = services.account.accounts.list();
        if (accounts.length === 0)
          context.stdout.write('No accounts: the workstation is open (no sign-in) until one is created.\n');
        else {
          context.stdout.write('USER\tNAME\tROLE\tCREATED\tLAST SIGN-IN\tSTATUS\n');
          for (const account of accounts)
            context.stdout.write(
              `${account.username}\t${account.displayName}\t${account.role}\t${iso(account.createdAt)}\t` +
                `${account.lastSignInAt === null ? 'never' : iso(account.lastSignInAt)}\t${status(account)}\n`,
            );
        }
        return ExitStatus.Ok;
      }
      if (action === 'create') {
        const created = await handlers['account.create']({
          username: username!,
          password: password!,
          role,
          mustChangePassword: values['must-change'] ?? false,
          ...(values.name ? { displayName: values.name } : {}),
        });
        context.stdout.write(
          `Created ${created.role === 'admin' ? 'administrator' : 'reader'} ${created.username}.\n`,
        );
        return ExitStatus.Ok;
      }
      const readerId = find(services.account.accounts.list(), username!);
      if (action === 'reset-password') {
        await handlers['account.resetPassword']({ readerId, password: password! });
        context.stdout.write(`Password of ${username} reset: they choose a new one at the next sign-in.\n`);
      } else {
        await handlers['account.setDisabled']({ readerId, disabled: action === 'disable' });
        context.stdout.write(
          `${username} ${action === 'disable' ? 'disabled: cannot sign in' : 'enabled'}.\n`,
        );
      }
      return ExitStatus.Ok;
    } finally {
      await services.close();
    }
  },
};

function find(accounts: ReaderAccountView[], username: string): string {
  const account = accounts.find(
    (candidate) => candidate.username.toLowerCase() === username.trim().toLowerCase(),
  );
  if (!account) throw new AppError(ErrorCode.NotFound, `No account "${username}" in this data folder.`);
  return account.readerId;
}

/** The new password: typed twice on a terminal, else one line of standard input. Null: interrupted. */
async function readNewPassword(context: CliContext, username: string): Promise<string | null> {
  const secrets = context.secrets;
  if (!secrets) throw new UsageError('No terminal or standard input to read the password from.');
  try {
    const password = await secrets.read(`New password for ${username}: `);
    if (secrets.interactive && (await secrets.read('The same password again: ')) !== password)
      throw new AppError(ErrorCode.InvalidRequest, 'The two passwords differ; nothing was changed.');
    if (!password)
      throw new AppError(ErrorCode.InvalidRequest, 'The password is empty; nothing was changed.');
    return password;
  } catch (error) {
    if (error instanceof InterruptedError) return null;
    if (error instanceof AppError) throw error;
    throw new AppError(ErrorCode.InvalidRequest, (error as Error).message);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function status(account: ReaderAccountView): string {
  if (account.disabled) return 'disabled';
  if (account.lockedUntil > Date.now()) return `locked out until ${iso(account.lockedUntil)}`;
  if (account.mustChangePassword) return 'must change password';
  return 'active';
}
