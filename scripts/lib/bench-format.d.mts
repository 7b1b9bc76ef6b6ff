export type Stat = 'median' | 'p95' | 'min' | 'max' | 'mean';
/** A baseline measured in the same run, on the same file or objects. */
export interface BenchSeries {
  name: string;
  stat: Stat;
  samples: number[];
  /** What exactly was timed. */
  measured: string;
  notMeasured?: string;
}
export interface BenchFigure {
  /** Stable key, e.g. "validate.process". */
  id: string;
  name: string;
  /** Milliseconds, or megabytes (a memory growth). */
  unit: 'ms' | 'MB';
  /** The statistic over the samples that is compared with the target and the baseline. */
  stat: Stat;
  /** Raw samples, in the unit. */
  samples: number[];
  /** What exactly was timed. */
  measured: string;
  /** The value must be under this (ms), or under the baseline's value. */
  target?: number | 'baseline';
  targetNote?: string;
  baseline?: BenchSeries;
  /** Why there are no samples (a missing prerequisite): printed instead of a number. */
  notMeasured?: string;
  /** Companion raw series kept in the results (e.g. "cpu": CPU time of the same runs, less inflated by a busy machine). */
  extra?: Record<string, number[]>;
}
export interface Evaluation {
  value?: number;
  min?: number;
  max?: number;
  n: number;
  baselineValue?: number;
  ratio?: number;
  result: 'met' | 'missed' | 'no target' | 'not measured';
}
export declare function statOf(samples: number[], stat: Stat): number | undefined;
export declare function evaluate(f: BenchFigure): Evaluation;
export declare function formatMs(ms: number): string;
/** A value in its figure's unit: milliseconds, or megabytes (a memory growth). */
export declare function formatValue(v: number, unit: 'ms' | 'MB'): string;
export declare function formatFigures(figures: BenchFigure[]): string;
export declare function tally(figures: BenchFigure[]): Record<Evaluation['result'], number>;
