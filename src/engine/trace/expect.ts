// `expect` entries ({ from, to, verdict }) checked against the tracer: what `cnm check` prints and what
// the language server turns into diagnostics.
import type { EngineState } from '../model';
import { parseDestination } from './destination';
import { TraceInputError, tracerFor } from './tracer';
import type { TraceOptions, TraceResult, Verdict } from './types';

export interface Expectation {
  readonly from: string;
  readonly to: string;
  readonly verdict: Verdict;
  readonly host?: string;
}

export interface ExpectationResult {
  readonly expectation: Expectation;
  /** The trace, unless the entry itself is malformed. */
  readonly result: TraceResult | null;
  /** Why the entry could not be traced (unknown source, bad destination). */
  readonly error: string | null;
  readonly ok: boolean;
  /**
   * The trace ended `unknown` while the entry expects a known verdict: the entry cannot be checked (it
   * is not `ok` either: an `unknown` never satisfies delivered, refused, dropped or unresolved).
   */
  readonly unknown: boolean;
}

export function checkExpectation(state: EngineState, e: Expectation, options: TraceOptions = {}): ExpectationResult {
  const d = parseDestination(e.to);
  if ('error' in d) return { expectation: e, result: null, error: `bad destination "${e.to}": ${d.error}`, ok: false, unknown: false };
  try {
    const result = tracerFor(state, options).trace({ ...(e.host !== undefined ? { host: e.host } : {}), from: e.from, to: d.to, proto: d.proto, ...(d.port !== undefined ? { port: d.port } : {}), ...(d.family ? { family: d.family } : {}) });
    return { expectation: e, result, error: null, ok: result.verdict === e.verdict, unknown: result.verdict === 'unknown' && e.verdict !== 'unknown' };
  } catch (err) {
    if (err instanceof TraceInputError) return { expectation: e, result: null, error: err.message, ok: false, unknown: false };
    throw err;
  }
}

export function checkExpectations(state: EngineState, entries: readonly Expectation[], options: TraceOptions = {}): ExpectationResult[] {
  return entries.map((e) => checkExpectation(state, e, options));
}

/**
 * Why an entry does not hold, in one line (what `cnm check` and the Problems panel say); null when it
 * holds. An `unknown` trace is said as such: the engine cannot know, and why — never "got dropped".
 */
export function expectationProblem(r: ExpectationResult): string | null {
  if (r.ok) return null;
  if (r.error !== null || r.result === null) return r.error ?? 'cannot be traced';
  const t = r.result;
  if (r.unknown) return `cannot check: the engine cannot know whether it is ${r.expectation.verdict}: ${t.reason}`;
  return `expected ${r.expectation.verdict}, got ${t.verdict}: ${t.reason}`;
}
