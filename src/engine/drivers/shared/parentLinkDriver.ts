// What macvlan and ipvlan share as drivers (libnetwork drivers/{macvlan,ipvlan} *_network.go,
// *_joinleave.go): the parent link, the network's data, the join without veth or bridge, no ports.
import { DockerError, INTERNAL, msg } from '../../errors';
import type { IpAddr } from '../../ip';
import type { EndpointState, NetworkState, PortBindingState, SandboxState } from '../../model';
import { releaseParent, resolveParent } from './parentLink';
import type { DriverContext, EndpointCreated, JoinInfo, NetworkCreated, NetworkDraft, NetworkDriver } from '../types';

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

  abstract createEndpoint(ctx: DriverContext, net: NetworkState, ep: { id: string; ipv4: IpAddr | null; ipv6: IpAddr | null; mac: string | null }): EndpointCreated;

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
