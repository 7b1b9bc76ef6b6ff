// Deterministic stand-ins for what Docker draws at random: ids, veth names, MACs. They are hashes of the
// creation facts, so one topology always produces the same names.
import { sha256Bytes, sha256Hex, toHex } from './sha256';
import { formatMac } from './ip';

/** Per-host creation counter; every object created on the host gets the next number. */
export class IdFactory {
  private counter = 0;

  constructor(private readonly host: string) {}

  /** A 64-hex id for an object of `kind` named `name` on this host. */
  next(kind: string, name: string): string {
    this.counter++;
    return sha256Hex(`${this.host}\u0000${kind}\u0000${name}\u0000${this.counter}`);
  }
}

/** Host-side veth: "veth" + 7 hex (libnetwork GenerateIfaceName). */
export function vethName(endpointId: string, attempt = 0): string {
  return 'veth' + sha256Hex(`veth\u0000${endpointId}\u0000${attempt}`).slice(0, 7);
}

/** 20.10: 02:42 followed by the four IPv4 bytes (netutils.GenerateMACFromIP). */
export function macFromIPv4Bytes(bytes: number[]): string {
  return formatMac([0x02, 0x42, ...bytes]);
}

/** 28+: a random locally administered unicast MAC (GenerateRandomMAC), here derived from a seed. */
export function pseudoRandomMac(seed: string): string {
  const b = Array.from(sha256Bytes(`mac\u0000${seed}`).slice(0, 6));
  b[0] = (b[0] & 0xfe) | 0x02;
  return formatMac(b);
}

/** Bridge devices get 02:42 + 4 random bytes (setup_device.go). */
export function bridgeMac(networkId: string): string {
  const b = Array.from(sha256Bytes(`bridge-mac\u0000${networkId}`).slice(0, 4));
  return formatMac([0x02, 0x42, ...b]);
}

/** The netns path of a sandbox (/var/run/docker/netns/<12 hex>). */
export function sandboxKey(sandboxId: string): string {
  return `/var/run/docker/netns/${sandboxId.slice(0, 12)}`;
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}

export { toHex };
