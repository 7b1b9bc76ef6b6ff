// The ipvlan driver (libnetwork drivers/ipvlan): children share the parent's MAC. l2 (default) works like
// macvlan's bridge mode with the network's gateway; l3 routes through the parent with no gateway: the
// container's default route is "default dev eth0" and it never gets docker_gwbridge (DisableGatewayService).
import { DockerError, INTERNAL, msg } from '../../errors';
import type { EndpointState, NetworkState, SandboxState } from '../../model';
import { ParentLinkDriver } from '../shared/parentLinkDriver';
import { linkMac } from '../shared/parentLink';
import type { DriverContext, EndpointCreated, JoinInfo, NetworkCreated, NetworkDraft } from '../types';

/** 20.10 knows l2 and l3 only (l3s and ipvlan_flag came with 23.0: features.ipvlanL3s). */
export const IPVLAN_MODES = ['l2', 'l3'] as const;

export class IpvlanDriver extends ParentLinkDriver {
  readonly name = 'ipvlan' as const;

  protected mode(options: Record<string, string>, ctx: DriverContext): string {
    const m = options['ipvlan_mode'] ?? '';
    if (m === '') return 'l2';
    const known = ctx.features.ipvlanL3s ? [...IPVLAN_MODES, 'l3s'] : IPVLAN_MODES;
    if (!(known as readonly string[]).includes(m)) throw new DockerError(msg.ipvlanMode(m), INTERNAL, { field: 'driver_opts', key: 'ipvlan_mode' });
    return m;
  }

  override createNetwork(ctx: DriverContext, draft: NetworkDraft): NetworkCreated {
    const created = super.createNetwork(ctx, draft);
    const p = created.parentLink!;
    return { ...created, parentLink: { ...p, sharedMac: linkMac(ctx.host, p.parent) } };
  }

  createEndpoint(_ctx: DriverContext, _net: NetworkState, ep: { id: string; mac: string | null }): EndpointCreated {
    if (ep.mac) throw new DockerError(msg.ipvlanCustomMac(), INTERNAL, { field: 'mac_address' });
    // The child uses the parent's MAC; Docker reports no MAC of its own for the endpoint.
    return { mac: null, hostIfname: null };
  }

  override join(ctx: DriverContext, net: NetworkState, ep: EndpointState, sb: SandboxState): JoinInfo {
    const base = super.join(ctx, net, ep, sb);
    // l3s routes like l3 (libnetwork: modeL3 || modeL3S).
    if (net.parentLink!.mode !== 'l3' && net.parentLink!.mode !== 'l3s') return base;
    const staticRoutes: { family: 4 | 6; destination: string }[] = [{ family: 4, destination: 'default' }];
    if (ep.ipv6) staticRoutes.push({ family: 6, destination: 'default' });
    return { ...base, gateway: null, gateway6: null, staticRoutes, disableGatewayService: true };
  }
}
