// The figures of `npm run bench`: their statistics, target and baseline verdicts, and the aligned
// table scripts/bench.mjs prints. Pure (no I/O) so a unit test can check it.

/** @typedef {'median' | 'p95' | 'min' | 'max' | 'mean'} Stat */
/** @typedef {{ name: string, stat: Stat, samples: number[], measured: string, notMeasured?: string }} BenchSeries */
/**
 * @typedef {{
 *   id: string, name: string, unit: 'ms' | 'MB', stat: Stat, samples: number[], measured: string,
 *   target?: number | 'baseline', targetNote?: string, baseline?: BenchSeries, notMeasured?: string,
 *   extra?: Record<string, number[]>,
 * }} BenchFigure
 */
/**
 * @typedef {{
 *   value?: number, min?: number, max?: number, n: number, baselineValue?: number, ratio?: number,
 *   result: 'met' | 'missed' | 'no target' | 'not measured',
 * }} Evaluation
 */

/** @param {number[]} samples @param {Stat} stat */
export function statOf(samples, stat) {
  if (samples.length === 0) return undefined;
  const s = [...samples].sort((a, b) => a - b);
  switch (stat) {
    case 'min': return s[0];
    case 'max': return s[s.length - 1];
    case 'mean': return s.reduce((a, b) => a + b, 0) / s.length;
    // The nearest rank: p95 of 20 samples is the 19th; the median of an even count is the upper middle.
    case 'p95': return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)];
    default: return s[Math.floor(s.length / 2)];
  }
}

/** @param {BenchFigure} f @returns {Evaluation} */
export function evaluate(f) {
  const n = f.samples.length;
  if (f.notMeasured !== undefined || n === 0) return { n, result: 'not measured' };
  const value = /** @type {number} */ (statOf(f.samples, f.stat));
  /** @type {Evaluation} */
  const e = { value, min: statOf(f.samples, 'min'), max: statOf(f.samples, 'max'), n, result: 'no target' };
  const b = f.baseline;
  if (b && b.notMeasured === undefined && b.samples.length > 0) {
    e.baselineValue = statOf(b.samples, b.stat);
    if (e.baselineValue) e.ratio = value / e.baselineValue;
  }
  if (typeof f.target === 'number') e.result = value < f.target ? 'met' : 'missed';
  else if (f.target === 'baseline') e.result = e.ratio === undefined ? 'not measured' : e.ratio < 1 ? 'met' : 'missed';
  return e;
}

/** Milliseconds with as many decimals as the size calls for. @param {number} ms */
export function formatMs(ms) {
  const digits = ms < 1 ? 3 : ms < 10 ? 2 : ms < 100 ? 1 : 0;
  return `${ms.toFixed(digits)} ms`;
}

/** A value in its figure's unit: milliseconds, or megabytes (memory growth). @param {number} v @param {'ms' | 'MB'} unit */
export function formatValue(v, unit) {
  return unit === 'MB' ? `${v.toFixed(v !== 0 && Math.abs(v) < 10 ? 2 : 1)} MB` : formatMs(v);
}

/**
 * One aligned line per figure (figure, value, spread, target, baseline, ratio, result), then the
 * reasons of what was not measured, numbered as referred to in the table.
 * @param {BenchFigure[]} figures
 */
export function formatFigures(figures) {
  /** @type {string[]} */
  const notes = [];
  const note = (/** @type {string} */ why) => {
    notes.push(why.trim().replace(/\s*\n\s*/g, ' '));
    return `not measured [${notes.length}]`;
  };
  const rows = figures.map((f) => {
    const e = evaluate(f);
    const fmt = (/** @type {number} */ v) => formatValue(v, f.unit);
    const target = f.target === 'baseline' ? '< baseline' : typeof f.target === 'number' ? `< ${fmt(f.target)}` : '—';
    const baseline = !f.baseline ? '—'
      : f.baseline.notMeasured !== undefined ? `${f.baseline.name}: ${note(`baseline of "${f.name}": ${f.baseline.notMeasured}`)}`
        : f.baseline.samples.length === 0 ? `${f.baseline.name}: ${note(`baseline of "${f.name}": no samples`)}`
          : `${f.baseline.stat} ${fmt(/** @type {number} */ (e.baselineValue))} ${f.baseline.name}`;
    if (e.value === undefined) {
      return [f.name, note(`${f.name}: ${f.notMeasured ?? 'no samples'}`), '', target, baseline, '', e.result];
    }
    const spread = e.n > 1 ? `${fmt(/** @type {number} */ (e.min))}–${fmt(/** @type {number} */ (e.max))}, n=${e.n}` : 'n=1';
    const ratio = e.ratio === undefined ? '—' : `${e.ratio.toFixed(2)}×`;
    return [f.name, `${f.stat} ${fmt(e.value)}`, spread, target, baseline, ratio, e.result === 'missed' ? 'MISSED' : e.result];
  });
  const header = ['FIGURE', 'VALUE', 'SPREAD (min–max)', 'TARGET', 'BASELINE (same run)', 'RATIO', 'RESULT'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => all.reduce((w, r) => Math.max(w, (r[i] ?? '').length), 0));
  const lines = all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(/** @type {number} */ (widths[i])))).join('  ').trimEnd());
  return [...lines, ...notes.map((n, i) => `[${i + 1}] ${n}`)].join('\n') + '\n';
}

/** Counts by result. @param {BenchFigure[]} figures */
export function tally(figures) {
  const counts = { met: 0, missed: 0, 'no target': 0, 'not measured': 0 };
  for (const f of figures) counts[evaluate(f).result]++;
  return counts;
}
