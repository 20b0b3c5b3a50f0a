/** `radlabel deid <input…> <output>`: de-identifies DICOM files and folders into a new folder tree. */
import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { effectiveDeidOptions } from '../../../shared/deid-options.js';
import { silentLogger } from '../../core/logger.js';
import { resolveDataDir } from '../../core/paths.js';
import { DefaceStore } from '../../deid-app/deface.js';
import { deidConfigFromSettings, deidOptionFromName } from '../../deid-app/deid-config.js';
import { findFaceSeries, planOfFindings, type FaceSeriesFinding } from '../../deid/deface/index.js';
import { deidOptionNames, type DeidConfig, type DeidOptionName } from '../../deid/index.js';
import {
  EncryptedLinkageStore,
  environmentKeyProvider,
  fileKeyProvider,
  LINKAGE_FILE_NAME,
  LINKAGE_KEY_ENV,
} from '../../deid/linkage.js';
import {
  deidentifyTree,
  listInputFiles,
  type DeidProgress,
  type DeidRunSummary,
} from '../../deid/service.js';
import { type CliOutput, type Command, ExitStatus, UsageError } from '../command.js';
import { parseCommandArgs } from '../options.js';

export const DEID_SECRET_ENV = 'RADLABEL_DEID_SECRET';

const kebab = (name: string): string => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

