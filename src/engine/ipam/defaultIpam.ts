// The `default` IPAM driver (libnetwork ipam/allocator.go + structures.go): address spaces with pools,
// sub-pools (ip-range) sharing their parent's bitmap, predefined pools picked with a rotating cursor
// (20.10 to 26) or lowest-free (27+), and per-pool lowest-free address allocation.
import { AddressBitmap } from './bitmap';
import type { AddressRequestOptions, AllocatedPool, IpamDriver, PoolRequest } from './types';
import type { PredefinedPools } from './predefinedPools';
import { DockerError, INTERNAL, IPAM_ERRORS, NOT_FOUND, BAD_REQUEST, ipamText, msg } from '../errors';
import { type IpAddr, type IpNet, formatNet, netLast, netSize, netsOverlap, parseCidr, familyBits, maskValue } from '../ip';

export const LOCAL_ADDRESS_SPACE = 'LocalDefault';
export const GLOBAL_ADDRESS_SPACE = 'GlobalDefault';

interface AddressRange {
  readonly sub: IpNet;
  readonly start: bigint;
  readonly end: bigint;
}

interface PoolLookup {
  readonly pool: IpNet;
  readonly bitmap: AddressBitmap;
  readonly range: AddressRange | null;
}

interface PoolData {
  readonly key: string;
  readonly parentKey: string | null;
  /** The master network (also for a sub-pool, as libnetwork stores it). */
  readonly pool: IpNet;
  readonly range: AddressRange | null;
  refCount: number;
}

/** Master pools of one family, sorted by base, for O(log n) overlap tests. */
class MasterIndex {
  private readonly items: IpNet[] = [];
  /** Set once two masters overlap (a sub-pool's parent is added unchecked); then a linear scan is needed. */
  private mayOverlap = false;

  add(net: IpNet): void {
    if (this.overlaps(net)) this.mayOverlap = true;
    this.items.splice(this.lowerBound(net.base), 0, net);
  }

  remove(net: IpNet): void {
    for (let i = this.lowerBound(net.base); i < this.items.length && this.items[i].base === net.base; i++) {
      if (this.items[i].prefix === net.prefix) {
        this.items.splice(i, 1);
        return;
      }
    }
  }

  overlaps(net: IpNet): boolean {
    if (this.mayOverlap) return this.items.some((m) => netsOverlap(m, net));
    const last = netLast(net);
    // The first master starting after `last` and everything after it cannot overlap; the one before can.
    const i = this.lowerBound(last + 1n);
    if (i > 0 && netLast(this.items[i - 1]) >= net.base) return true;
    return false;
  }

  private lowerBound(value: bigint): number {
    let lo = 0, hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid].base < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

class AddressSpace {
  readonly subnets = new Map<string, PoolData>();
  readonly masters: Record<4 | 6, MasterIndex> = { 4: new MasterIndex(), 6: new MasterIndex() };
  startIndex = 0;

  constructor(readonly name: string, public predefined: PredefinedPools) {}

  contains(net: IpNet): boolean {
    return this.masters[net.family].overlaps(net);
  }
}

export interface DefaultIpamOptions {
  localPools: PredefinedPools;
  globalPools: PredefinedPools;
  /** 27+: lowest-free predefined pools, no cursor. */
  lowestFree: boolean;
}

export class DefaultIpam implements IpamDriver {
  readonly name = 'default';
  private readonly spaces = new Map<string, AddressSpace>();
  private readonly bitmaps = new Map<string, AddressBitmap>();
  /**
   * poolId → its pool, bitmap and range, as poolAndBitmap finds them: every address request needs them.
   * Cleared on release. A private field: a memo, not part of the allocator's state.
   */
  readonly #lookups = new Map<string, PoolLookup>();

  constructor(private readonly opts: DefaultIpamOptions) {
    this.spaces.set(LOCAL_ADDRESS_SPACE, new AddressSpace(LOCAL_ADDRESS_SPACE, opts.localPools));
    this.spaces.set(GLOBAL_ADDRESS_SPACE, new AddressSpace(GLOBAL_ADDRESS_SPACE, opts.globalPools));
  }

