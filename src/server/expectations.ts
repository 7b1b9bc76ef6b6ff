// HOOK for the packet tracer (SPEC part 2, not written yet): evaluating `expect` entries.
//
// When the tracer exists, `checkExpectations` traces every entry (from → to) on the built engine and
// returns one diagnostic per entry whose verdict differs from the expected one, on the entry's
// `verdict` value, with the trace's reason, e.g.
//   expected delivered, got dropped: DOCKER-ISOLATION-STAGE-2 -o br-… -j DROP (the networks are isolated)
// and `traceTarget` may then normalise the lens's destination (e.g. resolve a service VIP). The
// language server already calls both: diagnostics and code lenses pick the results up unchanged.
import type { Engine } from '../engine';
import type { ExpectSpec, TopologyDiagnostic, TopologySpec } from '../topology';

export interface ExpectationInput {
  spec: TopologySpec;
  engine: Engine;
}

/** Failing `expect` entries, as diagnostics. Until the tracer exists: none. */
export function checkExpectations(input: ExpectationInput): TopologyDiagnostic[] {
  void input;
  return [];
}

/** The arguments of the "Trace ▸" lens of an expect entry. */
export function traceTarget(entry: ExpectSpec): { from: string; to: string } {
  return { from: entry.from, to: entry.to };
}
