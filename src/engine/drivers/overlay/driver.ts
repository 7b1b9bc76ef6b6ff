// The overlay driver (libnetwork drivers/overlay), one host's part of it: a network namespace per overlay
// (/var/run/docker/netns/1-<10hex>) holding a bridge br0 (created as ov-<6hex vni>-<5hex>) with the gateway
// address and a VXLAN device vxlan0 (created as vx-<6hex vni>-<5hex>; VNI from the manager, UDP 4789) enslaved to it; each container gets
// a veth whose far end is on that bridge. MTU 1500 (or the mtu option) − 50, encrypted −26 more, rounded
// down to a multiple of 4. Containers get no gateway from an overlay: libnetwork then adds docker_gwbridge.
import { addrBytes, formatAddr } from '../../ip';
import { macFromIPv4Bytes, pseudoRandomMac, vethName } from '../../ids';
import type { EndpointState, NetworkState, OverlayNamespace, PortBindingState, SandboxState } from '../../model';
import type { DriverContext, EndpointCreated, JoinInfo, NetworkCreated, NetworkDraft, NetworkDriver } from '../types';

export const OVERLAY_OPT = {
  vxlanIdList: 'com.docker.network.driver.overlay.vxlanid_list',
  mtu: 'com.docker.network.driver.mtu',
  encrypted: 'encrypted',
} as const;

export const VXLAN_PORT = 4789;
/** VXLAN + outer UDP/IP/Ethernet headers (ov_network.go vxlanEncap). */
const VXLAN_ENCAP = 50;
/** ESP expansion and padding (encryption.go pktExpansion). */
const ESP_EXPANSION = 26;

/** ov_network.go maxMTU */
export function overlayMtu(options: Record<string, string>): number {
  const opt = Number(options[OVERLAY_OPT.mtu] ?? '0');
  let mtu = Number.isFinite(opt) && opt > 0 ? opt : 1500;
  mtu -= VXLAN_ENCAP;
  if (OVERLAY_OPT.encrypted in options) {
    mtu -= ESP_EXPANSION;
    mtu -= mtu % 4;
  }
  return mtu;
}

function hex6(vni: number): string {
  return vni.toString(16).padStart(6, '0');
}

/**
 * The overlay namespace and the names of its devices as they are seen in it: libnetwork creates them as
 * ov-<6hex vni>-<5hex id> and vx-<…> (the names in `createdAs`), then moves them into the namespace under
 * the prefixes "br" and "vxlan" and the namespace's next index (osl AddInterface): br0 and vxlan0 for the
 * network's one subnet (seen on dockerd 20.10 and 26.1 lab swarms).
 */
export function overlayDeviceNames(networkId: string, vni: number): { namespace: string; bridge: string; vxlan: string; createdAs: { bridge: string; vxlan: string } } {
  const id5 = networkId.slice(0, 5);
  return {
    namespace: `/var/run/docker/netns/1-${networkId.slice(0, 10)}`,
    bridge: 'br0',
    vxlan: 'vxlan0',
    createdAs: { bridge: `ov-${hex6(vni)}-${id5}`, vxlan: `vx-${hex6(vni)}-${id5}` },
  };
}

/** The node's data-path address: its first declared IPv4 underlay interface. */
export function underlayOf(host: { underlay: readonly { name: string; kind: string; ipv4: readonly { address: string }[] }[] }): { dev: string; address: string } | null {
  for (const i of host.underlay) if (i.kind === 'physical' && i.ipv4[0]) return { dev: i.name, address: i.ipv4[0].address };
  return null;
}

export class OverlayDriver implements NetworkDriver {
  readonly name = 'overlay';
  /** Networks are swarm-scoped; IPAM comes from the global address space. */
  readonly scope = 'swarm' as const;
  readonly special = false;
  readonly supportsPortMapping = false;

  constructor(private readonly port = VXLAN_PORT) {}

  createNetwork(ctx: DriverContext, draft: NetworkDraft): NetworkCreated {
    const vni = Number(draft.options[OVERLAY_OPT.vxlanIdList] ?? '0');
    const mtu = overlayMtu(draft.options);
    const encrypted = OVERLAY_OPT.encrypted in draft.options;
    const names = overlayDeviceNames(draft.id, vni);
    const v4 = draft.ipv4[0];
    const u = underlayOf(ctx.host);
    const ns: OverlayNamespace = {
      networkId: draft.id,
      networkName: draft.name,
      namespace: names.namespace,
      bridge: names.bridge,
      bridgeAddress: v4?.gateway ? { address: formatAddr(v4.gateway), prefixLength: v4.subnet.prefix, addr: v4.gateway, network: v4.subnet } : null,
      vxlan: names.vxlan,
      vxlanInfo: { vni, port: this.port, localAddress: u?.address ?? null, underlayDev: u?.dev ?? null },
      mtu,
      encrypted,
      ports: new Map(),
    };
    // libnetwork makes the node's overlay namespace (1-<id>) when the first endpoint joins, not with the
    // network (a 20.10 lab manager had no such namespace for an overlay nothing on it had joined).
    this.unjoined(ctx).set(draft.id, ns);
    return { overlay: { vni, port: this.port, mtu, encrypted } };
  }

  /** Each host's namespaces made for a network but not yet brought up by a join. */
  private readonly pending = new WeakMap<object, Map<string, OverlayNamespace>>();

  private unjoined(ctx: DriverContext): Map<string, OverlayNamespace> {
    let m = this.pending.get(ctx.host);
    if (!m) this.pending.set(ctx.host, (m = new Map()));
    return m;
  }

  deleteNetwork(ctx: DriverContext, net: NetworkState): void {
    ctx.host.overlays.delete(net.id);
    this.unjoined(ctx).delete(net.id);
  }

  createEndpoint(_ctx: DriverContext, _net: NetworkState, ep: { id: string; ipv4: import('../../ip').IpAddr | null; mac: string | null }): EndpointCreated {
    // Overlay keeps 02:42 + IPv4 in every release.
    const mac = ep.mac ?? (ep.ipv4 ? macFromIPv4Bytes(addrBytes(ep.ipv4)) : pseudoRandomMac(ep.id));
    return { mac, hostIfname: vethName(ep.id) };
  }

  deleteEndpoint(ctx: DriverContext, net: NetworkState, ep: EndpointState): void {
    ctx.host.overlays.get(net.id)?.ports.delete(ep.id);
  }

  join(ctx: DriverContext, net: NetworkState, ep: EndpointState, _sb: SandboxState): JoinInfo {
    const waiting = this.unjoined(ctx).get(net.id);
    if (waiting && !ctx.host.overlays.has(net.id)) {
      ctx.host.overlays.set(net.id, waiting);
      this.unjoined(ctx).delete(net.id);
    }
    const ns = ctx.host.overlays.get(net.id);
    if (ns && ep.hostIfname) ns.ports.set(ep.id, ep.hostIfname);
    return { ifacePrefix: 'eth', gateway: null, gateway6: null, mtu: ns?.mtu ?? overlayMtu(net.options), link: { kind: 'veth', parent: ns?.bridge ?? null, mode: null } };
  }

  leave(ctx: DriverContext, net: NetworkState, ep: EndpointState): void {
    this.deleteEndpoint(ctx, net, ep);
  }

  programExternalConnectivity(): PortBindingState[] {
    return [];
  }

  revokeExternalConnectivity(): void {}
}
