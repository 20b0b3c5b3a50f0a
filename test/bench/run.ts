/**
 * `npm run bench` runs every benchmark; `npm run bench -- <id> [<id>…]` runs those producing a
 * figure whose id starts with one of the arguments. Results: bench-results/<id>.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Benchmark, machineDescription } from './lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const outDir = path.join(root, 'bench-results');

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const files = fs
    .readdirSync(here)
    .filter((name) => name.endsWith('.bench.ts'))
    .sort();
  const selected: Benchmark[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(here, file)).href)) as { benchmarks?: Benchmark[] };
    for (const benchmark of module.benchmarks ?? []) {
      if (wanted.length === 0 || benchmark.ids.some((id) => wanted.some((w) => id.startsWith(w)))) {
        selected.push(benchmark);
      }
    }
  }
  if (selected.length === 0) {
    console.error(`No benchmark matches ${wanted.join(', ')}.`);
    process.exitCode = 2;
    return;
  }
  fs.mkdirSync(outDir, { recursive: true });
  let failures = 0;
  for (const benchmark of selected) {
    console.log(`▶ ${benchmark.ids.join(', ')}`);
    try {
      const figures = await benchmark.run();
      for (const figure of figures) {
        const record = {
          id: figure.id,
          value: figure.value,
          unit: figure.unit,
          goal: figure.goal,
          reference: figure.reference,
          machine: machineDescription(),
          date: new Date().toISOString(),
          ...(figure.details ? { details: figure.details } : {}),
        };
        fs.writeFileSync(path.join(outDir, `${figure.id}.json`), `${JSON.stringify(record, null, 2)}\n`);
        console.log(
          `  ${figure.id} = ${figure.value} ${figure.unit} (goal ${figure.goal}; ${figure.reference.what}: ${figure.reference.value})`,
        );
      }
    } catch (error) {
      failures += 1;
      console.error(`  failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  if (failures > 0) process.exitCode = 1;
}

await main();
