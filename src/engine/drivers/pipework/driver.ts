// pipework (github.com/jpetazzo/pipework, the `pipework` shell script) as a driver: Docker never sees its
// interfaces. The script moves a new interface into a running container's namespace by hand:
//  - a Linux bridge as host interface (an existing bridge, or a name starting with `br`, created with
//    `ip link add dev br1 type bridge` if missing): a veth pair `v<if>pl<pid>` (host side, enslaved to the
//    bridge) / `v<if>pg<pid>` (moved in and renamed to `eth1`, or `-i`), with the bridge's MTU;
//  - another host interface: a macvlan child in mode bridge (`ph<pid><if>`), on `<if>.<vlan>` with @vlan;
//  - then `ip addr add <ip>/<prefix> dev eth1`, and with `@gateway`: `ip route delete default`,
//    `ip route add <gw>/32 dev eth1` when the gateway is not on-link, `ip route replace default via <gw>`.
// A network of this driver stands for the host device (its endpoints are the attachments); a file may
// declare one (`driver: pipework`, `driver_opts: { bridge: br1 }`) to give the host an address on the
// bridge. dockerd writes no iptables rules for it: with its FORWARD policy DROP and br_netfilter,
// frames bridged between two attachments are dropped unless a rule (DOCKER-USER) accepts them.
import { DockerError } from '../../errors';
import { formatAddr } from '../../ip';
import { bridgeMac } from '../../ids';
import type { EndpointState, NetworkState, PortBindingState } from '../../model';
import type { DriverContext, EndpointCreated, JoinInfo, NetworkCreated, NetworkDraft, NetworkDriver } from '../types';

export const PIPEWORK = {
  /** CONTAINER_IFNAME=${CONTAINER_IFNAME:-eth1} */
  defaultIface: 'eth1',
  /** The macvlan mode pipework uses (`type macvlan mode bridge`). */
  macvlanMode: 'bridge',
  /** The option naming the host bridge of a declared pipework network. */
  bridgeOption: 'bridge',
} as const;

/** LOCAL_IFNAME="v${CONTAINER_IFNAME}pl${NSPID}": the pid is not in a topology, so it is named as unknown. */
export function pipeworkVethName(ifname: string, container: string): string {
  return `v${ifname}pl<pid:${container}>`;
}

/** What a pipework network keeps (NetworkState.driverData.pipework). */
export interface PipeworkNetworkData {
  readonly mode: 'bridge' | 'macvlan';
  /** The host device: the bridge, or the macvlan parent (eth2, eth2.10). */
  readonly device: string;
  /** Made by an attachment (no `driver: pipework` network in the file). */
  readonly implicit: boolean;
}

export class PipeworkDriver implements NetworkDriver {
  readonly name = 'pipework';
  readonly scope = 'local' as const;
  readonly special = false;
  readonly supportsPortMapping = false;

  createNetwork(ctx: DriverContext, draft: NetworkDraft): NetworkCreated {
    const name = draft.options[PIPEWORK.bridgeOption] || draft.name;
    for (const key of Object.keys(draft.options)) {
      if (key !== PIPEWORK.bridgeOption && key !== 'com.docker.network.driver.mtu') {
        throw new DockerError(`pipework: unknown option "${key}" (a pipework network takes \`bridge\`, the host bridge's name)`, 400, { field: 'driver_opts', key });
      }
    }
    if (ctx.host.bridges.has(name)) throw new DockerError(`pipework: bridge ${name} is already Docker's (network ${ctx.host.bridges.get(name)!.networkId.slice(0, 12)}); pipework needs a bridge of its own`, 403, { field: 'driver_opts', key: PIPEWORK.bridgeOption });
    const v4 = draft.ipv4[0];
    const mtu = Number(draft.options['com.docker.network.driver.mtu'] ?? 1500) || 1500;
    ctx.host.bridges.set(name, {
      name, networkId: draft.id, mac: bridgeMac(draft.id), mtu,
      // `ip addr add <gateway>/<prefix> dev br1`: the host's own address on the bridge (only when the file gives the subnet).
      ipv4: v4?.config?.subnet && v4.gateway ? { address: formatAddr(v4.gateway), prefixLength: v4.subnet.prefix, addr: v4.gateway, network: v4.subnet } : null,
      ipv6: null, ports: new Set(),
    });
    const data: PipeworkNetworkData = { mode: 'bridge', device: name, implicit: false };
    return {
      bridge: {
        name, defaultBridge: false, enableIcc: true, enableIpMasquerade: false, hostBindingIpv4: null, mtu, inhibitIpv4: false,
        containerIfacePrefix: PIPEWORK.defaultIface.replace(/\d+$/, ''), createdByEngine: !ctx.host.underlay.some((u) => u.name === name), foreign: true,
      },
      driverData: { pipework: data },
    };
  }

  deleteNetwork(ctx: DriverContext, net: NetworkState): void {
    if (net.bridge) ctx.host.bridges.delete(net.bridge.name);
  }

  createEndpoint(_ctx: DriverContext, net: NetworkState): EndpointCreated {
    const dev = (net.driverData['pipework'] as PipeworkNetworkData | undefined)?.device ?? net.name;
    throw new DockerError(
      `pipework attaches interfaces by hand, not through docker run or docker network connect: list it under the container's pipework: (- bridge: ${dev}, ip: <address>/<prefix>)`,
      400, { field: 'network' },
    );
  }

  deleteEndpoint(ctx: DriverContext, net: NetworkState, ep: EndpointState): void {
    if (!ep.hostIfname) return;
    ctx.host.veths.delete(ep.hostIfname);
    if (net.bridge) ctx.host.bridges.get(net.bridge.name)?.ports.delete(ep.hostIfname);
  }

  join(): JoinInfo {
    throw new DockerError('pipework endpoints are not joined by Docker', 400, { field: 'network' });
  }

  leave(ctx: DriverContext, net: NetworkState, ep: EndpointState): void {
    this.deleteEndpoint(ctx, net, ep);
  }

  programExternalConnectivity(): PortBindingState[] {
    return [];
  }

  revokeExternalConnectivity(): void {}
}
