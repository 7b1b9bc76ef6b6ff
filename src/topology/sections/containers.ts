// `containers:` — started in file order; the first network is the one a container is created on, the
// rest are connected in order (that order decides addresses and interface names, as in Docker).
import { isMap, isScalar, isSeq } from 'yaml';
import type { Field, ParseContext } from '../reader';
import { describe } from '../reader';
import { CONTAINER_KEYS, ENDPOINT_KEYS, PIPEWORK_KEYS } from '../schema';
import type { ContainerNetworkSpec, ContainerSpec, PipeworkSpec } from '../spec';
import { readLabels } from './networks';
import { readExpose, readListen, readPorts } from './ports';
import { readIPv4, readIPv6, readMac } from './values';

export function parseContainers(ctx: ParseContext, section: Field | undefined, defaultHost: string): ContainerSpec[] {
  const out: ContainerSpec[] = [];
  for (const entry of (section && ctx.fields(section, 'containers')) ?? []) out.push(parseContainer(ctx, entry, defaultHost));
  return out;
}

function parseContainer(ctx: ParseContext, entry: Field, defaultHost: string): ContainerSpec {
  const c: ContainerSpec = { name: entry.key, host: defaultHost, image: '', networks: [], ports: [], expose: [], path: entry.path };
  let networksField: Field | undefined;
  let modeField: Field | undefined;
  for (const f of ctx.fields(entry, `container "${entry.key}"`, CONTAINER_KEYS) ?? []) {
    switch (f.key) {
      case 'host':
        c.host = ctx.string(f, 'host') ?? c.host;
        break;
      case 'image':
        c.image = ctx.string(f, 'image') ?? '';
        break;
      case 'hostname': {
        const h = ctx.string(f, 'hostname');
        if (h !== undefined) c.hostname = h;
        break;
      }
      case 'network_mode': {
        const m = ctx.string(f, 'network_mode');
        if (m !== undefined) {
          modeField = f;
          c.networkMode = m;
          if (m === 'container:' || m === '') ctx.error(f, `Invalid network mode: invalid container format container:<name|id>`, 'value');
        }
        break;
      }
      case 'networks':
        networksField = f;
        c.networks = parseEndpoints(ctx, f);
        break;
      case 'ports':
        c.ports = readPorts(ctx, f);
        break;
      case 'publish_all': {
        const all = ctx.bool(f, 'publish_all');
        if (all) c.publishAll = true;
        break;
      }
      case 'expose':
        c.expose = readExpose(ctx, f);
        break;
      case 'listen':
        c.listen = readListen(ctx, f);
        break;
      case 'labels':
        c.labels = readLabels(ctx, f);
        break;
      case 'pipework':
        c.pipework = parsePipework(ctx, f);
        break;
    }
  }
  if (modeField && networksField) {
    ctx.errorOnKey(
      networksField,
      `Container "${entry.key}" sets both network_mode and networks: use network_mode alone (host, none, container:<name>) or networks alone.`,
      'network-mode-conflict',
    );
  }
  return c;
}

/** `networks:` as a list of names or a map name -> { ipv4_address, ipv6_address, aliases, mac_address }. */
function parseEndpoints(ctx: ParseContext, f: Field): ContainerNetworkSpec[] {
  const out: ContainerNetworkSpec[] = [];
  if (isSeq(f.value)) {
    for (const item of ctx.items(f, 'networks') ?? []) {
      const name = ctx.string(item, 'each entry of networks');
      if (name === undefined) continue;
      // A container has a few networks: a scan of those kept so far, not a Set per container.
      if (out.some((ep) => ep.network === name)) {
        ctx.error(item, `network "${name}" is specified multiple times`, 'duplicate-network');
        continue;
      }
      out.push({ network: name, path: item.path });
    }
    return out.slice(); // exact size: kept in the spec for the life of the document
  }
  const empty = f.value === null || (isScalar(f.value) && f.value.value === null);
  if (!empty && !isMap(f.value)) {
    ctx.error(f, `networks must be a list of network names or a map of network name to options, not ${describe(f.value)}.`, 'type');
    return out;
  }
  for (const n of ctx.fields(f, 'networks') ?? []) {
    const ep: ContainerNetworkSpec = { network: n.key, path: n.path };
    for (const o of ctx.fields(n, `the options of network "${n.key}"`, ENDPOINT_KEYS) ?? []) {
      switch (o.key) {
        case 'ipv4_address':
          ep.ipv4Address = readIPv4(ctx, o, 'ipv4_address');
          break;
        case 'ipv6_address':
          ep.ipv6Address = readIPv6(ctx, o, 'ipv6_address');
          break;
        case 'aliases':
          ep.aliases = ctx.stringList(o, 'aliases').map((a) => a.value);
          break;
        case 'mac_address':
          ep.macAddress = readMac(ctx, o, 'mac_address');
          break;
      }
    }
    for (const k of ['ipv4Address', 'ipv6Address', 'macAddress'] as const) if (ep[k] === undefined) delete ep[k];
    out.push(ep);
  }
  return out.slice();
}

/** `pipework:` a list of { bridge | macvlan, ip, gateway?, iface?, host_iface?, mac?, vlan? }. */
function parsePipework(ctx: ParseContext, f: Field): PipeworkSpec[] {
  const out: PipeworkSpec[] = [];
  for (const item of ctx.items(f, 'pipework') ?? []) {
    const fields = ctx.fields(item, 'each entry of pipework', PIPEWORK_KEYS);
    if (!fields) continue;
    const a: { -readonly [K in keyof PipeworkSpec]: PipeworkSpec[K] } = { ip: '', path: item.path };
    for (const o of fields) {
      switch (o.key) {
        case 'bridge': { const v = ctx.string(o, 'bridge'); if (v !== undefined) a.bridge = v; break; }
        case 'macvlan': { const v = ctx.string(o, 'macvlan'); if (v !== undefined) a.macvlan = v; break; }
        case 'ip': a.ip = ctx.string(o, 'ip') ?? ''; break;
        case 'gateway': { const v = readIPv4(ctx, o, 'gateway'); if (v !== undefined) a.gateway = v; break; }
        case 'iface': { const v = ctx.string(o, 'iface'); if (v !== undefined) a.iface = v; break; }
        case 'host_iface': { const v = ctx.string(o, 'host_iface'); if (v !== undefined) a.hostIface = v; break; }
        case 'mac': { const v = readMac(ctx, o, 'mac'); if (v !== undefined) a.mac = v; break; }
        case 'vlan': { const v = ctx.int(o, 'vlan', 1, 4094); if (v !== undefined) a.vlan = v; break; }
      }
    }
    if (!fields.some((o) => o.key === 'ip')) ctx.error(item, 'A pipework attachment needs `ip`: an address with its prefix (192.168.1.10/24) or dhcp.', 'pipework');
    if (!fields.some((o) => o.key === 'bridge' || o.key === 'macvlan')) ctx.error(item, 'A pipework attachment needs its host interface: `bridge: br1` (a veth to a host bridge) or `macvlan: eth1` (a macvlan child).', 'pipework');
    out.push(a);
  }
  return out;
}
