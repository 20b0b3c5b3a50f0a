/** `radlabel serve`: runs the DICOM receiver (C-STORE SCP) on a data folder until Ctrl-C. */
import { PacsLocalSettings } from '../../../shared/pacs.js';
import { type Command, ExitStatus, UsageError } from '../command.js';
import { dataDirOption, openServices, parseCommandArgs } from '../options.js';

const options = {
  ...dataDirOption,
  aet: { type: 'string' },
  port: { type: 'string' },
  bind: { type: 'string' },
  allow: { type: 'string', multiple: true },
  'accept-any': { type: 'boolean' },
} as const;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Receive studies from a PACS or a modality (DICOM C-STORE SCP) until Ctrl-C.',
  usage: `Usage: radlabel serve [--data-dir DIR] [--aet TITLE] [--port N] [--bind ADDRESS]
                      [--allow AE[@HOST]…] [--accept-any]

Runs the DICOM receiver of the data folder: objects sent to it (C-STORE) are imported into the
catalog as "radlabel import" would; C-ECHO is answered. Without options it uses the PACS settings
saved in the app (local AE title, port, interface, allowed callers, remote nodes); each option
overrides its setting for this run.

Options:
  --data-dir DIR      The RadLabel data folder (default: $RADLABEL_DATA_DIR, else the user data folder)
  --aet TITLE         Our AE title (default: the saved one, else RADLABEL)
  --port N            The TCP port (default: the saved one, else 11112; 0 lets the system choose)
  --bind ADDRESS      The interface to listen on (default: the saved one, else 0.0.0.0 = all)
  --allow AE[@HOST]   A caller allowed to send (repeatable); without @HOST from any host
  --accept-any        Accept any caller (only on a closed network)
  -h, --help          Show this help

Prints "listening <AE> <address>:<port> pid <pid>" once ready. Ctrl-C (SIGINT) or SIGTERM stops it cleanly:
objects not complete are discarded, those answered stay imported.
Exit status: 0 stopped; 2 usage error; 3 could not start (port in use, data folder unusable).`,

  async run(args, context) {
    const { values } = parseCommandArgs(args, options);
    if (values.help) {
      context.stdout.write(`${this.usage}\n`);
      return ExitStatus.Ok;
    }
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535))
      throw new UsageError(`--port must be a number from 0 to 65535, not "${values.port}".`);
    const allowedCallers = (values.allow ?? []).map((entry) => {
      const [aeTitle = '', host = ''] = entry.split('@');
      return { aeTitle, host };
    });
    const { services } = openServices(values['data-dir'], context.env, { syncBackground: true });
    try {
      const saved = (await services.handlers['pacs.getSettings']({})).local;
      const wanted = {
        ...saved,
        enabled: true,
        ...(values.aet !== undefined ? { aeTitle: values.aet } : {}),
        ...(port !== undefined ? { port: port === 0 ? 1 : port } : {}),
        ...(values.bind !== undefined ? { bindAddress: values.bind } : {}),
        ...(allowedCallers.length > 0 ? { allowedCallers } : {}),
        ...(values['accept-any'] ? { acceptAnyCaller: true } : {}),
      };
      const checked = PacsLocalSettings.safeParse(wanted);
      if (!checked.success)
        throw new UsageError(
          checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
        );
      const status = await services.pacs.start({ ...checked.data, ...(port === 0 ? { port: 0 } : {}) });
      if (!status.running) {
        context.stderr.write(`radlabel serve: ${status.error ?? 'the receiver did not start'}\n`);
        return ExitStatus.Fatal;
      }
      context.stdout.write(
        `listening ${checked.data.aeTitle} ${checked.data.bindAddress}:${status.port} pid ${process.pid}\n`,
      );
      await new Promise<void>((resolve) => {
        const stopInterrupt = context.onInterrupt(() => {
          stopInterrupt();
          resolve();
        });
        const onTerm = () => {
          process.off('SIGTERM', onTerm);
          stopInterrupt();
          resolve();
        };
        process.on('SIGTERM', onTerm);
      });
      context.stderr.write('Stopping the receiver…\n');
      return ExitStatus.Ok;
    } finally {
      await services.close();
    }
  },
};
