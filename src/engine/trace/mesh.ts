// The service mesh: a service's virtual IP (IPVS in the source's namespace) and the routing mesh's
// ingress-sbox (IPVS, SNAT, then the ingress overlay to a task).
import type { ServiceState, TaskState } from '../model';
import { replicaForConnection, type MeshEntry } from '../swarm/services';
import type { TraceSides } from './explain';
import { formatV4, parseV4, type V4 } from './hostIndex';
import type { IpvsChoice, TraceHop } from './types';
import { Walker, type Leg, type Ns, type Pkt } from './walk';
import { EPHEMERAL_PORT, type Outcome, type Source, type TraceContext } from './context';

/**
 * A service's virtual IP (reference §4.2): IPVS in the source's own namespace (fwmark per service,
 * scheduler rr, NAT) sends the connection to one task; the engine's replicaForConnection says which.
 */
export function serviceVip(run: TraceContext, src: Source, dst: V4, hops: TraceHop[] | null): { backend: V4; note: string } | { fail: Outcome } | null {
  const sb = src.container?.sandboxId ? src.hx.host.sandboxes.get(src.container.sandboxId) : undefined;
  if (!sb || run.state.swarm.services.size === 0) return null;
  const mine = new Set(sb.endpoints.map((e) => e.networkId));
  for (const svc of run.state.swarm.services.values()) {
    const vip = svc.vips.find((v) => parseV4(v.address) === dst && mine.has(v.networkId));
    if (!vip) continue;
    const netName = src.hx.host.networks.get(vip.networkId)?.name ?? vip.networkId.slice(0, 12);
    const task = replicaForConnection(svc, run.connection);
    const addr = task?.addresses.find((a) => a.networkId === vip.networkId)?.address;
    const backend = addr ? parseV4(addr) : null;
    if (!task || backend === null) {
      return { fail: { verdict: 'dropped', reason: `${vip.address} is the virtual IP of service ${svc.name} on ${netName}, but the service has no task there: IPVS has no real server to send it to`, fix: `scale it up: docker service scale ${svc.name}=1` } };
    }
    hops?.push({
      node: src.ns!.label, interface: '', action: 'ipvs',
      detail: `${vip.address} is the virtual IP of service ${svc.name} on ${netName}: the mangle table in ${src.ns!.label} marks it with the service's fwmark and IPVS (scheduler rr, NAT mode) rewrites the destination to a task: ${whichReplica(svc, vip.networkId, run.connection)}`,
      ipvs: choiceOf(svc, run.connection, svc.tasks.flatMap((t) => {
        const a = t.addresses.find((x) => x.networkId === vip.networkId)?.address;
        return a ? [{ task: t, address: a }] : [];
      }), task),
    });
    return { backend, note: `(through service ${svc.name}'s virtual IP ${vip.address}: IPVS sent the connection to ${task.name} at ${addr} on ${task.host})` };
  }
  return null;
}

/** The real servers IPVS picks from, in rr order, and which one connection `connection` got. */
function choiceOf(svc: ServiceState, connection: number, backends: readonly { task: TaskState; address: string }[], chosen: TaskState | null): IpvsChoice {
  return {
    service: svc.name, connection,
    backends: backends.map((b) => ({ task: b.task.name, host: b.task.host, address: b.address })),
    chosen: backends.findIndex((b) => b.task === chosen),
  };
}

/** Which task connection `connection` lands on, and why (IPVS rr over the tasks in slot order). */
function whichReplica(svc: ServiceState, networkId: string, connection = 0): string {
  const n = svc.tasks.length;
  const task = replicaForConnection(svc, connection)!;
  const addrOf = (t: typeof task) => t.addresses.find((a) => a.networkId === networkId)?.address ?? '?';
  const short = (k: number) => replicaForConnection(svc, k)!.name.split('.').slice(0, 2).join('.');
  if (connection > 0) {
    return `task ${task.name} at ${addrOf(task)} on ${task.host} — IPVS round robin walks the ${n} task${n === 1 ? '' : 's'} in slot order and this is connection ${connection + 1} (tasks[(firstBackend ${svc.firstBackend} + ${connection}) mod ${n}])`;
  }
  const next = n > 1 ? `; connection 2 would go to ${short(1)}${n > 2 ? `, connection 3 to ${short(2)}` : ''}` : '';
  return `task ${task.name} at ${addrOf(task)} on ${task.host} — IPVS round robin walks the ${n} task${n === 1 ? '' : 's'} in slot order and a trace is the first connection (tasks[(firstBackend ${svc.firstBackend} + 0) mod ${n}])${next}`;
}

