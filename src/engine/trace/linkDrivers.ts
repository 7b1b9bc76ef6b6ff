// How a network driver takes part in a trace. The walker handles veths, bridges and the host's own stack;
// where a packet enters a device a driver made — a container interface on one of its networks (macvlan,
// ipvlan, overlay) or a host link it added (flannel.1) — the walker asks the driver's TraceDriver what
// happens next. A driver unit carries its TraceDriver (src/engine/drivers/<name>/); the walker finds it
// through the engine's DriverRegistry (WorldIndex.drivers), so built-ins and plug-ins are traced alike.
import type { EndpointState, HostLink, NetworkState } from '../model';
import type { HostIndex, Route4 } from './hostIndex';
import type { Cause, Leg, Ns, Pkt } from './packet';

/** A UDP tunnel between two hosts (VXLAN, or another encapsulation when `vni` is null, e.g. weave sleeve): `dev` on `from` encapsulates, `remoteDev` on `to` decapsulates. */
export interface VxlanTunnel {
  readonly from: HostIndex;
  readonly to: HostIndex;
  readonly dev: string;
  readonly remoteDev: string;
  /** null: not VXLAN (the tunnel's own UDP framing, no VNI). */
  readonly vni: number | null;
  readonly port: number;
  /** The MTU of the inner frames (the container interface's). */
  readonly mtu: number;
  /** IPsec ESP around the VXLAN packets (overlay `encrypted`). */
  readonly encrypted: boolean;
  /** What the tunnel carries, e.g. "overlay backend". */
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
  /**
   * Host `hx` sends out of its underlay `dev` to `ep`, which another host (`remote`) has on one of this
   * driver's networks (a macvlan child on the LAN): the leg, or null to let the walker go on.
   */
  fromLan?(w: LinkWalk, hx: HostIndex, dev: string, remote: HostIndex, net: NetworkState, ep: EndpointState, pkt: Pkt): Leg | null;
}

/** Where the walker finds a driver's TraceDriver (the engine's DriverRegistry). */
export interface TraceLookup {
  trace(name: string): TraceDriver | undefined;
}