  defaultAddressSpaces(): { local: string; global: string } {
    return { local: LOCAL_ADDRESS_SPACE, global: GLOBAL_ADDRESS_SPACE };
  }

  requestPool(req: PoolRequest): AllocatedPool {
    const space = this.spaces.get(req.addressSpace);
    if (!space) throw new DockerError(`cannot find address space ${req.addressSpace} (most likely the backing datastore is not configured)`, BAD_REQUEST);
    const parseFail = (err: string) =>
      new DockerError(msg.poolRequestParse(req.addressSpace, req.pool, req.subPool, err), INTERNAL);
    if (req.pool === '' && req.subPool !== '') throw parseFail(ipamText.invalidSubPool);

    if (req.pool === '') {
      const nw = this.predefinedPool(space, req.v6, req.avoid);
      const key = `${space.name}/${formatNet(nw)}`;
      this.addMaster(space, key, nw);
      return { poolId: key, pool: nw };
    }

    const parsed = parseCidr(req.pool);
    if (!parsed) throw parseFail(ipamText.invalidPool);
    const nw: IpNet = { ...parsed, ip: parsed.base };
    let range: AddressRange | null = null;
    if (req.subPool !== '') {
      range = addressRange(req.subPool, nw);
      if (!range) throw parseFail(ipamText.invalidSubPool);
    }
    const masterKey = `${space.name}/${formatNet(nw)}`;
    const key = range ? `${masterKey}/${req.subPool}` : masterKey;

    // allocateSubnet: the same key again is an overlap; a master must not overlap any master.
    if (space.subnets.has(key)) throw IPAM_ERRORS.poolOverlap();
    if (!range) {
      if (space.contains(nw)) throw IPAM_ERRORS.poolOverlap();
      this.addMaster(space, key, nw);
      return { poolId: key, pool: nw };
    }
    space.subnets.set(key, { key, parentKey: masterKey, pool: nw, range, refCount: 1 });
    const parent = space.subnets.get(masterKey);
    if (parent) {
      parent.refCount++;
    } else {
      // libnetwork adds a missing parent without an overlap check.
      this.addMaster(space, masterKey, nw);
    }
    return { poolId: key, pool: nw };
  }

  releasePool(poolId: string): void {
    this.#lookups.clear();
    const space = this.spaceOf(poolId);
    let p = space.subnets.get(poolId);
    if (!p) throw new DockerError('Address space does not contain specified address pool', BAD_REQUEST);
    // incRefCount(-1) walks up the parents; then entries at zero are deleted, master last.
    for (let c: PoolData | undefined = p; c; c = c.parentKey ? space.subnets.get(c.parentKey) : undefined) c.refCount--;
    while (p) {
      if (p.refCount === 0) {
        space.subnets.delete(p.key);
        if (!p.range) {
          space.masters[p.pool.family].remove(p.pool);
          this.bitmaps.delete(p.key);
          return;
        }
      }
      if (!p.parentKey) return;
      p = space.subnets.get(p.parentKey);
    }
  }

  requestAddress(poolId: string, preferred: IpAddr | null, opts: AddressRequestOptions = {}): IpAddr {
    const { pool, bitmap, range } = this.poolAndBitmap(poolId);
    if (preferred && (preferred.family !== pool.family || preferred.value < pool.base || preferred.value > netLast(pool))) {
      throw IPAM_ERRORS.outOfRange();
    }
    if (bitmap.full()) throw IPAM_ERRORS.noAvailableIps();
    let ordinal: bigint | null;
    if (preferred) {
      ordinal = preferred.value - pool.base;
      if (!bitmap.set(ordinal)) throw IPAM_ERRORS.alreadyInUse();
    } else if (range) {
      ordinal = bitmap.setAnyInRange(range.start, range.end, opts.serial);
    } else {
      ordinal = bitmap.setAny(opts.serial);
    }
    if (ordinal === null) throw IPAM_ERRORS.noAvailableIps();
    return { family: pool.family, value: pool.base + ordinal };
  }

  releaseAddress(poolId: string, addr: IpAddr): void {
    const { pool, bitmap } = this.poolAndBitmap(poolId);
    if (addr.family !== pool.family || addr.value < pool.base || addr.value > netLast(pool)) throw IPAM_ERRORS.outOfRange();
    bitmap.unset(addr.value - pool.base);
  }