/** The ingress-sbox got a routing-mesh connection: IPVS picks a task, SNATs, and sends it over the ingress overlay. */
export function throughMesh(run: TraceContext, origin: Ns, leg: Leg & { ok: true }, walker: Walker, hops: TraceHop[] | null, m: MeshEntry, sides: () => TraceSides): Outcome {
  const sbox = leg.ns;
  const svc = m.service;
  if (svc.meshUnknown) return { verdict: 'unknown', reason: `port ${m.published}/${m.proto} belongs to service ${svc.name} on the routing mesh, but ${svc.meshUnknown}` };
  const task = replicaForConnection(svc, run.connection);
  const backend = task ? m.backends.find((b) => b.task === task) : undefined;
  const addr = backend ? parseV4(backend.address) : null;
  const sboxAddr = m.sboxIngressAddress ? parseV4(m.sboxIngressAddress) : null;
  if (!task || !backend || addr === null || sboxAddr === null) {
    return { verdict: 'dropped', reason: `port ${m.published}/${m.proto} belongs to service ${svc.name} on the routing mesh, but the service has no task on the ingress network: IPVS in the ingress-sbox has no real server`, fix: `scale it up: docker service scale ${svc.name}=1` };
  }
  const list = m.backends.map((b) => `${b.task.name.split('.').slice(0, 2).join('.')} ${b.address} on ${b.task.host}`).join(', ');
  hops?.push({ node: sbox.label, interface: leg.iface, action: 'ipvs', detail: `mangle PREROUTING marks ${m.proto} dport ${m.published} with service ${svc.name}'s fwmark; IPVS on that mark has ${m.backends.length} real server${m.backends.length === 1 ? '' : 's'} (${list}) and sends the connection to ${whichReplica(svc, run.state.swarm.ingressNetworkId ?? '', run.connection)}`, ipvs: choiceOf(svc, run.connection, m.backends, task) });
  const subnet = sbox.hx.host.networks.get(run.state.swarm.ingressNetworkId ?? '')?.ipv4[0]?.subnet;
  const sub = subnet ? `${formatV4(Number(subnet.base) >>> 0)}/${subnet.prefix}` : 'the ingress subnet';
  hops?.push({ node: sbox.label, interface: '', action: 'SNAT', detail: `-A POSTROUTING -d ${sub} -m ipvs --ipvs -j SNAT --to-source ${m.sboxIngressAddress}: source → ${m.sboxIngressAddress}, destination → ${backend.address}:${m.target} (the task sees the ingress-sbox, not the client)` });
  const pkt: Pkt = { src: sboxAddr, dst: addr, proto: leg.pkt.proto, sport: EPHEMERAL_PORT + 2, dport: m.target };
  const inner = new Walker(run.world, hops, false);
  const innerLeg = inner.send(sbox, pkt, true);
  const backendOutcome = run.conclude({ hx: sbox.hx, ns: sbox, container: null }, sbox, innerLeg, inner, hops, addr, 1);
  const what = backendOutcome.verdict === 'delivered' ? (leg.pkt.proto === 'tcp' ? 'SYN-ACK' : '') : backendOutcome.verdict === 'refused' ? (leg.pkt.proto === 'tcp' ? 'reset (RST)' : 'port unreachable') : '';
  if (backendOutcome.verdict === 'dropped' || backendOutcome.verdict === 'unknown') return { ...backendOutcome, reason: `routing mesh → ${task.name}: ${backendOutcome.reason}` };
  const client = run.withReply(origin, leg, walker, hops, sides, backendOutcome, what);
  if (client !== backendOutcome) return client;
  return {
    ...backendOutcome,
    reason: `routing mesh: ${formatV4(walker.nat.find((n) => n.kind === 'dnat')?.before ?? leg.pkt.dst)}:${m.published} → ingress-sbox → IPVS → ${task.name} (${backend.address}:${m.target} on ${task.host}): ${backendOutcome.reason}`,
  };
}
