// What the swarm managers keep (swarmkit's allocator, reference §1.1, §1.4, §2.8, §4.2): overlay subnets
// from the global pool 10.0.0.0/8 in /24s, VNIs handed out serially from 4096, every overlay address
// allocated serially (a freed address is not reused until the pool wraps), and the published ports of
// the routing mesh (auto-assigned from 30000–32767).
import { DockerError, FORBIDDEN, INTERNAL, msg } from '../errors';
import { formatAddr, formatNet, netContains, parseCidr, parseIp, type IpAddr, type IpNet } from '../ip';
import { DefaultIpam, GLOBAL_ADDRESS_SPACE } from '../ipam/defaultIpam';
import { GLOBAL_DEFAULT_POOLS, LOCAL_DEFAULT_POOLS } from '../ipam/predefinedPools';
import type { IpamPoolConfig } from '../requests';
import type { Protocol, SwarmState } from '../model';
import { sha256Bytes } from '../sha256';

/** ovmanager.go: vxlanIDStart .. vxlanIDEnd. */
export const VNI_START = 4096;
const VNI_END = (1 << 24) - 1;
/** swarmkit portallocator.go dynamicPortStart/End. */
export const DYNAMIC_PORT_START = 30000;
export const DYNAMIC_PORT_END = 32767;

interface ClusterPool {
  readonly poolId: string;
  readonly subnet: IpNet;
}

export class SwarmCluster {
  private readonly ipam = new DefaultIpam({ localPools: LOCAL_DEFAULT_POOLS, globalPools: GLOBAL_DEFAULT_POOLS, lowestFree: false });
  private readonly pools = new Map<string, ClusterPool[]>();
  private readonly vnis = new Set<number>();
  private lastVni = VNI_START - 1;
  private readonly ports = new Map<string, string>(); // proto/port -> service id
  private lastDynamicPort = DYNAMIC_PORT_START - 1;

  constructor(readonly state: SwarmState) {}

  /**
   * The manager's IPAM for a new overlay: each entry's pool (or the next free /24 of 10.0.0.0/8), its gateway
   * (given, or the first address) and aux addresses. Returns the configs every node's view is created with.
   */
  allocateNetwork(networkId: string, configs: IpamPoolConfig[]): IpamPoolConfig[] {
    const list = configs.length > 0 ? configs : [{}];
    const out: IpamPoolConfig[] = [];
    const pools: ClusterPool[] = [];
    try {
      for (const c of list) {
        const got = this.ipam.requestPool({ addressSpace: GLOBAL_ADDRESS_SPACE, pool: c.subnet ?? '', subPool: c.ipRange ?? '', options: {}, v6: false, avoid: [] });
        pools.push({ poolId: got.poolId, subnet: got.pool });
        const gwText = c.gateway ?? '';
        const gw = gwText === '' ? null : parseIp(gwText);
        let gateway: IpAddr;
        try {
          gateway = this.ipam.requestAddress(got.poolId, gw, { gateway: true, serial: true });
        } catch (e) {
          if (e instanceof DockerError) throw new DockerError(msg.failedAllocateGateway(gwText, e.message), INTERNAL, { field: 'gateway' });
          throw e;
        }
        const aux: Record<string, string> = {};
        for (const [k, v] of Object.entries(c.auxAddresses ?? {})) {
          const a = parseIp(v);
          if (a && netContains(got.pool, a)) this.ipam.requestAddress(got.poolId, a);
          aux[k] = v;
        }
        out.push({
          subnet: c.subnet ?? formatNet(got.pool),
          gateway: formatAddr(gateway),
          ...(c.ipRange ? { ipRange: c.ipRange } : {}),
          ...(Object.keys(aux).length > 0 ? { auxAddresses: aux } : {}),
        });
      }
    } catch (e) {
      for (const p of pools) this.ipam.releasePool(p.poolId);
      throw e;
    }
    this.pools.set(networkId, pools);
    return out;
  }

  releaseNetwork(networkId: string, vni: number): void {
    for (const p of this.pools.get(networkId) ?? []) this.ipam.releasePool(p.poolId);
    this.pools.delete(networkId);
    this.vnis.delete(vni);
  }

