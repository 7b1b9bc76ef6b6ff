// A live swarm's services in its replay, as the manager reports them: each service's VIPs and its running
// tasks on the overlays the replay made, so that a service name answers as on a file (the VIP in vip mode,
// the tasks in dnsrr mode, `tasks.<service>`) and a connection to a VIP goes through IPVS to a task.
// Nothing is allocated: the VIPs and the task addresses are swarm's own. The ingress network is not
// replayed, so a service's VIP and tasks there (the routing mesh) are left out and said so.
import type { Engine, PublishedPort, ServiceState, TaskState } from '../engine';
import type { Snapshot, SwarmServiceInfo } from '../docker';
import { taskName } from './swarmView';

/**
 * Adds every service of the manager's answers to the replay's swarm state. `overlays`: the networks the
 * replay made (by name); `hostOf`: the node each replayed container (task) is on. Returns warnings.
 */
export function replayServices(engine: Engine, manager: Snapshot, managerHost: string, overlays: ReadonlySet<string>, hostOf: ReadonlyMap<string, string>): string[] {
  const sw = manager.swarm!;
  const warnings: string[] = [];
  const realName = new Map(manager.networks.map((n) => [n.id, n.name]));
  const ingress = new Set(manager.networks.filter((n) => n.ingress).map((n) => n.id));
  // The engine's id of a replayed overlay, from the real network id (every node's view shares it).
  const engineId = (realId: string): string | null => {
    const name = realName.get(realId);
    return name && overlays.has(name) ? engine.networkNamed(managerHost, name)?.id ?? null : null;
  };
  for (const s of sw.services) {
    const tasks: TaskState[] = [];
    const missing: string[] = [];
    for (const t of sw.tasks) {
      if (t.serviceId !== s.id || t.state !== 'running') continue;
      const name = taskName(s, t);
      const host = hostOf.get(name);
      const ctr = host ? engine.containerNamed(host, name) : undefined;
      if (!host || !ctr) {
        missing.push(name);
        continue;
      }
      const addresses = t.attachments.flatMap((a) => {
        const id = engineId(a.networkId);
        const v4 = a.addresses.find((x) => !x.includes(':'))?.split('/')[0];
        return id && v4 ? [{ networkId: id, address: v4 }] : [];
      });
      tasks.push({ name, slot: t.slot ?? 0, id: t.id, host, containerId: ctr.id, addresses });
      markTaskEndpoints(engine, host, ctr.id, s.name, name);
    }
    tasks.sort((a, b) => a.slot - b.slot || a.name.localeCompare(b.name));
    const networks = s.networks.map(engineId).filter((x): x is string => x !== null);
    const vips = s.endpointMode === 'vip'
      ? s.vips.flatMap((v) => {
        const id = engineId(v.networkId);
        return id ? [{ networkId: id, address: v.address }] : [];
      })
      : [];
    const svc: ServiceState = {
      id: s.id, name: s.name, image: s.image, replicas: s.replicas ?? tasks.length, endpointMode: s.endpointMode,
      networks, vips, ports: publishedPorts(s), tasks, firstBackend: 0,
      ...(s.ports.length ? { meshUnknown: MESH_UNKNOWN } : {}),
    };
    engine.state.swarm.services.set(s.id, svc);
    if (missing.length) warnings.push(`service ${s.name}: task${missing.length === 1 ? '' : 's'} ${missing.join(', ')} not in the replay, so not among its backends`);
    const onIngress = s.vips.some((v) => ingress.has(v.networkId)) || s.ports.some((p) => p.mode === 'ingress');
    if (onIngress) warnings.push(`service ${s.name}: its ports on the routing mesh (the ingress network) are not replayed; a trace to them is unknown`);
  }
  return warnings;
}

const MESH_UNKNOWN = "the replay of a live swarm does not make its ingress network (the tasks' addresses there, each node's ingress sandbox), so where the connection goes is unknown";

/** The routing mesh is not replayed: its ports stay in the service (every node's DOCKER-INGRESS), a trace there ends `unknown`. */
function publishedPorts(s: SwarmServiceInfo): PublishedPort[] {
  return s.ports.filter((p) => p.mode === 'ingress' && p.published !== null).map((p) => ({ published: p.published!, target: p.target, proto: p.protocol, mode: 'ingress' as const, auto: false }));
}

/** The task's endpoints belong to the service (as createService marks them). */
function markTaskEndpoints(engine: Engine, host: string, containerId: string, service: string, task: string): void {
  const h = engine.state.hosts.get(host);
  const ctr = h?.containers.get(containerId);
  const sb = ctr?.sandboxId ? h!.sandboxes.get(ctr.sandboxId) : undefined;
  for (const ep of sb?.endpoints ?? []) if (ep.networkName !== 'docker_gwbridge') ep.service = { name: service, task };
}