  isAllocated(poolId: string, addr: IpAddr): boolean {
    const { pool, bitmap } = this.poolAndBitmap(poolId);
    return addr.family === pool.family && bitmap.isSet(addr.value - pool.base);
  }

  private spaceOf(poolId: string): AddressSpace {
    const space = this.spaces.get(poolId.slice(0, poolId.indexOf('/')));
    if (!space) throw new DockerError(`invalid pool id: ${poolId}`, BAD_REQUEST);
    return space;
  }

  private poolAndBitmap(poolId: string): PoolLookup {
    let found = this.#lookups.get(poolId);
    if (!found) {
      found = this.findPoolAndBitmap(poolId);
      this.#lookups.set(poolId, found);
    }
    return found;
  }

  private findPoolAndBitmap(poolId: string): PoolLookup {
    const space = this.spaceOf(poolId);
    const p = space.subnets.get(poolId);
    if (!p) throw new DockerError(`cannot find address pool for poolID:${poolId}`, NOT_FOUND);
    const masterKey = p.parentKey ?? p.key;
    const bitmap = this.bitmaps.get(masterKey);
    if (!bitmap) throw new DockerError(`could not find bitmask in datastore for ${masterKey}`, INTERNAL);
    return { pool: p.pool, bitmap, range: p.range };
  }

  private addMaster(space: AddressSpace, key: string, nw: IpNet): void {
    space.subnets.set(key, { key, parentKey: null, pool: nw, range: null, refCount: 1 });
    space.masters[nw.family].add(nw);
    // insertBitMask: ordinal 0 (network) always reserved; IPv4 also the broadcast. A /64 has 2^64-1 ordinals.
    let size = netSize(nw);
    if (nw.family === 6 && size === 1n << 64n) size -= 1n;
    const bm = new AddressBitmap(size);
    bm.set(0n);
    if (nw.family === 4) bm.set(size - 1n);
    this.bitmaps.set(key, bm);
  }

  /** getPredefinedPool (20.10: rotating start index; 27+: lowest free, skipping on-link host networks). */
  private predefinedPool(space: AddressSpace, v6: boolean, avoid: readonly IpNet[]): IpNet {
    const list = space.predefined;
    const family = v6 ? 6 : 4;
    const lowestFree = this.opts.lowestFree;
    let start = lowestFree ? 0 : space.startIndex;
    if (start >= list.length) start = 0;
    for (let i = 0; i < list.length; i++) {
      const nw = list.at((start + i) % list.length);
      if (nw.family !== family) continue;
      if (space.subnets.has(`${space.name}/${formatNet(nw)}`)) continue;
      if (space.contains(nw)) continue;
      if (lowestFree && avoid.some((a) => netsOverlap(a, nw))) continue;
      if (!lowestFree) {
        const next = space.startIndex + i + 1;
        space.startIndex = next < 0 || next >= list.length ? 0 : next;
      }
      return nw;
    }
    if (lowestFree) throw new DockerError(msg.poolsFullySubnetted(), NOT_FOUND);
    throw new DockerError(msg.noPredefinedPool(v6 ? 6 : 4), NOT_FOUND);
  }

  /** The current cursor over the predefined list (tests and diagnostics). */
  predefinedStartIndex(addressSpace = LOCAL_ADDRESS_SPACE): number {
    return this.spaces.get(addressSpace)?.startIndex ?? 0;
  }
}

/**
 * getAddressRange: the range's first and last host ordinals within the master. Libnetwork takes the host
 * part with the master's mask and does not check containment (a range outside the subnet folds into it).
 */
function addressRange(text: string, master: IpNet): AddressRange | null {
  const sub = parseCidr(text);
  if (!sub || sub.family !== master.family) return null;
  const bits = familyBits(master.family);
  const hostMask = (1n << BigInt(bits - master.prefix)) - 1n;
  const last = maskValue(sub.family, sub.base, sub.prefix) + (1n << BigInt(bits - sub.prefix)) - 1n;
  return { sub: { ...sub, ip: sub.ip }, start: sub.base & hostMask, end: last & hostMask };
}
