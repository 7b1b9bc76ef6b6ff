// Which containers one trace on a live host can involve, so `cnm trace --docker` reads the sockets (a
// /proc walk or a docker exec each) of those only: the source, the destination (by name, id, hostname,
// network alias or address), the tasks of a swarm service it names, the containers sharing their
// namespaces, and — for a destination that is no container (a host address) — those publishing the port. When nothing can be told, every one.
import { parseDestination, parseIp } from '../engine';
import type { ContainerInfo, Snapshot } from '../docker';

/** The label dockerd puts on a swarm task's container: its service's name. */
const SERVICE_LABEL = 'com.docker.swarm.service.name';

/** The ids of the containers whose sockets a trace from `from` to `to` may depend on; null: all of them. */
export function involvedContainers(snapshot: Snapshot, from: string, to: string): Set<string> | null {
  const dst = parseDestination(to);
  if ('error' in dst) return null;
  const matches = (c: ContainerInfo, ref: string) =>
    c.name === ref || (ref.length >= 4 && /^[0-9a-f]+$/.test(ref) && c.id.startsWith(ref)) || c.hostname === ref ||
    c.endpoints.some((e) => e.aliases.includes(ref) || e.ipv4Address === ref || (e.ipv6Address !== null && e.ipv6Address === ref.replace(/^\[|\]$/g, '')));
  const out = new Set<string>();
  for (const c of snapshot.containers) if (matches(c, from) || matches(c, dst.to)) out.add(c.id);
  // A swarm service (its name, tasks.<name>, or a VIP the manager reports): the connection lands on a task.
  const asked = dst.to.toLowerCase().replace(/^tasks\./, '');
  const byVip = snapshot.swarm?.services.find((s) => s.vips.some((v) => v.address === dst.to))?.name.toLowerCase();
  for (const c of snapshot.containers) {
    const svc = c.labels[SERVICE_LABEL]?.toLowerCase();
    if (svc !== undefined && (svc === asked || svc === byVip)) out.add(c.id);
  }
  const toContainer = snapshot.containers.some((c) => matches(c, dst.to));
  // A swarm worker does not know the services' VIPs: an address that is no container's may be one.
  const worker = snapshot.swarm !== undefined && snapshot.swarm.localState === 'active' && !snapshot.swarm.manager;
  if (worker && !toContainer && parseIp(dst.to.replace(/^\[|\]$/g, '')) !== null) return null;
  if (!toContainer && dst.port !== undefined) {
    // A host address (or one the snapshot does not know): a published port may DNAT to any container.
    for (const c of snapshot.containers) if (c.publishedPorts.some((p) => p.hostPort === dst.port) || c.portBindings.some((b) => Number(b.hostPort) === dst.port || b.hostPort === '')) out.add(c.id);
  }
  // A network namespace shared with others (network_mode container:…): its sockets are theirs too.
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of snapshot.containers) {
      if (out.has(c.id)) continue;
      const m = /^container:(.+)$/.exec(c.networkMode);
      const joined = m ? snapshot.containers.find((x) => x.id === m[1] || x.name === m[1]) : undefined;
      const joiners = snapshot.containers.filter((x) => out.has(x.id) && x.networkMode.startsWith('container:') && (x.networkMode.slice(10) === c.id || x.networkMode.slice(10) === c.name));
      if ((joined && out.has(joined.id)) || joiners.length > 0) {
        out.add(c.id);
        grew = true;
      }
    }
  }
  return out;
}
