// Name resolution as the source does it (/etc/hosts, Docker's embedded DNS, the host's resolver), how a
// name resolved, and why one does not.
import { lookupName } from '../dns';
import type { ContainerState, HostState } from '../model';
import { formatAddr, type IpAddr } from '../ip';
import { formatV4, parseV4, type HostIndex, type V4 } from './hostIndex';
import type { TraceHop } from './types';
import { v6Only } from './ipv6';
import type { Outcome, Source, TraceContext } from './context';

export function resolveTarget(run: TraceContext, src: Source, to: string, hops: TraceHop[] | null): { address: V4 } | { unresolved: Outcome } {
  const node = src.ns!.label;
  const literal = parseV4(to);
  if (literal !== null) return { address: literal };
  if (to.includes(':')) {
    return { unresolved: { verdict: 'unresolved', reason: `${to} is not an IPv4 address nor an IPv6 one`, fix: 'write IPv6 addresses in brackets, e.g. [fd00::2]:80' } };
  }
  const name = to.toLowerCase().replace(/\.$/, '');
  if (!src.container) {
    if (name === 'localhost') {
      hops?.push({ node, interface: '', action: 'resolve', detail: 'localhost → 127.0.0.1 (/etc/hosts)' });
      return { address: parseV4('127.0.0.1')! };
    }
    return { unresolved: unresolvedFromHost(src.hx, to) };
  }
  const answer = lookupName(src.hx.host, src.container, to, run.state.swarm, false);
  if (answer.unknownOn !== undefined) return { unresolved: unknownAnswer(src, to, answer.unknownOn, hops) };
  const addrs = answer.addresses.map(parseV4).filter((a): a is V4 => a !== null);
  if (addrs.length === 0) return { unresolved: unresolvedFromContainer(run, src, to) };
  const how = howResolved(run, src, name);
  hops?.push({
    node, interface: '', action: 'resolve',
    detail: `${to} → ${addrs.map(formatV4).join(', ')} (${how})${addrs.length > 1 ? `; Docker shuffles the answers, tracing ${formatV4(addrs[0]!)}` : ''}`,
  });
  return { address: addrs[0]! };
}

/** The same over IPv6: the AAAA answer (a host's own resolver knows no container names). */
export function resolveTargetV6(run: TraceContext, src: Source, to: string, hops: TraceHop[] | null): { address: IpAddr } | { unresolved: Outcome } {
  const ns = src.ns!;
  if (!src.container) return { unresolved: { verdict: 'unresolved', reason: `${src.hx.host.name}'s own resolver does not know "${to}": Docker's DNS answers containers only`, fix: 'use the IPv6 address instead' } };
  const answer = lookupName(src.hx.host, src.container, to, run.state.swarm, false);
  if (answer.unknownOn !== undefined) return { unresolved: unknownAnswer(src, to, answer.unknownOn, hops) };
  const all = answer.addresses;
  const six = v6Only(all);
  if (six.length === 0) {
    hops?.push({ node: ns.label, interface: '', action: 'resolve', detail: `${to} (AAAA): no IPv6 address${all.length ? ` — only ${all.join(', ')}` : ''}` });
    return {
      unresolved: all.length
        ? { verdict: 'unresolved', reason: `"${to}" has no IPv6 address: the AAAA answer is empty because the network they share is not enable_ipv6 (it resolves to ${all.join(', ')} over IPv4)`, fix: 'create the network with enable_ipv6: true and an IPv6 subnet, or trace over IPv4' }
        : unresolvedFromContainer(run, src, to),
    };
  }
  hops?.push({ node: ns.label, interface: '', action: 'resolve', detail: `${to} (AAAA) → ${six.map(formatAddr).join(', ')} (${howResolved(run, src, to.toLowerCase())})` });
  return { address: six[0]! };
}

/** A name whose record is on a network with unknown addresses: it resolves, to an address the engine cannot know. */
function unknownAnswer(src: Source, to: string, network: string, hops: TraceHop[] | null): Outcome {
  hops?.push({ node: src.ns!.label, interface: '', action: 'resolve', detail: `${to} → unknown address (Docker's embedded DNS, record on network ${network}, whose addresses are unknown)` });
  return {
    verdict: 'unknown',
    reason: `"${to}" resolves on network ${network}, which exists outside what is described (external) with an unknown subnet, so its address there and the path to it are unknown`,
    fix: `describe ${network}'s subnet (for a Compose external network: x-cnm: { ipam: { config: [{ subnet: … }] } }), or trace over a network whose addresses are known`,
  };
}

/** Which resolver the source asks. */
export function resolverOf(src: Source): string {
  const c = src.container;
  if (!c) return `${src.hx.host.name}'s own resolver`;
  if (c.modeKind === 'host') return "the host's resolver (host network)";
  const sb = c.sandboxId ? src.hx.host.sandboxes.get(c.sandboxId) : undefined;
  return sb?.resolverStarted ? "/etc/hosts, then Docker's embedded DNS at 127.0.0.11" : "/etc/hosts, then the daemon's DNS servers (no embedded DNS)";
}

