// A manager's answers about its swarm (GET /info's Swarm, /nodes, /services, /tasks), checked field by
// field like every other answer: a malformed one is one MalformedAnswerError naming the field.
import { describe, isCidr, isIp, Reader } from './validate';
import { MalformedAnswerError, type PortProtocol, type SwarmNodeInfo, type SwarmPortInfo, type SwarmServiceInfo, type SwarmTaskInfo } from './types';

/** GET /info → Swarm: the local node's state and whether it is a manager. */
export function parseSwarmState(raw: unknown): { localState: string; nodeId: string | null; clusterId: string | null; manager: boolean } {
  const info = Reader.of(raw, 'docker info');
  const sw = info.optObject('Swarm');
  if (!sw) return { localState: 'inactive', nodeId: null, clusterId: null, manager: false };
  const cluster = sw.optObject('Cluster');
  const localState = sw.optString('LocalNodeState') ?? 'inactive';
  if (!LOCAL_NODE_STATES.has(localState)) throw new MalformedAnswerError(`docker info: Swarm.LocalNodeState is not one of ${[...LOCAL_NODE_STATES].join(', ')}, got ${describe(localState)}`);
  const manager = sw.bool('ControlAvailable', false);
  // Docker says ControlAvailable only of an active manager; anything else would make a manager of a node that lists no swarm.
  if (manager && localState !== 'active') throw new MalformedAnswerError(`docker info: Swarm.ControlAvailable is true on a node whose state is ${localState}`);
  return { localState, nodeId: sw.optString('NodeID'), clusterId: cluster?.optString('ID') ?? null, manager };
}

/** Docker's swarm.LocalNodeState values. */
const LOCAL_NODE_STATES: ReadonlySet<string> = new Set(['inactive', 'pending', 'active', 'error', 'locked']);

/** A manager's node list must name the manager itself (everything about the swarm is placed from it). */
export function checkManagerListed(nodeId: string | null, nodes: readonly SwarmNodeInfo[]): void {
  if (!nodeId || !nodes.some((n) => n.id === nodeId)) throw new MalformedAnswerError(`node ls: the manager's own node ${describe(nodeId)} is not listed`);
}

function list(raw: unknown, what: string): unknown[] {
  if (!Array.isArray(raw)) throw new MalformedAnswerError(`${what}: expected a list, got ${describe(raw)}`);
  return raw;
}

/** GET /nodes */
export function parseNodes(raw: unknown): SwarmNodeInfo[] {
  return list(raw, 'node ls').map((n, i) => {
    const r = Reader.of(n, `node ls: entry ${i}`);
    const id = r.string('ID');
    const spec = r.optObject('Spec');
    const status = r.optObject('Status');
    const desc = r.optObject('Description');
    const mgr = r.optObject('ManagerStatus');
    const role = spec?.optString('Role') ?? 'worker';
    if (role !== 'manager' && role !== 'worker') throw new MalformedAnswerError(`node ${id}: Spec.Role is neither manager nor worker, got ${describe(role)}`);
    // A manager's Status.Addr can be 0.0.0.0 (it listens everywhere): its ManagerStatus.Addr says where.
    let address = status?.optString('Addr') ?? null;
    if ((address === null || address === '0.0.0.0') && mgr) address = mgr.optString('Addr')?.replace(/:\d+$/, '') ?? address;
    if (address !== null && !isIp(address)) throw new MalformedAnswerError(`node ${id}: Status.Addr is not an address, got ${describe(address)}`);
    return {
      id,
      hostname: desc?.optString('Hostname') ?? id.slice(0, 12),
      role,
      address,
      availability: spec?.optString('Availability') ?? 'active',
      state: status?.optString('State') ?? 'unknown',
      leader: mgr ? mgr.bool('Leader', false) : false,
      engineVersion: desc?.optObject('Engine')?.optString('EngineVersion') ?? null,
    };
  });
}

function parsePorts(raw: unknown, where: string): SwarmPortInfo[] {
  if (raw === undefined || raw === null) return [];
  return list(raw, where).map((p, i) => {
    const r = Reader.of(p, `${where}[${i}]`);
    const target = r.optInt('TargetPort');
    if (target === null || target < 1 || target > 65535) throw new MalformedAnswerError(`${where}[${i}]: TargetPort is not a port, got ${describe(r.raw('TargetPort'))}`);
    const proto = r.optString('Protocol') ?? 'tcp';
    if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw new MalformedAnswerError(`${where}[${i}]: Protocol is not tcp, udp or sctp, got ${describe(proto)}`);
    return { published: r.optInt('PublishedPort'), target, protocol: proto as PortProtocol, mode: r.optString('PublishMode') ?? 'ingress' };
  });
}

