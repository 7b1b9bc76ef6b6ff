// A packet trace as the diagram shows it: the tracer's verdict and hops, each hop already mapped by the
// extension host to the diagram elements it passes (so the webview only lights ids, it never guesses).

/** `unknown`: the engine cannot know (a path it does not model); shown as its own state, never as a drop. */
export type Verdict = 'delivered' | 'refused' | 'dropped' | 'unresolved' | 'unknown';
export type TraceProto = 'icmp' | 'tcp' | 'udp';

export const VERDICTS: readonly Verdict[] = ['delivered', 'refused', 'dropped', 'unresolved', 'unknown'];
export const TRACE_PROTOS: readonly TraceProto[] = ['icmp', 'tcp', 'udp'];

export interface TraceHopView {
  /** Where the hop happens: a container, a host or a device, as the tracer names it. */
  node: string;
  interface?: string;
  /** What happened, e.g. "route", "veth", "bridge", "FORWARD", "DNAT", "deliver", "drop". */
  action: string;
  /** The rule or reason, in words. */
  detail: string;
  /** Diagram element ids this hop lights (may be empty when the hop has no picture, e.g. DNS). */
  elements: string[];
  /** The packet ends here without being delivered. */
  drop?: boolean;
  /** The engine cannot follow the packet past this hop (verdict `unknown`): not a drop. */
  unknown?: boolean;
  /** The packet's headers as they leave this hop (after its rewrite), when the tracer knows them. */
  packet?: HopPacketView;
  /** A netfilter hop: the rule (null: the chain's policy) that decided, to jump to in the rules view. */
  ruleRef?: { host: string; table: string; chain: string; rule: string | null; verdict: string };
}

/** A packet's headers at one hop (the engine's HopPacket, src/engine/trace/types.ts). */
export interface HopPacketView {
  src: string;
  dst: string;
  proto: TraceProto;
  sport?: number;
  dport?: number;
  ttl: number;
  srcMac?: string;
  dstMac?: string;
  /** While VXLAN-encapsulated: the outer packet between the hosts. */
  outer?: { src: string; dst: string; dport: number; vni?: number };
}

export interface TraceView {
  /** The source, as the user picked it (container name). */
  from: string;
  /** The destination as traced: a name or an address, with port and protocol. */
  to: string;
  port?: number;
  proto: TraceProto;
  verdict: Verdict;
  reason: string;
  fix?: string;
  /** The rule that decided a drop, in iptables-save form. */
  rule?: string;
  /** The destination address after name resolution. */
  address?: string;
  hops: TraceHopView[];
  /** A trace to a swarm service (VIP or routing mesh): every task IPVS may send a connection to. */
  spread?: ServiceSpread;
}

/**
 * Load balancing made visible: IPVS (round robin) sends connection n to backends[(first + n) mod N].
 * Each backend is traced as the connection that lands on it, so its verdict is that connection's.
 */
export interface ServiceSpread {
  service: string;
  /** The service's element in the diagram (ids.service), when drawn. */
  serviceId?: string;
  /** Where the choice is made: "vip" (IPVS in the source's namespace) or "mesh" (the ingress-sbox). */
  via: 'vip' | 'mesh';
  backends: {
    task: string;
    host: string;
    address: string;
    /** 1-based: the connection that reaches this task (the trace shown is connection `chosen + 1`). */
    connection: number;
    verdict: Verdict;
    reason: string;
    /** The task's box. */
    element?: string;
  }[];
  /** The index of the backend the shown trace (connection 1) reached. */
  chosen: number;
}

/**
 * Short labels for the hop actions the tracer writes, for the trace list. Actions not listed (and the
 * netfilter ones, "filter FORWARD", "nat PREROUTING" …) are shown as they are.
 */
export const HOP_LABELS: Readonly<Record<string, string>> = {
  // Not only VXLAN: IP-in-IP (calico's tunl0) and weave's sleeve encapsulate too; the hop's interface says which.
  encapsulate: 'encap',
  decapsulate: 'decap',
  underlay: 'underlay',
  ipvs: 'IPVS',
  'filter6 FORWARD': 'ip6tables FORWARD',
  'filter6 INPUT': 'ip6tables INPUT',
};

export function hopLabel(action: string): string {
  if (action.startsWith('reply ')) return `reply ${hopLabel(action.slice(6))}`;
  return HOP_LABELS[action] ?? action;
}
