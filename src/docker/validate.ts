// Docker's answers are untrusted input: every field used is checked here, and a malformed answer
// becomes one MalformedAnswerError naming the field (e.g. `network "x": IPAM.Config[0].Subnet is not
// a CIDR`), never a crash deeper in the snapshot.
import ipaddr from 'ipaddr.js';
import {
  MalformedAnswerError,
  type ContainerInfo,
  type DaemonInfo,
  type DockerEvent,
  type DockerEventKind,
  type EndpointInfo,
  type IpamPoolInfo,
  type NetworkInfo,
  type NetworkMemberInfo,
  type PortBindingSpec,
  type PortProtocol,
  type PublishedPort,
} from './types';

type Obj = Record<string, unknown>;

/** Reads fields of one JSON object, naming the path in every error. */
export class Reader {
  constructor(
    private readonly o: Obj,
    private readonly where: string,
  ) {}

  static of(value: unknown, where: string): Reader {
    if (!isObj(value)) throw new MalformedAnswerError(`${where}: expected an object, got ${describe(value)}`);
    return new Reader(value, where);
  }

  private fail(key: string, what: string, v: unknown): never {
    throw new MalformedAnswerError(`${this.where}: ${key} ${what}, got ${describe(v)}`);
  }

  string(key: string): string {
    const v = this.o[key];
    if (typeof v !== 'string') this.fail(key, 'is not a string', v);
    return v;
  }

  /** Missing, null and "" all mean "none" in Docker's answers. */
  optString(key: string): string | null {
    const v = this.o[key];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string') this.fail(key, 'is not a string', v);
    return v;
  }

  bool(key: string, dflt?: boolean): boolean {
    const v = this.o[key];
    if ((v === undefined || v === null) && dflt !== undefined) return dflt;
    if (typeof v !== 'boolean') this.fail(key, 'is not a boolean', v);
    return v;
  }

  optInt(key: string): number | null {
    const v = this.o[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(key, 'is not an integer', v);
    return v;
  }

  /** A string map such as Options or Labels; null/missing → {}. */
  stringMap(key: string): Record<string, string> {
    const v = this.o[key];
    if (v === undefined || v === null) return {};
    if (!isObj(v)) this.fail(key, 'is not an object', v);
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== 'string') throw new MalformedAnswerError(`${this.where}: ${key}.${k} is not a string, got ${describe(x)}`);
      out[k] = x;
    }
    return out;
  }

  optObject(key: string): Reader | null {
    const v = this.o[key];
    if (v === undefined || v === null) return null;
    return Reader.of(v, `${this.where}: ${key}`);
  }

  raw(key: string): unknown {
    return this.o[key];
  }

  /** An address (no prefix) of the given family, or null when absent. */
  optIp(key: string, family?: 4 | 6): string | null {
    const v = this.optString(key);
    if (v === null) return null;
    if (!isIp(v, family)) this.fail(key, `is not an IPv${family ?? ''} address`.replace('IPv ', 'IP '), v);
    return v;
  }

  optCidr(key: string): string | null {
    const v = this.optString(key);
    if (v === null) return null;
    if (!isCidr(v)) this.fail(key, 'is not a CIDR', v);
    return v;
  }

  optMac(key: string): string | null {
    const v = this.optString(key);
    if (v === null) return null;
    if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(v)) this.fail(key, 'is not a MAC address', v);
    return v.toLowerCase();
  }
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? typeof v : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function isIp(text: string, family?: 4 | 6): boolean {
  if (family === 4) return ipaddr.IPv4.isValidFourPartDecimal(text);
  if (family === 6) return ipaddr.IPv6.isValid(text) && text.includes(':');
  return ipaddr.IPv4.isValidFourPartDecimal(text) || (ipaddr.IPv6.isValid(text) && text.includes(':'));
}

export function isCidr(text: string): boolean {
  try {
    const [addr, len] = ipaddr.parseCIDR(text);
    return addr.kind() === 'ipv4' ? ipaddr.IPv4.isValidFourPartDecimal(text.split('/')[0]!) && len >= 0 : true;
  } catch {
    return false;
  }
}

