// Picking addresses for the user: the next free address of a network (completion of ipv4_address,
// gateway) and a free subnet (completion of subnet, the "pick a free subnet" quick fix). Subnets are
// parsed by the engine; ipaddr.js parses addresses and formats; BigInt does the arithmetic.
import ipaddr from 'ipaddr.js';

import { parseCidr, type IpNet } from '../engine';

// One CIDR parser for every layer: the engine's (Go's net.ParseCIDR rules, what dockerd accepts).
export { parseCidr };

/** A subnet as the planner computes with it: the engine's IpNet without the address as typed. */
export type Cidr = Pick<IpNet, 'family' | 'base' | 'prefix'>;

export function parseAddress(text: string): { family: 4 | 6; value: bigint } | undefined {
  const t = text.trim();
  if (!ipaddr.isValid(t)) return undefined;
  if (ipaddr.IPv4.isValid(t) && !ipaddr.IPv4.isValidFourPartDecimal(t)) return undefined; // "10" is not an address here
  const addr = ipaddr.parse(t);
  return { family: addr.kind() === 'ipv4' ? 4 : 6, value: toBig(addr.toByteArray()) };
}

function toBig(bytes: number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function formatAddress(value: bigint, family: 4 | 6): string {
  const count = family === 4 ? 4 : 16;
  const bytes: number[] = [];
  let v = value;
  for (let i = 0; i < count; i++) {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.base, c.family)}/${c.prefix}`;
}

export function size(c: Cidr): bigint {
  return 1n << BigInt((c.family === 4 ? 32 : 128) - c.prefix);
}

export function cidrContains(c: Cidr, address: { family: 4 | 6; value: bigint }): boolean {
  return c.family === address.family && address.value >= c.base && address.value < c.base + size(c);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** Addresses of a subnet containers can get: all but the network address and (IPv4) the broadcast address. */
export function usableCount(c: Cidr): bigint {
  const n = size(c);
  if (c.family === 6) return n - 1n;
  return n > 2n ? n - 2n : n;
}

/** The lowest address of `subnet` not in `used` (IPv4: never the network or broadcast address). */
export function nextFreeAddress(subnet: Cidr, used: Iterable<string>, within?: Cidr | null): string | undefined {
  const taken = new Set<bigint>();
  for (const u of used) {
    const a = parseAddress(u.split('/')[0]!);
    if (a && a.family === subnet.family) taken.add(a.value);
  }
  const range = within && overlaps(within, subnet) ? within : subnet;
  const first = range.base;
  const last = range.base + size(range) - 1n;
  const subnetLast = subnet.base + size(subnet) - 1n;
  // Bounded: a /8 must not make completion scan 16 million addresses.
  for (let v = first, steps = 0; v <= last && steps < 1_000_000; v++, steps++) {
    if (v === subnet.base) continue;
    if (subnet.family === 4 && v === subnetLast && size(subnet) > 2n) continue;
    if (!taken.has(v)) return formatAddress(v, subnet.family);
  }
  return undefined;
}

/** Docker's local predefined pools (20.10): 172.17–31/16, then 192.168.0.0/16 in /20s. */
function localPools(): Cidr[] {
  const out: Cidr[] = [];
  for (let b = 17; b <= 31; b++) out.push(parseCidr(`172.${b}.0.0/16`)!);
  for (let c = 0; c < 256; c += 16) out.push(parseCidr(`192.168.${c}.0/20`)!);
  return out;
}

/**
 * A subnet that overlaps none of `taken`. It keeps the prefix length of `like` and first tries the
 * blocks right after it (10.10.0.0/16 → 10.11.0.0/16), then Docker's predefined pools of the scope.
 */
export function freeSubnet(taken: readonly Cidr[], opts: { like?: Cidr; scope?: 'local' | 'global' } = {}): string | undefined {
  const free = (c: Cidr) => !taken.some((t) => overlaps(t, c));
  const like = opts.like;
  if (like && like.family === 4) {
    const step = size(like);
    // Stay inside the private block the user picked (10/8, 172.16/12, 192.168/16) when possible.
    const block = [parseCidr('10.0.0.0/8')!, parseCidr('172.16.0.0/12')!, parseCidr('192.168.0.0/16')!].find(
      (b) => b.prefix <= like.prefix && cidrContains(b, { family: 4, value: like.base }),
    );
    const lo = block ? block.base : 0n;
    const hi = block ? block.base + size(block) : 1n << 32n;
    for (let base = like.base + step, n = 0; base + step <= hi && n < 65536; base += step, n++) {
      const c: Cidr = { family: 4, base, prefix: like.prefix };
      if (free(c)) return formatCidr(c);
    }
    for (let base = lo, n = 0; base < like.base && n < 65536; base += step, n++) {
      const c: Cidr = { family: 4, base, prefix: like.prefix };
      if (free(c)) return formatCidr(c);
    }
  }
  if (opts.scope === 'global') {
    for (let i = 0; i < 65536; i++) {
      const c: Cidr = { family: 4, base: (10n << 24n) + (BigInt(i) << 8n), prefix: 24 };
      if (free(c)) return formatCidr(c);
    }
    return undefined;
  }
  return localPools().map(formatCidrIfFree(free)).find((s) => s !== undefined);
}

function formatCidrIfFree(free: (c: Cidr) => boolean): (c: Cidr) => string | undefined {
  return (c) => (free(c) ? formatCidr(c) : undefined);
}
