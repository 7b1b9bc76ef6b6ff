// IP addresses and prefixes as the engine uses them: parsed with Go's net.ParseIP / net.ParseCIDR rules
// (what dockerd accepts), held as bigint for arithmetic, printed the way Go prints them.
import ipaddr from 'ipaddr.js';

export type IpFamily = 4 | 6;

export interface IpAddr {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** A prefix. `ip` is the address as typed (Go's ParseCIDR returns it too); `base` is the masked network. */
export interface IpNet {
  readonly family: IpFamily;
  readonly ip: bigint;
  readonly base: bigint;
  readonly prefix: number;
}

export function familyBits(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

const FOUR_PART = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;

function bytesToBigInt(bytes: number[]): bigint {
  // IPv4 in one conversion: every bigint step allocates, and a topology parses tens of thousands of addresses.
  if (bytes.length === 4) return BigInt(((bytes[0]! << 24) >>> 0) + (bytes[1]! << 16) + (bytes[2]! << 8) + bytes[3]!);
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function bigIntToBytes(value: bigint, length: number): number[] {
  if (length === 4) {
    const v = Number(value);
    return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  }
  const out = new Array<number>(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/**
 * Go's net.ParseIP: dotted-quad IPv4 without leading zeros (Go >= 1.17), or IPv6 (no zone).
 * An IPv4-mapped IPv6 address counts as IPv4, as Go's To4() makes it.
 */
export function parseIp(text: string): IpAddr | null {
  if (text.includes(':')) {
    if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return null;
    // ipaddr.js is laxer than Go for an embedded IPv4 part; Go wants a proper dotted quad there.
    const dot = text.lastIndexOf(':');
    const tail = text.slice(dot + 1);
    if (tail.includes('.') && !FOUR_PART.test(tail)) return null;
    const v6 = ipaddr.IPv6.parse(text);
    if (v6.isIPv4MappedAddress()) return { family: 4, value: bytesToBigInt(v6.toIPv4Address().toByteArray()) };
    return { family: 6, value: bytesToBigInt(v6.toByteArray()) };
  }
  const v4 = parseFourPart(text);
  return v4 < 0 ? null : { family: 4, value: BigInt(v4) };
}

/**
 * A dotted quad as FOUR_PART reads it (four parts of 1-3 digits, no leading zero, each at most 255) to
 * its 32-bit value, or -1. By hand rather than by the regular expression: it runs for every address of a file.
 */
function parseFourPart(text: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3 || part > 255) return -1;
      value = value * 256 + part;
      dots++;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 3 || (digits === 1 && part === 0)) return -1;
      part = part * 10 + (c - 48);
      digits++;
    } else return -1;
  }
  if (digits === 0 || dots !== 3 || part > 255) return -1;
  return value * 256 + part;
}

/** Go's net.ParseCIDR: "addr/len", len decimal within the family's bits. */
export function parseCidr(text: string): IpNet | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const addrText = text.slice(0, slash);
  const lenText = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(lenText)) return null;
  // The family follows the syntax: a ':' address is IPv6 even when IPv4-mapped.
  const v6Syntax = addrText.includes(':');
  const addr = parseIp(addrText);
  if (!addr) return null;
  const family: IpFamily = v6Syntax ? 6 : 4;
  let value = addr.value;
  if (v6Syntax && addr.family === 4) value = value | 0xffff00000000n;
  const prefix = Number(lenText);
  if (prefix > familyBits(family)) return null;
  return { family, ip: value, base: maskValue(family, value, prefix), prefix };
}

export function maskValue(family: IpFamily, value: bigint, prefix: number): bigint {
  const bits = BigInt(familyBits(family));
  const hostBits = bits - BigInt(prefix);
  return (value >> hostBits) << hostBits;
}

export function netSize(net: IpNet): bigint {
  return 1n << BigInt(familyBits(net.family) - net.prefix);
}

export function netLast(net: IpNet): bigint {
  return net.base + netSize(net) - 1n;
}

