/**
 * deid.clean_us_per_value: the free-text cleaner's cost per value (µs) — deny patterns, the
 * object's identifying values, vocabulary and Chinese segmentation — over the realistic corpus
 * of the cleaner's tests (English and Chinese descriptions and comments, identifiers planted).
 * Reference, measured in the same run over the same values: the scan the engine did before the
 * cleaner (substring search for the header's identifying values, findIdentifying).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanFreeText, findIdentifying, identifyingValues } from '../../main/deid/text.js';
import { type Benchmark, median } from './lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpusDir = path.resolve(here, '../fixtures/deid-text');
const RUNS = 7;
const PASSES = 40;

function corpusValues(): string[] {
  return ['corpus-en.txt', 'corpus-zh.txt'].flatMap((name) =>
    fs
      .readFileSync(path.join(corpusDir, name), 'utf8')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'))
      .map((line) => line.replace(/[⟦⟧]/g, '')),
  );
}

/** µs per value of `work` over `values`, the median of RUNS runs of PASSES passes. */
function perValue(values: string[], work: (value: string) => unknown): number {
  for (let pass = 0; pass < 5; pass += 1) for (const value of values) work(value);
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const started = process.hrtime.bigint();
    for (let pass = 0; pass < PASSES; pass += 1) for (const value of values) work(value);
    runs.push(Number(process.hrtime.bigint() - started) / 1000 / (PASSES * values.length));
  }
  return median(runs);
}

export const benchmarks: Benchmark[] = [
  {
    ids: ['deid.clean_us_per_value'],
    async run() {
      const values = corpusValues();
      const identifying = identifyingValues({
        names: ['Ångström^Zoë', 'Smith-Jones^Mary', 'Zhang^Wei=张^伟', 'Okafor^Chidi'],
        ids: ['PID884422', 'ACC20210917'],
        dates: ['19800101', '20210917'],
        other: ['12 Kangaroo Road, Springfield', '+61 2 9876 5432'],
        institutions: ['Wombat General Hospital', '北京协和医院'],
      });
      const remapUid = (): string => '2.25.1';
      const cleaner = perValue(values, (value) => cleanFreeText(value, identifying, { remapUid }));
      const scan = perValue(values, (value) => findIdentifying(value, identifying));
      const replaced = values.filter((value) => cleanFreeText(value, identifying).replacements.length > 0);
      return [
        {
          id: 'deid.clean_us_per_value',
          value: Number(cleaner.toFixed(1)),
          unit: 'µs per value',
          goal: '< 50',
          reference: {
            what: 'the header-value substring scan it replaces, µs per value (same values, same run)',
            value: Number(scan.toFixed(1)),
          },
          details: {
            values: values.length,
            meanLength: Number(
              (values.reduce((sum, value) => sum + value.length, 0) / values.length).toFixed(1),
            ),
            valuesWithReplacements: replaced.length,
            ratioToScan: Number((cleaner / scan).toFixed(2)),
            runs: RUNS,
            passesPerRun: PASSES,
          },
        },
      ];
    },
  },
];
