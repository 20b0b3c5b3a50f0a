/** `radlabel sync --project <manifest.json> [--study UID…]`: one sync with the cloud project until nothing is left to do now. */
import cliProgress from 'cli-progress';
import type { SyncProgress } from '../../../shared/sync.js';
import { type Command, type CliOutput, ExitStatus } from '../command.js';
import { dataDirOption, openServices, parseCommandArgs } from '../options.js';

const PLAIN_PROGRESS_INTERVAL_MS = 2000;

export const syncCommand: Command = {
  name: 'sync',
  summary: 'Sync with the cloud project: upload chosen studies de-identified, fetch your tasks.',
  usage: `Usage: radlabel sync --project <manifest.json|URL> [--study UID…] [--data-dir DIR]
                     [--max-attempts N]

Loads the project manifest, de-identifies the chosen studies with the project's settings and uploads
them (STOW-RS), then fetches the studies assigned to you and your colleagues' and AI annotations of
them (QIDO-RS, WADO-RS). Everything is resumable: run it again after an interruption and it goes
on where it stopped. Credentials: RADLABEL_SYNC_TOKEN, or RADLABEL_SYNC_USER and
RADLABEL_SYNC_PASSWORD, or the key file the manifest names (docs/sync.md).

Options:
  --project M      The project manifest (a file, or an https:// URL)
  --study UID      Choose a local study for upload (repeatable); chosen studies stay chosen
  --max-attempts N Tries per object in this run before giving up for now (default 6)
  --data-dir DIR   The RadLabel data folder (default: $RADLABEL_DATA_DIR, else the user data folder)
  -h, --help       Show this help

Exit status: 0 everything synced; 1 some objects failed (reasons listed) or wait for a later run
(server unreachable); 2 usage error; 3 could not run; 130 interrupted (what was done stays).`,

  async run(args, context) {
    const { values } = parseCommandArgs(args, {
      ...dataDirOption,
      project: { type: 'string' },
      study: { type: 'string', multiple: true },
      'max-attempts': { type: 'string' },
    });
    if (values.help) {
      context.stdout.write(`${this.usage}\n`);
      return ExitStatus.Ok;
    }
    if (!values.project) {
      context.stderr.write(`No project: give --project <manifest.json>.\n\n${this.usage}\n`);
      return ExitStatus.Usage;
    }
    const maxAttempts = values['max-attempts'] === undefined ? 6 : Number(values['max-attempts']);
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      context.stderr.write('--max-attempts takes a whole number of 1 or more.\n');
      return ExitStatus.Usage;
    }
    const { services } = openServices(values['data-dir'], context.env, { syncBackground: false });
    const controller = new AbortController();
    const stopInterrupt = context.onInterrupt(() => {
      context.stderr.write('\nStopping: the current request ends first; run sync again to go on.\n');
      controller.abort();
    });
    const display: Display = context.stdout.isTTY ? new BarDisplay() : new PlainDisplay(context.stdout);
    const unsubscribe = services.events.subscribe((event) => {
      if (event.name === 'sync.progress') display.update(event.payload);
    });
    try {
      const source = values.project;
      const engine = await services.sync.load(
        /^https?:\/\//i.test(source) ? { url: source } : { path: source },
      );
      if (values.study?.length) {
        await services.handlers['sync.selectStudies']({ studyInstanceUIDs: values.study });
      }
      const result = await services.sync.runUntilSettled({
        signal: controller.signal,
        // Bounded: a run gives up for now once every waiting object was tried max-attempts times.
        shouldStop: (pass, passes) =>
          (pass.pending === 0 && pass.stoppedBy === null) ||
          pass.stoppedBy === 'auth' ||
          passes >= maxAttempts,
      });
      display.update(engine.progress());
      display.stop();
      const status = await services.handlers['sync.status']({});
      for (const study of status.studies)
        if (study.state === 'failed')
          context.stderr.write(
            `${study.direction === 'up' ? 'upload' : 'download'} ${study.studyInstanceUID}: ${study.error ?? 'failed'}\n`,
          );
      if (result.error) context.stderr.write(`${result.error}\n`);
      context.stdout.write(
        `Sync ${controller.signal.aborted ? 'stopped' : 'finished'}: ${result.done} objects done, ` +
          `${result.failed} failed, ${result.pending} waiting.\n`,
      );
      if (controller.signal.aborted) return ExitStatus.Interrupted;
      return result.failed > 0 || result.pending > 0 || result.error
        ? ExitStatus.PartialFailure
        : ExitStatus.Ok;
    } finally {
      unsubscribe();
      stopInterrupt();
      display.stop();
      await services.close();
    }
  },
};

interface Display {
  update(progress: SyncProgress): void;
  stop(): void;
}

class BarDisplay implements Display {
  readonly #bar = new cliProgress.SingleBar(
    {
      format: '{state} |{bar}| {value}/{total} objects | {failed} failed | {mb} MB sent',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  #started = false;
  #stopped = false;

  update(progress: SyncProgress): void {
    if (this.#stopped) return;
    const payload = {
      state: progress.state.padEnd(8),
      failed: progress.itemsFailed,
      mb: (progress.bytesSent / 2 ** 20).toFixed(1),
    };
    if (!this.#started) {
      this.#bar.start(Math.max(progress.itemsTotal, 1), progress.itemsDone, payload);
      this.#started = true;
    }
    this.#bar.setTotal(Math.max(progress.itemsTotal, 1));
    this.#bar.update(progress.itemsDone, payload);
  }

  stop(): void {
    if (this.#started && !this.#stopped) this.#bar.stop();
    this.#stopped = true;
  }
}

class PlainDisplay implements Display {
  #last = 0;
  constructor(private readonly out: CliOutput) {}

  update(progress: SyncProgress): void {
    const now = Date.now();
    if (now - this.#last < PLAIN_PROGRESS_INTERVAL_MS) return;
    this.#last = now;
    this.out.write(
      `${progress.state}: ${progress.itemsDone}/${progress.itemsTotal} objects, ${progress.itemsFailed} failed\n`,
    );
  }

  stop(): void {}
}
