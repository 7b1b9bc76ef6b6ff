// felix's iptables rules (filter table), as felix/rules renders them, for the workloads of a host:
//  FORWARD: -j cali-FORWARD first (inserted), "Policy explicitly accepted packet." last (static.go);
//  cali-FORWARD: -i cali+ -j cali-from-wl-dispatch, -o cali+ -j cali-to-wl-dispatch;
//  the dispatch chains: -i/-o cali<id> -g cali-fw-/cali-tw-cali<id>, then "Unknown interface" DROP (dispatch.go);
//  the endpoint chains (endpoints.go): conntrack, clear the marks, each policy (cali-pi-/cali-po-) with
//  "Return if policy accepted", the end-of-tier drop, then each profile (cali-pri-/cali-pro-) with
//  "Return if profile accepted", and "Drop if no profiles matched";
//  a policy's rules (policy.go): allow sets the accept mark (0x10000) and returns, deny drops.
// Rule names and marks: rule_defs.go (chain prefixes), config_params.go (IptablesMarkMask 0xffff0000:
// the accept bit 0x10000, the pass bit 0x20000). A selector becomes an ipset of the matching workloads'
// addresses on every host (felix's cali40s: sets), so a workload on another host matches too.
import type { EndpointState, HostState, NetworkState } from '../../model';
import type { ContributedRule } from '../../netfilter/contributed';
import { ACCEPT, DROP, RETURN, is, jump, rule } from '../../netfilter/rules';
import type { Rule, RuleMatch, RuleTarget } from '../../netfilter/types';
import { calicoData } from './driver';
import { IF_PREFIX } from './pool';
import { lengthLimitedId, MAX_CHAIN_NAME, parseSelector, selects, selectorSetName, type CalicoPolicy, type CalicoRule } from './policy';

export const CHAINS = {
  forward: 'cali-FORWARD',
  fromWl: 'cali-from-wl-dispatch',
  toWl: 'cali-to-wl-dispatch',
  twPrefix: 'cali-tw-',
  fwPrefix: 'cali-fw-',
  piPrefix: 'cali-pi-',
  poPrefix: 'cali-po-',
  priPrefix: 'cali-pri-',
  proPrefix: 'cali-pro-',
} as const;

export const MARK_ACCEPT = 0x10000;
export const MARK_PASS = 0x20000;

const mark = (value: number, mask: number): RuleTarget => ({ kind: 'MARK', value, mask });
const goto = (chain: string): RuleTarget => ({ kind: 'GOTO', chain });

/** A workload as felix sees it: its interface, address, labels and profile (its network). */
export interface Workload {
  readonly host: string;
  readonly iface: string;
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly network: string;
  readonly container: string;
}

/** Every calico workload of the engine (felix's ipsets span the cluster). */
export function workloads(hosts: Iterable<HostState>): Workload[] {
  const out: Workload[] = [];
  for (const h of hosts) {
    for (const n of h.networks.values()) {
      if (!calicoData(n)) continue;
      for (const ep of n.endpoints.values()) {
        const w = workloadOf(h, n, ep);
        if (w) out.push(w);
      }
    }
  }
  return out;
}

export function workloadOf(h: HostState, n: NetworkState, ep: EndpointState): Workload | null {
  if (!ep.sandboxId || !ep.hostIfname || !ep.ipv4) return null;
  const c = h.containers.get(ep.containerId);
  // The profile the plug-in makes per network (network_driver.go) gives its endpoints the network's name as a label.
  const labels = { ...(c?.labels ?? {}), [n.name]: '' };
  return { host: h.name, iface: ep.hostIfname, address: ep.ipv4.address, labels, network: n.name, container: c?.name ?? ep.name };
}

export const policyChain = (dir: 'ingress' | 'egress', p: CalicoPolicy): string =>
  lengthLimitedId(dir === 'ingress' ? CHAINS.piPrefix : CHAINS.poPrefix, `gnp/${p.name}`, MAX_CHAIN_NAME);
export const profileChain = (dir: 'ingress' | 'egress', network: string): string =>
  lengthLimitedId(dir === 'ingress' ? CHAINS.priPrefix : CHAINS.proPrefix, network, MAX_CHAIN_NAME);
export const endpointChain = (dir: 'to' | 'from', iface: string): string =>
  lengthLimitedId(dir === 'to' ? CHAINS.twPrefix : CHAINS.fwPrefix, iface, MAX_CHAIN_NAME);

