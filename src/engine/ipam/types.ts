// The IPAM driver contract (libnetwork ipamapi.Ipam), so a plug-in IPAM driver can replace `default`.
import type { IpAddr, IpNet } from '../ip';

export interface PoolRequest {
  addressSpace: string;
  /** The subnet as typed ("" = pick a predefined pool). */
  pool: string;
  /** The ip-range as typed (""= none). */
  subPool: string;
  options: Record<string, string>;
  v6: boolean;
  /** Networks the host already routes on-link; a predefined pick must avoid them (27+ allocator does it itself). */
  avoid: readonly IpNet[];
}

export interface AllocatedPool {
  poolId: string;
  pool: IpNet;
}

export interface AddressRequestOptions {
  /** The address is the network's gateway (ipamapi.RequestAddressType = gateway). */
  gateway?: boolean;
  /** Hand out addresses serially (swarm), not lowest-free. */
  serial?: boolean;
}

export interface IpamDriver {
  readonly name: string;
  /** Local and global default address space names. */
  defaultAddressSpaces(): { local: string; global: string };
  /** Throws DockerError (Docker's texts) on overlap, exhaustion or a bad request. */
  requestPool(req: PoolRequest): AllocatedPool;
  releasePool(poolId: string): void;
  /** preferred = a static address; null = the allocator picks. Returns the address (family of the pool). */
  requestAddress(poolId: string, preferred: IpAddr | null, opts?: AddressRequestOptions): IpAddr;
  releaseAddress(poolId: string, addr: IpAddr): void;
  /** The prefix length its addresses come with when not the pool's (libnetwork takes RequestAddress's mask; calico-ipam answers /32). */
  addressPrefixLength?(poolId: string): number | undefined;
  /** Whether an address is currently handed out (for diagnostics and the tracer). */
  isAllocated?(poolId: string, addr: IpAddr): boolean;
}
