// Typed reads of the address-like values that recur across sections, with Docker's wording where
// Docker has a message for the mistake.
import { cidrFamily, ipFamily, isIPv4Address, isIPv6Address, isMacAddress, type IpFamily } from '../addresses';
import type { Field, Item, ParseContext } from '../reader';
import { capitalize } from '../reader';

/** A CIDR (host bits allowed, as Docker allows them); the value is kept even when malformed so the engine sees what the user wrote. */
export function readCidr(ctx: ParseContext, target: Field | Item, what: string, family?: IpFamily): string | undefined {
  const v = ctx.string(target, what);
  if (v === undefined) return undefined;
  const f = cidrFamily(v);
  if (!f) {
    ctx.error(target, `${capitalize(what)} "${v}" is not a CIDR address (such as ${family === 'ipv6' ? '2001:db8::/64' : '10.10.0.0/16'}).`, 'address');
  } else if (family && f !== family) {
    ctx.error(target, `${capitalize(what)} "${v}" must be an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} CIDR.`, 'address');
  }
  return v;
}

/** An IP address of either family. */
export function readIp(ctx: ParseContext, target: Field | Item, what: string): string | undefined {
  const v = ctx.string(target, what);
  if (v !== undefined && !ipFamily(v)) ctx.error(target, `${capitalize(what)} "${v}" is not an IP address.`, 'address');
  return v;
}

/** ipv4_address: Docker's create-time check, `invalid IPv4 address: x`. */
export function readIPv4(ctx: ParseContext, target: Field | Item, what: string): string | undefined {
  const v = ctx.string(target, what);
  if (v !== undefined && !isIPv4Address(v)) ctx.error(target, `invalid IPv4 address: ${v}`, 'address');
  return v;
}

/** ipv6_address: Docker's create-time check, `invalid IPv6 address: x`. */
export function readIPv6(ctx: ParseContext, target: Field | Item, what: string): string | undefined {
  const v = ctx.string(target, what);
  if (v !== undefined && !isIPv6Address(v)) ctx.error(target, `invalid IPv6 address: ${v}`, 'address');
  return v;
}

/** mac_address: Go's net.ParseMAC message, as `docker run --mac-address` prints it. */
export function readMac(ctx: ParseContext, target: Field | Item, what: string): string | undefined {
  const v = ctx.string(target, what);
  if (v !== undefined && !isMacAddress(v)) ctx.error(target, `address ${v}: invalid MAC address`, 'address');
  return v;
}
