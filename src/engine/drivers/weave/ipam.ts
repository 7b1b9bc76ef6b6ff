// weave's IPAM as its Docker IPAM plug-in shows it (plugin/ipam/driver.go): a pool is the subnet asked
// for, or the default subnet of the allocation range (`weave launch` default --ipalloc-range 10.32.0.0/12,
// the `weave` script); the "gateway" it reports is the subnet's own network address, faked (weave gives
// containers no gateway); addresses come from the part of the range this peer owns. The real ring hands
// out shares by consensus between peers; the model splits the subnet equally among the hosts, in host
// order, so host 1 of 2 owns 10.32.0.0–10.39.255.255 and host 2 owns 10.40.0.0–10.47.255.255.
import { DockerError } from '../../errors';
import { formatNet, makeNet, netContains, netSize, parseCidr, type IpAddr, type IpNet } from '../../ip';
import type { AllocatedPool, IpamDriver, PoolRequest } from '../../ipam/types';
import { WEAVE } from './driver';

export const WEAVE_ADDRESS_SPACE = 'weave';

/** This host's share of `subnet`: host `index` of `count`, an equal part (the remainder to the last). */
export function shareOf(subnet: IpNet, index: number, count: number): { first: bigint; last: bigint } {
  const size = netSize(subnet);
  const part = size / BigInt(Math.max(1, count));
  const first = subnet.base + part * BigInt(index);
  const last = index === count - 1 ? subnet.base + size - 1n : first + part - 1n;
  return { first, last };
}

export class WeaveIpam implements IpamDriver {
  readonly name = 'weave';
  private readonly pools = new Map<string, { subnet: IpNet; used: Set<bigint> }>();

  constructor(private readonly position: () => { index: number; count: number }) {}

  defaultAddressSpaces(): { local: string; global: string } {
    return { local: WEAVE_ADDRESS_SPACE, global: WEAVE_ADDRESS_SPACE };
  }

  requestPool(req: PoolRequest): AllocatedPool {
    if (req.v6) throw new DockerError('weave: IPv6 is not supported by its IPAM', 400, { field: 'ipv6' });
    const n = parseCidr(req.pool === '' ? WEAVE.defaultRange : req.pool);
    if (!n || n.family !== 4) throw new DockerError(`weave: invalid subnet ${req.pool}`, 400, { field: 'subnet' });
    const subnet = makeNet(4, n.base, n.prefix);
    const poolId = `weave-${formatNet(subnet)}-${formatNet(subnet)}`;
    if (this.pools.has(poolId)) throw new DockerError('Pool overlaps with other one on this address space', 403, { field: 'subnet' });
    this.pools.set(poolId, { subnet, used: new Set() });
    return { poolId, pool: subnet };
  }

  releasePool(poolId: string): void {
    this.pools.delete(poolId);
  }

  requestAddress(poolId: string, preferred: IpAddr | null, opts?: { gateway?: boolean }): IpAddr {
    const p = this.pools.get(poolId);
    if (!p) throw new DockerError(`weave: unknown pool ${poolId}`, 404);
    // "Gateway: subnet.String()": the gateway libnetwork asks for is the subnet address, never handed out.
    if (opts?.gateway) return { family: 4, value: p.subnet.base };
    if (preferred) {
      if (preferred.family !== 4 || !netContains(p.subnet, preferred)) throw new DockerError('Requested address is out of range', 400);
      if (p.used.has(preferred.value)) throw new DockerError('Address already in use', 403);
      p.used.add(preferred.value);
      return preferred;
    }
    const { index, count } = this.position();
    const { first, last } = shareOf(p.subnet, index, count);
    const broadcast = p.subnet.base + netSize(p.subnet) - 1n;
    for (let v = first; v <= last; v++) {
      if (v === p.subnet.base || v === broadcast || p.used.has(v)) continue;
      p.used.add(v);
      return { family: 4, value: v };
    }
    throw new DockerError('No available addresses on this pool', 503);
  }

  releaseAddress(poolId: string, addr: IpAddr): void {
    this.pools.get(poolId)?.used.delete(addr.value);
  }
}
