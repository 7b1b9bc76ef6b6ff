// docker create / run / start / stop / rm: the request's checks (ports, network mode, name), the record,
// and the sandbox a started container gets.
import { BAD_REQUEST, CONFLICT, DockerError, INTERNAL, msg } from '../errors';
import type { ContainerCreateRequest } from '../requests';
import type { ContainerNetwork, ContainerState, ExposedPort, NetworkModeKind, NetworkState, PortSpecBinding } from '../model';
import { assertEndpointSettings } from '../endpointSettings';
import { shortId } from '../ids';
import { parseIp } from '../ip';
import { parseExpose, parseListen, parsePortSpec } from '../ports/portSpec';
import { findContainer, findNetwork } from '../lookup';
import { type EngineCore, hostOf } from './core';
import { connectToNetwork, ensureSandbox, releaseNetwork } from './connect';

export function createContainer(core: EngineCore, hostName: string, req: ContainerCreateRequest): { id: string; warnings: string[] } {
  const { host, int } = hostOf(core, hostName);
  host.revision++;
  // docker CLI: -p and --expose first.
  let exposed: ExposedPort[] = [];
  const portSpecs: PortSpecBinding[] = [];
  const addExposed = (p: ExposedPort) => {
    if (!exposed.some((e) => e.port === p.port && e.proto === p.proto)) exposed.push(p);
  };
  (req.ports ?? []).forEach((raw, i) => {
    const parsed = parsePortSpec(raw, i);
    parsed.exposed.forEach(addExposed);
    portSpecs.push(...parsed.bindings);
  });
  (req.expose ?? []).forEach((raw, i) => exposedPorts(raw, i).forEach(addExposed));
  // Copied to its length (see sandbox.ts inserted).
  if (exposed.length > 0) exposed = exposed.slice();
  // Not Docker's: what listens (the file's `listen`), by default what is exposed.
  const listening = req.listen ? listenPorts(req.listen) : exposed;

  // runconfig validateNetMode (decoding the request).
  const mode = req.networkMode === undefined || req.networkMode === '' ? 'default' : req.networkMode;
  const { kind, target } = classifyMode(mode);
  const mac = req.endpoint?.macAddress ?? '';
  if (mode === 'container' || (kind === 'container' && target === '')) {
    throw new DockerError(msg.invalidContainerMode(), BAD_REQUEST, { field: 'network_mode' });
  }
  if (kind === 'container') {
    if (req.hostname) throw new DockerError(msg.conflictHostname(), BAD_REQUEST, { field: 'network_mode' });
    if (mac) throw new DockerError(msg.conflictMac(), BAD_REQUEST, { field: 'mac_address' });
    if (portSpecs.length > 0 || req.publishAll) throw new DockerError(msg.conflictPublish(), BAD_REQUEST, { field: 'ports', index: 0 });
    if ((req.expose ?? []).length > 0) throw new DockerError(msg.conflictExpose(), BAD_REQUEST, { field: 'expose' });
  }
  if (kind === 'host' && mac) throw new DockerError(msg.conflictMac(), BAD_REQUEST, { field: 'mac_address' });
  const warnings: string[] = [];
  if (kind === 'host' && portSpecs.length > 0) warnings.push(msg.hostPortsDiscarded());

  // verifyNetworkingConfig
  const ep = req.endpoint ?? {};
  if (ep.ipv4Address) {
    const a = parseIp(ep.ipv4Address);
    if (!a || a.family !== 4) throw new DockerError(msg.invalidIPv4(ep.ipv4Address), BAD_REQUEST, { field: 'ipv4_address' });
  }
  if (ep.ipv6Address) {
    const a = parseIp(ep.ipv6Address);
    if (!a || a.family !== 6) throw new DockerError(msg.invalidIPv6(ep.ipv6Address), BAD_REQUEST, { field: 'ipv6_address' });
  }

  // 25.0+ validateNetworkingConfig: the create-time network's endpoint settings, before the name.
  if (int.features.validateEndpointSettings && (kind === 'network' || kind === 'default' || kind === 'bridge')) {
    let n: NetworkState | null = null;
    try {
      n = findNetwork(host, int.networksByName, mode);
    } catch {
      n = null;
    }
    assertEndpointSettings(host.daemon, n, mode, ep, true);
  }

  // Name: valid and free.
  let name = req.name ?? '';
  if (name !== '' && !CONTAINER_NAME.test(name)) throw new DockerError(msg.invalidContainerName(name), BAD_REQUEST, { field: 'name' });
  if (name.startsWith('/')) name = name.slice(1);
  const idStart = int.ids.count;
  const id = int.ids.next('container', name);
  if (name === '') name = generatedName(id, int.containersByName);
  const clash = int.containersByName.get(name);
  if (clash) throw new DockerError(msg.nameInUse(name, clash.id), CONFLICT, { field: 'name' });

  // updateContainerNetworkSettings: the create-time network, keyed by its name when it exists.
  const networks: ContainerNetwork[] = [];
  if (kind !== 'container') {
    let key = kind === 'default' ? 'bridge' : mode;
    let networkId: string | null = null;
    if (kind === 'network') {
      try {
        const n = findNetwork(host, int.networksByName, mode);
        key = n.name;
        networkId = null;
      } catch {
        // Not found: `docker create` succeeds, `docker start` fails.
      }
    }
    networks.push({ key, networkId, config: { ...ep, aliases: [...(ep.aliases ?? [])] }, aliases: [...(ep.aliases ?? [])], endpointId: null });
  }

  const ctr: ContainerState = {
    id, name,
    hostname: req.hostname ?? (kind === 'host' ? host.name : shortId(id)),
    image: req.image ?? '',
    seq: ++int.seq,
    status: 'created',
    networkMode: mode,
    modeKind: kind,
    modeTarget: kind === 'container' ? target : null,
    networks,
    exposedPorts: exposed,
    listening,
    portSpecs,
    publishAll: req.publishAll ?? false,
    macAddress: mac || null,
    labels: { ...(req.labels ?? {}) },
    sandboxId: null,
    joinedContainerId: null,
    warnings,
    runtimeWarnings: [],
  };
  host.containers.set(id, ctr);
  int.containersByName.set(name, ctr);
  int.idStart[ctr.seq] = idStart;
  return { id, warnings: [...warnings] };
}

