// A flannel-style network driver, written against the driver interface (../types.ts) only. Every host
// gets a lease of the cluster network (see leases.ts) on a local bridge `cni0` (the bridge driver does the
// veths and port publishing); traffic to another host's lease is routed by the host:
//  - backend "vxlan" (default): `10.244.M.0/24 via 10.244.M.0 dev flannel.1 onlink`; flannel.1 is a VXLAN
//    device (VNI 1, UDP 8472) with the host's lease network address; container MTU 1450;
//  - backend "host-gw": `10.244.M.0/24 via <host M's underlay address> dev eth0` (hosts share a LAN).
import { DockerError } from '../../errors';
import { formatAddr, formatNet, makeNet, type IpAddr } from '../../ip';
import type { EndpointState, HostState, NetworkState, PortBindingState, PortSpecBinding, Route, SandboxState } from '../../model';
import { BridgeDriver } from '../bridge/driver';
import type { DriverContext, DriverHost, EndpointCreated, JoinInfo, NetworkCreated, NetworkDraft, NetworkDriver } from '../types';

export const FLANNEL_VXLAN = { device: 'flannel.1', vni: 1, port: 8472 } as const;
export const FLANNEL_BRIDGE = 'cni0';
export type FlannelBackend = 'vxlan' | 'host-gw';

/** What the driver keeps per network and host (NetworkState.driverData.flannel), for the tracer. */
export interface FlannelNetworkData {
  readonly backend: FlannelBackend;
  /** The whole cluster network and this host's lease of it. */
  readonly clusterNetwork: string;
  readonly lease: string;
  /** The routes this host got to the other hosts' leases. */
  readonly routes: Route[];
}

function underlay(host: HostState): { dev: string; address: string } | null {
  for (const i of host.underlay) if (i.kind === 'physical' && i.ipv4[0]) return { dev: i.name, address: i.ipv4[0].address };
  return null;
}

export class FlannelDriver implements NetworkDriver {
  readonly name = 'flannel';
  readonly scope = 'global' as const;
  readonly special = false;
  readonly supportsPortMapping = true;
  readonly defaultIpamDriver = 'flannel';
  private readonly bridge = new BridgeDriver();

  constructor(private readonly engine: DriverHost, private readonly subnetLen: number) {}

  createNetwork(ctx: DriverContext, draft: NetworkDraft): NetworkCreated {
    const backend = (draft.options['backend'] ?? 'vxlan') as FlannelBackend;
    if (backend !== 'vxlan' && backend !== 'host-gw') {
      throw new DockerError(`flannel: unknown backend type "${backend}" (vxlan or host-gw)`, 400, { field: 'driver_opts', key: 'backend' });
    }
    const v4 = draft.ipv4[0];
    if (!v4) throw new DockerError('flannel: the network needs an IPv4 lease', 400, { field: 'subnet' });
    const lease = v4.subnet;
    const mtu = backend === 'vxlan' ? 1450 : 1500;
    const created = this.bridge.createNetwork(ctx, {
      ...draft,
      options: { 'com.docker.network.bridge.name': FLANNEL_BRIDGE, 'com.docker.network.driver.mtu': String(mtu) },
    });
    const own = underlay(ctx.host);
    if (backend === 'vxlan') {
      ctx.host.links.set(FLANNEL_VXLAN.device, {
        name: FLANNEL_VXLAN.device, kind: 'vxlan', networkId: draft.id, parent: own?.dev ?? null, vlanId: null,
        vxlan: { vni: FLANNEL_VXLAN.vni, port: FLANNEL_VXLAN.port, localAddress: own?.address ?? null, underlayDev: own?.dev ?? null },
        mtu, createdByEngine: true,
        ipv4: { address: formatAddr({ family: 4, value: lease.base }), prefixLength: 32, addr: { family: 4, value: lease.base }, network: makeNet(4, lease.base, 32) },
      });
    }
    const routes: Route[] = [];
    const names = this.engine.hostNames();
    names.forEach((other, index) => {
      if (other === ctx.host.name) return;
      const otherHost = this.engine.state.hosts.get(other);
      if (!otherHost) return;
      const otherLease = makeNet(4, lease.base - (BigInt(names.indexOf(ctx.host.name)) << BigInt(32 - this.subnetLen)) + (BigInt(index) << BigInt(32 - this.subnetLen)), this.subnetLen);
      if (backend === 'vxlan') {
        routes.push({ family: 4, destination: formatNet(otherLease), dest: otherLease, gateway: formatAddr({ family: 4, value: otherLease.base }), dev: FLANNEL_VXLAN.device, scope: 'global', src: null });
      } else {
        const u = underlay(otherHost);
        if (u && own) routes.push({ family: 4, destination: formatNet(otherLease), dest: otherLease, gateway: u.address, dev: own.dev, scope: 'global', src: null });
      }
    });
    ctx.host.extraRoutes.push(...routes);
    const data: FlannelNetworkData = { backend, clusterNetwork: clusterText(draft), lease: formatNet(lease), routes };
    return { ...created, driverData: { flannel: data } };
  }

  deleteNetwork(ctx: DriverContext, net: NetworkState): void {
    this.bridge.deleteNetwork(ctx, net);
    const link = ctx.host.links.get(FLANNEL_VXLAN.device);
    if (link?.networkId === net.id) ctx.host.links.delete(FLANNEL_VXLAN.device);
    const data = net.driverData['flannel'] as FlannelNetworkData | undefined;
    for (const r of data?.routes ?? []) {
      const i = ctx.host.extraRoutes.indexOf(r);
      if (i >= 0) ctx.host.extraRoutes.splice(i, 1);
    }
  }

  createEndpoint(ctx: DriverContext, net: NetworkState, ep: { id: string; ipv4: IpAddr | null; ipv6: IpAddr | null; mac: string | null }): EndpointCreated {
    return this.bridge.createEndpoint(ctx, net, ep);
  }

  deleteEndpoint(ctx: DriverContext, net: NetworkState, ep: EndpointState): void {
    this.bridge.deleteEndpoint(ctx, net, ep);
  }

  join(ctx: DriverContext, net: NetworkState, ep: EndpointState, sb: SandboxState): JoinInfo {
    return { ...this.bridge.join(ctx, net, ep, sb), link: { kind: 'veth', parent: FLANNEL_BRIDGE, mode: null } };
  }

  leave(ctx: DriverContext, net: NetworkState, ep: EndpointState): void {
    this.bridge.leave(ctx, net, ep);
  }

  programExternalConnectivity(ctx: DriverContext, net: NetworkState, ep: EndpointState, bindings: readonly PortSpecBinding[]): PortBindingState[] {
    return this.bridge.programExternalConnectivity(ctx, net, ep, bindings);
  }

  revokeExternalConnectivity(ctx: DriverContext, net: NetworkState, ep: EndpointState): void {
    this.bridge.revokeExternalConnectivity(ctx, net, ep);
  }
}

function clusterText(draft: NetworkDraft): string {
  const v4 = draft.ipv4[0];
  return v4?.config?.subnet ?? formatNet(v4!.subnet);
}
