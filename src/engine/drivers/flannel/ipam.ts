// The flannel IPAM driver: a host's pool is its lease of the cluster network; the gateway (the host
// bridge's address) is the lease's first address, containers get the lowest free address after it.
import { DockerError } from '../../errors';
import { formatNet, makeNet, netContains, netSize, type IpAddr } from '../../ip';
import type { AllocatedPool, IpamDriver, PoolRequest } from '../../ipam/types';
import type { HostState } from '../../model';
import { clusterNetwork, leaseFor } from './leases';

export const FLANNEL_ADDRESS_SPACE = 'FlannelCluster';

export class FlannelIpam implements IpamDriver {
  readonly name = 'flannel';
  private readonly pools = new Map<string, { pool: ReturnType<typeof makeNet>; used: Set<bigint> }>();

  /** `hostIndex` = the host's position in host order (its lease number). */
  constructor(private readonly host: HostState, private readonly hostIndex: () => number, private readonly subnetLen: number) {}

  defaultAddressSpaces(): { local: string; global: string } {
    return { local: FLANNEL_ADDRESS_SPACE, global: FLANNEL_ADDRESS_SPACE };
  }

  requestPool(req: PoolRequest): AllocatedPool {
    if (req.v6) throw new DockerError('flannel: IPv6 is not supported', 400, { field: 'ipv6' });
    const lease = leaseFor(clusterNetwork(req.pool), this.subnetLen, this.hostIndex());
    const poolId = `${FLANNEL_ADDRESS_SPACE}/${this.host.name}/${formatNet(lease)}`;
    if (this.pools.has(poolId)) throw new DockerError('Pool overlaps with other one on this address space', 403, { field: 'subnet' });
    this.pools.set(poolId, { pool: lease, used: new Set() });
    return { poolId, pool: lease };
  }

  releasePool(poolId: string): void {
    this.pools.delete(poolId);
  }

  requestAddress(poolId: string, preferred: IpAddr | null): IpAddr {
    const p = this.pools.get(poolId);
    if (!p) throw new DockerError(`cannot find address pool for poolID:${poolId}`, 404);
    if (preferred) {
      if (preferred.family !== 4 || !netContains(p.pool, preferred)) throw new DockerError('Requested address is out of range', 400);
      const ord = preferred.value - p.pool.base;
      if (ord === 0n || ord === netSize(p.pool) - 1n || p.used.has(ord)) throw new DockerError('Address already in use', 403);
      p.used.add(ord);
      return preferred;
    }
    for (let ord = 1n; ord < netSize(p.pool) - 1n; ord++) {
      if (!p.used.has(ord)) {
        p.used.add(ord);
        return { family: 4, value: p.pool.base + ord };
      }
    }
    throw new DockerError('No available addresses on this pool', 503);
  }

  releaseAddress(poolId: string, addr: IpAddr): void {
    const p = this.pools.get(poolId);
    if (p) p.used.delete(addr.value - p.pool.base);
  }

  isAllocated(poolId: string, addr: IpAddr): boolean {
    const p = this.pools.get(poolId);
    return !!p && p.used.has(addr.value - p.pool.base);
  }
}
