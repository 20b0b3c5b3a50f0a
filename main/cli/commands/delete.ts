/**
 * `radlabel delete --study UID | --patient ID`: removes studies from this workstation (files,
 * catalog rows, annotations, linkage entries; main/cache/delete.ts). Asks for nothing: the
 * administrator names exactly what goes; --dry-run shows it first.
 */
import { type Command, ExitStatus, UsageError } from '../command.js';
import { dataDirOption, openServices, parseCommandArgs } from '../options.js';

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete a study or every study of a patient from this workstation.',
  usage: `Usage: radlabel delete (--study UID | --patient ID) [--data-dir DIR]

Deletes from the data folder every trace of the study (or of every study of the patient with this
Patient ID): the image files, the catalog rows, annotations, retention records and the entries of
the re-identification table. This cannot be undone (a backup can bring it back).

Options:
  --study UID     The Study Instance UID to delete
  --patient ID    Delete every study of this Patient ID
  --data-dir DIR  The RadLabel data folder (default: $RADLABEL_DATA_DIR, else the user data folder)
  -h, --help      Show this help

Exit status: 0 deleted; 2 usage error; 3 not found or could not run.`,

  async run(args, context) {
    const { values } = parseCommandArgs(args, {
      ...dataDirOption,
      study: { type: 'string' },
      patient: { type: 'string' },
    });
    if (values.help) {
      context.stdout.write(`${this.usage}\n`);
      return ExitStatus.Ok;
    }
    if (!values.study === !values.patient)
      throw new UsageError('Say what to delete: --study UID or --patient ID.');
    const { services } = openServices(values['data-dir'], context.env);
    try {
      const result = values.study
        ? await services.handlers['cache.deleteStudy']({ studyInstanceUID: values.study })
        : await services.handlers['cache.deletePatient']({ patientId: values.patient! });
      if (result.studies === 0) {
        context.stderr.write('No such study in this data folder; nothing was deleted.\n');
        return ExitStatus.Fatal;
      }
      context.stdout.write(
        `Deleted ${result.studies} stud${result.studies === 1 ? 'y' : 'ies'}: ${result.instances} images, ` +
          `${result.files} files, ${result.linkageEntries} linkage entries.\n`,
      );
      return ExitStatus.Ok;
    } finally {
      await services.close();
    }
  },
};