/** The policies that apply to a workload in one direction, in calico's order. */
export function policiesFor(w: Workload, all: readonly CalicoPolicy[], dir: 'ingress' | 'egress'): CalicoPolicy[] {
  return all
    .filter((p) => (p.network === undefined || p.network === w.network) && p[dir] !== undefined && selects(parseSelector(p.selector), w.labels))
    .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}

/**
 * felix's rules for a host, contributed once (by the first calico network on it, for all of them):
 * the rules function of a unit is called per network.
 */
export function felixRules(host: HostState, net: NetworkState, everyHost: () => Iterable<HostState>): ContributedRule[] {
  const nets = [...host.networks.values()].filter((n) => calicoData(n)).sort((a, b) => a.seq - b.seq);
  if (nets[0] !== net) return [];
  const all = workloads(everyHost());
  const mine = all.filter((w) => w.host === host.name);
  const policies = uniquePolicies(nets.flatMap((n) => calicoData(n)!.policies));
  const out: Rule[] = [];
  const f: Emit = (chain, match, target, explain) => void out.push(explain ? { ...rule('filter', chain, match, target, 'plugin', { network: net.name }), explain } : rule('filter', chain, match, target, 'plugin', { network: net.name }));

  f(CHAINS.forward, { in: is(`${IF_PREFIX}+`) }, jump(CHAINS.fromWl));
  f(CHAINS.forward, { out: is(`${IF_PREFIX}+`) }, jump(CHAINS.toWl));
  for (const w of mine) f(CHAINS.fromWl, { in: is(w.iface) }, goto(endpointChain('from', w.iface)));
  f(CHAINS.fromWl, { comment: 'Unknown interface' }, DROP);
  for (const w of mine) f(CHAINS.toWl, { out: is(w.iface) }, goto(endpointChain('to', w.iface)));
  f(CHAINS.toWl, { comment: 'Unknown interface' }, DROP);

  const usedPolicies = new Map<string, { p: CalicoPolicy; dir: 'ingress' | 'egress' }>();
  const usedProfiles = new Set<string>();
  for (const w of mine) {
    for (const [dir, chain] of [['ingress', endpointChain('to', w.iface)], ['egress', endpointChain('from', w.iface)]] as const) {
      f(chain, { ctstate: ['RELATED', 'ESTABLISHED'] }, ACCEPT);
      f(chain, {}, mark(0, MARK_ACCEPT | MARK_PASS));
      const applied = policiesFor(w, policies, dir);
      if (applied.length > 0) {
        f(chain, { comment: 'Start of tier default' }, mark(0, MARK_PASS));
        for (const p of applied) {
          const pc = policyChain(dir, p);
          usedPolicies.set(pc, { p, dir });
          f(chain, { mark: { value: 0, mask: MARK_PASS } }, jump(pc));
          f(chain, { mark: { value: MARK_ACCEPT, mask: MARK_ACCEPT }, comment: 'Return if policy accepted' }, RETURN);
        }
        f(chain, { mark: { value: 0, mask: MARK_PASS }, comment: 'End of tier default. Drop if no policies passed packet' }, DROP, endOfTier(w, dir, applied));
      }
      const prof = profileChain(dir, w.network);
      usedProfiles.add(`${dir} ${w.network}`);
      f(chain, {}, jump(prof));
      f(chain, { mark: { value: MARK_ACCEPT, mask: MARK_ACCEPT }, comment: 'Return if profile accepted' }, RETURN);
      f(chain, { comment: 'Drop if no profiles matched' }, DROP, noProfile(w, dir));
    }
  }
  for (const [pc, { p, dir }] of usedPolicies) (p[dir] ?? []).forEach((r, i) => ruleOf(f, pc, dir, r, all, { p, index: i }));
  for (const key of usedProfiles) {
    const [dir, network] = key.split(' ') as ['ingress' | 'egress', string];
    // network_driver.go: the profile allows all egress and ingress from has(<network>).
    const r: CalicoRule = dir === 'ingress' ? { action: 'allow', source: `has(${network})` } : { action: 'allow' };
    ruleOf(f, profileChain(dir, network), dir, r, all);
  }

  const about = { network: net.name };
  return [
    { position: 'insert', rule: rule('filter', 'FORWARD', {}, jump(CHAINS.forward), 'plugin', about) },
    ...out.map((r) => ({ position: 'append' as const, rule: r })),
    { position: 'append', rule: rule('filter', 'FORWARD', { mark: { value: MARK_ACCEPT, mask: MARK_ACCEPT }, comment: 'Policy explicitly accepted packet.' }, ACCEPT, 'plugin', about) },
  ];
}

