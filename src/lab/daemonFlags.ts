// A topology file's daemon settings as the dockerd flags that make a real daemon so (beyond the lab's own
// `--dns 127.0.0.1`): what a lab host of the file is started with.
import type { DaemonConfig } from '../engine';

/** hosts.<h>.daemon → dockerd flags. */
export function daemonFlags(d: DaemonConfig): string[] {
  const f: string[] = [];
  if (d.bip !== undefined) f.push('--bip', d.bip);
  if (d.fixedCidr !== undefined) f.push('--fixed-cidr', d.fixedCidr);
  if (d.ipv6) f.push('--ipv6');
  if (d.fixedCidrV6 !== undefined) f.push('--fixed-cidr-v6', d.fixedCidrV6);
  if (d.icc === false) f.push('--icc=false');
  if (d.userlandProxy === false) f.push('--userland-proxy=false');
  if (d.ipMasq === false) f.push('--ip-masq=false');
  if (d.iptables === false) f.push('--iptables=false');
  if (d.ip !== undefined) f.push('--ip', d.ip);
  if (d.mtu !== undefined) f.push('--mtu', String(d.mtu));
  for (const p of d.defaultAddressPools ?? []) f.push('--default-address-pool', `base=${p.base},size=${p.size}`);
  return f;
}
