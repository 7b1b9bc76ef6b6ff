// Weave Net as a Docker network plug-in (weaveworks/weave, plugin/net/driver.go), modelled from its source:
//  - one Linux bridge `weave` per host (net/bridge.go WeaveBridgeName), its router's port on it: the veth
//    `vethwe-bridge` ↔ `vethwe-datapath`, a port of the Open vSwitch datapath `datapath` (net/bridge.go
//    BridgeIfName, DatapathIfName, DatapathName: "BridgedFastdp"); the datapath's VXLAN vport
//    `vxlan-6784` (router/fastdp.go: "vxlan-%d", the router's port + 1) carries the fast datapath;
//  - the sleeve fallback (router/sleeve.go): the router itself captures frames on `vethwe-pcap` and sends
//    them in UDP to the peer's port 6783 (vendor/github.com/weaveworks/mesh/router.go Port = 6783);
//  - each endpoint a veth `vethwl<9 chars of the endpoint id>` on `weave` (plugin/net/driver.go vethPair),
//    the container side named `ethwe<n>` (net/veth.go VethName, DstPrefix), MTU 1376 (net/bridge.go);
//  - no gateway in the join response: Docker gives the container docker_gwbridge for the way out.
import { DockerError } from '../../errors';
import { bridgeMac, pseudoRandomMac } from '../../ids';
import { formatNet, type IpAddr } from '../../ip';
import type { EndpointState, HostState, NetworkState, PortBindingState, SandboxState } from '../../model';
import type { DriverContext, EndpointCreated, JoinInfo, NetworkCreated, NetworkDraft, NetworkDriver } from '../types';

export const WEAVE = {
  bridge: 'weave',
  bridgePort: 'vethwe-bridge',
  datapathPort: 'vethwe-datapath',
  datapath: 'datapath',
  pcap: 'vethwe-pcap',
  /** The router's TCP control port and the sleeve's UDP port. */
  port: 6783,
  /** Fast datapath VXLAN: the router's port + 1 (router/fastdp.go mainVxlanUDPPort = port + 1). */
  fastdpPort: 6784,
  vxlanDev: 'vxlan-6784',
  containerPrefix: 'ethwe',
  vethPrefix: 'vethwl',
  mtu: 1376,
  defaultRange: '10.32.0.0/12',
  dnsDomain: 'weave.local',
} as const;

export type WeaveDatapath = 'fastdp' | 'sleeve';

/** What a weave network keeps per host (NetworkState.driverData.weave). */
export interface WeaveNetworkData {
  readonly datapath: WeaveDatapath;
  /** The network's subnet and this host's share of it (its part of weave's IPAM ring). */
  readonly subnet: string;
  readonly share: string;
  /** This view holds the host's `weave` bridge (the first weave network on the host). */
  readonly ownsBridge: boolean;
}

export function weaveVeth(endpointId: string): string {
  return WEAVE.vethPrefix + endpointId.slice(0, 9);
}

export class WeaveDriver implements NetworkDriver {
  readonly name = 'weave';
  readonly scope = 'global' as const;
  readonly special = false;
  readonly supportsPortMapping = false;
  readonly defaultIpamDriver = 'weave';

  constructor(private readonly shareOf: (host: HostState, subnet: string) => string) {}

