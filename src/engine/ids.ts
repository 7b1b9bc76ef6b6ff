// Deterministic stand-ins for what Docker draws at random: ids, veth names, MACs. They are hashes of the
// creation facts, so one topology always produces the same names.
import { sha256Bytes, toHex } from './sha256';
import { formatMac } from './ip';

/** Per-host creation counter; every object created on the host gets the next number. */
export class IdFactory {
  private counter = 0;
  /** The host name's hash lanes, computed once: every id of the host starts from them. */
  private readonly seed: Uint32Array;

  constructor(host: string) {
    this.seed = new Uint32Array(4);
    hashInto(this.seed, host, SEED);
  }

  /** How many ids the host has handed out. */
  get count(): number {
    return this.counter;
  }

  /** Back to an earlier count (re-playing one container in place gives it the very ids it had). */
  rewind(count: number): void {
    this.counter = count;
  }

  /** A 64-hex id for an object of `kind` named `name` on this host. */
  next(kind: string, name: string): string {
    this.counter++;
    const h = LANES;
    h.set(this.seed);
    mixString(h, kind);
    mixString(h, name);
    mixNumber(h, this.counter);
    return hex64(h);
  }
}

/** Host-side veth: "veth" + 7 hex (libnetwork GenerateIfaceName). */
export function vethName(endpointId: string, attempt = 0): string {
  // The endpoint id is already a hash: its tail is as random-looking as a fresh draw.
  if (attempt === 0 && endpointId.length === 64 && isLowerHex(endpointId, 57)) return 'veth' + endpointId.slice(57);
  const h = LANES;
  h.set(SEED);
  mixString(h, 'veth');
  mixString(h, endpointId);
  mixNumber(h, attempt);
  return 'veth' + hex64(h).slice(0, 7);
}

function isLowerHex(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** 20.10: 02:42 followed by the four IPv4 bytes (netutils.GenerateMACFromIP). */
export function macFromIPv4Bytes(bytes: number[]): string {
  MAC6[0] = 0x02; MAC6[1] = 0x42;
  MAC6[2] = bytes[0]!; MAC6[3] = bytes[1]!; MAC6[4] = bytes[2]!; MAC6[5] = bytes[3]!;
  return formatMac(MAC6);
}

/** The six bytes of a MAC being formatted (no array per endpoint). */
const MAC6 = new Uint8Array(6);

/** 28+: a random locally administered unicast MAC (GenerateRandomMAC), here derived from a seed. */
export function pseudoRandomMac(seed: string): string {
  const b = Array.from(sha256Bytes(`mac\u0000${seed}`).slice(0, 6));
  b[0] = (b[0] & 0xfe) | 0x02;
  return formatMac(b);
}

/** Bridge devices get 02:42 + 4 random bytes (setup_device.go). */
export function bridgeMac(networkId: string): string {
  const b = sha256Bytes(`bridge-mac\u0000${networkId}`);
  return macFromIPv4Bytes([b[0]!, b[1]!, b[2]!, b[3]!]);
}

/** The netns path of a sandbox (/var/run/docker/netns/<12 hex>). */
export function sandboxKey(sandboxId: string): string {
  return `/var/run/docker/netns/${sandboxId.slice(0, 12)}`;
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}

export { toHex };

// ---- the id hash: four 32-bit murmur3-style lanes (different constants), finalised and stretched to
// 64 hex. Ten thousand containers make ~40,000 ids; SHA-256 cost more than the rest of their creation.
// 128 bits of state keep collisions out of reach: the ids only have to be stable, unique and look like Docker's.

const SEED = Uint32Array.of(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a);
const LANES = new Uint32Array(4);

/** One murmur3 step (k = c·C1, rotl 15, ·C2; h ^= k, rotl 13, ·5 + N) on each lane, with its own constants. */
function mixString(h: Uint32Array, s: string): void {
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!;
  // Every UTF-16 unit, then a separator (0x10000 is no unit, so "a"+"bc" and "ab"+"c" differ).
  for (let i = 0; i <= s.length; i++) {
    const ch = i < s.length ? s.charCodeAt(i) : 0x10000;
    let k = Math.imul(ch, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    a ^= k; a = (Math.imul((a << 13) | (a >>> 19), 5) + 0xe6546b64) | 0;
    k = Math.imul(ch, 0x239b961b);
    k = Math.imul((k << 15) | (k >>> 17), 0xab0e9789);
    b ^= k; b = (Math.imul((b << 13) | (b >>> 19), 5) + 0x561ccd1b) | 0;
    k = Math.imul(ch, 0x38b34ae5);
    k = Math.imul((k << 15) | (k >>> 17), 0xa1e38b93);
    c ^= k; c = (Math.imul((c << 13) | (c >>> 19), 5) + 0x0bcaa747) | 0;
    k = Math.imul(ch, 0xa1e38b93);
    k = Math.imul((k << 15) | (k >>> 17), 0x4cf5ad43);
    d ^= k; d = (Math.imul((d << 13) | (d >>> 19), 5) + 0x32ac3b17) | 0;
  }
  h[0] = a; h[1] = b; h[2] = c; h[3] = d;
}

function mixNumber(h: Uint32Array, n: number): void {
  mixString(h, String(n));
}

function hashInto(out: Uint32Array, s: string, from: Uint32Array): void {
  out.set(from);
  mixString(out, s);
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

const WORDS = new Uint32Array(8);
const CODES = new Uint8Array(64);
const HEX_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const ASCII = new TextDecoder();

/** murmur3_128's finalisation (lanes added into each other, fmix), four more words from those, as 64 hex. */
function hex64(h: Uint32Array): string {
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!;
  a = (a + b + c + d) | 0; b = (b + a) | 0; c = (c + a) | 0; d = (d + a) | 0;
  a = fmix(a); b = fmix(b); c = fmix(c); d = fmix(d);
  a = (a + b + c + d) | 0; b = (b + a) | 0; c = (c + a) | 0; d = (d + a) | 0;
  const w = WORDS;
  w[0] = a; w[1] = b; w[2] = c; w[3] = d;
  for (let i = 0; i < 4; i++) w[4 + i] = fmix((w[i]! + rotl(w[(i + 1) & 3]!, 7) + Math.imul(0x9e3779b9, i + 1)) | 0);
  for (let i = 0; i < 8; i++) {
    const v = w[i]!;
    for (let k = 0; k < 8; k++) CODES[i * 8 + k] = HEX_CODES[(v >>> (28 - 4 * k)) & 15]!;
  }
  // One flat string (a chain of concatenations would be flattened again by the first Map look-up).
  return ASCII.decode(CODES);
}