/** GET /services */
export function parseServices(raw: unknown): SwarmServiceInfo[] {
  return list(raw, 'service ls').map((s, i) => {
    const r = Reader.of(s, `service ls: entry ${i}`);
    const id = r.string('ID');
    const where = `service ${id}`;
    const spec = Reader.of(r.raw('Spec'), `${where}: Spec`);
    const name = spec.string('Name');
    const mode = spec.optObject('Mode');
    const replicated = mode?.optObject('Replicated');
    const global = mode?.raw('Global') !== undefined && mode?.raw('Global') !== null;
    const task = spec.optObject('TaskTemplate');
    const image = task?.optObject('ContainerSpec')?.optString('Image')?.replace(/@sha256:[0-9a-f]{64}$/, '') ?? '';
    const nets = (task?.raw('Networks') ?? spec.raw('Networks') ?? []) as unknown;
    const networks = list(nets, `${where}: TaskTemplate.Networks`).map((n, k) => Reader.of(n, `${where}: TaskTemplate.Networks[${k}]`).string('Target'));
    const endpoint = r.optObject('Endpoint');
    // The user's spec first: the allocated Endpoint.Spec can come without a Mode.
    const userEp = spec.optObject('EndpointSpec');
    const epSpec = endpoint?.optObject('Spec');
    const endpointMode = userEp?.optString('Mode') ?? epSpec?.optString('Mode') ?? 'vip';
    if (endpointMode !== 'vip' && endpointMode !== 'dnsrr') throw new MalformedAnswerError(`${where}: EndpointSpec.Mode is neither vip nor dnsrr, got ${describe(endpointMode)}`);
    const vipsRaw = endpoint?.raw('VirtualIPs');
    const vips = vipsRaw === undefined || vipsRaw === null ? [] : list(vipsRaw, `${where}: Endpoint.VirtualIPs`).flatMap((v, k) => {
      const vr = Reader.of(v, `${where}: Endpoint.VirtualIPs[${k}]`);
      const addr = vr.optCidr('Addr');
      return addr ? [{ networkId: vr.string('NetworkID'), address: addr.split('/')[0]! }] : [];
    });
    const ports = parsePorts(endpoint?.raw('Ports') ?? epSpec?.raw('Ports') ?? userEp?.raw('Ports'), `${where}: Endpoint.Ports`);
    return {
      id, name, image,
      mode: global ? 'global' : 'replicated',
      replicas: replicated ? replicated.optInt('Replicas') ?? 1 : global ? null : 1,
      endpointMode, vips, ports, networks,
    };
  });
}

/** GET /tasks */
export function parseTasks(raw: unknown): SwarmTaskInfo[] {
  return list(raw, 'tasks').map((t, i) => {
    const r = Reader.of(t, `tasks: entry ${i}`);
    const id = r.string('ID');
    const where = `task ${id}`;
    const status = r.optObject('Status');
    const cs = status?.optObject('ContainerStatus');
    const att = r.raw('NetworksAttachments');
    const attachments = att === undefined || att === null ? [] : list(att, `${where}: NetworksAttachments`).map((a, k) => {
      const ar = Reader.of(a, `${where}: NetworksAttachments[${k}]`);
      const net = Reader.of(ar.raw('Network'), `${where}: NetworksAttachments[${k}].Network`);
      const addrs = ar.raw('Addresses');
      const addresses = addrs === undefined || addrs === null ? [] : list(addrs, `${where}: NetworksAttachments[${k}].Addresses`).map((x) => {
        if (typeof x !== 'string' || !isCidr(x)) throw new MalformedAnswerError(`${where}: NetworksAttachments[${k}].Addresses has ${describe(x)}, not a CIDR`);
        return x;
      });
      return { networkId: net.string('ID'), addresses };
    });
    const containerId = cs?.optString('ContainerID') ?? null;
    return {
      id,
      serviceId: r.string('ServiceID'),
      slot: r.optInt('Slot'),
      nodeId: r.optString('NodeID'),
      state: status?.optString('State') ?? 'unknown',
      desiredState: r.optString('DesiredState') ?? 'unknown',
      containerId: containerId && /^[0-9a-f]{64}$/.test(containerId) ? containerId : null,
      attachments,
    };
  });
}


