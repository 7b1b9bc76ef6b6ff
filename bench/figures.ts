// Machine-readable figures of a bench, for `npm run bench` (scripts/bench.mjs). A bench still prints
// its own human text; it also records each figure here, with its raw samples, and when CNM_BENCH_OUT
// names a file the figures are written there as JSON when the process exits. The runner computes the
// value (the figure's statistic over its samples), compares it with the target and the baseline and
// prints the table (scripts/lib/bench-format.mjs).
import { writeFileSync } from 'node:fs';
import type { BenchFigure, BenchSeries } from '../scripts/lib/bench-format.mjs';

export type { BenchFigure, BenchSeries };

const figures: BenchFigure[] = [];

/** Quick mode (`npm run bench -- --quick`): fewer runs, for a smoke test. */
export const quick = process.env.CNM_BENCH_QUICK === '1';

/** `full` runs normally, `few` in quick mode. */
export function runs(full: number, few: number): number {
  return quick ? few : full;
}

export function record(figure: BenchFigure): void {
  figures.push(figure);
}

/** A figure whose prerequisite is missing: printed as "not measured: why", never as a number. */
export function notMeasured(figure: Omit<BenchFigure, 'samples' | 'notMeasured'>, why: string): void {
  figures.push({ ...figure, samples: [], notMeasured: why });
}

const out = process.env.CNM_BENCH_OUT;
if (out) process.on('exit', () => writeFileSync(out, JSON.stringify(figures, null, 1)));

/** Milliseconds since `t0` (performance.now()). */
export const since = (t0: number): number => performance.now() - t0;