const ID = /^[0-9a-f]{64}$/;
/** Swarm-scope networks (overlays, ingress) have swarmkit's ids: 25 characters of [0-9a-z]. */
const SWARM_ID = /^[0-9a-z]{25}$/;
function checkId(id: string, where: string, swarm = false): string {
  if (!ID.test(id) && !(swarm && SWARM_ID.test(id))) throw new MalformedAnswerError(`${where}: Id is not a 64-hex Docker id${swarm ? ' nor a swarm id' : ''}, got ${describe(id)}`);
  return id;
}

/** A Docker object name: no control characters, no path tricks (it ends up in files and labels). */
function checkName(name: string, where: string): string {
  if (name === '' || name.length > 255 || [...name].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) {
    throw new MalformedAnswerError(`${where}: Name is not a usable name, got ${describe(name)}`);
  }
  return name;
}

// ------------------------------------------------------------------ daemon

/** GET /version */
export function parseVersionAnswer(raw: unknown): DaemonInfo {
  const r = Reader.of(raw, 'docker version');
  const version = r.string('Version');
  if (!/^v?\d+\.\d+/.test(version)) throw new MalformedAnswerError(`docker version: Version is not a release number, got ${describe(version)}`);
  return {
    version,
    apiVersion: r.string('ApiVersion'),
    os: r.optString('Os') ?? '',
    arch: r.optString('Arch') ?? '',
    kernelVersion: r.optString('KernelVersion') ?? '',
  };
}

// ------------------------------------------------------------------ networks

/** GET /networks/{id} */
export function parseNetworkInspect(raw: unknown): NetworkInfo {
  const pre = Reader.of(raw, 'network');
  const name = checkName(pre.string('Name'), 'network');
  const where = `network "${name}"`;
  const r = Reader.of(raw, where);
  const id = checkId(r.string('Id'), where, true);
  const ipam = r.optObject('IPAM');
  const ipamConfig: IpamPoolInfo[] = [];
  const configRaw = ipam?.raw('Config');
  if (configRaw !== undefined && configRaw !== null) {
    if (!Array.isArray(configRaw)) throw new MalformedAnswerError(`${where}: IPAM.Config is not a list, got ${describe(configRaw)}`);
    configRaw.forEach((c, i) => ipamConfig.push(parsePool(c, `${where}: IPAM.Config[${i}]`)));
  }
  const members: NetworkMemberInfo[] = [];
  const containers = r.raw('Containers');
  if (containers !== undefined && containers !== null) {
    if (!isObj(containers)) throw new MalformedAnswerError(`${where}: Containers is not an object, got ${describe(containers)}`);
    for (const [cid, m] of Object.entries(containers)) {
      const mw = `${where}: Containers.${cid.slice(0, 12)}`;
      // Swarm's "lb-<net>" / "ingress-sbox" pseudo-members have non-hex keys: they are not containers.
      if (!ID.test(cid)) continue;
      const mr = Reader.of(m, mw);
      members.push({
        containerId: cid,
        name: mr.string('Name'),
        endpointId: mr.optString('EndpointID') ?? '',
        macAddress: mr.optMac('MacAddress'),
        ipv4Address: mr.optCidr('IPv4Address'),
        ipv6Address: mr.optCidr('IPv6Address'),
      });
    }
  }
  return {
    id,
    name,
    driver: r.string('Driver'),
    scope: r.optString('Scope') ?? 'local',
    created: r.optString('Created') ?? '',
    internal: r.bool('Internal', false),
    attachable: r.bool('Attachable', false),
    ingress: r.bool('Ingress', false),
    enableIpv6: r.bool('EnableIPv6', false),
    ipamDriver: ipam?.optString('Driver') ?? 'default',
    ipamOptions: ipam?.stringMap('Options') ?? {},
    ipamConfig,
    options: r.stringMap('Options'),
    labels: r.stringMap('Labels'),
    members,
  };
}

function parsePool(raw: unknown, where: string): IpamPoolInfo {
  const r = Reader.of(raw, where);
  const subnet = r.optCidr('Subnet');
  if (subnet === null) throw new MalformedAnswerError(`${where}: Subnet is missing`);
  const pool: IpamPoolInfo = { subnet, auxAddresses: {} };
  const gateway = r.optIp('Gateway');
  if (gateway !== null) pool.gateway = gateway;
  const ipRange = r.optCidr('IPRange');
  if (ipRange !== null) pool.ipRange = ipRange;
  for (const [k, v] of Object.entries(r.stringMap('AuxiliaryAddresses'))) {
    if (!isIp(v)) throw new MalformedAnswerError(`${where}: AuxiliaryAddresses.${k} is not an IP address, got ${describe(v)}`);
    pool.auxAddresses[k] = v;
  }
  return pool;
}