const options = {
  profile: { type: 'string' },
  option: { type: 'string', multiple: true },
  'secret-file': { type: 'string' },
  'project-id': { type: 'string' },
  sponsor: { type: 'string' },
  protocol: { type: 'string' },
  'site-id': { type: 'string' },
  'linkage-key-file': { type: 'string' },
  workers: { type: 'string' },
  deface: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const deidCommand: Command = {
  name: 'deid',
  summary: 'De-identify DICOM files or folders into a new folder (PS3.15 basic profile + options).',
  usage: `Usage: radlabel deid <input…> <output> [--profile basic|research] [--option NAME…]
                     [--secret-file F] [--project-id ID] [--sponsor S] [--protocol P] [--site-id S]
                     [--linkage-key-file F] [--deface] [--workers N] [--data-dir DIR]

De-identifies every DICOM object found in the inputs (files or folders, recursively) and writes
<output>/<study>/<series>/<instance>.dcm, named by the new pseudonymous UIDs. Objects that may
carry burned-in text and cannot be cleaned are held for review and not written.

Options:
  --profile NAME        basic (default: exactly the options given) or research (adds the
                        research defaults: modified dates, patient characteristics, device
                        identity, clean descriptors/structured content/graphics/pixel data)
  --option NAME         An option, repeatable: ${deidOptionNames.map(kebab).join(', ')}
  --secret-file F       The project secret (16+ bytes; hex or base64 text, or raw bytes).
                        Default: $${DEID_SECRET_ENV}. The same secret gives the same pseudonyms.
  --project-id ID       The project (default: PROJECT): prefix of patient pseudonyms, and part of
                        the key they derive from: another ID gives unrelated pseudonyms, UIDs and
                        date offsets for the same patient
  --sponsor S, --protocol P, --site-id S
                        Clinical-trial attributes written into every object. Sponsor and
                        protocol are never empty: by default "RadLabel research project <ID>"
                        and the project ID
  --linkage-key-file F  Keep the encrypted linkage table (original ↔ pseudonym) in the data
                        folder, with this key file (created if missing). Default: $${LINKAGE_KEY_ENV}.
  --deface              Deface thin-slice head CT/MR (Clean Recognizable Visual Features, code
                        113102): every series that shows a face is cut along its automatic
                        surface (or the cut accepted for it in the app's data folder) and written
                        with everything in front of the face set to air; a series without a
                        surface is held. With --option clean-recognizable-visual-features alone,
                        only series with a cut accepted in the app are written; the others are held
  --workers N           Worker threads (default: chosen from the files and the cores; 0 = none)
  --data-dir DIR        The RadLabel data folder (for the linkage table)
  -h, --help            Show this help

Exit status: 0 every object written; 1 some objects failed, were held for review or conflicted
(same SOP Instance UID, other content; listed);
2 usage error; 3 could not run; 130 interrupted.`,

  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, options);
    if (values.help) {
      context.stdout.write(`${this.usage}\n`);
      return ExitStatus.Ok;
    }
    if (positionals.length < 2) throw new UsageError('Give at least one input and the output folder.');
    const output = positionals.at(-1)!;
    const inputs = positionals.slice(0, -1);
    const profile = values.profile ?? 'basic';
    if (profile !== 'basic' && profile !== 'research')
      throw new UsageError(`Unknown profile "${profile}" (basic or research).`);
    const chosen: DeidOptionName[] = [];
    for (const raw of values.option ?? []) {
      const name = deidOptionFromName(raw);
      if (!name) throw new UsageError(`Unknown option "${raw}".`);
      chosen.push(name);
    }
    if (values.deface && !chosen.includes('cleanRecognizableVisualFeatures'))
      chosen.push('cleanRecognizableVisualFeatures');
    const secret = readSecret(values['secret-file'], context.env);
    const workers = values.workers === undefined ? undefined : Number(values.workers);
    if (workers !== undefined && (!Number.isInteger(workers) || workers < 0))
      throw new UsageError('--workers takes a whole number.');
    for (const input of inputs) if (!fs.existsSync(input)) throw new UsageError(`Nothing found at ${input}.`);
    if (
      inputs.some(
        (input) =>
          path.resolve(output).startsWith(path.resolve(input) + path.sep) ||
          path.resolve(output) === path.resolve(input),
      )
    ) {
      throw new UsageError('The output folder must not be inside an input folder.');
    }

    let linkage: EncryptedLinkageStore | undefined;
    const keyFile = values['linkage-key-file'];
    if (keyFile || context.env[LINKAGE_KEY_ENV]) {
      const keys = keyFile ? fileKeyProvider(keyFile, { create: true }) : environmentKeyProvider(context.env);
      linkage = new EncryptedLinkageStore(
        path.join(resolveDataDir(values['data-dir'], context.env), LINKAGE_FILE_NAME),
        keys,
      );
    } else {
      context.stderr.write(
        `Note: no linkage key (--linkage-key-file or $${LINKAGE_KEY_ENV}), so no re-identification table is kept.\n`,
      );
    }

    // The same settings-to-engine mapping as the app; the CLI always reads burned-in text (OCR).
    const projectId = values['project-id'] ?? 'PROJECT';
    const config = deidConfigFromSettings(
      {
        profile,
        options: chosen,
        projectId,
        clinicalTrial: {
          sponsorName: values.sponsor ?? '',
          protocolId: values.protocol ?? values['project-id'] ?? '',
          ...(values['site-id'] ? { siteId: values['site-id'] } : {}),
        },
        ocr: true,
        pixelRules: [],
      },
      secret,
      linkage ? { linkage } : {},
    );
    const controller = new AbortController();
    const stopInterrupt = context.onInterrupt(() => {
      context.stderr.write('\nCancelling: finishing the objects in progress…\n');
      controller.abort();
    });
    const display = context.stdout.isTTY ? new BarDisplay() : new PlainDisplay(context.stdout);
    try {
      const runConfig = await withFaces(config, inputs, {
        automatic: Boolean(values.deface),
        dataDir: resolveDataDir(values['data-dir'], context.env),
        stdout: context.stdout,
        signal: controller.signal,
      });
      const summary = await deidentifyTree({
        inputs,
        outputDir: output,
        config: runConfig,
        ...(workers !== undefined ? { workers } : {}),
        signal: controller.signal,
        onProgress: (progress) => display.update(progress),
      });
      display.stop();
      report(summary, context.stdout, context.stderr);
      if (summary.cancelled) return ExitStatus.Interrupted;
      return summary.failed > 0 || summary.held > 0 || summary.conflicts > 0
        ? ExitStatus.PartialFailure
        : ExitStatus.Ok;
    } finally {
      stopInterrupt();
      linkage?.close();
    }
  },
};

/**
 * When Clean Recognizable Visual Features applies: which series show a face (read once, before
 * anything is written), and the cut for each: the one accepted in the app's data folder, else with
 * --deface the automatic surface. One line per face-bearing series says what happens to it.
 */
async function withFaces(
  config: DeidConfig,
  inputs: string[],
  options: { automatic: boolean; dataDir: string; stdout: CliOutput; signal: AbortSignal },
): Promise<DeidConfig> {
  if (!effectiveDeidOptions(config.profile, config.options).includes('cleanRecognizableVisualFeatures'))
    return config;
  const { files } = await listInputFiles(inputs, options.signal);
  const findings = await findFaceSeries(files.map((file) => file.file));
  const accepted = new DefaceStore(options.dataDir, silentLogger()).cuts();
  const plan = planOfFindings(findings, accepted, { automatic: options.automatic });
  for (const finding of findings)
    options.stdout.write(`${faceLine(finding, plan.cuts, accepted)}
`);
  return { ...config, deface: plan };
}

