// How a network driver takes part in a trace. The walker handles veths, bridges and the host's own stack;
// where a packet enters a device a driver made — a container interface on one of its networks (macvlan,
// ipvlan, overlay) or a host link it added (flannel.1) — the walker asks the driver's TraceDriver what
// happens next. Built-in drivers and plug-ins register the same way (registerTraceDriver).
import type { EndpointState, HostLink, NetworkState } from '../model';
import type { HostIndex, Route4 } from './hostIndex';
import { overlayTrace } from './links/overlay';
import { parentLinkTrace } from './links/parentLink';
import type { Cause, Leg, Ns, Pkt } from './walk';

/** A VXLAN tunnel between two hosts: `dev` on `from` encapsulates, `remoteDev` on `to` decapsulates. */
export interface VxlanTunnel {
  readonly from: HostIndex;
  readonly to: HostIndex;
  readonly dev: string;
  readonly remoteDev: string;
  readonly vni: number;
  readonly port: number;
  /** The MTU of the inner frames (the container interface's). */
  readonly mtu: number;
  /** IPsec ESP around the VXLAN packets (overlay `encrypted`). */
  readonly encrypted: boolean;
  /** What the VNI stands for, e.g. "overlay backend". */
  readonly what: string;
}

/** The walker's steps a driver may use (and nothing else: a driver never evaluates rules itself). */
export interface LinkWalk {
  /** A reply on its way back (conntrack ESTABLISHED). */
  readonly reply: boolean;
  hop(node: string, iface: string, action: string, detail: string): void;
  hosts(): Iterable<HostIndex>;
  sandboxNs(hx: HostIndex, sandboxId: string): Ns | null;
  /** Into a container's sandbox through the endpoint's interface. */
  deliver(target: Ns, ep: EndpointState, pkt: Pkt): Leg;
  /** Up into a host's own stack through `iface` (PREROUTING, routing, INPUT or FORWARD, …). */
  hostReceive(hx: HostIndex, iface: string, pkt: Pkt): Leg;
  /** Encapsulate, cross the underlay (the far host's INPUT chain sees the UDP packet), decapsulate, then `after`. */
  vxlan(t: VxlanTunnel, pkt: Pkt, after: () => Leg): Leg;
  fail(cause: Cause): Leg;
}

/** A container's interface on a network of this driver: where the packet goes once it leaves it. */
export interface SandboxSide {
  readonly ns: Ns;
  readonly net: NetworkState;
  readonly ep: EndpointState;
  readonly route: Route4;
}

/** A host route out of a link a network of this driver added (e.g. flannel.1). */
export interface HostSide {
  readonly hx: HostIndex;
  readonly link: HostLink;
  readonly net: NetworkState;
  readonly route: Route4;
}

export interface TraceDriver {
  sandboxSend?(w: LinkWalk, from: SandboxSide, pkt: Pkt): Leg;
  hostSend?(w: LinkWalk, from: HostSide, pkt: Pkt): Leg;
  /**
   * A host sending to an address on one of this driver's networks that it has no route for, or that is
   * its own child (macvlan/ipvlan): the leg, or null to let the walker go on.
   */
  hostToEndpoint?(w: LinkWalk, hx: HostIndex, net: NetworkState, ep: EndpointState, pkt: Pkt): Leg | null;
}

const registry = new Map<string, TraceDriver>([
  ['macvlan', parentLinkTrace],
  ['ipvlan', parentLinkTrace],
  ['overlay', overlayTrace],
]);

/** Registers how networks of driver `name` are traced (built-ins at load; plug-ins when they register). */
export function registerTraceDriver(name: string, driver: TraceDriver): void {
  registry.set(name, driver);
}

export function traceDriverFor(name: string): TraceDriver | undefined {
  return registry.get(name);
}
