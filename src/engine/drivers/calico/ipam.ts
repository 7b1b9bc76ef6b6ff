// calico-ipam, the libnetwork IPAM driver of projectcalico/libnetwork-plugin (driver/ipam_driver.go) on
// libcalico-go's block allocator: the network's subnet is a Calico IP pool (default 192.168.0.0/16);
// each host hands out addresses from its own block of it (/26 by default, see pool.ts), as /32s; the
// gateway is not an address of the pool but the dummy next hop 169.254.1.1.
import { DockerError } from '../../errors';
import { formatNet, netContains, netSize, parseIp, type IpAddr, type IpNet } from '../../ip';
import type { AddressRequestOptions, AllocatedPool, IpamDriver, PoolRequest } from '../../ipam/types';
import type { HostState } from '../../model';
import { ADDRESS_SPACES, blockFor, DEFAULT_BLOCK_SIZE, DEFAULT_POOL_CIDR, DEFAULT_POOL_NAME, GATEWAY, poolNet } from './pool';

interface Pool {
  readonly pool: IpNet;
  block: IpNet;
  readonly used: Set<bigint>;
}

export class CalicoIpam implements IpamDriver {
  readonly name = 'calico-ipam';
  private readonly pools = new Map<string, Pool>();

  /** `hostIndex` = the host's position in host order (which block it gets). */
  constructor(private readonly host: HostState, private readonly hostIndex: () => number) {}

  defaultAddressSpaces(): { local: string; global: string } {
    return { ...ADDRESS_SPACES };
  }

  requestPool(req: PoolRequest): AllocatedPool {
    if (req.v6) throw new DockerError('calico-ipam: IPv6 pools are not modelled by CNM Explorer', 400, { field: 'ipv6' });
    if (req.subPool !== '') {
      throw new DockerError("Calico IPAM does not support sub pool configuration on 'docker create network'. Calico IP Pools should be configured first and IP assignment is from those pre-configured pools.", 400, { field: 'ip_range' });
    }
    const pool = poolNet(req.pool);
    const poolId = formatNet(pool) === DEFAULT_POOL_CIDR ? DEFAULT_POOL_NAME : `ippool-${formatNet(pool).replace(/[./]/g, '-')}`;
    if (this.pools.has(poolId)) throw new DockerError('Pool overlaps with other one on this address space', 403, { field: 'subnet' });
    this.pools.set(poolId, { pool, block: blockFor(pool, Math.max(pool.prefix, DEFAULT_BLOCK_SIZE), this.hostIndex()), used: new Set() });
    return { poolId, pool };
  }

  /** The driver sets the pool's block size when it creates the network (an IPPool field, a driver option here). */
  configure(poolId: string, blockSize: number): IpNet {
    const p = this.get(poolId);
    p.block = blockFor(p.pool, blockSize, this.hostIndex());
    return p.block;
  }

  block(poolId: string): IpNet | undefined {
    return this.pools.get(poolId)?.block;
  }

  releasePool(poolId: string): void {
    this.pools.delete(poolId);
  }

  requestAddress(poolId: string, preferred: IpAddr | null, opts?: AddressRequestOptions): IpAddr {
    const p = this.get(poolId);
    if (opts?.gateway) {
      // ipam_driver.go RequestAddress; RequestPool answers com.docker.network.gateway 0.0.0.0/0.
      if (preferred) throw new DockerError('Calico IPAM does not support specifying a gateway.', 400, { field: 'gateway' });
      return parseIp(GATEWAY)!;
    }
    if (preferred) {
      if (preferred.family !== 4 || !netContains(p.pool, preferred)) throw new DockerError(`IP assignment error: ${formatNet(p.pool)} (the Calico IP pool) does not contain the address`, 400);
      const ord = preferred.value - p.pool.base;
      if (p.used.has(ord)) throw new DockerError('Address already in use', 403);
      p.used.add(ord);
      return preferred;
    }
    // libcalico-go's block allocator: the lowest free ordinal of the host's block (ordinal 0 included).
    const start = p.block.base - p.pool.base;
    for (let ord = start; ord < start + netSize(p.block); ord++) {
      if (!p.used.has(ord)) {
        p.used.add(ord);
        return { family: 4, value: p.pool.base + ord };
      }
    }
    throw new DockerError(`IP assignment error: no free address left in ${this.host.name}'s block ${formatNet(p.block)} (CNM Explorer gives each host one block)`, 503);
  }

  releaseAddress(poolId: string, addr: IpAddr): void {
    const p = this.pools.get(poolId);
    if (p) p.used.delete(addr.value - p.pool.base);
  }

  isAllocated(poolId: string, addr: IpAddr): boolean {
    const p = this.pools.get(poolId);
    return !!p && p.used.has(addr.value - p.pool.base);
  }

  addressPrefixLength(): number {
    // ipam_driver.go RequestAddress: `fmt.Sprintf("%v/%v", IPs[0], "32")`.
    return 32;
  }

  private get(poolId: string): Pool {
    const p = this.pools.get(poolId);
    if (!p) throw new DockerError(`Invalid Pool - ${poolId}`, 404);
    return p;
  }
}