export function howResolved(run: TraceContext, src: Source, name: string): string {
  const c = src.container!;
  const sb = c.sandboxId ? src.hx.host.sandboxes.get(c.sandboxId) : undefined;
  if (name === 'localhost') return '/etc/hosts';
  if (sb?.hostsEntries.some((e) => e.names.some((n) => n.toLowerCase() === name))) return '/etc/hosts';
  if (sb) {
    for (const ep of sb.endpoints) {
      const net = src.hx.host.networks.get(ep.networkId);
      for (const svc of run.state.swarm.services.values()) {
        if (!net || !svc.networks.includes(net.id)) continue;
        const lower = svc.name.toLowerCase();
        if (name === `tasks.${lower}`) return `Docker's embedded DNS: tasks.${svc.name} answers every task's address on ${net.name} (${svc.tasks.length} task${svc.tasks.length === 1 ? '' : 's'})`;
        if (name === lower) {
          return svc.endpointMode === 'dnsrr'
            ? `Docker's embedded DNS: service ${svc.name} has endpoint_mode dnsrr, so its name answers every task's address on ${net.name} (no virtual IP)`
            : `Docker's embedded DNS: service ${svc.name} (endpoint_mode vip) answers its virtual IP on ${net.name}`;
        }
      }
      const base = name.endsWith(`.${net?.name.toLowerCase()}`) ? name.slice(0, -(net!.name.length + 1)) : name;
      if (net?.dnsRecords.get(base)?.length) return `Docker's embedded DNS at 127.0.0.11, record on network ${net.name}`;
    }
  }
  return "Docker's embedded DNS at 127.0.0.11";
}

function unresolvedFromHost(hx: HostIndex, to: string): Outcome {
  const c = hx.containersByName.get(to);
  const addr = c ? addressOf(hx.host, c) : null;
  return {
    verdict: 'unresolved',
    reason: `${hx.host.name}'s own resolver does not know "${to}": Docker's DNS answers containers only, inside their user-defined networks`,
    fix: addr ? `use ${to}'s address instead: ${addr}` : `use an address instead of a name`,
  };
}

export function unresolvedFromContainer(run: TraceContext, src: Source, to: string): Outcome {
  const c = src.container!;
  const hx = src.hx;
  const sb = c.sandboxId ? hx.host.sandboxes.get(c.sandboxId) : undefined;
  const target = hx.containersByName.get(to) ?? [...hx.containersByName.values()].find((x) => x.name.toLowerCase() === to.toLowerCase());
  const addr = target ? addressOf(hx.host, target) : null;
  const useAddr = addr ? `, or use ${target!.name}'s address ${addr}` : '';
  const srcNets = (sb?.endpoints ?? []).map((e) => e.networkName);
  if (!sb?.resolverStarted) {
    const why = c.modeKind === 'host'
      ? `${c.name} uses the host's network and its resolver, which knows no container names`
      : c.modeKind === 'none'
        ? `${c.name} has no network (network_mode: none)`
        : `${c.name} is only on the default bridge, where Docker runs no embedded DNS: container names do not resolve there`;
    const fix = target && c.modeKind !== 'none' && c.modeKind !== 'host'
      ? `connect both containers to a user-defined network: docker network create shared && docker network connect shared ${c.name} && docker network connect shared ${target.name}${useAddr}`
      : addr ? `use ${target!.name}'s address ${addr}` : undefined;
    return { verdict: 'unresolved', reason: `"${to}" does not resolve from ${c.name}: ${why}`, ...(fix ? { fix } : {}) };
  }
  if (!target) {
    const isHost = run.world.hosts.has(to);
    return {
      verdict: 'unresolved',
      reason: isHost
        ? `"${to}" is a host of the topology, not a name ${c.name}'s DNS knows`
        : `no container or alias named "${to}" on ${c.name}'s networks (${srcNets.join(', ')}), and the upstream DNS does not know it either`,
      fix: isHost ? `use the host's address (from a container: its gateway, e.g. the first address of its network)` : `check the name; cnm inspect lists the containers and their aliases`,
    };
  }
  if (target.status !== 'running') {
    return { verdict: 'unresolved', reason: `${target.name} is not running, so Docker's DNS has no record for it`, fix: `start it: docker start ${target.name}` };
  }
  if (target.modeKind === 'host' || target.modeKind === 'none' || target.modeKind === 'container') {
    const mode = target.modeKind === 'container' ? `container:${target.modeTarget}` : target.modeKind;
    return {
      verdict: 'unresolved',
      reason: `${target.name} runs with network_mode ${mode}: it has no endpoint of its own, so Docker's DNS has no name for it`,
      fix: target.modeKind === 'container' ? `use the name of the container whose network it shares (${target.modeTarget})` : target.modeKind === 'host' ? `reach it on the host's address (the gateway of ${c.name}'s network)` : `it cannot be reached: it has no network`,
    };
  }
  const tsb = target.sandboxId ? hx.host.sandboxes.get(target.sandboxId) : undefined;
  const tNets = (tsb?.endpoints ?? []).map((e) => e.networkName);
  const userNet = srcNets.find((n) => n !== 'bridge');
  return {
    verdict: 'unresolved',
    reason: `${target.name} is not on any network ${c.name} is on (${c.name}: ${srcNets.join(', ') || 'none'}; ${target.name}: ${tNets.join(', ') || 'none'}): Docker's DNS only answers for containers on the same user-defined network${tNets.every((n) => n === 'bridge') ? ` (and ${target.name} is only on the default bridge, which has no DNS)` : ''}`,
    fix: userNet ? `connect it to a network they can share: docker network connect ${userNet} ${target.name}${useAddr}` : `connect both to a user-defined network${useAddr}`,
  };
}

function addressOf(host: HostState, c: ContainerState): string | null {
  const sb = c.sandboxId ? host.sandboxes.get(c.sandboxId) : undefined;
  for (const ep of sb?.endpoints ?? []) if (ep.ipv4) return ep.ipv4.address;
  return null;
}
