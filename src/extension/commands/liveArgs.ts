// What the live-host actions ask for, checked before anything is sent: a network's name, driver and
// every IPAM option, a static address and aliases for connect, a container's name. No `vscode` here
// (unit-tested); Docker still has the last word, and its refusal is shown as it says it.
import ipaddr from 'ipaddr.js';
import { formatNet, netContains, parseCidr, parseIp as parseEngineIp, type EndpointConfig, type IpamPoolConfig, type NetworkCreateRequest } from '../../engine';
import type { IpamPoolInfo, NetworkInfo } from '../../docker';

/** What the create-network steps collect, as typed (strings), before it becomes a request. */
export interface NetworkForm {
  name: string;
  driver?: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  /** `name=address`, separated by commas or spaces. */
  auxAddresses?: string;
  enableIpv6?: boolean;
  subnet6?: string;
  gateway6?: string;
  internal?: boolean;
  attachable?: boolean;
  /** Driver options, `key=value`, separated by commas or spaces. */
  options?: string;
  labels?: Record<string, string>;
}

export const PREDEFINED_NETWORK_NAMES = ['bridge', 'host', 'none'];

/** Items separated by commas and/or white space. */
export function splitList(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

/** Why `name` cannot be a new network on a host that has `existing`, or undefined. */
export function checkNewNetworkName(name: string, existing: readonly string[]): string | undefined {
  const n = name.trim();
  if (n === '') return 'a name, e.g. backend';
  if (PREDEFINED_NETWORK_NAMES.includes(n)) return `${n} is a pre-defined network`;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(n)) return 'use letters, digits, dots, dashes and underscores (starting with a letter or digit)';
  if (existing.includes(n)) return `network with name ${n} already exists`;
  return undefined;
}

function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  return ipaddr.isValid(text) ? ipaddr.parse(text) : undefined;
}

/** Why `text` is not a subnet of `family` in canonical form (network address, as Docker wants it), or undefined. */
export function checkSubnetText(text: string, family: 4 | 6): string | undefined {
  const t = text.trim();
  const cidr = parseCidr(t);
  if (!cidr) return `invalid CIDR address: ${t} (e.g. ${family === 4 ? '10.30.0.0/24' : 'fd00:30::/64'})`;
  if (cidr.family !== family) return `${t} is not an IPv${family} subnet`;
  if (cidr.base !== cidr.ip) return `${t} is not a network address: did you mean ${formatNet(cidr)}?`;
  return undefined;
}

/** Why `address` is not an address inside `subnet` (which is valid), or undefined. */
export function checkAddressIn(address: string, subnet: string, what: string): string | undefined {
  const ip = parseIp(address.trim());
  if (!ip) return `invalid ${what} address: ${address.trim()}`;
  const cidr = parseCidr(subnet)!;
  const a = parseEngineIp(address.trim());
  if (!a || !netContains(cidr, a)) return `${what} ${address.trim()} is not in ${subnet}`;
  return undefined;
}

/** Why `range` is not a range inside `subnet`, or undefined. */
export function checkRangeIn(range: string, subnet: string): string | undefined {
  const bad = checkSubnetText(range, subnet.includes(':') ? 6 : 4);
  if (bad) return `ip range: ${bad}`;
  const r = parseCidr(range.trim())!;
  const s = parseCidr(subnet)!;
  if (r.prefix < s.prefix || !netContains(s, { family: r.family, value: r.base })) return `ip range ${range.trim()} is not inside ${subnet}`;
  return undefined;
}

/** `name=address` pairs; the first problem, or the map. */
export function parseAuxAddresses(text: string | undefined, subnet: string): Record<string, string> | { error: string } {
  const out: Record<string, string> = {};
  for (const item of splitList(text)) {
    const eq = item.indexOf('=');
    if (eq <= 0) return { error: `"${item}": write aux addresses as name=address` };
    const name = item.slice(0, eq);
    const bad = checkAddressIn(item.slice(eq + 1), subnet, `aux address ${name}:`);
    if (bad) return { error: bad };
    if (name in out) return { error: `aux address ${name} is given twice` };
    out[name] = item.slice(eq + 1);
  }
  return out;
}

