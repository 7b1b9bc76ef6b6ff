// A cheap fingerprint of a host's state, so derived data (rules, trace indexes) is rebuilt only when the
// state changed. The engine has no revision counter; every operation that changes networking changes one
// of these: the sizes and newest keys of the maps (ids are never reused), which containers run, and
// which namespaces are shared.
import type { HostState } from '../model';

function lastKey(map: ReadonlyMap<string, unknown>): string {
  let last = '';
  for (const k of map.keys()) last = k;
  return last;
}

export function stateStamp(host: HostState): string {
  let running = 0;
  for (const c of host.containers.values()) if (c.status === 'running') running++;
  let shared = 0;
  for (const sb of host.sandboxes.values()) shared += sb.sharedBy.size + sb.endpoints.length;
  return [
    host.networks.size, host.containers.size, host.sandboxes.size, host.veths.size, host.bridges.size, running, shared,
    lastKey(host.networks), lastKey(host.containers), lastKey(host.sandboxes), lastKey(host.veths),
  ].join('|');
}