  createNetwork(ctx: DriverContext, draft: NetworkDraft): NetworkCreated {
    const dp = draft.options['datapath'] ?? 'fastdp';
    if (dp !== 'fastdp' && dp !== 'sleeve') throw new DockerError(`weave: unknown datapath "${dp}" (fastdp or sleeve)`, 400, { field: 'driver_opts', key: 'datapath' });
    const v4 = draft.ipv4[0];
    if (!v4) throw new DockerError('weave: the network needs an IPv4 subnet', 400, { field: 'subnet' });
    const host = ctx.host;
    const ownsBridge = !host.bridges.has(WEAVE.bridge);
    if (ownsBridge) {
      host.bridges.set(WEAVE.bridge, { name: WEAVE.bridge, networkId: draft.id, mac: bridgeMac(draft.id), mtu: WEAVE.mtu, ipv4: null, ipv6: null, ports: new Set([WEAVE.bridgePort]) });
      const own = host.underlay.find((u) => u.kind === 'physical' && u.ipv4[0]);
      if (dp === 'fastdp') {
        host.links.set(WEAVE.vxlanDev, {
          name: WEAVE.vxlanDev, kind: 'vxlan', networkId: draft.id, parent: null, vlanId: null, mtu: 65535, ipv4: null, createdByEngine: true,
          vxlan: { vni: 0, port: WEAVE.fastdpPort, localAddress: own?.ipv4[0]?.address ?? null, underlayDev: own?.name ?? null },
        });
      }
    } else if (host.networks.get(host.bridges.get(WEAVE.bridge)!.networkId)?.driver !== 'weave') {
      throw new DockerError(`weave: a bridge named ${WEAVE.bridge} exists already and is not weave's`, 403, { field: 'driver_opts' });
    }
    const data: WeaveNetworkData = { datapath: dp, subnet: formatNet(v4.subnet), share: this.shareOf(host, formatNet(v4.subnet)), ownsBridge };
    return {
      // Only the view that made the bridge describes it (dockerd writes no rules for it: weave does).
      ...(ownsBridge ? { bridge: { name: WEAVE.bridge, defaultBridge: false, enableIcc: true, enableIpMasquerade: false, hostBindingIpv4: null, mtu: WEAVE.mtu, inhibitIpv4: true, containerIfacePrefix: WEAVE.containerPrefix, createdByEngine: true, foreign: true } } : {}),
      driverData: { weave: data },
    };
  }

  deleteNetwork(ctx: DriverContext, net: NetworkState): void {
    if (ctx.host.bridges.get(WEAVE.bridge)?.networkId === net.id) {
      ctx.host.bridges.delete(WEAVE.bridge);
      ctx.host.links.delete(WEAVE.vxlanDev);
    }
  }

  createEndpoint(_ctx: DriverContext, _net: NetworkState, ep: { id: string; ipv4: IpAddr | null; ipv6: IpAddr | null; mac: string | null }): EndpointCreated {
    return { mac: ep.mac ?? pseudoRandomMac(ep.id), hostIfname: weaveVeth(ep.id) };
  }

  deleteEndpoint(ctx: DriverContext, _net: NetworkState, ep: EndpointState): void {
    if (!ep.hostIfname) return;
    ctx.host.veths.delete(ep.hostIfname);
    ctx.host.bridges.get(WEAVE.bridge)?.ports.delete(ep.hostIfname);
  }

  join(ctx: DriverContext, _net: NetworkState, ep: EndpointState, sb: SandboxState): JoinInfo {
    if (ep.hostIfname) {
      ctx.host.bridges.get(WEAVE.bridge)?.ports.add(ep.hostIfname);
      ctx.host.veths.set(ep.hostIfname, { hostIfname: ep.hostIfname, sandboxId: sb.id, containerIfname: '', bridge: WEAVE.bridge, endpointId: ep.id });
    }
    // weaveDNS (nameserver/nameserver.go DefaultDomain "weave.local."): <name>.weave.local answers too.
    if (!ep.anonymous) {
      const fqdn = `${ep.name}.${WEAVE.dnsDomain}`;
      if (!ep.dnsNames.includes(fqdn)) (ep.dnsNames as string[]).push(fqdn);
    }
    return { ifacePrefix: WEAVE.containerPrefix, gateway: null, gateway6: null, mtu: WEAVE.mtu, link: { kind: 'veth', parent: WEAVE.bridge, mode: null } };
  }

  leave(ctx: DriverContext, net: NetworkState, ep: EndpointState): void {
    this.deleteEndpoint(ctx, net, ep);
  }

  programExternalConnectivity(): PortBindingState[] {
    return [];
  }

  revokeExternalConnectivity(): void {}
}