export function runContainer(core: EngineCore, hostName: string, req: ContainerCreateRequest): { id: string; warnings: string[] } {
  const created = createContainer(core, hostName, req);
  startContainer(core, hostName, created.id);
  return created;
}

export function startContainer(core: EngineCore, hostName: string, nameOrId: string): void {
  const { host, int } = hostOf(core, hostName);
  host.revision++;
  const ctr = findContainer(host, int.containersByName, nameOrId);
  if (ctr.status === 'running') return; // 304 Not Modified
  ctr.runtimeWarnings.length = 0;

  if (ctr.modeKind === 'container') {
    const target = findContainer(host, int.containersByName, ctr.modeTarget!);
    if (target.id === ctr.id) throw new DockerError(msg.joinOwn(), INTERNAL, { field: 'network_mode' });
    if (target.status !== 'running' || !target.sandboxId) throw new DockerError(msg.joinNotRunning(ctr.modeTarget!), CONFLICT, { field: 'network_mode' });
    const sb = host.sandboxes.get(target.sandboxId)!;
    sb.sharedBy.add(ctr.id);
    ctr.sandboxId = sb.id;
    ctr.joinedContainerId = target.id;
    ctr.hostname = target.hostname;
    ctr.status = 'running';
    return;
  }

  // allocateNetwork: the default `bridge` first, then the rest in the order configured.
  const order = ctr.networks.length > 1 ? [...ctr.networks].sort((a, b) => (a.key === 'bridge' ? -1 : 0) - (b.key === 'bridge' ? -1 : 0)) : ctr.networks.slice();
  try {
    for (const cn of order) {
      cn.endpointId = null;
      connectToNetwork(core, host, int, ctr, cn.key, cn.config, false);
    }
    if (!ctr.sandboxId) ensureSandbox(host, int, ctr);
  } catch (e) {
    releaseNetwork(core, host, int, ctr);
    throw e;
  }
  ctr.status = 'running';
}

