// What a walk is made of: namespaces, the packet, the NAT it went through, a leg's outcome and why it
// stopped. Shared by the walker (walk.ts) and the drivers' trace legs (linkDrivers.ts), which import
// these types from here rather than from each other.
import type { ChainVerdict } from '../netfilter/evaluate';
import type { Rule } from '../netfilter/types';
import type { HostIndex, SandboxView, V4 } from './hostIndex';
import type { TraceProto } from './types';

/** A network namespace: a host's own, or a sandbox (shared by the containers in it). */
export interface Ns {
  /** `outside`: a client beyond the host's edge (a trace from an address the topology does not have). */
  readonly kind: 'host' | 'sandbox' | 'outside';
  readonly hx: HostIndex;
  readonly view: SandboxView | null;
  /** How hops name it. */
  readonly label: string;
  /** Identity, to tell whether a reply came home. */
  readonly key: string;
}

export interface Pkt {
  src: V4;
  dst: V4;
  readonly proto: TraceProto;
  sport: number;
  dport: number;
}

export interface NatNote {
  readonly host: string;
  readonly kind: 'dnat' | 'snat';
  readonly before: V4;
  readonly beforePort: number;
  readonly after: V4;
  readonly afterPort: number;
  readonly rule: Rule | null;
}

/** Why a packet did not get through. */
export type Cause =
  | { kind: 'rule'; hx: HostIndex; verdict: ChainVerdict; pkt: Pkt; inIf: string; outIf: string }
  | { kind: 'arp'; hx: HostIndex; br: string; addr: V4 }
  | { kind: 'no-route'; ns: Ns; addr: V4 }
  /** The packet leaves the topology (out of `dev`, or by a default route the topology does not describe): `unknown`. */
  | { kind: 'outside'; hx: HostIndex; addr: V4; dev: string | null; left?: Departure }
  | { kind: 'not-router'; ns: Ns; addr: V4 }
  | { kind: 'martian'; hx: HostIndex; addr: V4; dev: string }
  | { kind: 'link'; reason: string; fix?: string }
  /** A path the tracer does not model: the verdict is `unknown`, never a guessed drop. `what` completes "the tracer does not model …". */
  | { kind: 'unsupported'; what: string }
  /** The packet may be for a network whose subnet is unknown (an external one): `unknown`, with why. */
  | { kind: 'unknown-subnet'; reason: string; fix: string };

/** How a packet leaves the host for what the topology does not describe: what the engine does know. */
export interface Departure {
  /** The packet as it leaves (its source after MASQUERADE). */
  readonly pkt: Pkt;
  /** The default route's next hop, when it leaves by the host's (known) default route. */
  readonly gateway: V4 | null;
  /** The source NAT on the way out, if any. */
  readonly snat: NatNote | null;
  /** MASQUERADE applied, but to the address of an interface the topology does not name (no `gateway:`). */
  readonly masqueradeUnknown: { before: V4; rule: Rule | null } | null;
}

/** A client outside the topology (the way in): its address, the host it reaches and the interface it comes in by. */
export interface OutsideClient {
  readonly addr: V4;
  readonly hx: HostIndex;
  /** "" when it comes in by the host's default route and the topology does not say which interface that is. */
  readonly dev: string;
  readonly ns: Ns;
}

export type Leg = { readonly ok: true; readonly ns: Ns; readonly iface: string; readonly pkt: Pkt } | { readonly ok: false; readonly cause: Cause };
