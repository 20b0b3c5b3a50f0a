/**
 * Benchmark conventions. Each `*.bench.ts` file in this folder exports `benchmarks`; the runner
 * (`npm run bench [-- <id>…]`) runs those whose ids match and writes one JSON file per figure to
 * bench-results/<id>.json. Speeds are measured against a reference run in the same script (the
 * machine is noisy), and the absolute figure is given as well.
 */
import os from 'node:os';

export interface BenchFigure {
  id: string;
  value: number;
  unit: string;
  /** Human-readable goal, e.g. ">= 0.5" or "< 20". */
  goal: string;
  reference: { what: string; value: number | string };
  /** Anything else worth keeping (absolute throughput, sample sizes). */
  details?: Record<string, unknown>;
}

export interface Benchmark {
  /** The figure ids this benchmark produces; `npm run bench -- <id>` selects by these. */
  ids: string[];
  run(): Promise<BenchFigure[]>;
}

export function machineDescription(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${os.platform()} ${os.release()}, ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}
