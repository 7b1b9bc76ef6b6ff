// The default address pools (ipamutils): the local list bridges draw from and the global one overlays
// draw from. A list is kept as (base, size) segments and indexed arithmetically, so 10.0.0.0/8 in /24s
// (65,536 pools) costs nothing until a pool is asked for.
import { type IpFamily, type IpNet, makeNet, parseCidr, familyBits } from '../ip';
import { DockerError, INTERNAL, msg } from '../errors';

export interface PoolSegment {
  readonly family: IpFamily;
  readonly base: bigint;
  readonly basePrefix: number;
  readonly size: number;
}

export class PredefinedPools {
  private readonly counts: number[];
  readonly length: number;

  constructor(readonly segments: readonly PoolSegment[]) {
    this.counts = segments.map((s) => 2 ** (s.size - s.basePrefix));
    this.length = this.counts.reduce((a, b) => a + b, 0);
  }

  at(index: number): IpNet {
    let i = index;
    for (let s = 0; s < this.segments.length; s++) {
      if (i < this.counts[s]) {
        const seg = this.segments[s];
        const step = 1n << BigInt(familyBits(seg.family) - seg.size);
        return makeNet(seg.family, seg.base + BigInt(i) * step, seg.size);
      }
      i -= this.counts[s];
    }
    throw new RangeError(`predefined pool ${index} out of range`);
  }

  /** The same list with more segments after it. */
  concat(more: readonly PoolSegment[]): PredefinedPools {
    return new PredefinedPools([...this.segments, ...more]);
  }
}

function seg(cidr: string, size: number): PoolSegment {
  const n = parseCidr(cidr)!;
  return { family: n.family, base: n.base, basePrefix: n.prefix, size };
}

/** ipamutils.PredefinedLocalScopeDefaultNetworks: 172.17-19/16, 172.20-31/16 (from /14s), 192.168.x/20. */
export const LOCAL_DEFAULT_POOLS = new PredefinedPools([
  seg('172.17.0.0/16', 16),
  seg('172.18.0.0/16', 16),
  seg('172.19.0.0/16', 16),
  seg('172.20.0.0/14', 16),
  seg('172.24.0.0/14', 16),
  seg('172.28.0.0/14', 16),
  seg('192.168.0.0/16', 20),
]);

/** ipamutils.PredefinedGlobalScopeDefaultNetworks: 10.0.0.0/8 in /24s. */
export const GLOBAL_DEFAULT_POOLS = new PredefinedPools([seg('10.0.0.0/8', 24)]);

/** dockerd --default-address-pool base=…,size=… replaces the local list (ipamutils.splitNetworks). */
export function poolsFromConfig(list: readonly { base: string; size: number }[]): PredefinedPools {
  const segments: PoolSegment[] = [];
  for (const p of list) {
    const n = parseCidr(p.base);
    if (!n) throw new DockerError(msg.invalidBasePool(p.base, `invalid CIDR address: ${p.base}`), INTERNAL, { field: 'daemon', key: 'default-address-pools' });
    if (!Number.isInteger(p.size) || p.size <= 0 || p.size < n.prefix || p.size > familyBits(n.family)) {
      throw new DockerError(msg.invalidPoolSize(p.size), INTERNAL, { field: 'daemon', key: 'default-address-pools' });
    }
    segments.push({ family: n.family, base: n.base, basePrefix: n.prefix, size: p.size });
  }
  return new PredefinedPools(segments);
}
