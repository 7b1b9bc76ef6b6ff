// The parent link of a macvlan or ipvlan network (libnetwork drivers/{macvlan,ipvlan}: *_network.go
// createNetwork, *_setup.go createVlanLink/parseVlan/createDummyLink): the host interface named by
// `-o parent`, an 802.1Q sub-interface such as eth0.10 made on demand, or a dummy dm-<12hex> when no
// parent is given. One network per parent link.
import { DockerError, INTERNAL, msg } from '../../errors';
import { pseudoRandomMac } from '../../ids';
import type { HostLink, HostState, NetworkState } from '../../model';

export interface ResolvedParent {
  readonly parent: string;
  readonly dummy: boolean;
  readonly vlanId: number | null;
  readonly underlying: string | null;
  /** The link the driver adds to the host (dummy or 802.1Q), or null when the parent already exists. */
  readonly created: HostLink | null;
}

/** macvlan's dummy links are dm-<12hex>, ipvlan's di-<12hex> (observed on 20.10.24 in the "already using" text). */
export function dummyName(driver: string, networkId: string): string {
  return `${driver === 'ipvlan' ? 'di' : 'dm'}-${networkId.slice(0, 12)}`;
}

function linkExists(host: HostState, name: string): boolean {
  return host.underlay.some((i) => i.name === name) || host.links.has(name) || host.bridges.has(name);
}

/** The network that already uses `parent` (ipvlan and macvlan keep separate lists, as each driver does). */
function networkUsing(host: HostState, driver: string, parent: string): NetworkState | undefined {
  for (const n of host.networks.values()) if (n.driver === driver && n.parentLink?.parent === parent) return n;
  return undefined;
}

const hint = { field: 'driver_opts' as const, key: 'parent' };

/** d.createNetwork: the one-network-per-parent check, then the link made when the parent is missing. */
export function resolveParent(host: HostState, driver: string, networkId: string, parentOpt: string): ResolvedParent {
  if (parentOpt === 'lo') throw new DockerError(msg.loopbackParent(driver), INTERNAL, hint);
  const parent = parentOpt === '' ? dummyName(driver, networkId) : parentOpt;
  const using = networkUsing(host, driver, parent);
  if (using) throw new DockerError(msg.parentInUse(dummyName(driver, using.id), parent), INTERNAL, hint);
  if (parentOpt === '') {
    return { parent, dummy: true, vlanId: null, underlying: null, created: link(parent, 'dummy', networkId, null, null) };
  }
  const existing = linkExists(host, parent);
  const dot = parent.indexOf('.');
  if (existing) {
    const vlan = host.links.get(parent);
    return { parent, dummy: false, vlanId: vlan?.vlanId ?? null, underlying: vlan?.parent ?? null, created: null };
  }
  // createVlanLink: only "name.vid" can be made.
  if (dot < 0) throw new DockerError(msg.vlanName(parent), INTERNAL, hint);
  const parts = parent.split('.');
  if (parts.length !== 2) throw new DockerError(msg.vlanFormat(parent), INTERNAL, hint);
  const [under, vidText] = parts as [string, string];
  if (!/^[+-]?\d+$/.test(vidText)) throw new DockerError(msg.vlanIdParse(vidText), INTERNAL, hint);
  if (!linkExists(host, under)) throw new DockerError(msg.vlanParentMissing(under), INTERNAL, hint);
  const vid = Number(vidText);
  if (vid > 4094 || vid < 1) throw new DockerError(msg.vlanIdRange(vid), INTERNAL, hint);
  return { parent, dummy: false, vlanId: vid, underlying: under, created: link(parent, 'vlan', networkId, under, vid) };
}

function link(name: string, kind: 'dummy' | 'vlan', networkId: string, parent: string | null, vlanId: number | null): HostLink {
  return { name, kind, networkId, parent, vlanId, vxlan: null, mtu: 1500, ipv4: null, createdByEngine: true };
}

/** The MAC of a host link (underlay interfaces without a declared MAC get a stable made-up one). */
export function linkMac(host: HostState, name: string): string {
  const base = name.includes('.') ? name.slice(0, name.indexOf('.')) : name;
  const u = host.underlay.find((i) => i.name === base);
  return u?.mac ?? pseudoRandomMac(`${host.name}\u0000${base}`);
}

/** Network delete: the driver removes only the links it made. */
export function releaseParent(host: HostState, net: NetworkState): void {
  const p = net.parentLink;
  if (!p) return;
  const l = host.links.get(p.parent);
  if (l && l.createdByEngine && l.networkId === net.id) host.links.delete(p.parent);
}
