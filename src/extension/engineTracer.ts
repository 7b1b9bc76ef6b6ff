// The engine's packet tracer (src/engine/trace), adapted to the Tracer shape the diagram and the
// "Trace From Here" command use. The tracer needs to know what each container's process listens on:
// that is the topology file's `expose` (Docker's own ExposedPorts also lists every published port).
import { listeningFromExpose, trace, type ListeningLookup } from '../engine/trace';
import type { TopologySpec } from '../topology';
import type { Tracer } from './tracing';

const lookups = new WeakMap<TopologySpec, ListeningLookup>();

/** One lookup per spec: the tracer caches its indexes per (state, lookup), so the same one is reused. */
export function listeningOf(spec: TopologySpec): ListeningLookup {
  let lookup = lookups.get(spec);
  if (!lookup) {
    lookup = listeningFromExpose(spec.containers);
    lookups.set(spec, lookup);
  }
  return lookup;
}

/** A tracer over a loaded topology. */
export function engineTracerFor(spec: TopologySpec): Tracer {
  const listening = listeningOf(spec);
  return (state, query) => {
    const r = trace(state, { host: query.host, from: query.from, to: query.to, proto: query.proto, ...(query.port !== undefined ? { port: query.port } : {}) }, { listening });
    return {
      verdict: r.verdict,
      reason: r.reason,
      ...(r.fix ? { fix: r.fix } : {}),
      ...(r.rule ? { rule: r.rule } : {}),
      ...(r.address ? { address: r.address } : {}),
      hops: r.hops.map((h) => ({ node: h.node, interface: h.interface || null, action: h.action, detail: h.detail })),
    };
  };
}
