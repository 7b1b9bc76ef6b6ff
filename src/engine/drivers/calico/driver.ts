// The calico network driver (projectcalico/libnetwork-plugin driver/network_driver.go, with felix and
// BIRD doing the host's part): no bridge. Each endpoint is a veth, `cali<endpoint id[:11]>` on the host
// and cali0 in the container, whose only routes are `default via 169.254.1.1` and `169.254.1.1 dev cali0
// scope link`; the host answers ARP on the cali interface by proxy ARP and routes the workload's /32 to
// it. Each host owns a block of the pool; the other hosts' blocks are routed over the underlay — learned
// over BGP from their BIRD (`proto bird`), through tunl0 (IP-in-IP) when the pool's ipipMode says so, or
// programmed by felix through vxlan.calico (VXLAN, UDP 4789, VNI 4096) when its vxlanMode does.
import { DockerError } from '../../errors';
import { formatAddr, formatNet, makeNet, netContains, parseIp, type IpNet } from '../../ip';
import type { EndpointState, HostLink, HostState, NetworkState, PortBindingState, Route } from '../../model';
import type { DriverContext, DriverHost, EndpointCreated, JoinInfo, NetworkCreated, NetworkDraft, NetworkDriver } from '../types';
import { CalicoIpam } from './ipam';
import type { CalicoPolicy } from './policy';
import {
  blockFor, encapsulates, FELIX_ROUTE_PROTO, GATEWAY, hostIfname, IF_PREFIX, IPIP_DEVICE, poolSettings, VXLAN, VXLAN_DEVICE, type PoolSettings,
} from './pool';

/** How this host reaches another host's block (for the tracer and the tree). */
export interface RemoteBlock {
  readonly host: string;
  readonly block: string;
  readonly encap: 'none' | 'ipip' | 'vxlan';
  /** bird: learned over BGP from the other host's BIRD; felix: programmed by felix (VXLAN pools). */
  readonly learned: 'bird' | 'felix';
  readonly route: Route;
}

/** What the driver keeps per network view (NetworkState.driverData.calico). */
export interface CalicoNetworkData {
  readonly pool: string;
  readonly poolId: string;
  readonly settings: PoolSettings;
  /** This host's block of the pool. */
  readonly block: string;
  /** The tunnel device this network's pool uses here and its address (the block's first), if any. */
  readonly tunnel: { readonly dev: string; readonly address: string } | null;
  readonly remotes: RemoteBlock[];
  /** Routes this host holds for workloads on it (/32 dev cali…) and for addresses borrowed by other hosts. */
  readonly workloadRoutes: Route[];
  /** The policies that reach this network (set by setCalicoPolicies; the topology's `policies:`). */
  policies: CalicoPolicy[];
}

/** Every host of the engine, for felix's cluster-wide ipsets (kept off the plain data: not enumerable). */
export function clusterHosts(data: CalicoNetworkData): Iterable<HostState> {
  return (data as unknown as { hosts?: () => Iterable<HostState> }).hosts?.() ?? [];
}

export function calicoData(net: NetworkState): CalicoNetworkData | undefined {
  return net.driverData['calico'] as CalicoNetworkData | undefined;
}

export function underlayOf(host: HostState): { dev: string; address: string; net: IpNet } | null {
  for (const i of host.underlay) if (i.kind === 'physical' && i.ipv4[0]) return { dev: i.name, address: i.ipv4[0].address, net: i.ipv4[0].network };
  return null;
}

function route(dest: IpNet, gateway: string | null, dev: string, proto: string | undefined, scope: Route['scope']): Route {
  return { family: 4, destination: formatNet(dest), dest, gateway, dev, scope, src: null, ...(proto ? { proto } : {}) };
}

export class CalicoDriver implements NetworkDriver {
  readonly name = 'calico';
  readonly scope = 'global' as const;
  readonly special = false;
  // libnetwork-plugin implements no ProgramExternalConnectivity: -p publishes nothing.
  readonly supportsPortMapping = false;
  readonly defaultIpamDriver = 'calico-ipam';

  constructor(private readonly engine: DriverHost) {}

