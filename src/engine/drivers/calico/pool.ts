// Calico's facts the driver is built on, each from the source file named beside it (projectcalico/calico
// and projectcalico/libnetwork-plugin), and an IP pool's settings (the IPPool resource's fields, given
// here as the network's driver_opts): the pool is cut into per-host blocks, and blocks are routed.
import { DockerError } from '../../errors';
import { formatNet, makeNet, parseCidr, type IpNet } from '../../ip';

/** node/pkg/lifecycle/startup/startup.go: DEFAULT_IPV4_POOL_CIDR, _BLOCK_SIZE, _NAME. */
export const DEFAULT_POOL_CIDR = '192.168.0.0/16';
export const DEFAULT_BLOCK_SIZE = 26;
export const DEFAULT_POOL_NAME = 'default-ipv4-ippool';
/** libnetwork-plugin driver/network_driver.go: DummyIPV4Nexthop, every workload's gateway. */
export const GATEWAY = '169.254.1.1';
/** libnetwork-plugin driver/package.go: IFPrefix (the container side is cali0); network_driver.go: "cali" + EndpointID[:11]. */
export const IF_PREFIX = 'cali';
export const hostIfname = (endpointId: string): string => IF_PREFIX + endpointId.slice(0, 11);
/** felix/dataplane/linux/dataplanedefs/dataplane_defs.go: IPIPIfaceName, VXLANIfaceNameV4, DefaultRouteProto. */
export const IPIP_DEVICE = 'tunl0';
export const VXLAN_DEVICE = 'vxlan.calico';
export const FELIX_ROUTE_PROTO = '80';
/** felix/config/config_params.go: VXLANPort, VXLANVNI. */
export const VXLAN = { port: 4789, vni: 4096 } as const;
/** cni-plugin/pkg/dataplane/linux/dataplane_linux.go: hostSideMAC (the MAC proxy ARP answers with). */
export const HOST_SIDE_MAC = 'ee:ee:ee:ee:ee:ee';
/** libnetwork-plugin driver/package.go: the IPAM driver's address spaces. */
export const ADDRESS_SPACES = { local: 'CalicoLocalAddressSpace', global: 'CalicoGlobalAddressSpace' } as const;

export type EncapMode = 'Always' | 'CrossSubnet' | 'Never';
const MODES: readonly EncapMode[] = ['Always', 'CrossSubnet', 'Never'];

/** An IP pool's settings (api/pkg/apis/projectcalico/v3/ippool.go: ipipMode, vxlanMode, blockSize). */
export interface PoolSettings {
  readonly ipipMode: EncapMode;
  readonly vxlanMode: EncapMode;
  readonly blockSize: number;
}

export const POOL_OPTION = { ipip: 'ipip_mode', vxlan: 'vxlan_mode', blockSize: 'block_size' } as const;

/** The pool's settings from the network's driver_opts; anything else is refused as the plug-in does. */
export function poolSettings(options: Record<string, string>): PoolSettings {
  for (const [k, v] of Object.entries(options)) {
    if ((Object.values(POOL_OPTION) as string[]).includes(k)) continue;
    // libnetwork-plugin driver/network_driver.go CreateNetwork: every other option is rejected.
    throw new DockerError(`Calico driver does not support the flag ${k} (${v}).`, 400, { field: 'driver_opts', key: k });
  }
  const mode = (key: string): EncapMode => {
    const v = options[key] ?? 'Never';
    const m = MODES.find((x) => x.toLowerCase() === v.toLowerCase());
    if (!m) throw new DockerError(`calico: ${key} must be Always, CrossSubnet or Never, not "${v}"`, 400, { field: 'driver_opts', key });
    return m;
  };
  const ipipMode = mode(POOL_OPTION.ipip);
  const vxlanMode = mode(POOL_OPTION.vxlan);
  if (ipipMode !== 'Never' && vxlanMode !== 'Never') {
    throw new DockerError('ipipMode and vxlanMode cannot both be enabled', 400, { field: 'driver_opts', key: POOL_OPTION.vxlan });
  }
  const text = options[POOL_OPTION.blockSize] ?? String(DEFAULT_BLOCK_SIZE);
  const blockSize = Number(text);
  if (!/^\d+$/.test(text) || blockSize < 20 || blockSize > 32) {
    throw new DockerError(`calico: the block size must be between 20 and 32 for IPv4, not ${text}`, 400, { field: 'driver_opts', key: POOL_OPTION.blockSize });
  }
  return { ipipMode, vxlanMode, blockSize };
}

export function poolNet(text: string): IpNet {
  const n = parseCidr(text === '' ? DEFAULT_POOL_CIDR : text);
  if (!n || n.family !== 4) throw new DockerError('Invalid CIDR', 400, { field: 'subnet' });
  return makeNet(4, n.base, n.prefix);
}

/** The block of the host at `index` (host order stands in for calico's first-come block affinity). */
export function blockFor(pool: IpNet, blockSize: number, index: number): IpNet {
  if (pool.prefix > blockSize) {
    throw new DockerError('IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size.', 400, { field: 'driver_opts', key: POOL_OPTION.blockSize });
  }
  const count = 1n << BigInt(blockSize - pool.prefix);
  if (BigInt(index) >= count) throw new DockerError(`calico: no free block of /${blockSize} left in ${formatNet(pool)} for host #${index + 1}`, 503, { field: 'subnet' });
  return makeNet(4, pool.base + (BigInt(index) << BigInt(32 - blockSize)), blockSize);
}

/** Whether a pool mode encapsulates between two hosts (CrossSubnet: only when they are not on one subnet). */
export function encapsulates(mode: EncapMode, sameSubnet: boolean): boolean {
  return mode === 'Always' || (mode === 'CrossSubnet' && !sameSubnet);
}
