// The engine's packet tracer (src/engine/trace), adapted to the Tracer shape the diagram and the
// "Trace From Here" command use. The tracer needs to know what each container's process listens on:
// that is the topology file's `expose` (Docker's own ExposedPorts also lists every published port).
import { parseExpose, type ExposedPort } from '../engine';
import { trace } from '../engine/trace/tracer';
import type { ListeningLookup } from '../engine/trace/types';
import type { TopologySpec } from '../topology';
import type { Tracer } from './tracing';

const lookups = new WeakMap<TopologySpec, ListeningLookup>();

/** What each container of a topology listens on, by host and name (one lookup per spec, so the tracer's caches hold). */
export function listeningOf(spec: TopologySpec): ListeningLookup {
  let lookup = lookups.get(spec);
  if (!lookup) {
    const table = new Map<string, ExposedPort[]>();
    for (const c of spec.containers) {
      const ports: ExposedPort[] = [];
      for (const raw of c.expose) {
        try {
          ports.push(...parseExpose(raw));
        } catch {
          // A bad `expose` entry is a diagnostic of its own; it just listens on nothing here.
        }
      }
      table.set(`${c.host}\0${c.name}`, ports);
    }
    lookup = (host, container) => table.get(`${host}\0${container}`);
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
