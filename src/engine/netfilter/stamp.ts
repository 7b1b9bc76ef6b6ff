// A fingerprint of a host's state, so derived data (rules, trace indexes) is rebuilt only when the state
// changed: the engine bumps `revision` on every operation that changes networking; the map sizes are a
// cheap second guard.
import type { HostState } from '../model';

export function stateStamp(host: HostState): string {
  return `${host.revision}|${host.networks.size}|${host.containers.size}|${host.sandboxes.size}|${host.veths.size}|${host.bridges.size}`;
}
