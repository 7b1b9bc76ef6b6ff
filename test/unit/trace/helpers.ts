// Test helpers: build a topology from YAML (as `cnm` does) and trace on it.
import assert from 'node:assert/strict';
import { listeningFromSpec } from '../../../src/cli/commands/tracing';
import { hostRules } from '../../../src/engine/netfilter/derive';
import { formatIptablesSave } from '../../../src/engine/netfilter/format';
import { parseDestination, Tracer, type TraceResult } from '../../../src/engine/trace';
import { loadTopology, type LoadedTopology } from '../../../src/topology';

export interface Lab {
  loaded: LoadedTopology;
  tracer: Tracer;
  /** Trace FROM → DST (DST as `cnm trace --to` takes it). */
  t(from: string, to: string): TraceResult;
  /** iptables-save of the (first) host. */
  rules(host?: string): string;
  /** A container's IPv4 address on a network. */
  ip(container: string, network: string): string;
  gateway(network: string): string;
  bridge(network: string): string;
}

export function lab(yaml: string): Lab {
  const loaded = loadTopology(yaml);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => d.message), [], 'the topology builds without errors');
  const tracer = new Tracer(loaded.engine.state, { listening: listeningFromSpec(loaded.spec) });
  const inspect = () => loaded.engine.inspect();
  return {
    loaded,
    tracer,
    t(from, to) {
      const d = parseDestination(to);
      if ('error' in d) throw new Error(d.error);
      return tracer.trace({ from, to: d.to, proto: d.proto, ...(d.port !== undefined ? { port: d.port } : {}), ...(d.family ? { family: d.family } : {}) });
    },
    rules(host) {
      const h = loaded.engine.state.hosts.get(host ?? loaded.engine.hostNames()[0]!)!;
      return formatIptablesSave(hostRules(h, loaded.engine.state.drivers));
    },
    ip(container, network) {
      const ep = inspect().containers.find((c) => c.name === container)?.endpoints.find((e) => e.network === network);
      assert.ok(ep?.ipv4_address, `${container} has an address on ${network}`);
      return ep.ipv4_address;
    },
    gateway(network) {
      const n = inspect().networks.find((x) => x.name === network);
      assert.ok(n?.gateway, `${network} has a gateway`);
      return n.gateway;
    },
    bridge(network) {
      const n = inspect().networks.find((x) => x.name === network);
      assert.ok(n?.bridge, `${network} has a bridge`);
      return n.bridge;
    },
  };
}

/** The hop whose action starts with `action` and whose detail matches. */
export function hop(r: TraceResult, action: string, detail?: RegExp) {
  return r.hops.find((h) => h.action.startsWith(action) && (!detail || detail.test(h.detail)));
}

export function assertVerdict(r: TraceResult, verdict: TraceResult['verdict'], reason?: RegExp): void {
  assert.equal(r.verdict, verdict, `${r.verdict}: ${r.reason}`);
  if (reason) assert.match(r.reason, reason);
}