export function netContains(net: IpNet, addr: IpAddr): boolean {
  return addr.family === net.family && addr.value >= net.base && addr.value <= netLast(net);
}

/** Libnetwork's overlap test: either prefix contains the other's network address. */
export function netsOverlap(a: IpNet, b: IpNet): boolean {
  return a.family === b.family && a.base <= netLast(b) && b.base <= netLast(a);
}

export function makeNet(family: IpFamily, base: bigint, prefix: number): IpNet {
  const masked = maskValue(family, base, prefix);
  return { family, ip: masked, base: masked, prefix };
}

export function formatIp(family: IpFamily, value: bigint): string {
  if (family === 4) {
    const v = Number(value);
    return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
  }
  return (ipaddr.fromByteArray(bigIntToBytes(value, 16)) as ipaddr.IPv6).toRFC5952String();
}

const addrText = new WeakMap<IpAddr, string>();
const netText = new WeakMap<IpNet, string>();

/**
 * The address as Go prints it. IPv6 text is cached per object, since gateways and subnets are printed
 * again and again; an IPv4 one is quicker to print than to look up in a WeakMap.
 */
export function formatAddr(addr: IpAddr): string {
  if (addr.family === 4) return formatIp(4, addr.value);
  let s = addrText.get(addr);
  if (s === undefined) {
    s = formatIp(addr.family, addr.value);
    addrText.set(addr, s);
  }
  return s;
}

/** Canonical "network/len", as Go's IPNet.String() prints a masked network. */
export function formatNet(net: IpNet): string {
  let s = netText.get(net);
  if (s === undefined) {
    s = `${formatIp(net.family, net.base)}/${net.prefix}`;
    netText.set(net, s);
  }
  return s;
}

export function addrBytes(addr: IpAddr): number[] {
  return bigIntToBytes(addr.value, addr.family === 4 ? 4 : 16);
}

export function addrFromBytes(bytes: number[]): IpAddr {
  return { family: bytes.length === 4 ? 4 : 6, value: bytesToBigInt(bytes) };
}

/** Compare two addresses for sorting (IPv4 before IPv6, then numerically). */
export function compareAddr(a: IpAddr, b: IpAddr): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** Go's net.ParseMAC for the 6-byte forms (xx:xx:.., xx-xx-.., xxxx.xxxx.xxxx); lower-case colon form or null. */
export function parseMac(text: string): string | null {
  let hex: string;
  if (/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(text) || /^([0-9a-fA-F]{2}-){5}[0-9a-fA-F]{2}$/.test(text)) {
    hex = text.replace(/[:-]/g, '');
  } else if (/^([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}$/.test(text)) {
    hex = text.replace(/\./g, '');
  } else {
    return null;
  }
  return hex.toLowerCase().match(/../g)!.join(':');
}

const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function formatMac(bytes: ArrayLike<number>): string {
  const n = bytes.length;
  if (n === 0 || n > MAC_MAX_BYTES) {
    let s = HEX2[bytes[0] & 0xff];
    for (let i = 1; i < n; i++) s += ':' + HEX2[bytes[i] & 0xff];
    return s;
  }
  // One flat string from the character codes: a chain of `+=` leaves a tree of ten string pieces per MAC,
  // kept with every endpoint and interface of a big file and copied at every scavenge.
  const codes = MAC_CODES;
  for (let i = 0; i < n; i++) {
    const b = bytes[i] & 0xff;
    const at = i * 3;
    if (i > 0) codes[at - 1] = 58; // ':'
    codes[at] = HEX_DIGIT_CODES[b >>> 4]!;
    codes[at + 1] = HEX_DIGIT_CODES[b & 15]!;
  }
  return MAC_ASCII.decode(codes.subarray(0, n * 3 - 1));
}

const MAC_MAX_BYTES = 20;
const MAC_CODES = new Uint8Array(MAC_MAX_BYTES * 3);
const HEX_DIGIT_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const MAC_ASCII = new TextDecoder();
