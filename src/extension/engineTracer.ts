// The engine's packet tracer (src/engine/trace), adapted to the Tracer shape the diagram and the
// "Trace From Here" command use. The tracer needs to know what each container's process listens on:
// the topology file's `listen`, else its `expose` and published container ports.
import { listeningFromTopology, trace, type EngineState, type ListeningLookup, type TraceResult } from '../engine';
import type { TopologySpec } from '../topology';
import type { TraceQuery, Tracer } from './tracing';

const lookups = new WeakMap<TopologySpec, ListeningLookup>();

/** One lookup per spec: the tracer caches its indexes per (state, lookup), so the same one is reused. */
export function listeningOf(spec: TopologySpec): ListeningLookup {
  let lookup = lookups.get(spec);
  if (!lookup) {
    lookup = listeningFromTopology(spec.containers);
    lookups.set(spec, lookup);
  }
  return lookup;
}

/** The engine's own answer (what a live host's probe is compared with: src/docker verifyTrace). */
export function engineTrace(spec: TopologySpec, state: EngineState, query: TraceQuery): TraceResult {
  return trace(state, { host: query.host, from: query.from, to: query.to, proto: query.proto, ...(query.port !== undefined ? { port: query.port } : {}), ...(query.connection ? { connection: query.connection } : {}) }, { listening: listeningOf(spec) });
}

/** A tracer over a loaded source (a topology file, or a live host imported as one). */
export function engineTracerFor(spec: TopologySpec): Tracer {
  return (state, query) => {
    const r = engineTrace(spec, state, query);
    return {
      verdict: r.verdict,
      reason: r.reason,
      ...(r.fix ? { fix: r.fix } : {}),
      ...(r.rule ? { rule: r.rule } : {}),
      ...(r.address ? { address: r.address } : {}),
      hops: r.hops.map((h) => ({ node: h.node, interface: h.interface || null, action: h.action, detail: h.detail, ...(h.packet ? { packet: h.packet } : {}), ...(h.ipvs ? { ipvs: h.ipvs } : {}), ...(h.ruleRef ? { ruleRef: h.ruleRef } : {}) })),
    };
  };
}
