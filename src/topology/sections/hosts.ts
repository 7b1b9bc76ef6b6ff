// `hosts:` — the Docker hosts of the topology, their underlay interfaces, daemon options and swarm role.
import type { DaemonConfig } from '../../engine';
import type { Field, ParseContext } from '../reader';
import { ADDRESS_POOL_KEYS, DAEMON_KEYS, DEFAULT_HOST, HOST_KEYS } from '../schema';
import type { HostSpec } from '../spec';
import { readCidr, readIp } from './values';
import { readListen } from './ports';
import { ipFamily } from '../addresses';

export function parseHosts(ctx: ParseContext, section: Field | undefined): HostSpec[] {
  const hosts: HostSpec[] = [];
  for (const entry of (section && ctx.fields(section, 'hosts')) ?? []) hosts.push(parseHost(ctx, entry));
  // Without hosts (or with an empty `hosts:`) the topology runs on one host, as SPEC.md fixes.
  if (hosts.length === 0) hosts.push({ name: DEFAULT_HOST, interfaces: {}, daemon: {}, path: section?.path ?? [] });
  return hosts;
}

function parseHost(ctx: ParseContext, entry: Field): HostSpec {
  const host: HostSpec = { name: entry.key, interfaces: {}, daemon: {}, path: entry.path };
  for (const f of ctx.fields(entry, `host "${entry.key}"`, HOST_KEYS) ?? []) {
    switch (f.key) {
      case 'interfaces':
        for (const i of ctx.fields(f, 'interfaces') ?? []) {
          const cidr = readCidr(ctx, i, `the address of interface "${i.key}"`);
          if (cidr !== undefined) host.interfaces[i.key] = cidr;
        }
        break;
      case 'gateway': {
        // An unreadable address has its error here; the engine then sees no gateway (an unknown default route).
        const gw = readIp(ctx, f, 'gateway');
        if (gw !== undefined && ipFamily(gw)) host.gateway = gw;
        break;
      }
      case 'listen':
        host.listen = readListen(ctx, f);
        break;
      case 'daemon':
        host.daemon = parseDaemon(ctx, f);
        break;
      case 'swarm': {
        const role = ctx.oneOf(f, 'swarm', ['manager', 'worker'] as const);
        if (role) host.swarm = role;
        break;
      }
    }
  }
  return host;
}

function parseDaemon(ctx: ParseContext, section: Field): DaemonConfig {
  const d: DaemonConfig = {};
  for (const f of ctx.fields(section, 'daemon options', DAEMON_KEYS) ?? []) {
    switch (f.key) {
      case 'version': {
        const v = ctx.string(f, 'daemon.version');
        if (v !== undefined && !/^\d+\.\d+(\.\d+)?$/.test(v)) {
          ctx.error(f, `daemon.version "${v}" must be a Docker release such as "20.10" or "28.0".`, 'value');
        } else if (v !== undefined) d.version = v;
        break;
      }
      case 'bip':
        d.bip = readCidr(ctx, f, 'bip', 'ipv4');
        break;
      case 'fixed-cidr':
        d.fixedCidr = readCidr(ctx, f, 'fixed-cidr', 'ipv4');
        break;
      case 'fixed-cidr-v6':
        d.fixedCidrV6 = readCidr(ctx, f, 'fixed-cidr-v6', 'ipv6');
        break;
      case 'ipv6':
        d.ipv6 = ctx.bool(f, 'ipv6');
        break;
      case 'icc':
        d.icc = ctx.bool(f, 'icc');
        break;
      case 'userland-proxy':
        d.userlandProxy = ctx.bool(f, 'userland-proxy');
        break;
      case 'ip-masq':
        d.ipMasq = ctx.bool(f, 'ip-masq');
        break;
      case 'iptables':
        d.iptables = ctx.bool(f, 'iptables');
        break;
      case 'ip':
        d.ip = readIp(ctx, f, 'ip');
        break;
      case 'mtu':
        d.mtu = ctx.int(f, 'mtu', 68, 65535);
        break;
      case 'default-address-pools':
        d.defaultAddressPools = parseAddressPools(ctx, f);
        break;
    }
  }
  // Drop keys whose value was unreadable, so the engine sees only what the user really set.
  for (const k of Object.keys(d) as (keyof DaemonConfig)[]) if (d[k] === undefined) delete d[k];
  return d;
}

function parseAddressPools(ctx: ParseContext, f: Field): { base: string; size: number }[] {
  const pools: { base: string; size: number }[] = [];
  for (const item of ctx.items(f, 'default-address-pools') ?? []) {
    let base: string | undefined;
    let size: number | undefined;
    for (const p of ctx.fields(item, 'an address pool', ADDRESS_POOL_KEYS) ?? []) {
      if (p.key === 'base') base = readCidr(ctx, p, 'base', 'ipv4');
      else size = ctx.int(p, 'size', 1, 32);
    }
    if (base === undefined || size === undefined) {
      ctx.error(item, 'Each default address pool needs both base (a CIDR) and size (a prefix length), e.g. { base: 10.99.0.0/16, size: 24 }.', 'value');
      continue;
    }
    pools.push({ base, size });
  }
  return pools;
}
