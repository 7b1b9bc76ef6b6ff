// The rules of one host, derived from the engine state (a pure function of it) and picked by the
// daemon's version: 20.10–27 the legacy FORWARD layout, 28+ DOCKER-FORWARD. Cached per host while the
// state it was derived from is unchanged. `drivers` is the engine's registry (EngineState.drivers): the
// rules plug-ins add (flanneld's) come from there.
import type { EngineState, HostState } from '../model';
import { atLeast } from '../version';
import { withContributedRules, type RuleLookup } from './contributed';
import { dockerForwardRules } from './dockerForward';
import { legacyRules } from './legacy';
import type { RuleSet } from './types';
import { stateStamp } from './stamp';

const cache = new WeakMap<HostState, { stamp: string; rules: RuleSet }>();

export function deriveHostRules(host: HostState, drivers?: RuleLookup): RuleSet {
  return withContributedRules(host, atLeast(host.daemon.version, 28) ? dockerForwardRules(host) : legacyRules(host), drivers);
}

/** The host's rules, recomputed only when the host's state changed. */
export function hostRules(host: HostState, drivers?: RuleLookup): RuleSet {
  // A live host's real rules, when they could be read, are what the kernel evaluates.
  if (host.observed?.rules) return host.observed.rules;
  const stamp = stateStamp(host);
  const hit = cache.get(host);
  if (hit && hit.stamp === stamp) return hit.rules;
  const rules = deriveHostRules(host, drivers);
  cache.set(host, { stamp, rules });
  return rules;
}

export function engineRules(state: EngineState, hostName?: string): RuleSet[] {
  const hosts = hostName === undefined ? [...state.hosts.values()] : [state.hosts.get(hostName)].filter((h): h is HostState => !!h);
  return hosts.map((h) => hostRules(h, state.drivers));
}
