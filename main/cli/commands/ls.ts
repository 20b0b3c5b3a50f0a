/** `radlabel ls`: lists the studies in the catalog, as a table or as JSON. */
import type { StudySummary } from '../../../shared/contract.js';
import { type Command, ExitStatus } from '../command.js';
import { dataDirOption, openServices, parseCommandArgs } from '../options.js';

const PAGE = 1000;

export const lsCommand: Command = {
  name: 'ls',
  summary: 'List the studies in the catalog.',
  usage: `Usage: radlabel ls [--json] [--search TEXT] [--data-dir DIR]

Lists the studies in the local catalog, newest study date first.

Options:
  --json          Print a JSON array with one object per study (the worklist's StudySummary)
  --search TEXT   Only studies whose patient name or id, accession or description contains TEXT
  --data-dir DIR  The RadLabel data folder (default: $RADLABEL_DATA_DIR, else the user data folder)
  -h, --help      Show this help`,

  async run(args, context) {
    const { values } = parseCommandArgs(args, {
      ...dataDirOption,
      json: { type: 'boolean' },
      search: { type: 'string' },
    });
    if (values.help) {
      context.stdout.write(`${this.usage}\n`);
      return ExitStatus.Ok;
    }
    const { services } = openServices(values['data-dir'], context.env);
    try {
      const studies: StudySummary[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await services.handlers['catalog.listStudies']({
          limit: PAGE,
          offset,
          ...(values.search ? { search: values.search } : {}),
          sort: { field: 'studyDate', direction: 'desc' },
        });
        studies.push(...page.studies);
        if (studies.length >= page.total || page.studies.length === 0) break;
      }
      context.stdout.write(values.json ? `${JSON.stringify(studies, null, 2)}\n` : table(studies));
      return ExitStatus.Ok;
    } finally {
      await services.close();
    }
  },
};

function table(studies: StudySummary[]): string {
  if (studies.length === 0) return 'No studies in the catalog.\n';
  const rows = studies.map((study) => [
    formatDate(study.studyDate),
    study.patientName,
    study.patientId,
    study.modalities.join('/'),
    String(study.numberOfSeries),
    String(study.numberOfInstances),
    study.studyDescription,
  ]);
  const header = ['Date', 'Patient', 'ID', 'Modality', 'Series', 'Images', 'Description'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n${studies.length} ${studies.length === 1 ? 'study' : 'studies'}\n`;
}

function formatDate(date: string): string {
  return /^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}` : '';
}
