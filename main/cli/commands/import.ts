/** `radlabel import <path…>`: imports files, folders, DICOMDIR media and zip archives. */
import cliProgress from 'cli-progress';
import type { ImportProgress } from '../../../shared/contract.js';
import { type Command, ExitStatus, UsageError } from '../command.js';
import { dataDirOption, openServices, parseCommandArgs } from '../options.js';

const PLAIN_PROGRESS_INTERVAL_MS = 2000;

export const importCommand: Command = {
  name: 'import',
  summary: 'Import DICOM files, folders, DICOMDIR media or zip archives into the catalog.',
  usage: `Usage: radlabel import <path…> [--data-dir DIR]

Imports every DICOM file found in the given files and folders (recursively), on DICOMDIR
media, and in zip archives. Re-importing the same images adds nothing.

Options:
  --data-dir DIR  The RadLabel data folder (default: $RADLABEL_DATA_DIR, else the user data folder)
  -h, --help      Show this help

Exit status: 0 all imported; 1 some files failed (listed); 2 usage error; 3 could not run;
130 interrupted (what was imported before stays).`,

  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, dataDirOption);
    if (values.help) {
      context.stdout.write(`${this.usage}\n`);
      return ExitStatus.Ok;
    }
    if (positionals.length === 0)
      throw new UsageError('Nothing to import: give at least one file or folder.');
    const { services } = openServices(values['data-dir'], context.env);
    try {
      const display = context.stdout.isTTY ? new BarDisplay() : new PlainDisplay(context.stdout);
      let jobId: string | null = null;
      let finish: (progress: ImportProgress) => void = () => undefined;
      const finished = new Promise<ImportProgress>((resolve) => (finish = resolve));
      const early: ImportProgress[] = [];
      const unsubscribe = services.events.subscribe((event) => {
        if (event.name !== 'import.progress') return;
        if (jobId === null) early.push(event.payload);
        else if (event.payload.jobId === jobId) handle(event.payload);
      });
      const handle = (progress: ImportProgress) => {
        display.update(progress);
        if (progress.finishedAt) finish(progress);
      };
      jobId = (await services.handlers['import.start']({ paths: positionals })).jobId;
      early.filter((progress) => progress.jobId === jobId).forEach(handle);
      const stopInterrupt = context.onInterrupt(() => {
        context.stderr.write('\nCancelling: finishing the current batch…\n');
        void services.handlers['import.cancel']({ jobId: jobId! });
      });
      const result = await finished;
      stopInterrupt();
      unsubscribe();
      display.stop();
      for (const skipped of services.importSkipped(jobId))
        context.stderr.write(`skipped: ${skipped.path}: ${skipped.message}\n`);
      const errors = services.importErrors(jobId);
      for (const error of errors)
        context.stderr.write(`${error.path ? `${error.path}: ` : ''}${error.message} [${error.code}]\n`);
      if (result.failed > errors.length)
        context.stderr.write(`… and ${result.failed - errors.length} more errors.\n`);
      context.stdout.write(`${summary(result)}\n`);
      if (result.phase === 'cancelled') return ExitStatus.Interrupted;
      if (result.phase === 'failed') return ExitStatus.Fatal;
      return result.failed > 0 ? ExitStatus.PartialFailure : ExitStatus.Ok;
    } finally {
      await services.close();
    }
  },
};

function summary(progress: ImportProgress): string {
  const seconds =
    (Date.parse(progress.finishedAt ?? progress.startedAt) - Date.parse(progress.startedAt)) / 1000;
  const outcome =
    progress.phase === 'cancelled'
      ? 'Import cancelled'
      : progress.phase === 'failed'
        ? 'Import stopped'
        : 'Import finished';
  return (
    `${outcome} in ${seconds.toFixed(1)} s: ${progress.added} added, ${progress.duplicates} already present, ` +
    `${progress.failed} failed, ${progress.skipped} skipped (${progress.filesDone} of ${progress.filesFound} files).`
  );
}

interface Display {
  update(progress: ImportProgress): void;
  stop(): void;
}

class BarDisplay implements Display {
  readonly #bar = new cliProgress.SingleBar(
    {
      format: '{phase} |{bar}| {value}/{total} files | {added} added, {duplicates} present, {failed} failed',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  #started = false;

  update(progress: ImportProgress): void {
    const payload = {
      phase: progress.phase.padEnd(9),
      added: progress.added,
      duplicates: progress.duplicates,
      failed: progress.failed,
    };
    if (!this.#started) {
      this.#bar.start(Math.max(progress.filesFound, 1), progress.filesDone, payload);
      this.#started = true;
    }
    this.#bar.setTotal(Math.max(progress.filesFound, 1));
    this.#bar.update(progress.filesDone, payload);
  }

  stop(): void {
    if (this.#started) this.#bar.stop();
  }
}

/** Not a terminal (a pipe, a log file, CI): a line per phase and one every few seconds. */
class PlainDisplay implements Display {
  readonly #out: { write(text: string): unknown };
  #phase = '';
  #last = 0;

  constructor(out: { write(text: string): unknown }) {
    this.#out = out;
  }

  update(progress: ImportProgress): void {
    const now = Date.now();
    if (progress.phase === this.#phase && now - this.#last < PLAIN_PROGRESS_INTERVAL_MS) return;
    if (progress.finishedAt) return; // the summary says it
    this.#phase = progress.phase;
    this.#last = now;
    this.#out.write(
      `${progress.phase}: ${progress.filesDone}/${progress.filesFound} files, ${progress.added} added, ${progress.failed} failed\n`,
    );
  }

  stop(): void {}
}