/** One policy rule (policy.go): the match, then allow (set the accept mark, return) or deny (drop). */
function ruleOf(f: Emit, chain: string, dir: 'ingress' | 'egress', r: CalicoRule, all: readonly Workload[], of?: { p: CalicoPolicy; index: number }): void {
  const match: { -readonly [K in keyof RuleMatch]: RuleMatch[K] } = {};
  if (r.protocol) match.proto = r.protocol;
  if (r.port !== undefined) match.dport = r.port;
  const peer = dir === 'ingress' ? r.source : r.destination;
  const self = dir === 'ingress' ? r.destination : r.source;
  // The peer's selector is an ipset; a selector on the endpoint's own side narrows nothing more here.
  void self;
  if (peer !== undefined) {
    const sel = parseSelector(peer);
    match.set = { name: selectorSetName(peer), dir: dir === 'ingress' ? 'src' : 'dst', members: all.filter((w) => selects(sel, w.labels)).map((w) => `${w.address}/32`) };
  }
  if (r.action === 'deny') {
    f(chain, match, DROP, of ? denied(of.p, dir, of.index, r) : undefined);
    return;
  }
  f(chain, match, mark(MARK_ACCEPT, MARK_ACCEPT));
  f(chain, { mark: { value: MARK_ACCEPT, mask: MARK_ACCEPT } }, RETURN);
}

type Emit = (chain: string, match: RuleMatch, target: RuleTarget, explain?: Rule['explain']) => void;

/** Where the topology file writes a policy: under its network, or at the top level. */
function policyPlace(p: CalicoPolicy): string {
  return p.network === undefined ? `policies: ${p.name}` : `networks.${p.network}.policies: ${p.name}`;
}

/** A policy rule as the file writes it: { action: deny, protocol: tcp, source: "role == 'web'", port: 5432 }. */
export function ruleText(r: CalicoRule): string {
  const parts = [`action: ${r.action}`];
  if (r.protocol) parts.push(`protocol: ${r.protocol}`);
  if (r.source !== undefined) parts.push(`source: "${r.source}"`);
  if (r.destination !== undefined) parts.push(`destination: "${r.destination}"`);
  if (r.port !== undefined) parts.push(`port: ${r.port}`);
  return `{ ${parts.join(', ')} }`;
}

/** A policy's deny rule (policy.go renders it as a plain DROP in cali-pi-/cali-po-<policy>). */
function denied(p: CalicoPolicy, dir: 'ingress' | 'egress', index: number, r: CalicoRule): Rule['explain'] {
  return {
    reason: `rule ${index + 1} of calico policy ${p.name}'s ${dir}, ${ruleText(r)}, denies it`,
    fix: `if this traffic should pass, change ${dir} rule ${index + 1} of policy ${p.name} (${policyPlace(p)}): narrow its ${dir === 'ingress' ? 'source' : 'destination'}, protocol or port, or put an allow rule for this traffic before it`,
  };
}

/** endpoints.go: once a policy selects an endpoint for a direction, what no policy allows is dropped. */
function endOfTier(w: Workload, dir: 'ingress' | 'egress', applied: readonly CalicoPolicy[]): Rule['explain'] {
  const names = applied.map((p) => p.name).join(', ');
  return {
    reason: `calico policy ${names} selects ${w.container} for ${dir}, and none of ${applied.length > 1 ? 'their' : 'its'} rules allows this packet (a policy that selects an endpoint drops what it does not allow)`,
    fix: `if this traffic should pass, add an allow rule for it to the ${dir} of policy ${applied.map(policyPlace).join(' or ')}`,
  };
}

/** network_driver.go: the network's profile allows ingress only from its own endpoints (has(<network>)). */
function noProfile(w: Workload, dir: 'ingress' | 'egress'): Rule['explain'] {
  return {
    reason: `the profile of calico network ${w.network} (the plug-in makes one per network) accepts ${dir} only from endpoints on ${w.network} (source has(${w.network})), and no policy accepted it before`,
    fix: `connect the source to ${w.network}, or allow it with a policy that selects ${w.container} (policies: with ingress: [{ action: allow, source: <the source's labels> }])`,
  };
}

function uniquePolicies(list: readonly CalicoPolicy[]): CalicoPolicy[] {
  const seen = new Map<string, CalicoPolicy>();
  for (const p of list) if (!seen.has(`${p.network ?? ''}/${p.name}`)) seen.set(`${p.network ?? ''}/${p.name}`, p);
  return [...seen.values()];
}