  /** The VNI of a new overlay: the one given with -o com.docker.network.driver.overlay.vxlanid_list, or the next. */
  takeVni(given: string | undefined): number {
    if (given === undefined || given === '') return this.nextVni();
    const vni = Number(given.split(',')[0]);
    const hint = { field: 'driver_opts' as const, key: 'com.docker.network.driver.overlay.vxlanid_list' };
    if (!Number.isInteger(vni) || vni < 1 || vni > VNI_END) throw new DockerError(`invalid vxlan id value ${given} passed`, BAD_INVALID, hint);
    if (this.vnis.has(vni)) throw new DockerError(`vxlan id ${vni} is already in use`, FORBIDDEN, hint);
    this.vnis.add(vni);
    return vni;
  }

  /** ovmanager allocateVxlanID: serial from 4096. */
  nextVni(): number {
    for (let i = 0; i <= VNI_END - VNI_START; i++) {
      let v = this.lastVni + 1 + i;
      if (v > VNI_END) v = VNI_START + (v - VNI_END - 1);
      if (!this.vnis.has(v)) {
        this.vnis.add(v);
        this.lastVni = v;
        return v;
      }
    }
    throw new DockerError('no available VNI', INTERNAL);
  }

  /** An address on an overlay, serially (swarmkit forces the serial option); `preferred` = a static address. */
  allocateAddress(networkId: string, preferred: IpAddr | null): IpAddr {
    const pools = this.pools.get(networkId) ?? [];
    for (const p of pools) {
      if (preferred && !netContains(p.subnet, preferred)) continue;
      try {
        return this.ipam.requestAddress(p.poolId, preferred, { serial: true });
      } catch (e) {
        if (preferred || !(e instanceof DockerError)) throw e;
      }
    }
    if (preferred) throw new DockerError(msg.addressNotInSubnets(formatAddr(preferred)), FORBIDDEN, { field: 'ipv4_address' });
    throw new DockerError(`could not allocate an address on network ${networkId}`, INTERNAL, { field: 'network' });
  }

  releaseAddress(networkId: string, addr: IpAddr): void {
    for (const p of this.pools.get(networkId) ?? []) {
      if (netContains(p.subnet, addr)) {
        try {
          this.ipam.releaseAddress(p.poolId, addr);
        } catch {
          // Already free.
        }
        return;
      }
    }
  }

  /** A published port of the routing mesh: the given one, or the next free dynamic one (serial). */
  allocatePort(serviceId: string, serviceName: string, published: number | null, proto: Protocol): number {
    if (published !== null) {
      const owner = this.ports.get(`${proto}/${published}`);
      if (owner) {
        const svc = this.state.services.get(owner);
        throw new DockerError(
          `rpc error: code = InvalidArgument desc = port '${published}' is already in use by service '${svc?.name ?? owner}' (${owner}) as an ingress port`,
          BAD_INVALID, { field: 'ports' });
      }
      this.ports.set(`${proto}/${published}`, serviceId);
      return published;
    }
    const span = DYNAMIC_PORT_END - DYNAMIC_PORT_START + 1;
    for (let i = 0; i < span; i++) {
      const p = DYNAMIC_PORT_START + ((this.lastDynamicPort + 1 - DYNAMIC_PORT_START + i) % span);
      if (!this.ports.has(`${proto}/${p}`)) {
        this.ports.set(`${proto}/${p}`, serviceId);
        this.lastDynamicPort = p;
        return p;
      }
    }
    void serviceName;
    throw new DockerError('rpc error: code = ResourceExhausted desc = dynamic ports exhausted', INTERNAL, { field: 'ports' });
  }

  releasePorts(serviceId: string): void {
    for (const [k, v] of [...this.ports]) if (v === serviceId) this.ports.delete(k);
  }
}

const BAD_INVALID = 400;

/** A swarmkit-style object id: 25 characters of [0-9a-z], derived from the seed so it is stable. */
export function swarmId(seed: string): string {
  const bytes = sha256Bytes(`swarm\u0000${seed}`);
  let out = '';
  for (let i = 0; out.length < 25; i++) out += (bytes[i % bytes.length]! % 36).toString(36);
  return out;
}

export function subnetText(cidr: string): string {
  const n = parseCidr(cidr);
  return n ? formatNet(n) : cidr;
}
