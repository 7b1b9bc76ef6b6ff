// The macvlan driver (libnetwork drivers/macvlan): each container gets a macvlan child of the parent link
// with its own MAC (02:42 + IPv4 bytes in 20.10, random from 28.0) in one of the kernel's modes. No veth, no
// bridge, no port publishing; the host cannot talk to its own children (docs/macvlan.md: "explicitly
// filtered by the kernel").
import { DockerError, INTERNAL, msg } from '../errors';
import { addrBytes } from '../ip';
import { macFromIPv4Bytes, pseudoRandomMac } from '../ids';
import type { EndpointState, NetworkState, PortBindingState, SandboxState } from '../model';
import { releaseParent, resolveParent } from './parentLink';
import type { DriverContext, EndpointCreated, JoinInfo, NetworkCreated, NetworkDraft, NetworkDriver } from './types';

export const MACVLAN_MODES = ['bridge', 'vepa', 'private', 'passthru'] as const;

/** Shared by macvlan and ipvlan: checks, parent link and the network's data. */
export abstract class ParentLinkDriver implements NetworkDriver {
  abstract readonly name: 'macvlan' | 'ipvlan';
  readonly scope = 'local' as const;
  readonly special = false;
  readonly supportsPortMapping = false;

  /** The mode from the options, or throws the driver's text. */
  protected abstract mode(options: Record<string, string>, ctx: DriverContext): string;

  createNetwork(ctx: DriverContext, draft: NetworkDraft): NetworkCreated {
    if (draft.ipv4.length === 0) throw new DockerError(msg.ipv4PoolEmpty(), INTERNAL, { field: 'subnet' });
    const mode = this.mode(draft.options, ctx);
    const p = resolveParent(ctx.host, this.name, draft.id, draft.options['parent'] ?? '');
    if (p.created) ctx.host.links.set(p.created.name, p.created);
    return {
      parentLink: {
        driver: this.name, parent: p.parent, mode, dummy: p.dummy, vlanId: p.vlanId, underlying: p.underlying,
        sharedMac: null, hostUnreachable: true,
      },
    };
  }

  deleteNetwork(ctx: DriverContext, net: NetworkState): void {
    releaseParent(ctx.host, net);
  }

  abstract createEndpoint(ctx: DriverContext, net: NetworkState, ep: { id: string; ipv4: import('../ip').IpAddr | null; ipv6: import('../ip').IpAddr | null; mac: string | null }): EndpointCreated;

  deleteEndpoint(): void {}

  join(_ctx: DriverContext, net: NetworkState, _ep: EndpointState, _sb: SandboxState): JoinInfo {
    const p = net.parentLink!;
    // A parent-less network is internal to the driver: no gateway.
    const internal = net.internal || p.dummy;
    return {
      ifacePrefix: 'eth',
      gateway: internal ? null : net.ipv4[0]?.gateway ?? null,
      gateway6: internal || !net.enableIpv6 ? null : net.ipv6[0]?.gateway ?? null,
      mtu: 1500,
      link: { kind: this.name, parent: p.parent, mode: p.mode },
    };
  }

  leave(): void {}

  /** "macvlan driver does not support port mappings" is only a daemon log line: the ports are ignored. */
  programExternalConnectivity(): PortBindingState[] {
    return [];
  }

  revokeExternalConnectivity(): void {}
}

export class MacvlanDriver extends ParentLinkDriver {
  readonly name = 'macvlan' as const;

  protected mode(options: Record<string, string>): string {
    const m = options['macvlan_mode'] ?? '';
    if (m === '') return 'bridge';
    if (!(MACVLAN_MODES as readonly string[]).includes(m)) throw new DockerError(msg.macvlanMode(m), INTERNAL, { field: 'driver_opts', key: 'macvlan_mode' });
    return m;
  }

  createEndpoint(ctx: DriverContext, _net: NetworkState, ep: { id: string; ipv4: import('../ip').IpAddr | null; mac: string | null }): EndpointCreated {
    let mac = ep.mac;
    if (!mac) mac = ctx.features.randomMac || !ep.ipv4 ? pseudoRandomMac(ep.id) : macFromIPv4Bytes(addrBytes(ep.ipv4));
    return { mac, hostIfname: null };
  }
}
