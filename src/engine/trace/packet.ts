// What a walk is made of: namespaces, the packet, the NAT it went through, a leg's outcome and why it
// stopped. Shared by the walker (walk.ts) and the drivers' trace legs (linkDrivers.ts), which import
// these types from here rather than from each other.
import type { ChainVerdict } from '../netfilter/evaluate';
import type { Rule } from '../netfilter/types';
import type { HostIndex, SandboxView, V4 } from './hostIndex';
import type { TraceProto } from './types';

/** A network namespace: a host's own, or a sandbox (shared by the containers in it). */
export interface Ns {
  readonly kind: 'host' | 'sandbox';
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
  | { kind: 'outside'; hx: HostIndex; addr: V4; dev: string | null }
  | { kind: 'not-router'; ns: Ns; addr: V4 }
  | { kind: 'martian'; hx: HostIndex; addr: V4; dev: string }
  | { kind: 'link'; reason: string; fix?: string }
  /** A path the tracer does not model: the verdict is `unknown`, never a guessed drop. `what` completes "the tracer does not model …". */
  | { kind: 'unsupported'; what: string };

export type Leg = { readonly ok: true; readonly ns: Ns; readonly iface: string; readonly pkt: Pkt } | { readonly ok: false; readonly cause: Cause };