export function stopContainer(core: EngineCore, hostName: string, nameOrId: string): void {
  const { host, int } = hostOf(core, hostName);
  host.revision++;
  const ctr = findContainer(host, int.containersByName, nameOrId);
  if (ctr.status !== 'running') return; // 304 Not Modified
  releaseNetwork(core, host, int, ctr);
  ctr.status = 'exited';
}

export function removeContainer(core: EngineCore, hostName: string, nameOrId: string, opts?: { force?: boolean }): void {
  const { host, int } = hostOf(core, hostName);
  host.revision++;
  const ctr = findContainer(host, int.containersByName, nameOrId);
  if (ctr.status === 'running') {
    if (!opts?.force) throw new DockerError(msg.removeRunning(ctr.id), CONFLICT, { field: 'name' });
    releaseNetwork(core, host, int, ctr);
    ctr.status = 'exited';
  }
  host.containers.delete(ctr.id);
  int.containersByName.delete(ctr.name);
}

const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

function classifyMode(mode: string): { kind: NetworkModeKind; target: string } {
  if (mode === 'default') return { kind: 'default', target: '' };
  if (mode === 'bridge') return { kind: 'bridge', target: '' };
  if (mode === 'host') return { kind: 'host', target: '' };
  if (mode === 'none') return { kind: 'none', target: '' };
  const colon = mode.indexOf(':');
  if (mode === 'container' || (colon >= 0 && mode.slice(0, colon) === 'container')) {
    return { kind: 'container', target: colon >= 0 ? mode.slice(colon + 1) : '' };
  }
  return { kind: 'network', target: '' };
}

const NAME_LEFT = ['admiring', 'brave', 'clever', 'eager', 'focused', 'gifted', 'happy', 'jolly', 'keen', 'loving', 'nifty', 'quirky', 'serene', 'trusting', 'vibrant', 'zealous'];
const NAME_RIGHT = ['albattani', 'bohr', 'curie', 'darwin', 'euclid', 'fermi', 'galileo', 'hopper', 'johnson', 'kepler', 'lovelace', 'mayer', 'newton', 'pasteur', 'turing', 'wozniak'];

/** A name like Docker's adjective_scientist, chosen from the id so it is stable. */
function generatedName(id: string, taken: Map<string, ContainerState>): string {
  const a = parseInt(id.slice(0, 2), 16) % NAME_LEFT.length;
  const b = parseInt(id.slice(2, 4), 16) % NAME_RIGHT.length;
  let name = `${NAME_LEFT[a]}_${NAME_RIGHT[b]}`;
  for (let i = 1; taken.has(name); i++) name = `${NAME_LEFT[a]}_${NAME_RIGHT[b]}${i}`;
  return name;
}

/**
 * parseExpose, remembered per text: nearly every container of a big file says `expose: ["80"]`, and the
 * parsed ports are read-only values. Errors are not remembered (they name the entry's index).
 */
const exposeCache = new Map<string, ExposedPort[]>();

/** `listen` entries parsed, each port once. */
function listenPorts(raw: readonly string[]): ExposedPort[] {
  const out: ExposedPort[] = [];
  raw.forEach((r, i) => {
    for (const p of parseListen(r, i)) if (!out.some((o) => o.port === p.port && o.proto === p.proto)) out.push(p);
  });
  return out;
}

function exposedPorts(raw: string, index: number): ExposedPort[] {
  let ports = exposeCache.get(raw);
  if (!ports) {
    ports = parseExpose(raw, index);
    if (exposeCache.size < 4096 && ports.length <= 64) exposeCache.set(raw, ports);
  }
  return ports;
}
