/**
 * `radlabel audit [--verify] [--csv FILE] [--action A] [--limit N]`: the audit log of a data folder
 * (main/audit/, docs/audit.md) for the IT administrator: the newest entries, the hash chain check
 * (exit 1 when a link is broken), or the whole (filtered) log as CSV.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AUDIT_ACTIONS, type AuditAction } from '../../audit/audit-log.js';
import { type Command, ExitStatus, UsageError } from '../command.js';
import { dataDirOption, openServices, parseCommandArgs } from '../options.js';

export const auditCommand: Command = {
  name: 'audit',
  summary: 'Show, verify or export the audit log.',
  usage: `Usage: radlabel audit [--verify] [--csv FILE] [--action ACTION] [--limit N] [--data-dir DIR]

Lists the newest audit entries (who did what, to which pseudonymous subject, when). Subjects are
keyed pseudonyms: no patient name, Patient ID or UID appears in the log.

Options:
  --verify         Check the hash chain; exit status 1 names the first entry that was changed or removed
  --csv FILE       Write the whole log (or the --action entries) as CSV to FILE ("-": standard output)
  --action ACTION  Only entries of this action (${AUDIT_ACTIONS.join(', ')})
  --limit N        How many entries to list (default 50)
  --data-dir DIR   The RadLabel data folder (default: $RADLABEL_DATA_DIR, else the user data folder)
  -h, --help       Show this help

Exit status: 0 done (chain intact); 1 the chain is broken; 2 usage error; 3 could not run.`,

  async run(args, context) {
    const { values } = parseCommandArgs(args, {
      ...dataDirOption,
      verify: { type: 'boolean' },
      csv: { type: 'string' },
      action: { type: 'string' },
      limit: { type: 'string' },
    });
    if (values.help) {
      context.stdout.write(`${this.usage}\n`);
      return ExitStatus.Ok;
    }
    const action = values.action as AuditAction | undefined;
    if (action !== undefined && !AUDIT_ACTIONS.includes(action))
      throw new UsageError(`Unknown action "${values.action}".`);
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
      throw new UsageError('--limit takes a whole number.');
    const { services } = openServices(values['data-dir'], context.env);
    try {
      const audit = services.account.audit;
      if (values.verify) {
        const result = audit.verify();
        if (result.ok) {
          context.stdout.write(`Audit log intact: ${result.checked} entries, every link checked.\n`);
        } else {
          context.stdout.write(
            `Audit log BROKEN at entry ${result.firstBrokenSeq}: ${result.reason} (${result.checked} entries before it are intact).\n`,
          );
          return ExitStatus.PartialFailure;
        }
      }
      if (values.csv !== undefined) {
        const csv = audit.csv(action ? { action } : {});
        if (values.csv === '-') context.stdout.write(csv);
        else {
          fs.writeFileSync(path.resolve(values.csv), csv, { mode: 0o600 });
          context.stdout.write(`Wrote ${csv.split('\r\n').length - 2} entries to ${values.csv}.\n`);
        }
      }
      if (!values.verify && values.csv === undefined) {
        const { total, entries } = audit.list({ limit, ...(action ? { action } : {}) });
        for (const entry of entries.reverse())
          context.stdout.write(
            `${entry.seq}\t${new Date(entry.at).toISOString()}\t${entry.reader}\t${entry.action}\t` +
              `${entry.subjectKind}:${entry.subject}\t${entry.outcome}\t${JSON.stringify(entry.detail)}\n`,
          );
        context.stdout.write(`${entries.length} of ${total} entries.\n`);
      }
      return ExitStatus.Ok;
    } finally {
      await services.close();
    }
  },
};
