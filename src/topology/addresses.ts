// Syntax checks for addresses as Docker (Go's net package) accepts them, on top of ipaddr.js.
// ipaddr.js is more lenient than Go (it takes "10.1", octal parts and IPv6 zone ids), so those are refused here.
import ipaddr from 'ipaddr.js';

export type IpFamily = 'ipv4' | 'ipv6';

export function isIPv4Address(s: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(s);
}

export function isIPv6Address(s: string): boolean {
  return !s.includes('%') && s.includes(':') && ipaddr.IPv6.isValid(s);
}

export function ipFamily(s: string): IpFamily | undefined {
  if (isIPv4Address(s)) return 'ipv4';
  if (isIPv6Address(s)) return 'ipv6';
  return undefined;
}

/** Family of a CIDR such as 10.10.0.0/16 or 2001:db8::/64 (host bits allowed), or undefined if malformed. */
export function cidrFamily(s: string): IpFamily | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  const family = ipFamily(addr);
  if (family === 'ipv4' && prefix <= 32) return family;
  if (family === 'ipv6' && prefix <= 128) return family;
  return undefined;
}

/** The CIDR with its host bits cleared ("172.28.1.0/16" → "172.28.0.0/16"); assumes a valid CIDR. */
export function canonicalCIDR(s: string): string {
  const [addr, prefix] = ipaddr.parseCIDR(s);
  const network = addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(s) : ipaddr.IPv6.networkAddressFromCIDR(s);
  return `${network.toString()}/${prefix}`;
}

/** True when a valid CIDR has host bits set (Docker 20.10 masks them, 25.0+ rejects the subnet). */
export function hasHostBits(s: string): boolean {
  const [addr] = ipaddr.parseCIDR(s);
  const network = addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(s) : ipaddr.IPv6.networkAddressFromCIDR(s);
  return network.toString() !== addr.toString();
}

/** A MAC address as Go's net.ParseMAC takes it for Docker (six groups of two hex digits, `:` or `-`). */
export function isMacAddress(s: string): boolean {
  return /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(s);
}
