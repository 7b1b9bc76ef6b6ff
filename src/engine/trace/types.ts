// The packet tracer's contract: a question (from a container or host, to a name or address, a protocol
// and port) and its answer (a verdict, the reason in plain words, a fix, and every hop on the way).
import type { ExposedPort } from '../model';

/**
 * `unknown`: the engine cannot know (a path the tracer does not model, a destination beyond what the
 * topology describes); never a guess dressed as `dropped`.
 */
export type Verdict = 'delivered' | 'refused' | 'dropped' | 'unresolved' | 'unknown';
export type TraceProto = 'icmp' | 'tcp' | 'udp';

export interface TraceQuery {
  /** The host `from` is on; found by name when omitted. */
  readonly host?: string;
  /**
   * A container name, a host name (the host's own namespace), or an IPv4 address nothing in the topology
   * has: a client outside it (on a host's LAN, or beyond its default gateway) — the way in.
   */
  readonly from: string;
  /** A name (resolved as `from` would resolve it) or an IPv4 address. */
  readonly to: string;
  readonly port?: number;
  readonly proto: TraceProto;
  /** 6: resolve a name to its IPv6 address (AAAA) and trace over IPv6; an IPv6 literal implies it. */
  readonly family?: 4 | 6;
  /**
   * Which of several connections to a swarm service (its VIP or the routing mesh) this trace is: IPVS's
   * round robin sends connection n to tasks[(firstBackend + n) mod N]. 0 (the default) is the first.
   */
  readonly connection?: number;
}

export interface TraceHop {
  /** Where it happens: a container, a bridge device, or a host. */
  readonly node: string;
  /** The interface involved ("" when none). */
  readonly interface: string;
  /** resolve, route, send, switch, bridge, netfilter <table> <CHAIN>, nat, docker-proxy, deliver, reply, drop, … */
  readonly action: string;
  readonly detail: string;
  /**
   * The packet's headers as they leave this hop (after its rewrite: DNAT, SNAT, VXLAN), when the walk
   * knows them; absent on hops before the packet exists (name resolution) or at the socket.
   */
  readonly packet?: HopPacket;
  /**
   * On netfilter hops: the rule that decided, in iptables-save form as `cnm rules` prints it (null: the
   * chain's policy did), with its host, table and built-in chain (internal: not in `cnm trace --json`).
   */
  readonly ruleRef?: RuleRef;
  /** On `ipvs` hops: the service and every real server IPVS may pick (internal: not in `cnm trace --json`). */
  readonly ipvs?: IpvsChoice;
}

/** Where a netfilter hop was decided: a line of the host's `iptables-save`. */
export interface RuleRef {
  readonly host: string;
  readonly table: string;
  readonly chain: string;
  /** "-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP"; null when the chain's policy decided. */
  readonly rule: string | null;
  /** ACCEPT/DROP (a rule's target or the policy), DNAT/SNAT/MASQUERADE in nat. */
  readonly verdict: string;
}

/** What IPVS chose from, for a view that shows every task a service's connections can reach. */
export interface IpvsChoice {
  readonly service: string;
  /** The connection traced (0 = the first). */
  readonly connection: number;
  /** The real servers in round-robin order: each task, its node and the address IPVS sends to. */
  readonly backends: readonly { readonly task: string; readonly host: string; readonly address: string }[];
  /** The index in `backends` this connection went to. */
  readonly chosen: number;
}

/** A packet's headers at one hop (IPv4 walks). */
export interface HopPacket {
  readonly src: string;
  readonly dst: string;
  readonly proto: TraceProto;
  /** TCP/UDP only. */
  readonly sport?: number;
  readonly dport?: number;
  /** 64 as Linux sends it, less one per router (a host forwarding it). */
  readonly ttl: number;
  /** The frame's MACs on the current link, where the topology knows them. */
  readonly srcMac?: string;
  readonly dstMac?: string;
  /** While VXLAN-encapsulated: the outer UDP packet between the hosts' underlay addresses. */
  readonly outer?: { readonly src: string; readonly dst: string; readonly dport: number; readonly vni?: number };
}

export interface TraceResult {
  readonly verdict: Verdict;
  /** Why, in plain words; for a drop it names the rule or condition; for `unknown`, what the engine cannot know. */
  readonly reason: string;
  /** What to change, when something should. */
  readonly fix?: string;
  readonly hops: TraceHop[];
  /** The rule that decided a drop, in iptables-save form. */
  readonly rule?: string;
  /** The destination address traced (after name resolution), when there was one. */
  readonly address?: string;
}

/**
 * The ports a container's processes listen on, when the caller knows better than the engine's own
 * `listening` (the file's `listen`, else expose and the published container ports); undefined: ask the engine.
 */
export type ListeningLookup = ((host: string, container: string) => readonly ExposedPort[] | undefined) & {
  /** Why what a container listens on could not be read (a live host): its ports' fate is then `unknown`. */
  readonly unknown?: (host: string, container: string) => string | undefined;
  /** The host is a live one: fixes name docker/ip commands and processes, not file keys. */
  readonly live?: boolean;
};

export interface TraceOptions {
  readonly listening?: ListeningLookup;
}
