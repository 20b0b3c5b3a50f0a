/**
 * catalog.worklist_query_ms_1m: the worklist query on a catalog of 1,000,000 instances
 * (5,000 studies × 2 series × 100 instances), built through Catalog.addInstances and cached under
 * .tmp/bench/ so reruns skip the build. The figure is the slower of two medians: the first page
 * sorted by study date, and the same with a search term. References: a lookup by SOP Instance UID
 * and Catalog.counts() (count(*) over every table).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Catalog, type InstanceRecord } from '../../main/catalog/catalog.js';
import { repoRoot } from '../fixtures/index.js';
import { type Benchmark, median, percentile } from './lib.js';

const STUDIES = 5_000;
const SERIES_PER_STUDY = 2;
const INSTANCES_PER_SERIES = 100;
const BATCH = 10_000;
const SAMPLES = 200;

const benchDir = path.join(repoRoot, '.tmp', 'bench');
const catalogFile = path.join(
  benchDir,
  `catalog-${STUDIES}x${SERIES_PER_STUDY}x${INSTANCES_PER_SERIES}.sqlite`,
);
const builtMarker = `${catalogFile}.complete`;

const uid = (...parts: number[]) => `1.2.826.0.1.3680043.10.1466.${parts.join('.')}`;

function* syntheticRecords(): Generator<InstanceRecord> {
  for (let study = 0; study < STUDIES; study += 1) {
    const day = new Date(Date.UTC(2010, 0, 1) + ((study * 7919) % 5000) * 86_400_000)
      .toISOString()
      .slice(0, 10)
      .replace(/-/g, '');
    for (let series = 0; series < SERIES_PER_STUDY; series += 1) {
      for (let instance = 0; instance < INSTANCES_PER_SERIES; instance += 1) {
        const sop = uid(study, series, instance);
        const sha256 = crypto.createHash('sha256').update(sop).digest('hex');
        yield {
          transferSyntaxUID: '1.2.840.10008.1.2.1',
          sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
          sopInstanceUID: sop,
          studyInstanceUID: uid(study),
          seriesInstanceUID: uid(study, series),
          patientId: `PID${String(study % 3000).padStart(6, '0')}`,
          patientName: { alphabetic: `Patient${study % 3000}^Synthetic`, ideographic: '', phonetic: '' },
          patientBirthDate: '19700101',
          patientSex: study % 2 ? 'F' : 'M',
          studyDate: day,
          studyTime: '120000',
          studyDescription: study % 3 ? 'CT chest' : 'MR brain',
          accessionNumber: `ACC${study}`,
          seriesNumber: series + 1,
          modality: study % 3 ? 'CT' : 'MR',
          seriesDescription: `series ${series + 1}`,
          bodyPartExamined: 'CHEST',
          instanceNumber: instance + 1,
          numberOfFrames: 1,
          rows: 512,
          columns: 512,
          slicePosition: instance * 1.25,
          filePath: `${sha256.slice(0, 2)}/${sha256}.dcm`,
          fileSize: 526_000,
          sha256,
        };
      }
    }
  }
}

function ensureCatalog(): { buildSeconds: number | null } {
  if (fs.existsSync(builtMarker)) return { buildSeconds: null };
  fs.mkdirSync(benchDir, { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${catalogFile}${suffix}`, { force: true });
  const started = performance.now();
  const catalog = Catalog.open(catalogFile);
  let batch: InstanceRecord[] = [];
  for (const record of syntheticRecords()) {
    batch.push(record);
    if (batch.length === BATCH) {
      catalog.addInstances(batch);
      batch = [];
    }
  }
  if (batch.length > 0) catalog.addInstances(batch);
  catalog.close();
  const buildSeconds = (performance.now() - started) / 1000;
  fs.writeFileSync(builtMarker, String(buildSeconds));
  return { buildSeconds };
}

function sampleMs(action: () => unknown): number[] {
  for (let i = 0; i < 10; i += 1) action(); // warm the page cache and statement cache
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const started = performance.now();
    action();
    samples.push(performance.now() - started);
  }
  return samples;
}

const round = (ms: number) => Number(ms.toFixed(3));

export const benchmarks: Benchmark[] = [
  {
    ids: ['catalog.worklist_query_ms_1m'],
    async run() {
      const { buildSeconds } = ensureCatalog();
      const catalog = Catalog.open(catalogFile);
      try {
        const counts = catalog.counts();
        if (counts.instances !== STUDIES * SERIES_PER_STUDY * INSTANCES_PER_SERIES)
          throw new Error(`catalog has ${counts.instances} instances`);
        const byDate = sampleMs(() =>
          catalog.listStudies({ limit: 200, offset: 0, sort: { field: 'studyDate', direction: 'desc' } }),
        );
        const searched = sampleMs(() =>
          catalog.listStudies({
            limit: 200,
            offset: 0,
            search: 'patient12',
            sort: { field: 'studyDate', direction: 'desc' },
          }),
        );
        const byName = sampleMs(() =>
          catalog.listStudies({ limit: 200, offset: 2000, sort: { field: 'patientName', direction: 'asc' } }),
        );
        const bySop = sampleMs(() => catalog.storedFile(uid(4321, 1, 50)));
        const study = sampleMs(() => catalog.getStudy(uid(4321)));
        const seriesInstances = sampleMs(() => catalog.listInstances(uid(4321, 1)));
        const countAll = sampleMs(() => catalog.counts());
        const worst = Math.max(median(byDate), median(searched));
        const searchMatches = catalog.listStudies({ limit: 1, offset: 0, search: 'patient12' }).total;
        return [
          {
            id: 'catalog.worklist_query_ms_1m',
            value: round(worst),
            unit: 'ms',
            goal: '< 20',
            reference: {
              what: 'lookup of one instance by SOP Instance UID, median ms',
              value: round(median(bySop)),
            },
            details: {
              instances: counts.instances,
              studies: counts.studies,
              series: counts.series,
              samples: SAMPLES,
              firstPageByStudyDateMedianMs: round(median(byDate)),
              firstPageByStudyDateP95Ms: round(percentile(byDate, 95)),
              searchFirstPageMedianMs: round(median(searched)),
              searchFirstPageP95Ms: round(percentile(searched, 95)),
              searchMatches,
              page11ByPatientNameMedianMs: round(median(byName)),
              countAllTablesMedianMs: round(median(countAll)),
              getStudyMedianMs: round(median(study)),
              listInstances100MedianMs: round(median(seriesInstances)),
              databaseMB: Number((fs.statSync(catalogFile).size / 2 ** 20).toFixed(1)),
              buildSeconds:
                buildSeconds === null
                  ? `cached (${Number(fs.readFileSync(builtMarker, 'utf8')).toFixed(1)} s when built)`
                  : round(buildSeconds),
            },
          },
        ];
      } finally {
        catalog.close();
      }
    },
  },
];
