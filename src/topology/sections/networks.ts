// `networks:` — created in file order on their host; IPAM in the short form (subnet/gateway/… directly
// under the network) or Compose's `ipam: { driver, config: [...] }`.
import { parsePolicies } from './policies';
import { isSeq } from 'yaml';
import type { IpamPoolConfig } from '../../engine';
import { ipFamily } from '../addresses';
import type { Field, Item, ParseContext } from '../reader';
import { IPAM_KEYS, IPAM_POOL_KEYS, NETWORK_KEYS } from '../schema';
import type { NetworkSpec } from '../spec';
import { readCidr } from './values';

export function parseNetworks(ctx: ParseContext, section: Field | undefined, defaultHost: string): NetworkSpec[] {
  const out: NetworkSpec[] = [];
  for (const entry of (section && ctx.fields(section, 'networks')) ?? []) out.push(parseNetwork(ctx, entry, defaultHost));
  return out;
}

function parseNetwork(ctx: ParseContext, entry: Field, defaultHost: string): NetworkSpec {
  const net: NetworkSpec = {
    name: entry.key,
    driver: 'bridge',
    host: defaultHost,
    ipamConfig: [],
    internal: false,
    attachable: false,
    ingress: false,
    enableIpv6: false,
    driverOpts: {},
    labels: {},
    path: entry.path,
  };
  const what = `network "${entry.key}"`;
  const shortPool: IpamPoolConfig = {};
  let firstShortKey: Field | undefined;
  let composeConfig: IpamPoolConfig[] | undefined;
  for (const f of ctx.fields(entry, what, NETWORK_KEYS) ?? []) {
    switch (f.key) {
      case 'driver':
        net.driver = ctx.string(f, 'driver') ?? net.driver;
        break;
      case 'host':
        net.host = ctx.string(f, 'host') ?? net.host;
        break;
      case 'subnet':
      case 'gateway':
      case 'ip_range':
      case 'aux_addresses':
        firstShortKey ??= f;
        readPoolField(ctx, f, shortPool, entry.key);
        break;
      case 'ipam':
        composeConfig = parseIpam(ctx, f, net);
        break;
      case 'internal':
        net.internal = ctx.bool(f, 'internal') ?? false;
        break;
      case 'attachable':
        net.attachable = ctx.bool(f, 'attachable') ?? false;
        break;
      case 'ingress':
        net.ingress = ctx.bool(f, 'ingress') ?? false;
        break;
      case 'enable_ipv6':
        net.enableIpv6 = ctx.bool(f, 'enable_ipv6') ?? false;
        break;
      case 'driver_opts':
        net.driverOpts = ctx.stringMap(f, 'driver_opts').values;
        break;
      case 'labels':
        net.labels = readLabels(ctx, f);
        break;
      case 'policies':
        net.policies = parsePolicies(ctx, f, entry.key);
        break;
    }
  }
  if (firstShortKey && composeConfig && composeConfig.length > 0) {
    ctx.error(firstShortKey.keyNode, `Network "${entry.key}" sets both ${firstShortKey.key} and ipam.config: use one form (the short keys are ipam.config[0]).`, 'ipam-form', firstShortKey.path);
  }
  if (composeConfig && composeConfig.length > 0) {
    net.ipamConfig = composeConfig;
    net.ipamForm = 'compose';
  } else if (firstShortKey) {
    net.ipamConfig = [shortPool];
    net.ipamForm = 'short';
  }
  return net;
}

function parseIpam(ctx: ParseContext, section: Field, net: NetworkSpec): IpamPoolConfig[] | undefined {
  let config: IpamPoolConfig[] | undefined;
  for (const f of ctx.fields(section, 'ipam', IPAM_KEYS) ?? []) {
    if (f.key === 'driver') {
      const d = ctx.string(f, 'ipam.driver');
      if (d !== undefined) net.ipamDriver = d;
    } else if (f.key === 'options') {
      net.ipamOptions = ctx.stringMap(f, 'ipam.options').values;
    } else {
      config = [];
      // One entry per list item, also for unreadable ones, so the engine's index points at the right item.
      for (const item of ctx.items(f, 'ipam.config') ?? []) config.push(parsePool(ctx, item, net.name));
    }
  }
  return config;
}

function parsePool(ctx: ParseContext, item: Item, network: string): IpamPoolConfig {
  const pool: IpamPoolConfig = {};
  for (const f of ctx.fields(item, 'an ipam.config entry', IPAM_POOL_KEYS) ?? []) readPoolField(ctx, f, pool, network);
  return pool;
}

function readPoolField(ctx: ParseContext, f: Field, pool: IpamPoolConfig, network: string): void {
  switch (f.key) {
    case 'subnet': {
      const v = readCidr(ctx, f, 'subnet');
      if (v !== undefined) pool.subnet = v;
      break;
    }
    case 'gateway': {
      const v = ctx.string(f, 'gateway');
      if (v !== undefined) {
        // libnetwork's wording for an unparsable gateway.
        if (!readableIp(v)) ctx.error(f, `invalid gateway address ${v} in Ipam configuration`, 'address');
        pool.gateway = v;
      }
      break;
    }
    case 'ip_range': {
      const v = readCidr(ctx, f, 'ip_range');
      if (v !== undefined) pool.ipRange = v;
      break;
    }
    case 'aux_addresses': {
      const aux: Record<string, string> = {};
      for (const a of ctx.fields(f, 'aux_addresses') ?? []) {
        const v = ctx.string(a, `aux address "${a.key}"`);
        if (v === undefined) continue;
        if (!readableIp(v)) ctx.error(a, `non parsable secondary ip address (${a.key}:${v}) passed for network ${network}`, 'address');
        aux[a.key] = v;
      }
      pool.auxAddresses = aux;
      break;
    }
  }
}

function readableIp(v: string): boolean {
  return ipFamily(v) !== undefined;
}

/** Compose allows labels as a map or as a list of "key=value". */
export function readLabels(ctx: ParseContext, f: Field): Record<string, string> {
  if (!isSeq(f.value)) return ctx.stringMap(f, 'labels').values;
  const labels: Record<string, string> = {};
  for (const { value } of ctx.stringList(f, 'labels')) {
    const eq = value.indexOf('=');
    labels[eq < 0 ? value : value.slice(0, eq)] = eq < 0 ? '' : value.slice(eq + 1);
  }
  return labels;
}