  createNetwork(ctx: DriverContext, draft: NetworkDraft): NetworkCreated {
    if (draft.internal) throw new DockerError('Calico driver does not support the flag --internal.', 400, { field: 'driver' });
    const settings = poolSettings(draft.options);
    const v4 = draft.ipv4[0];
    // network_driver.go CreateNetwork: a pool whose gateway is not calico-ipam's 0.0.0.0/0 is another IPAM driver's.
    if (draft.ipamDriver !== 'calico-ipam' || !v4) throw new DockerError('Non-Calico IPAM driver is used. Note: Docker before 1.12.3 is unsupported', 400, { field: 'driver' });
    const ipam = ctx.host.ipam.get('calico-ipam');
    if (!(ipam instanceof CalicoIpam)) throw new DockerError('Non-Calico IPAM driver is used. Note: Docker before 1.12.3 is unsupported', 400, { field: 'driver' });
    const block = ipam.configure(v4.poolId, settings.blockSize);
    const own = underlayOf(ctx.host);

    // The tunnel device takes the first address of the host's block (calico-node allocates it from IPAM).
    let tunnel: CalicoNetworkData['tunnel'] = null;
    const dev = settings.ipipMode !== 'Never' ? IPIP_DEVICE : settings.vxlanMode !== 'Never' ? VXLAN_DEVICE : null;
    if (dev && !ctx.host.links.has(dev)) {
      const addr = ipam.requestAddress(v4.poolId, { family: 4, value: block.base });
      const ipv4 = { address: formatAddr(addr), prefixLength: 32, addr, network: makeNet(4, addr.value, 32) };
      const link: HostLink = dev === IPIP_DEVICE
        ? { name: dev, kind: 'ipip', networkId: draft.id, parent: null, vlanId: null, vxlan: null, mtu: 1480, ipv4, createdByEngine: true }
        : { name: dev, kind: 'vxlan', networkId: draft.id, parent: own?.dev ?? null, vlanId: null, vxlan: { vni: VXLAN.vni, port: VXLAN.port, localAddress: own?.address ?? null, underlayDev: own?.dev ?? null }, mtu: 1450, ipv4, createdByEngine: true };
      ctx.host.links.set(dev, link);
      tunnel = { dev, address: ipv4.address };
    } else if (dev) {
      const l = ctx.host.links.get(dev);
      tunnel = l?.ipv4 ? { dev, address: l.ipv4.address } : null;
    }

    const remotes: RemoteBlock[] = [];
    const names = this.engine.hostNames();
    names.forEach((other, index) => {
      if (other === ctx.host.name) return;
      const otherHost = this.engine.state.hosts.get(other);
      const u = otherHost ? underlayOf(otherHost) : null;
      if (!u || !own) return; // BGP peers over the hosts' addresses: without them, no route
      const remoteBlock = blockFor(makeNet(4, v4.subnet.base, v4.subnet.prefix), settings.blockSize, index);
      remotes.push(remoteFor(other, remoteBlock, own, u, settings));
    });
    ctx.host.extraRoutes.push(...remotes.map((r) => r.route));
    const data: CalicoNetworkData = { pool: formatNet(v4.subnet), poolId: v4.poolId, settings, block: formatNet(block), tunnel, remotes, workloadRoutes: [], policies: [] };
    Object.defineProperty(data, 'hosts', { value: () => this.engine.state.hosts.values(), enumerable: false });
    return { driverData: { calico: data } };
  }

  deleteNetwork(ctx: DriverContext, net: NetworkState): void {
    const data = calicoData(net);
    for (const dev of [IPIP_DEVICE, VXLAN_DEVICE]) if (ctx.host.links.get(dev)?.networkId === net.id) ctx.host.links.delete(dev);
    for (const r of [...(data?.remotes.map((x) => x.route) ?? []), ...(data?.workloadRoutes ?? [])]) removeRoute(ctx.host, r);
  }

  createEndpoint(_ctx: DriverContext, _net: NetworkState, ep: { id: string }): EndpointCreated {
    // The plug-in returns no MAC (the kernel picks the container side's); the host side is cali + the endpoint id.
    return { mac: null, hostIfname: hostIfname(ep.id) };
  }

  deleteEndpoint(): void {}

