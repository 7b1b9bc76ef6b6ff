// Where in the file an engine error belongs: the engine says which part of a request was wrong
// (ErrorHint), and this maps that part back to the YAML key or value the request was built from.
import type { ErrorHint } from '../engine';
import type { RangePart } from './sourceMap';
import type { ContainerNetworkSpec, ContainerSpec, HostSpec, NetworkSpec, ServiceSpec, YamlPath } from './spec';

export type Subject =
  | { kind: 'host'; host: HostSpec }
  | { kind: 'network'; network: NetworkSpec }
  /** `endpoint` = the network entry being created on or connected, when there is one. */
  | { kind: 'container'; container: ContainerSpec; endpoint?: ContainerNetworkSpec }
  | { kind: 'service'; service: ServiceSpec };

export interface Target {
  path: YamlPath;
  part: RangePart;
}

/** daemon.json spelling of each DaemonConfig field (the engine may name either). */
const DAEMON_KEY: Record<string, string> = {
  fixedCidr: 'fixed-cidr',
  fixedCidrV6: 'fixed-cidr-v6',
  userlandProxy: 'userland-proxy',
  ipMasq: 'ip-masq',
  defaultAddressPools: 'default-address-pools',
};

export function targetOf(subject: Subject, hint: ErrorHint | undefined): Target {
  switch (subject.kind) {
    case 'host':
      return hostTarget(subject.host, hint);
    case 'network':
      return networkTarget(subject.network, hint);
    case 'container':
      return containerTarget(subject.container, subject.endpoint, hint);
    case 'service':
      return serviceTarget(subject.service, hint);
  }
}

/** The key that names the object: where a problem with the object as a whole goes. */
export function subjectKey(subject: Subject): Target {
  const path =
    subject.kind === 'host' ? subject.host.path : subject.kind === 'network' ? subject.network.path : subject.kind === 'container' ? subject.container.path : subject.service.path;
  return { path, part: 'key' };
}

function hostTarget(host: HostSpec, hint: ErrorHint | undefined): Target {
  if (hint?.field === 'daemon' && hint.key) {
    const key = DAEMON_KEY[hint.key] ?? hint.key;
    const path = [...host.path, 'daemon', key];
    return { path: hint.index === undefined ? path : [...path, hint.index], part: 'value' };
  }
  if (hint?.field === 'daemon') return { path: [...host.path, 'daemon'], part: 'key' };
  if (hint?.field === 'gateway') return { path: [...host.path, 'gateway'], part: 'value' };
  if (hint?.field === 'listen') return { path: hint.index === undefined ? [...host.path, 'listen'] : [...host.path, 'listen', hint.index], part: 'value' };
  return { path: host.path, part: 'key' };
}

function networkTarget(net: NetworkSpec, hint: ErrorHint | undefined): Target {
  const at = (...rest: (string | number)[]): Target => ({ path: [...net.path, ...rest], part: 'value' });
  switch (hint?.field) {
    case 'driver':
      return at('driver');
    case 'subnet':
    case 'gateway':
    case 'ip_range':
    case 'aux_addresses': {
      const pool = net.ipamForm === 'compose' ? ['ipam', 'config', hint.index ?? 0] : [];
      return hint.field === 'aux_addresses' && hint.key ? at(...pool, 'aux_addresses', hint.key) : at(...pool, hint.field);
    }
    case 'ipv6':
      return at('enable_ipv6');
    case 'driver_opts':
      return hint.key ? at('driver_opts', hint.key) : { path: [...net.path, 'driver_opts'], part: 'key' };
    default:
      return { path: net.path, part: 'key' };
  }
}

function containerTarget(c: ContainerSpec, ep: ContainerNetworkSpec | undefined, hint: ErrorHint | undefined): Target {
  const key: Target = { path: c.path, part: 'key' };
  const modeGiven = c.networkMode !== undefined;
  const networkRef = (): Target =>
    ep ? { path: ep.path, part: 'key' } : modeGiven ? { path: [...c.path, 'network_mode'], part: 'value' } : key;
  switch (hint?.field) {
    case 'network_mode':
      return modeGiven ? { path: [...c.path, 'network_mode'], part: 'value' } : networkRef();
    case 'network':
      return networkRef();
    case 'ipv4_address':
    case 'ipv6_address':
    case 'mac_address':
      return ep ? { path: [...ep.path, hint.field], part: 'value' } : networkRef();
    case 'aliases':
      if (!ep) return networkRef();
      return { path: hint.index === undefined ? [...ep.path, 'aliases'] : [...ep.path, 'aliases', hint.index], part: 'value' };
    case 'ports':
    case 'expose':
    case 'listen':
      return hint.index === undefined ? { path: [...c.path, hint.field], part: 'key' } : { path: [...c.path, hint.field, hint.index], part: 'value' };
    default:
      return key;
  }
}

/** An error without a hint about the container whose namespace `container:<name>` joins belongs on network_mode. */
export function refinedTarget(subject: Subject, message: string, target: Target): Target {
  if (subject.kind !== 'container' || target.path !== subject.container.path) return target;
  const mode = subject.container.networkMode;
  if (mode?.startsWith('container:') && message.includes(mode.slice('container:'.length))) {
    return { path: [...subject.container.path, 'network_mode'], part: 'value' };
  }
  return target;
}

function serviceTarget(s: ServiceSpec, hint: ErrorHint | undefined): Target {
  switch (hint?.field) {
    case 'ports':
    case 'expose':
    case 'listen':
      return hint.index === undefined ? { path: [...s.path, hint.field], part: 'key' } : { path: [...s.path, hint.field, hint.index], part: 'value' };
    case 'network':
      // The list form (SPEC's) has the entry at its index; the map form falls back to `networks:`.
      return hint.index === undefined ? { path: [...s.path, 'networks'], part: 'key' } : { path: [...s.path, 'networks', hint.index], part: 'value' };
    default:
      return { path: s.path, part: 'key' };
  }
}
