// Putting policies in the datastore (what `calicoctl apply` does): every calico network view on every
// host gets the policies that reach it, and every host's rules are derived again.
import type { HostState } from '../../model';
import { calicoData } from './driver';
import { parseSelector, type CalicoPolicy } from './policy';

/** Checks a policy's selectors; throws DockerError naming the selector that does not parse. */
export function checkPolicy(p: CalicoPolicy): void {
  parseSelector(p.selector);
  for (const r of [...(p.ingress ?? []), ...(p.egress ?? [])]) {
    if (r.source !== undefined) parseSelector(r.source);
    if (r.destination !== undefined) parseSelector(r.destination);
  }
}

export function setCalicoPolicies(engine: { readonly state: { readonly hosts: ReadonlyMap<string, HostState> } }, policies: readonly CalicoPolicy[]): void {
  for (const p of policies) checkPolicy(p);
  for (const h of engine.state.hosts.values()) {
    for (const n of h.networks.values()) {
      const d = calicoData(n);
      if (!d) continue;
      d.policies = policies.filter((p) => p.network === undefined || p.network === n.name);
    }
    h.revision++;
  }
}
