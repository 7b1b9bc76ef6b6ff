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
}

export function checkExpectation(state: EngineState, e: Expectation, options: TraceOptions = {}): ExpectationResult {
  const d = parseDestination(e.to);
  if ('error' in d) return { expectation: e, result: null, error: `bad destination "${e.to}": ${d.error}`, ok: false };
  try {
    const result = tracerFor(state, options).trace({ ...(e.host !== undefined ? { host: e.host } : {}), from: e.from, to: d.to, proto: d.proto, ...(d.port !== undefined ? { port: d.port } : {}), ...(d.family ? { family: d.family } : {}) });
    return { expectation: e, result, error: null, ok: result.verdict === e.verdict };
  } catch (err) {
    if (err instanceof TraceInputError) return { expectation: e, result: null, error: err.message, ok: false };
    throw err;
  }
}

export function checkExpectations(state: EngineState, entries: readonly Expectation[], options: TraceOptions = {}): ExpectationResult[] {
  return entries.map((e) => checkExpectation(state, e, options));
}
