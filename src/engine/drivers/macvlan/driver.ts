// The macvlan driver (libnetwork drivers/macvlan): each container gets a macvlan child of the parent link
// with its own MAC (02:42 + IPv4 bytes in 20.10, random from 28.0) in one of the kernel's modes. No veth, no
// bridge, no port publishing; the host cannot talk to its own children (docs/macvlan.md: "explicitly
// filtered by the kernel").
import { DockerError, INTERNAL, msg } from '../../errors';
import { addrBytes } from '../../ip';
import { macFromIPv4Bytes, pseudoRandomMac } from '../../ids';
import type { NetworkState } from '../../model';
import { ParentLinkDriver } from '../shared/parentLinkDriver';
import type { DriverContext, EndpointCreated } from '../types';

export const MACVLAN_MODES = ['bridge', 'vepa', 'private', 'passthru'] as const;

export class MacvlanDriver extends ParentLinkDriver {
  readonly name = 'macvlan' as const;

  protected mode(options: Record<string, string>): string {
    const m = options['macvlan_mode'] ?? '';
    if (m === '') return 'bridge';
    if (!(MACVLAN_MODES as readonly string[]).includes(m)) throw new DockerError(msg.macvlanMode(m), INTERNAL, { field: 'driver_opts', key: 'macvlan_mode' });
    return m;
  }

  createEndpoint(ctx: DriverContext, _net: NetworkState, ep: { id: string; ipv4: import('../../ip').IpAddr | null; mac: string | null }): EndpointCreated {
    let mac = ep.mac;
    if (!mac) mac = ctx.features.randomMac || !ep.ipv4 ? pseudoRandomMac(ep.id) : macFromIPv4Bytes(addrBytes(ep.ipv4));
    return { mac, hostIfname: null };
  }
}