// ------------------------------------------------------------------ containers

/** GET /containers/{id}/json */
export function parseContainerInspect(raw: unknown): ContainerInfo {
  const pre = Reader.of(raw, 'container');
  const name = checkName(pre.string('Name').replace(/^\//, ''), 'container');
  const where = `container "${name}"`;
  const r = Reader.of(raw, where);
  const id = checkId(r.string('Id'), where);
  const state = r.optObject('State');
  const config = r.optObject('Config');
  const hostConfig = r.optObject('HostConfig');
  const settings = r.optObject('NetworkSettings');

  const endpoints: EndpointInfo[] = [];
  const networks = settings?.raw('Networks');
  if (networks !== undefined && networks !== null) {
    if (!isObj(networks)) throw new MalformedAnswerError(`${where}: NetworkSettings.Networks is not an object, got ${describe(networks)}`);
    for (const [net, e] of Object.entries(networks)) endpoints.push(parseEndpoint(net, e, `${where}: NetworkSettings.Networks.${net}`));
  }

  return {
    id,
    name,
    image: config?.optString('Image') ?? '',
    created: r.optString('Created') ?? '',
    running: state?.bool('Running', false) ?? false,
    status: state?.optString('Status') ?? 'unknown',
    ...pidOf(state?.raw('Pid')),
    hostname: config?.optString('Hostname') ?? '',
    networkMode: hostConfig?.optString('NetworkMode') ?? 'default',
    macAddress: config?.optMac('MacAddress') ?? null,
    endpoints,
    portBindings: parsePortBindings(hostConfig?.raw('PortBindings'), `${where}: HostConfig.PortBindings`),
    publishedPorts: parsePublished(settings?.raw('Ports'), `${where}: NetworkSettings.Ports`),
    exposedPorts: parseExposed(config?.raw('ExposedPorts'), `${where}: Config.ExposedPorts`),
    publishAll: hostConfig?.bool('PublishAllPorts', false) ?? false,
    labels: config?.stringMap('Labels') ?? {},
  };
}

/** State.Pid: the container's init process on the daemon's machine (0 when it does not run). */
function pidOf(raw: unknown): { pid?: number } {
  return typeof raw === 'number' && Number.isInteger(raw) && raw > 0 ? { pid: raw } : {};
}

function parseEndpoint(network: string, raw: unknown, where: string): EndpointInfo {
  const r = Reader.of(raw, where);
  const ipam = r.optObject('IPAMConfig');
  const aliasesRaw = r.raw('Aliases');
  const aliases: string[] = [];
  if (aliasesRaw !== undefined && aliasesRaw !== null) {
    if (!Array.isArray(aliasesRaw) || aliasesRaw.some((a) => typeof a !== 'string')) {
      throw new MalformedAnswerError(`${where}: Aliases is not a list of strings, got ${describe(aliasesRaw)}`);
    }
    aliases.push(...(aliasesRaw as string[]));
  }
  const ipv4Address = r.optIp('IPAddress', 4);
  const ipv6Address = r.optIp('GlobalIPv6Address', 6);
  const prefix4 = r.optInt('IPPrefixLen');
  const prefix6 = r.optInt('GlobalIPv6PrefixLen');
  if (prefix4 !== null && (prefix4 < 0 || prefix4 > 32)) throw new MalformedAnswerError(`${where}: IPPrefixLen is out of range, got ${prefix4}`);
  if (prefix6 !== null && (prefix6 < 0 || prefix6 > 128)) throw new MalformedAnswerError(`${where}: GlobalIPv6PrefixLen is out of range, got ${prefix6}`);
  return {
    network,
    networkId: r.optString('NetworkID') ?? '',
    endpointId: r.optString('EndpointID') ?? '',
    ipv4Address,
    ipv4Prefix: ipv4Address ? prefix4 : null,
    ipv6Address,
    ipv6Prefix: ipv6Address ? prefix6 : null,
    gateway: r.optIp('Gateway'),
    macAddress: r.optMac('MacAddress'),
    aliases,
    staticIpv4: ipam?.optIp('IPv4Address', 4) ?? null,
    staticIpv6: ipam?.optIp('IPv6Address', 6) ?? null,
  };
}

/** "80/tcp" → [80, "tcp"]. */
function parsePortKey(key: string, where: string): { port: number; protocol: PortProtocol } {
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(key);
  const port = m ? Number(m[1]) : NaN;
  if (!m || port < 1 || port > 65535) throw new MalformedAnswerError(`${where}: "${key}" is not a port such as "80/tcp"`);
  return { port, protocol: (m[2] ?? 'tcp') as PortProtocol };
}

function portList(raw: unknown, key: string, where: string): Reader[] {
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) throw new MalformedAnswerError(`${where}: ${key} is not a list, got ${describe(raw)}`);
  return raw.map((b, i) => Reader.of(b, `${where}: ${key}[${i}]`));
}

function parsePortBindings(raw: unknown, where: string): PortBindingSpec[] {
  if (raw === undefined || raw === null) return [];
  if (!isObj(raw)) throw new MalformedAnswerError(`${where}: not an object, got ${describe(raw)}`);
  const out: PortBindingSpec[] = [];
  for (const [key, list] of Object.entries(raw)) {
    const { port, protocol } = parsePortKey(key, where);
    for (const b of portList(list, key, where)) {
      const hostPort = b.optString('HostPort') ?? '';
      if (hostPort !== '' && !/^\d{1,5}(-\d{1,5})?$/.test(hostPort)) throw new MalformedAnswerError(`${where}: ${key} HostPort is not a port, got ${describe(hostPort)}`);
      out.push({ containerPort: port, protocol, hostIp: b.optIp('HostIp') ?? '', hostPort });
    }
  }
  return out;
}

function parsePublished(raw: unknown, where: string): PublishedPort[] {
  if (raw === undefined || raw === null) return [];
  if (!isObj(raw)) throw new MalformedAnswerError(`${where}: not an object, got ${describe(raw)}`);
  const out: PublishedPort[] = [];
  for (const [key, list] of Object.entries(raw)) {
    const { port, protocol } = parsePortKey(key, where);
    for (const b of portList(list, key, where)) {
      const hp = b.string('HostPort');
      const hostPort = Number(hp);
      if (!/^\d{1,5}$/.test(hp) || hostPort < 1 || hostPort > 65535) throw new MalformedAnswerError(`${where}: ${key} HostPort is not a port, got ${describe(hp)}`);
      out.push({ containerPort: port, protocol, hostIp: b.optIp('HostIp') ?? '0.0.0.0', hostPort });
    }
  }
  return out;
}

function parseExposed(raw: unknown, where: string): { port: number; protocol: PortProtocol }[] {
  if (raw === undefined || raw === null) return [];
  if (!isObj(raw)) throw new MalformedAnswerError(`${where}: not an object, got ${describe(raw)}`);
  return Object.keys(raw).map((k) => parsePortKey(k, where));
}

// ------------------------------------------------------------------ events

const EVENT_KINDS: ReadonlySet<string> = new Set<DockerEventKind>([
  'network:create', 'network:destroy', 'network:connect', 'network:disconnect',
  'container:start', 'container:die', 'container:destroy', 'container:rename', 'container:exec_start',
  'service:create', 'service:update', 'service:remove', 'node:create', 'node:update', 'node:remove',
]);

/** One line of GET /events; null for events we do not follow (or that are not well-formed). */
export function parseEvent(raw: unknown): DockerEvent | null {
  if (!isObj(raw)) return null;
  const type = raw.Type, action = raw.Action, actor = raw.Actor;
  if (typeof type !== 'string' || typeof action !== 'string' || !isObj(actor)) return null;
  // "exec_start: cat /proc/net/tcp": the action carries the command.
  const exec = /^exec_start: ?(.*)$/s.exec(action);
  const kind = exec ? `${type}:exec_start` : `${type}:${action}`;
  if (!EVENT_KINDS.has(kind)) return null;
  const id = typeof actor.ID === 'string' ? actor.ID : '';
  const attrs = isObj(actor.Attributes) ? actor.Attributes : {};
  const name = typeof attrs.name === 'string' ? attrs.name : null;
  const container = type === 'network' && typeof attrs.container === 'string' ? attrs.container : null;
  const timeNano = typeof raw.timeNano === 'number' || typeof raw.timeNano === 'string' ? String(raw.timeNano) : null;
  return { kind: kind as DockerEventKind, id, name, container, timeNano, ...(exec ? { command: exec[1]! } : {}) };
}