function faceLine(
  finding: FaceSeriesFinding,
  cuts: Readonly<Record<string, unknown>>,
  accepted: Readonly<Record<string, unknown>>,
): string {
  const where = `${path.dirname(finding.files[0]!)} (${finding.files.length} images)`;
  if (finding.seriesInstanceUID in accepted)
    return `face: ${where}: defaced with the cut accepted in the app`;
  if (finding.seriesInstanceUID in cuts)
    return `face: ${where}: defaced with the automatic cut (${(finding.surfaceMs / 1000).toFixed(1)} s to find it)`;
  if (finding.unreadable) return `face: ${where}: held, no automatic cut (${finding.unreadable})`;
  return `face: ${where}: held until defaced (add --deface, or accept a cut in the app)`;
}

function readSecret(file: string | undefined, env: NodeJS.ProcessEnv): Uint8Array {
  let raw: Buffer;
  if (file) {
    try {
      raw = fs.readFileSync(file);
    } catch {
      throw new UsageError(`The secret file ${file} cannot be read.`);
    }
  } else if (env[DEID_SECRET_ENV]) {
    raw = Buffer.from(env[DEID_SECRET_ENV], 'utf8');
  } else {
    throw new UsageError(`A project secret is needed: --secret-file F or $${DEID_SECRET_ENV}.`);
  }
  const text = raw.toString('utf8').trim();
  let secret: Buffer = raw;
  if (/^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0) secret = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/]+=*$/.test(text)) secret = Buffer.from(text, 'base64');
  if (secret.length < 16) throw new UsageError('The project secret must have at least 16 bytes.');
  return secret;
}

function report(summary: DeidRunSummary, stdout: CliOutput, stderr: CliOutput): void {
  for (const failure of summary.failures)
    stderr.write(`failed: ${failure.source}: ${failure.message} [${failure.code}]\n`);
  for (const held of summary.heldObjects)
    stderr.write(`needs review: ${held.source}: ${held.reasons.join('; ')}\n`);
  for (const conflict of summary.conflictFiles)
    stderr.write(`conflict: ${conflict.source}: ${conflict.message} (kept: ${conflict.kept}) [conflict]\n`);
  for (const duplicate of summary.duplicateFiles)
    stderr.write(`duplicate: ${duplicate.source}: the same object as ${duplicate.sameAs} (written once)\n`);
  for (const skipped of summary.skippedFiles)
    stderr.write(`skipped: ${skipped.source}: ${skipped.message}\n`);
  const a = summary.actions;
  const mb = summary.bytesIn / 2 ** 20;
  stdout.write(
    `${summary.cancelled ? 'De-identification cancelled' : 'De-identification finished'} in ${summary.seconds.toFixed(1)} s ` +
      `(${(summary.filesDone / Math.max(summary.seconds, 0.001)).toFixed(0)} files/s, ${(mb / Math.max(summary.seconds, 0.001)).toFixed(0)} MB/s): ` +
      `${summary.done} written, ${summary.held} held for review, ${summary.failed} failed, ${summary.skipped} not DICOM (skipped), ` +
      `${summary.duplicates} duplicates (written once), ${summary.conflicts} conflicts (not written) ` +
      `(${summary.filesDone} of ${summary.filesFound} files).\n` +
      `Attributes: ${a.removed} removed, ${a.emptied} emptied, ${a.dummied} replaced by dummies, ${a.cleaned} cleaned, ` +
      `${a.uidsRemapped} UIDs remapped, ${a.datesShifted} dates shifted, ${a.privateRemoved} private removed, ${a.privateKept} safe private kept.\n`,
  );
  for (const warning of summary.warnings)
    stdout.write(`warning (${warning.count}×): ${warning.message} [${warning.code}]\n`);
}

interface Display {
  update(progress: DeidProgress): void;
  stop(): void;
}

class BarDisplay implements Display {
  readonly #bar = new cliProgress.SingleBar(
    {
      format: 'deid |{bar}| {value}/{total} files | {done} written, {held} held, {failed} failed',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  #started = false;

  update(progress: DeidProgress): void {
    const payload = { done: progress.done, held: progress.held, failed: progress.failed };
    if (!this.#started) {
      this.#bar.start(Math.max(progress.filesFound, 1), progress.filesDone, payload);
      this.#started = true;
    }
    this.#bar.update(progress.filesDone, payload);
  }

  stop(): void {
    if (this.#started) this.#bar.stop();
  }
}

/** Not a terminal: a line every few seconds. */
class PlainDisplay implements Display {
  #last = 0;
  constructor(readonly out: CliOutput) {}

  update(progress: DeidProgress): void {
    const now = Date.now();
    if (now - this.#last < 2000 || progress.filesDone === progress.filesFound) return;
    this.#last = now;
    this.out.write(
      `deid: ${progress.filesDone}/${progress.filesFound} files, ${progress.done} written, ${progress.held} held, ${progress.failed} failed\n`,
    );
  }

  stop(): void {}
}
