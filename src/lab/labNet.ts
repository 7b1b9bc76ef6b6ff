// The network side of a lab: one namespace per lab host, and the LAN between them in a namespace of its
// own (a bridge "br0" and one veth pair per host). A bridge in the main namespace would not do: the main
// dockerd's FORWARD DROP sees bridged frames through br_netfilter and nothing passes. Nothing here has a
// default route, so nothing a lab sends can leave the lab.
import { run } from './exec';

/** The LAN's addresses: a private range no scenario uses, far from this machine's own 192.0.2.0/24. */
export const LAN_PREFIX = '192.168.213';
export const LAN_PREFIX_LEN = 24;
export const LAN_BRIDGE = 'br0';

/** Host i (0-based) of a lab: 192.168.213.11, .12, ... */
export const lanAddress = (index: number) => `${LAN_PREFIX}.${11 + index}`;

async function ip(args: string[]): Promise<void> {
  const r = await run('ip', args, { timeoutMs: 15_000 });
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
}

/**
 * A fresh network namespace with its loopback up, and IPv4 forwarding off as on a freshly booted host: a
 * new namespace copies the main one's setting, which the main dockerd turned on, and dockerd sets the
 * FORWARD policy to DROP only when it has to turn forwarding on itself (what the engine models).
 */
export async function createNamespace(name: string): Promise<void> {
  await ip(['netns', 'add', name]);
  await ip(['-n', name, 'link', 'set', 'lo', 'up']);
  const r = await run('nsenter', [`--net=/run/netns/${name}`, '--', 'sysctl', '-qw', 'net.ipv4.ip_forward=0'], { timeoutMs: 15_000 });
  if (r.code !== 0) throw new Error(`sysctl net.ipv4.ip_forward=0 in ${name} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
}

export interface LanPort {
  /** The lab host's namespace. */
  netns: string;
  address: string;
}

/**
 * The LAN: in namespace `lanNs`, bridge br0 with port pN for the N-th host, whose peer is `iface` in the
 * host's namespace, up, with the host's address.
 */
export async function createLan(lanNs: string, ports: LanPort[], iface: string): Promise<void> {
  await createNamespace(lanNs);
  await ip(['-n', lanNs, 'link', 'add', LAN_BRIDGE, 'type', 'bridge']);
  await ip(['-n', lanNs, 'link', 'set', LAN_BRIDGE, 'up']);
  for (const [i, p] of ports.entries()) {
    await ip(['-n', lanNs, 'link', 'add', `p${i + 1}`, 'type', 'veth', 'peer', 'name', iface, 'netns', p.netns]);
    await ip(['-n', lanNs, 'link', 'set', `p${i + 1}`, 'master', LAN_BRIDGE, 'up']);
    await ip(['-n', p.netns, 'addr', 'add', `${p.address}/${LAN_PREFIX_LEN}`, 'dev', iface]);
    await ip(['-n', p.netns, 'link', 'set', iface, 'up']);
  }
}
