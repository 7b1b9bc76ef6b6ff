// Rules a network plug-in's own daemon installs next to dockerd's (flanneld's FORWARD accepts and its
// "no masquerade inside the cluster" rule). A driver unit carries a function of the host and its network
// (DriverUnit.rules); the rules are added after dockerd's, so `cnm rules` prints them and the tracer
// evaluates them. A rule in a chain the table does not have yet makes it (a user chain, like felix's). They are looked up in the engine's own registry, never in a module-wide one.
import type { HostState, NetworkState } from '../model';
import type { Rule, RuleSet } from './types';

export interface ContributedRule {
  readonly rule: Rule;
  /** append: at the end of the chain (iptables -A); insert: at its top (iptables -I). */
  readonly position: 'append' | 'insert';
}

export type NetworkRules = (host: HostState, net: NetworkState) => ContributedRule[];

/** Where the rules of a network's driver are found (the engine's DriverRegistry). */
export interface RuleLookup {
  rules(name: string): NetworkRules | undefined;
  hasRules(): boolean;
}

/** Adds every installed driver's rules to a host's ruleset (unchanged when no network asks for any). */
export function withContributedRules(host: HostState, set: RuleSet, drivers: RuleLookup | undefined): RuleSet {
  if (!drivers?.hasRules() || set.layout === 'disabled') return set;
  for (const net of host.networks.values()) {
    const make = drivers.rules(net.driver);
    if (!make) continue;
    for (const { rule, position } of make(host, net)) {
      const table = set.tables.get(rule.table);
      if (!table) continue;
      let chain = table.chains.get(rule.chain);
      // A plug-in's own chain (felix's cali-FORWARD, weave's WEAVE) is made on its first rule, as `iptables -N` does.
      if (!chain) table.chains.set(rule.chain, (chain = { name: rule.chain, policy: null, rules: [] }));
      // …and a chain it jumps to exists, empty until its own rules come (iptables -N before -j).
      if (rule.target.kind === 'JUMP' && !table.chains.has(rule.target.chain)) table.chains.set(rule.target.chain, { name: rule.target.chain, policy: null, rules: [] });
      if (position === 'insert') chain.rules.unshift(rule);
      else chain.rules.push(rule);
    }
  }
  return set;
}
