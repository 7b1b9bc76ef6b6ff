// Plain-words reasons and fixes for a packet that did not get through: which rule or condition stopped
// it, what Docker meant by it, and the change that would let it pass.
import { formatRule } from '../netfilter/format';
import { formatNet } from '../ip';
import type { ContainerState, EndpointState, NetworkState } from '../model';
import { formatV4, isLoopback, type HostIndex, type V4 } from './hostIndex';
import type { Cause, Departure, Ns } from './walk';

/** The source a packet leaves the host with, and, when it is a container's own private address, why that matters. */
function leavingSource(hx: HostIndex, left: Departure): { text: string; private?: string; fix?: string } {
  if (left.masqueradeUnknown) {
    return { text: `the address of the interface that route leaves by, which the topology does not name (MASQUERADE of ${formatV4(left.masqueradeUnknown.before)})` };
  }
  const src = formatV4(left.pkt.src);
  if (left.snat) return { text: `${src} (${left.snat.rule?.target.kind === 'SNAT' ? 'SNAT' : 'MASQUERADE'} of ${formatV4(left.snat.before)})` };
  const ep = hx.endpointsByV4.get(left.pkt.src);
  const net = ep ? hx.host.networks.get(ep.networkId) : undefined;
  if (!ep || !net?.bridge || net.bridge.enableIpMasquerade) return { text: src };
  const subnet = net.ipv4[0] ? formatNet(net.ipv4[0].subnet) : src;
  const why = net.bridge.defaultBridge && !hx.host.daemon.ipMasq
    ? 'dockerd runs with --ip-masq=false'
    : `network ${net.name} has com.docker.network.bridge.enable_ip_masquerade=false`;
  return {
    text: `${src}, ${ep.name}'s own address (not masqueraded)`,
    private: `; masquerading is off (${why}), so an answer can come back only if the routers beyond ${hx.host.name} route ${subnet} to it`,
    fix: net.bridge.defaultBridge && !hx.host.daemon.ipMasq
      ? `run dockerd with masquerading (hosts.${hx.host.name}.daemon.ip-masq: true), or route ${subnet} to ${hx.host.name} on the router beyond it`
      : `turn masquerading on for ${net.name} (remove com.docker.network.bridge.enable_ip_masquerade=false), or route ${subnet} to ${hx.host.name} on the router beyond it`,
  };
}

export interface Explanation {
  reason: string;
  fix?: string;
  rule?: string;
}

/** Who sent the packet and to whom, for fixes that name them. */
export interface TraceSides {
  /** The source container, or null when a host sends. */
  readonly source: ContainerState | null;
  readonly sourceNs: Ns;
  /** The endpoint that owns the destination address, when a container does. */
  readonly target: { hx: HostIndex; ep: EndpointState; container: ContainerState | null } | null;
  readonly address: V4;
  /** Who owns any address (a reply's destination is not `address`), for reasons that name it. */
  readonly ownerOf?: (a: V4) => TraceSides['target'];
}

const userDefined = (n: NetworkState | undefined): n is NetworkState => !!n && !n.predefined;

/** Networks both ends are on, with the target's address there. */
function sharedNetworks(sides: TraceSides): { network: string; address: string }[] {
  const t = sides.target;
  if (!t || sides.sourceNs.kind !== 'sandbox') return [];
  const mine = new Set(sides.sourceNs.view!.sb.endpoints.map((e) => e.networkId));
  const sb = t.ep.sandboxId ? t.hx.host.sandboxes.get(t.ep.sandboxId) : undefined;
  return (sb?.endpoints ?? []).filter((e) => mine.has(e.networkId) && e.ipv4).map((e) => ({ network: e.networkName, address: e.ipv4!.address }));
}

function sharedNetworkFix(sides: TraceSides, srcNet: NetworkState | undefined, dstNet: NetworkState | undefined): string | undefined {
  const src = sides.source?.name;
  const dst = sides.target?.container?.name;
  if (!src || !dst) return undefined;
  const shared = sharedNetworks(sides);
  if (shared.length > 0) return `use ${dst}'s address on ${shared[0]!.network}, the network they share: ${shared[0]!.address}${userDefined([...sides.target!.hx.host.networks.values()].find((n) => n.name === shared[0]!.network)) ? ` (or its name, ${dst})` : ''}`;
  if (userDefined(dstNet) && !dstNet.internal) return `connect both containers to a shared user-defined network: docker network connect ${dstNet.name} ${src}`;
  if (userDefined(srcNet) && !srcNet.internal) return `connect both containers to a shared user-defined network: docker network connect ${srcNet.name} ${dst}`;
  return `connect both containers to a shared user-defined network: docker network create shared && docker network connect shared ${src} && docker network connect shared ${dst}`;
}