  join(ctx: DriverContext, net: NetworkState, ep: EndpointState): JoinInfo {
    const data = calicoData(net);
    const addr = ep.ipv4;
    if (data && addr && ep.hostIfname) {
      // felix: the workload's /32 through its cali interface (proxy_arp=1 on it, endpoint_mgr.go).
      const r = route(makeNet(4, addr.addr.value, 32), null, ep.hostIfname, undefined, 'link');
      data.workloadRoutes.push(r);
      ctx.host.extraRoutes.push(r);
      // An address outside this host's block (a static one): BIRD exports the /32, the others route it here.
      if (!netContains(parseNetOf(data.block), addr.addr)) this.eachOtherView(ctx, net, (h, d) => {
        const own = underlayOf(h);
        const u = underlayOf(ctx.host);
        if (!own || !u) return;
        const b = remoteFor(ctx.host.name, makeNet(4, addr.addr.value, 32), own, u, d.settings);
        d.remotes.push(b);
        h.extraRoutes.push(b.route);
      });
    }
    this.touchAll(ctx);
    return {
      ifacePrefix: IF_PREFIX,
      gateway: parseIp(GATEWAY),
      gateway6: null,
      mtu: 1500,
      // network_driver.go Join: resp.Gateway = 169.254.1.1 plus a CONNECTED static route to it.
      staticRoutes: [{ family: 4, destination: `${GATEWAY}/32` }],
      link: { kind: 'veth', parent: null, mode: null },
    };
  }

  leave(ctx: DriverContext, net: NetworkState, ep: EndpointState): void {
    const data = calicoData(net);
    const addr = ep.ipv4;
    if (data && addr) {
      const i = data.workloadRoutes.findIndex((r) => r.dev === ep.hostIfname);
      if (i >= 0) removeRoute(ctx.host, data.workloadRoutes.splice(i, 1)[0]!);
      const dest = `${addr.address}/32`;
      this.eachOtherView(ctx, net, (h, d) => {
        const j = d.remotes.findIndex((r) => r.block === dest);
        if (j >= 0) removeRoute(h, d.remotes.splice(j, 1)[0]!.route);
      });
    }
    this.touchAll(ctx);
  }

  programExternalConnectivity(): PortBindingState[] {
    return [];
  }

  revokeExternalConnectivity(): void {}

  private eachOtherView(ctx: DriverContext, net: NetworkState, f: (h: HostState, d: CalicoNetworkData) => void): void {
    for (const h of this.engine.state.hosts.values()) {
      if (h === ctx.host) continue;
      const d = h.networks.get(net.id);
      const data = d ? calicoData(d) : undefined;
      if (data) f(h, data);
    }
  }

  /** felix on every host reprograms its ipsets when a workload comes or goes: every host's rules change. */
  private touchAll(ctx: DriverContext): void {
    for (const h of this.engine.state.hosts.values()) if (h !== ctx.host) h.revision++;
  }
}

function parseNetOf(text: string): IpNet {
  const [a, len] = text.split('/');
  return makeNet(4, parseIp(a!)!.value, Number(len));
}

function removeRoute(host: HostState, r: Route): void {
  const i = host.extraRoutes.indexOf(r);
  if (i >= 0) host.extraRoutes.splice(i, 1);
}

/** The route to another host's block: plain over the LAN, through tunl0, or through vxlan.calico. */
function remoteFor(other: string, dest: IpNet, own: { dev: string; net: IpNet }, peer: { address: string }, s: PoolSettings): RemoteBlock {
  const same = netContains(own.net, parseIp(peer.address)!);
  if (s.vxlanMode !== 'Never') {
    // felix/dataplane/linux/vxlan_mgr.go: via the other host's VTEP address (its block's first) onlink, or plain when not encapsulated.
    if (encapsulates(s.vxlanMode, same)) {
      const vtep = dest.prefix === 32 ? null : formatAddr({ family: 4, value: dest.base });
      if (vtep) return { host: other, block: formatNet(dest), encap: 'vxlan', learned: 'felix', route: route(dest, vtep, VXLAN_DEVICE, FELIX_ROUTE_PROTO, 'global') };
    }
    return { host: other, block: formatNet(dest), encap: 'none', learned: 'felix', route: route(dest, peer.address, own.dev, FELIX_ROUTE_PROTO, 'global') };
  }
  if (encapsulates(s.ipipMode, same)) return { host: other, block: formatNet(dest), encap: 'ipip', learned: 'bird', route: route(dest, peer.address, IPIP_DEVICE, 'bird', 'global') };
  return { host: other, block: formatNet(dest), encap: 'none', learned: 'bird', route: route(dest, peer.address, own.dev, 'bird', 'global') };
}

