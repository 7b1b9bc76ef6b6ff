// Snapshots and traces for the standalone webview tests and the benchmark, made by the extension's own
// code (diagramSnapshot.ts, tracing.ts, the engine's tracer) from topology text.
import { buildSnapshot } from '../../src/extension/diagramSnapshot';
import { engineTracerFor } from '../../src/extension/engineTracer';
import { destinationOf, traceForDiagram } from '../../src/extension/tracing';
import type { DiagramSnapshot } from '../../src/protocol/diagram';
import type { TraceView } from '../../src/protocol/trace';
import { loadTopology } from '../../src/topology';

export interface DiagramFixture {
  snapshot: DiagramSnapshot;
  traces: Record<string, TraceView>;
}

export function diagramFixture(text: string, title = 'test.cnm.yaml', opts: { maxSources?: number } = {}): DiagramFixture {
  const loaded = loadTopology(text);
  const { snapshot, index } = buildSnapshot(loaded.engine.state, title, {
    errors: loaded.diagnostics.filter((d) => d.severity === 'error').length,
    warnings: loaded.diagnostics.filter((d) => d.severity === 'warning').length,
  });
  const tracer = engineTracerFor(loaded.spec);
  const traces: Record<string, TraceView> = {};
  let sources = 0;
  for (const h of snapshot.hosts) {
    for (const src of h.sandboxes) {
      if (src.mode === 'stopped' || sources++ >= (opts.maxSources ?? Infinity)) continue;
      const targets = [...h.sandboxes.flatMap((s) => [s.id, ...s.endpoints.map((e) => e.id)]), ...h.ports.map((p) => p.id), ...h.interfaces.map((i) => i.id)];
      for (const target of targets) {
        if (target === src.id) continue;
        const dest = destinationOf(snapshot, target, 'name');
        if ('error' in dest) continue;
        const proto = dest.proto ?? 'icmp';
        const r = traceForDiagram(tracer, loaded.engine.state, index, { host: h.name, from: src.name, to: dest.to, proto, ...(proto !== 'icmp' && dest.defaultPort ? { port: dest.defaultPort } : {}) });
        if ('trace' in r) traces[`${src.id}|${target}`] = r.trace;
      }
    }
  }
  return { snapshot, traces };
}