/** `key=value` driver options. */
export function parseOptions(text: string | undefined): Record<string, string> | { error: string } {
  const out: Record<string, string> = {};
  for (const item of splitList(text)) {
    const eq = item.indexOf('=');
    if (eq <= 0) return { error: `"${item}": write options as key=value, e.g. com.docker.network.bridge.enable_icc=false` };
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/**
 * The whole form checked together and turned into Docker's request (what each step checked as the
 * user typed, plus what only makes sense together: a gateway or range needs a subnet, IPv6 its own).
 */
export function networkRequestOf(form: NetworkForm, existing: readonly string[]): NetworkCreateRequest | { error: string } {
  const nameError = checkNewNetworkName(form.name, existing);
  if (nameError) return { error: nameError };
  const subnet = form.subnet?.trim() || undefined;
  const gateway = form.gateway?.trim() || undefined;
  const ipRange = form.ipRange?.trim() || undefined;
  const aux = splitList(form.auxAddresses);
  const config: IpamPoolConfig[] = [];
  if (subnet) {
    const bad = checkSubnetText(subnet, 4);
    if (bad) return { error: bad };
    if (gateway) {
      const g = checkAddressIn(gateway, subnet, 'gateway');
      if (g) return { error: g };
    }
    if (ipRange) {
      const r = checkRangeIn(ipRange, subnet);
      if (r) return { error: r };
    }
    const auxAddresses = parseAuxAddresses(form.auxAddresses, subnet);
    if ('error' in auxAddresses) return { error: String(auxAddresses.error) };
    config.push({ subnet, ...(gateway ? { gateway } : {}), ...(ipRange ? { ipRange } : {}), ...(Object.keys(auxAddresses).length ? { auxAddresses } : {}) });
  } else if (gateway || ipRange || aux.length) {
    return { error: 'a gateway, an ip range or aux addresses need a subnet' };
  }
  const subnet6 = form.subnet6?.trim() || undefined;
  const gateway6 = form.gateway6?.trim() || undefined;
  if (subnet6 || gateway6) {
    if (!form.enableIpv6) return { error: 'an IPv6 subnet needs IPv6 enabled' };
    if (!subnet6) return { error: 'an IPv6 gateway needs an IPv6 subnet' };
    const bad = checkSubnetText(subnet6, 6);
    if (bad) return { error: bad };
    if (gateway6) {
      const g = checkAddressIn(gateway6, subnet6, 'IPv6 gateway');
      if (g) return { error: g };
    }
    config.push({ subnet: subnet6, ...(gateway6 ? { gateway: gateway6 } : {}) });
  }
  const options = parseOptions(form.options);
  if ('error' in options) return { error: String(options.error) };
  const driver = form.driver?.trim() || 'bridge';
  return {
    name: form.name.trim(),
    driver,
    ...(config.length ? { ipam: { config } } : {}),
    ...(form.internal ? { internal: true } : {}),
    ...(form.attachable ? { attachable: true } : {}),
    ...(form.enableIpv6 ? { enableIpv6: true } : {}),
    ...(Object.keys(options).length ? { options } : {}),
    ...(form.labels ? { labels: form.labels } : {}),
  };
}

/** The pools a static address may come from: only the ones the user configured (Docker's rule). */
function userPools(net: Pick<NetworkInfo, 'ipamConfig'>): IpamPoolInfo[] {
  return net.ipamConfig.filter((p) => p.subnet);
}

/**
 * Why `address` cannot be a static address on `net`, or undefined (empty: Docker picks). Docker's
 * rule: only on user-defined networks with a configured subnet that contains it.
 */
export function checkStaticAddress(address: string, net: Pick<NetworkInfo, 'name' | 'ipamConfig'>, predefined: boolean): string | undefined {
  const t = address.trim();
  if (t === '') return undefined;
  const ip = parseIp(t);
  if (!ip) return `invalid IP address: ${t}`;
  if (predefined) return 'user specified IP address is supported on user defined networks only';
  const pools = userPools(net).filter((p) => p.subnet.includes(':') === (ip.kind() === 'ipv6'));
  if (!pools.length) return `${net.name} has no configured IPv${ip.kind() === 'ipv6' ? 6 : 4} subnet: a static address needs one`;
  const pool = pools.find((p) => !checkAddressIn(t, p.subnet, 'address'));
  if (!pool) return `no configured subnet of ${net.name} contains ${t} (${pools.map((p) => p.subnet).join(', ')})`;
  if (pool.gateway === t) return `${t} is the gateway of ${net.name}`;
  return undefined;
}

export function checkAliasList(text: string): string | undefined {
  const bad = splitList(text).find((a) => !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(a));
  return bad === undefined ? undefined : `"${bad}" is not a valid alias: use letters, digits, dots, dashes and underscores`;
}

/** The endpoint settings of a connect, checked. */
export function endpointConfigOf(address: string, aliases: string, net: Pick<NetworkInfo, 'name' | 'ipamConfig'>, predefined: boolean): EndpointConfig | { error: string } {
  const bad = checkStaticAddress(address, net, predefined) ?? checkAliasList(aliases);
  if (bad) return { error: bad };
  const cfg: EndpointConfig = {};
  const t = address.trim();
  if (t) {
    if (t.includes(':')) cfg.ipv6Address = t;
    else cfg.ipv4Address = t;
  }
  const list = splitList(aliases);
  if (list.length) cfg.aliases = list;
  return cfg;
}

/** Docker's rule for container names. */
export function checkContainerName(name: string, existing: readonly string[]): string | undefined {
  const n = name.trim();
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(n)) return `Invalid container name (${n}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`;
  if (existing.includes(n)) return `Conflict. The container name "/${n}" is already in use`;
  return undefined;
}

/** A command line split into argv, honouring simple quotes (never run through a shell). */
export function splitCommand(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}
