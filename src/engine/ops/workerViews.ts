// A worker's view of a swarm network lasts while it has an endpoint on it (lab swarms, dockerd 20.10).
import type { HostState, NetworkState } from '../model';
import { parseIp } from '../ip';
import type { EngineCore } from './core';
import { dropView } from './networkViews';

/** The last endpoint on a worker's view of a swarm network left: the view (and its lb-<network>) goes. */
export function dropUnusedWorkerView(core: EngineCore, host: HostState, n: NetworkState): void {
  if (host.swarm !== 'worker' || n.scope !== 'swarm' || n.ingress || n.endpoints.size > 0) return;
  const lb = host.overlays.get(n.id)?.loadBalancer;
  if (lb) core.swarm.releaseAddress(n.id, parseIp(lb.address)!);
  dropView(core, host.name, n.id);
  const sn = core.state.swarm.networks.get(n.id);
  if (sn?.hosts.includes(host.name)) sn.hosts.splice(sn.hosts.indexOf(host.name), 1);
}