function netLabel(n: NetworkState | undefined, br: string): string {
  return n ? `network ${n.name} (${br})` : br;
}

function iccSwitch(hx: HostIndex, n: NetworkState | undefined): string {
  if (n?.bridge?.defaultBridge) return 'dockerd runs with --icc=false';
  void hx;
  return 'the network has com.docker.network.bridge.enable_icc=false';
}

/** A cause the engine knows (a rule, a missing route, nobody answering ARP) is a drop; one it cannot follow is `unknown`. */
export function causeVerdict(cause: Cause): 'dropped' | 'unknown' {
  if (cause.kind === 'rule' && cause.verdict.rule?.opaque !== undefined) return 'unknown';
  return cause.kind === 'outside' || cause.kind === 'unsupported' || cause.kind === 'unknown-subnet' ? 'unknown' : 'dropped';
}

/** The rule a drop's cause names (as explainCause gives it), without the rest of the explanation: what verdict-only runs keep. */
export function causeRule(cause: Cause): { rule?: string } {
  if (cause.kind !== 'rule') return {};
  const v = cause.verdict;
  return { rule: v.rule ? formatRule(v.rule) : `-P ${v.chain} ${v.policy}` };
}

export function explainCause(cause: Cause, sides: TraceSides): Explanation {
  switch (cause.kind) {
    case 'rule': {
      const { hx, verdict: v, inIf, outIf } = cause;
      const r = v.rule;
      const where = `${v.table} ${v.chain}`;
      if (!r) {
        // A bridge dockerd does not manage (pipework's br1): its FORWARD policy DROP covers it too.
        const foreign = [inIf, outIf].find((i) => i && hx.bridgeNetwork.get(i)?.bridge?.foreign);
        return {
          reason: `no rule in ${where} accepted it (-i ${inIf || '*'} -o ${outIf || '*'}) and the chain's policy is ${v.policy}${foreign && v.chain === 'FORWARD' ? `: dockerd set that policy, and with br_netfilter it covers ${foreign}, a bridge it does not manage` : ''}`,
          fix: foreign && v.chain === 'FORWARD' ? `accept it yourself: iptables -I DOCKER-USER -i ${inIf || foreign} -o ${outIf || foreign} -j ACCEPT (or sysctl net.bridge.bridge-nf-call-iptables=0 for bridged frames)` : 'this traffic is not one Docker allows; route it through a published port or a shared network',
          rule: `-P ${v.chain} ${v.policy}`,
        };
      }
      const text = formatRule(r);
      if (r.opaque !== undefined) {
        return {
          reason: `the host's rule ${text} (${r.table} ${r.chain}) could apply here, but the engine cannot evaluate ${r.opaque}: whether it stops this packet is unknown`,
          rule: text,
        };
      }
      if (r.purpose === 'host') {
        const del = text.replace(/^-A /, '-D ');
        return {
          reason: `dropped by ${text} (${r.table} ${r.chain}), a rule on ${hx.host.name} that dockerd did not write (read from iptables-save)`,
          fix: `if this traffic should pass, remove or narrow that rule: iptables${r.table === 'filter' ? '' : ` -t ${r.table}`} ${del}`,
          rule: text,
        };
      }
      const inNet = hx.bridgeNetwork.get(inIf);
      const outNet = hx.bridgeNetwork.get(outIf);
      const ruleNet = r.network !== undefined ? [...hx.host.networks.values()].find((n) => n.name === r.network) : undefined;
      switch (r.purpose) {
        case 'isolation-drop':
          return {
            reason: `dropped by ${text} (${r.table} ${r.chain}): Docker isolates bridge networks from each other, and this packet is routed from ${netLabel(inNet, inIf)} into ${netLabel(outNet, outIf)}${sharedNetworks(sides).length > 0 ? ` (the two containers do share ${sharedNetworks(sides).map((x) => x.network).join(', ')}, but this address is on another network)` : sides.target?.container && sides.source ? '; the two containers share no network' : ''}`,
            fix: sharedNetworkFix(sides, inNet, outNet) ?? `put both ends on the same network`,
            rule: text,
          };
        case 'internal-in-drop':
          return {
            reason: `dropped by ${text} (${r.table} ${r.chain}): ${ruleNet?.name ?? inIf} is an internal network (--internal), and Docker drops every packet leaving it for another subnet`,
            fix: sides.target?.container && ruleNet
              ? `connect the destination to the internal network: docker network connect ${ruleNet.name} ${sides.target.container.name}`
              : `connect the source container to a network that is not internal`,
            rule: text,
          };
        case 'internal-out-drop':
          return {
            reason: `dropped by ${text} (${r.table} ${r.chain}): ${ruleNet?.name ?? outIf} is an internal network (--internal), and Docker drops packets coming into it from outside its subnet`,
            fix: sides.source && ruleNet ? `connect the source to it: docker network connect ${ruleNet.name} ${sides.source.name}` : `reach it from a container on ${ruleNet?.name ?? 'that network'}`,
            rule: text,
          };
        case 'icc-drop':
          return {
            reason: `dropped by ${text} (${r.table} ${r.chain}): inter-container communication is off on ${netLabel(ruleNet, r.match.in?.value ?? '')} (${iccSwitch(hx, ruleNet)}), so containers on that bridge cannot reach each other`,
            fix: ruleNet?.bridge?.defaultBridge
              ? `run dockerd without --icc=false (hosts.<host>.daemon.icc: true), or ${sharedNetworkFix(sides, undefined, undefined) ?? 'connect both containers to a user-defined network'}`
              : `remove com.docker.network.bridge.enable_icc=false from ${ruleNet?.name ?? 'the network'}, or connect both containers to another user-defined network`,
            rule: text,
          };
        case 'network-drop':
          return {
            reason: `dropped by ${text} (${r.table} ${r.chain}): Docker ${hx.host.daemon.version.text} drops packets routed into ${netLabel(ruleNet, outIf)} from any other interface unless they go to a published port`,
            fix: sharedNetworkFix(sides, inNet, outNet) ?? 'publish the port (ports: ["HOSTPORT:PORT"]) and use the host address',
            rule: text,
          };
        case 'direct-access-drop':
        case 'loopback-port-drop':
          return {
            reason: `dropped by ${text} (raw PREROUTING): Docker ${hx.host.daemon.version.text} drops packets for ${r.container ?? 'the container'}'s address that arrive from outside its bridge; only its published ports, through a host address, are reachable`,
            fix: sharedNetworkFix(sides, inNet, outNet) ?? `use the published port on a host address`,
            rule: text,
          };
        default:
          // A plug-in's rule may say itself why it drops and what to change (felix's policies and profiles).
          if (r.explain) return { reason: `dropped by ${text} (${r.table} ${r.chain}): ${r.explain.reason}`, fix: r.explain.fix, rule: text };
          return { reason: `dropped by ${text} (${r.table} ${r.chain})`, rule: text };
      }
    }
    case 'arp': {
      const { hx, br, addr } = cause;
      const net = hx.bridgeNetwork.get(br);
      const stopped = hx.stoppedStatic.get(addr);
      if (stopped) {
        return {
          reason: `${stopped.name}, which has ${formatV4(addr)}, is not running: nobody on ${netLabel(net, br)} answers ARP for it, so the packet is never sent (host unreachable)`,
          fix: `start it: docker start ${stopped.name}`,
        };
      }
      const present = [...(hx.bridgeEndpoints.get(br)?.values() ?? [])].slice(0, 6).map((e) => `${e.name} (${e.ipv4?.address})`);
      const gw = hx.bridges.get(br)?.ipv4?.address;
      return {
        reason: `nobody on ${netLabel(net, br)} has ${formatV4(addr)}: ARP gets no answer, so the packet is never sent (host unreachable)`,
        fix: present.length > 0
          ? `use an address that is in use there: ${present.join(', ')}${gw ? `, or the gateway ${gw}` : ''}`
          : `no container is running on ${net?.name ?? br}; start one there first`,
      };
    }
    case 'no-route': {
      const { ns, addr } = cause;
      const name = sides.source?.name ?? ns.label;
      if (ns.kind === 'sandbox' && ns.view!.routes.length === 0) {
        return {
          reason: `${ns.label} has no network but its loopback (network_mode: none): there is no route to ${formatV4(addr)} ("Network is unreachable")`,
          fix: `recreate ${name} on a network (remove network_mode: none), e.g. networks: [<network>]`,
        };
      }
      // A live container's table was read: a route Docker set (its default) may have been deleted by hand.
      const lost = ns.kind === 'sandbox' && ns.view!.routesRead === true ? ns.view!.sb.routes.find((r) => r.family === 4 && r.destination === 'default' && r.gateway) : undefined;
      if (lost) {
        return {
          reason: `${ns.label} has no route to ${formatV4(addr)} in its routing table (read from its namespace): no network of it contains the address and its default route via ${lost.gateway} is gone ("Network is unreachable")`,
          fix: `ip route add default via ${lost.gateway} dev ${lost.dev} in ${name}'s namespace (nsenter -n -t $(docker inspect -f '{{.State.Pid}}' ${name})), or docker restart ${name}, which sets Docker's routes again`,
        };
      }
      const reason = `${ns.label} has no route to ${formatV4(addr)}: none of its networks contains it and it has no default route ("Network is unreachable")`;
      // A host (also the far end of a reply) needs a route of its own; `docker network connect` is for containers.
      if (ns.kind === 'host') return { reason, fix: `give ${ns.label} a route to ${formatV4(addr)} (ip route add <its subnet> via <a router or host that reaches it>)` };
      const who = ns.key === sides.sourceNs.key ? name : ns.label;
      return { reason, fix: `connect ${who} to a network that is not internal (docker network connect <network> ${who}), or to ${formatV4(addr)}'s network` };
    }
    case 'outside': {
      // The packet leaving the host is known (its interface, gateway and source after NAT); what happens to
      // it beyond the host's edge is not.
      const a = formatV4(cause.addr);
      const host = cause.hx.host.name;
      const t = sides.address === cause.addr ? sides.target : sides.ownerOf?.(cause.addr) ?? null;
      const who = t ? `${a} is ${t.container?.name ?? t.ep.name} on ${t.hx.host.name}, but` : `no one in the topology has ${a}:`;
      const left = cause.left;
      const src = left ? leavingSource(cause.hx, left) : null;
      if (cause.dev) {
        const via = left?.gateway != null ? ` to its default gateway ${formatV4(left.gateway)}` : '';
        return {
          reason: `${who} ${host} sends it out ${cause.dev}${via}${src ? ` with source ${src.text}` : ''}, beyond what the topology describes, so the engine cannot know whether it is answered${src?.private ?? ''}`,
          fix: src?.fix ?? (left?.gateway != null
            ? `beyond ${host}'s uplink only the real network can tell: test it on the real host (its own route: ip route get ${a})`
            : 'check the address (cnm inspect lists every endpoint); a destination outside the topology can only be tested on the real host'),
        };
      }
      return {
        reason: `${who} the topology gives ${host} no route to it: a real host would send it by its own default route, which the topology does not describe, so the engine cannot know what happens to it${src ? `; it would leave with source ${src.text}` : ''}${src?.private ?? ''}`,
        fix: src?.fix ?? (t
          ? `to be sure it gets there, give ${host} a route to ${a} (ip route add <its subnet> via <a router or host that reaches it>); what the real host's own routes do can only be tested on it`
          : `to follow it to ${host}'s edge, give ${host} its default route (hosts.${host}.gateway: <its router>, on one of its interfaces; ip route add default via <router>); beyond it only the real network can tell`),
      };
    }
    case 'martian':
      return {
        reason: `${formatV4(cause.addr)} is a loopback address, which the kernel never lets out of ${cause.dev}`,
        fix: isLoopback(cause.addr) ? "inside a container 127.0.0.1 is the container itself; reach the host through its gateway address" : undefined,
      };
    case 'not-router':
      return {
        reason: `${cause.ns.label} does not own ${formatV4(cause.addr)} and does not forward packets for others`,
        fix: 'check the address (cnm inspect lists every endpoint)',
      };
    case 'link':
      return { reason: cause.reason, ...(cause.fix ? { fix: cause.fix } : {}) };
    case 'unsupported':
      return { reason: `the tracer does not model ${cause.what}, so the engine cannot know what happens to this packet` };
    case 'unknown-subnet':
      return { reason: cause.reason, fix: cause.fix };
  }
}
