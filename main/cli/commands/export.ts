/** `radlabel export`: writes the catalog's annotations as SR, SEG, NIfTI, an nnU-Net dataset, CSV or JSON. */
import path from 'node:path';
import { createLogger } from '../../core/logger.js';
import { resolveDataDir } from '../../core/paths.js';
import { currentReader } from '../../annotation/reader.js';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  ExportStoppedError,
  runExport,
} from '../../annotation/export/run-export.js';
import { deidConfigFromSettings } from '../../deid-app/deid-config.js';
import { defaultKeyProvider } from '../../deid-app/key-provider.js';
import { DeidSettingsStore } from '../../deid-app/settings-store.js';
import { productVersion } from '../../services.js';
import { type Command, ExitStatus, UsageError } from '../command.js';
import { dataDirOption, openServices, parseCommandArgs } from '../options.js';

export const exportCommand: Command = {
  name: 'export',
  summary: 'Export annotations as DICOM SR/SEG, NIfTI, an nnU-Net dataset, CSV or JSON.',
  usage: `Usage: radlabel export --format sr|seg|nifti|nnunet|csv|json <output> [--study UID…] [--deid] [--data-dir DIR]

Writes the annotations of the catalog (or of the studies named) into the folder <output>:
  sr      <study>/SR.dcm: measurements and ROIs as a TID 1500 Comprehensive 3D SR
  seg     <study>/SEG_<n>.dcm: each segmentation as a BINARY DICOM SEG (overlaps kept)
  nifti   <study>/<series>_image.nii.gz and <series>_seg_<n>.nii.gz (RAS affine in sform and qform)
  nnunet  imagesTr/case_NNN_0000.nii.gz, labelsTr/case_NNN.nii.gz, dataset.json (nnU-Net v2)
  csv     measurements.csv and classifications.csv
  json    annotations.json
Exports are for research use only. Each file is written whole (temporary name, then renamed).
Notes on stderr ("note: ..."): each study or series left out with its reason (a series that is no
regular volume: what is wrong and what to do), and each series written with a geometry value
assumed ("pixel spacing missing: 1 mm assumed").
Exit status: 0 all written (notes of assumed values only); 1 some studies or series not exported
(each said in a note, the rest written); 2 usage; 3 the export could not run or stopped (output
folder not writable, disk full: the message names the folder, e.g. "no space left on the disk of
the output folder (ENOSPC): <output>"; the files already written are complete, none is left
half-written); 130 interrupted (Ctrl-C: the export stops between slices, files written are whole).

Options:
  --format F      One of ${EXPORT_FORMATS.join(', ')} (required)
  --study UID     Only this study (repeatable); default: every study in the catalog
  --deid          De-identify with the project's settings (SR/SEG through the de-identification
                  engine; NIfTI/CSV/JSON with pseudonymous ids only)
  --schema FILE   Use this label schema file (JSON, docs/annotation.md) when the data folder has
                  none yet: it becomes the folder's schema (labels' codes and names in SR/SEG/CSV)
  --data-dir DIR  The RadLabel data folder (default: $RADLABEL_DATA_DIR, else the user data folder)
  -h, --help      Show this help`,

  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, {
      ...dataDirOption,
      format: { type: 'string' },
      study: { type: 'string', multiple: true },
      deid: { type: 'boolean' },
      schema: { type: 'string' },
    });
    if (values.help) {
      context.stdout.write(`${this.usage}\n`);
      return ExitStatus.Ok;
    }
    const format = values.format as ExportFormat | undefined;
    if (!format || !EXPORT_FORMATS.includes(format))
      throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}.`);
    if (positionals.length !== 1) throw new UsageError('Give exactly one output folder.');
    const output = path.resolve(positionals[0]!);
    const dataDir = resolveDataDir(values['data-dir'], context.env);
    let deid;
    if (values.deid) {
      const logger = createLogger({ logDir: path.join(dataDir, 'logs') });
      const settings = new DeidSettingsStore(dataDir, defaultKeyProvider(dataDir), logger);
      deid = deidConfigFromSettings(settings.settings(), settings.projectSecret());
    }
    const { services } = openServices(values['data-dir'], context.env);
    if (values.schema !== undefined) {
      const current = await services.handlers['schema.get']({});
      if (current.source === 'default') {
        const view = await services.handlers['schema.load']({ path: path.resolve(values.schema) });
        context.stderr.write(
          `label schema: ${view.schema.name} ${view.schema.version} (from ${values.schema})\n`,
        );
      } else if (current.loadedFrom !== path.resolve(values.schema)) {
        context.stderr.write(
          `note: the data folder already has the label schema ${current.schema.name} ${current.schema.version}; --schema is not used\n`,
        );
      }
    }
    const controller = new AbortController();
    const stopInterrupt = context.onInterrupt(() => controller.abort());
    try {
      const summary = await runExport({
        source: services,
        format,
        outputDir: output,
        ...(values.study ? { studies: values.study } : {}),
        ...(deid ? { deid } : {}),
        reader: currentReader(),
        softwareVersion: productVersion(),
        signal: controller.signal,
        onProgress: (p) => {
          if (context.stdout.isTTY)
            context.stdout.write(`\rexport: ${p.studiesDone}/${p.studiesTotal} studies`);
        },
      }).catch((error: unknown) => {
        // Stopped by the output (exit 3, its message after this): the notes of what was written.
        if (error instanceof ExportStoppedError) {
          if (context.stdout.isTTY) context.stdout.write('\n');
          for (const note of error.notes) context.stderr.write(`note: ${note}\n`);
        }
        throw error;
      });
      if (context.stdout.isTTY) context.stdout.write('\n');
      for (const note of summary.notes) context.stderr.write(`note: ${note}\n`);
      context.stdout.write(
        `export ${format}: ${summary.studiesDone}/${summary.studiesTotal} studies, ${summary.files.length} files in ${output}${summary.failed > 0 ? `, ${summary.failed} not exported (see the notes)` : ''} (research use only)\n`,
      );
      if (summary.cancelled) return ExitStatus.Interrupted;
      return summary.failed > 0 ? ExitStatus.PartialFailure : ExitStatus.Ok;
    } finally {
      stopInterrupt();
      await services.close();
    }
  },
};
