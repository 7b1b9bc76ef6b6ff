// Swarm services, the parts that are plain rules: `-p` for services (published:target[/proto], ingress
// mode), swarmkit's EndpointSpec validation (in its order), and where the replicas run.
import { DockerError, BAD_REQUEST, msg } from '../errors';
import type { EngineState, Protocol, ServiceState, SwarmNode, TaskState } from '../model';

/** libnetwork names the routing mesh's sandbox on every node "ingress-sbox" with the id "ingress_sbox". */
export const INGRESS_SANDBOX_ID = 'ingress_sbox';
export const INGRESS_SANDBOX_NAME = 'ingress-sbox';

export interface ServicePortSpec {
  readonly published: number | null;
  readonly target: number;
  readonly proto: Protocol;
  readonly index: number;
}

const PORT = /^(?:(\d{1,5}):)?(\d{1,5})(?:\/(tcp|udp|sctp))?$/;

/** `docker service create -p` short syntax (published:target/proto), or the long one (published=…,target=…). */
export function parseServicePorts(ports: readonly string[]): ServicePortSpec[] {
  return ports.map((raw, index) => {
    const text = raw.trim();
    if (text.includes('=')) {
      const kv = Object.fromEntries(text.split(',').map((p) => p.split('=').map((x) => x.trim()) as [string, string]));
      const target = Number(kv['target']);
      const published = kv['published'] ? Number(kv['published']) : null;
      const proto = (kv['protocol'] ?? 'tcp') as Protocol;
      if (!Number.isInteger(target) || target < 1 || target > 65535) throw new DockerError(`invalid target port: ${kv['target'] ?? ''}`, BAD_REQUEST, { field: 'ports', index });
      return { published, target, proto, index };
    }
    const m = PORT.exec(text);
    if (!m) throw new DockerError(`Invalid containerPort: ${text}`, BAD_REQUEST, { field: 'ports', index });
    const target = Number(m[2]);
    const published = m[1] !== undefined ? Number(m[1]) : null;
    if (target < 1 || target > 65535) throw new DockerError(`Invalid containerPort: ${m[2]}`, BAD_REQUEST, { field: 'ports', index });
    if (published !== null && (published < 1 || published > 65535)) throw new DockerError(`Invalid hostPort: ${m[1]}`, BAD_REQUEST, { field: 'ports', index });
    return { published, target, proto: (m[3] ?? 'tcp') as Protocol, index };
  });
}

/** controlapi validateEndpointSpec: dnsrr with ingress ports, then duplicate published ports. */
export function validateEndpointSpec(mode: 'vip' | 'dnsrr', ports: readonly ServicePortSpec[]): void {
  const seen = new Set<string>();
  for (const p of ports) {
    if (mode === 'dnsrr') throw new DockerError(msg.dnsrrIngress(), BAD_REQUEST, { field: 'ports', index: p.index });
    if (p.published === null) continue;
    const key = `${p.proto}/${p.published}`;
    if (seen.has(key)) throw new DockerError(msg.duplicatePublished(), BAD_REQUEST, { field: 'ports', index: p.index });
    seen.add(key);
  }
}

/**
 * Where each replica runs: swarmkit's scheduler puts each task on the node with the fewest tasks of this
 * service, then the fewest tasks in all (nodeLess in scheduler.go; managers run tasks too), so every
 * node's total stays balanced (seen on 20.10 and 26.1 lab swarms). Between nodes still equal swarmkit
 * takes Go map order, which varies from run to run; the engine takes host order there. `existing` is the
 * node of every task already running of other services, `ownExisting` of this service's (a task started again).
 */
export function placeTasks(nodes: readonly SwarmNode[], replicas: number, existing: readonly string[] = [], ownExisting: readonly string[] = []): string[] {
  const total = new Map(nodes.map((n) => [n.host, 0]));
  const mine = new Map(nodes.map((n) => [n.host, 0]));
  for (const h of existing) if (total.has(h)) total.set(h, total.get(h)! + 1);
  for (const h of ownExisting) {
    if (!total.has(h)) continue;
    total.set(h, total.get(h)! + 1);
    mine.set(h, mine.get(h)! + 1);
  }
  const out: string[] = [];
  for (let slot = 1; slot <= replicas && nodes.length > 0; slot++) {
    let best = nodes[0]!.host;
    for (const n of nodes) {
      const [m, t, bm, bt] = [mine.get(n.host)!, total.get(n.host)!, mine.get(best)!, total.get(best)!];
      if (m < bm || (m === bm && t < bt)) best = n.host;
    }
    mine.set(best, mine.get(best)! + 1);
    total.set(best, total.get(best)! + 1);
    out.push(best);
  }
  return out;
}

/**
 * Which replica connection `n` (0 = the first) to the service lands on: IPVS's rr scheduler walks the
 * tasks in order, starting at `firstBackend`. A trace is one connection, so it uses n = 0.
 */
export function replicaForConnection(service: ServiceState, n = 0): TaskState | null {
  if (service.tasks.length === 0) return null;
  return service.tasks[(service.firstBackend + n) % service.tasks.length] ?? null;
}

/** One published port of the routing mesh as a node sees it (reference §3.4). */
export interface MeshEntry {
  readonly published: number;
  readonly target: number;
  readonly proto: Protocol;
  readonly service: ServiceState;
  /** nat DOCKER-INGRESS: DNAT to the ingress-sbox's docker_gwbridge address on this node. */
  readonly dnatTo: string | null;
  /** The ingress-sbox's address on the ingress network (its SNAT source towards the tasks). */
  readonly sboxIngressAddress: string | null;
  /** The service's VIP on the ingress network (IPVS service, fwmark per service). */
  readonly vip: string | null;
  /** IPVS real servers: each task's ingress address and node, in rr order. */
  readonly backends: { readonly task: TaskState; readonly address: string }[];
}

/** Every published port of every service as node `hostName` serves it (every node serves every port). */
export function routingMesh(state: EngineState, hostName: string): MeshEntry[] {
  const sw = state.swarm;
  const host = state.hosts.get(hostName);
  if (!host || !sw.ingressNetworkId || !sw.nodes.some((n) => n.host === hostName)) return [];
  const sbox = host.sandboxes.get(INGRESS_SANDBOX_ID);
  const gw = sbox?.endpoints.find((e) => e.networkName === 'docker_gwbridge');
  const ing = sbox?.endpoints.find((e) => e.networkId === sw.ingressNetworkId);
  const out: MeshEntry[] = [];
  for (const service of sw.services.values()) {
    const vip = service.vips.find((v) => v.networkId === sw.ingressNetworkId)?.address ?? null;
    const backends = service.tasks.flatMap((task) => {
      const a = task.addresses.find((x) => x.networkId === sw.ingressNetworkId);
      return a ? [{ task, address: a.address }] : [];
    });
    for (const p of service.ports) {
      out.push({
        published: p.published, target: p.target, proto: p.proto, service,
        dnatTo: gw?.ipv4?.address ?? null, sboxIngressAddress: ing?.ipv4?.address ?? null, vip, backends,
      });
    }
  }
  return out;
}
