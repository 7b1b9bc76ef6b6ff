// The engine's state as the diagram's snapshot (src/protocol/diagram.ts), plus an index from what the
// tracer names (containers, devices, addresses) to the diagram's element ids. Pure: no `vscode`.
import { formatAddr, formatNet, INGRESS_SANDBOX_ID, INGRESS_SANDBOX_NAME, routingMesh, type ContainerState, type EngineState, type HostState, type NetworkState, type SandboxState } from '../engine';
import type { DiagramDevice, DiagramDeviceTunnel, DiagramEndpoint, DiagramHost, DiagramNetwork, DiagramPort, DiagramSandbox, DiagramService, DiagramSnapshot } from '../protocol/diagram';
import { ids } from './elementIds';

/** Looks up diagram elements by the names a trace hop uses. */
export interface ElementIndex {
  /** Container name (owner or sharer) → the id of the box of its namespace, per host. */
  sandboxOf(host: string, container: string): string | undefined;
  /** A device on a host (veth, bridge, physical interface) → element id. */
  device(host: string, ifname: string): string | undefined;
  /** An interface inside a container's namespace (eth0…) → endpoint id. */
  sandboxInterface(host: string, container: string, ifname: string): string | undefined;
  /** An address (container endpoint, gateway, host interface) → element id. */
  address(ip: string): string | undefined;
  /** The host a container lives on (the first with that name). */
  hostOfContainer(container: string): string | undefined;
  /** True when `name` is one of the hosts. */
  isHost(name: string): boolean;
  /** The drawn tunnel a driver's traffic takes from `host` to `toHost`, by the interface where it is encapsulated (tunl0, vxlan-6784). */
  tunnelVia(host: string, via: string, toHost: string): string | undefined;
  /** A swarm service's element, by the service's name. */
  service(name: string): string | undefined;
}

export interface SnapshotAndIndex {
  snapshot: DiagramSnapshot;
  index: ElementIndex;
}

export function buildSnapshot(state: EngineState, title: string, problems = { errors: 0, warnings: 0 }): SnapshotAndIndex {
  const sandboxByContainer = new Map<string, string>();
  const devices = new Map<string, string>();
  const tunnelDrafts: TunnelDraft[] = [];
  const tunnelVia = new Map<string, string>();
  const sandboxIfs = new Map<string, string>();
  const addresses = new Map<string, string>();
  const hostOfContainer = new Map<string, string>();
  const key = (...parts: string[]) => parts.join('\0');

  const hosts: DiagramHost[] = [];
  for (const host of state.hosts.values()) {
    const hostId = ids.host(host.name);
    const interfaces = host.underlay
      .filter((i) => i.kind === 'physical' && i.ipv4.length > 0)
      .map((i) => ({ id: ids.hostIf(host.name, i.name), name: i.name, address: `${i.ipv4[0]!.address}/${i.ipv4[0]!.prefixLength}` }));
    for (const i of host.underlay) {
      const id = ids.hostIf(host.name, i.name);
      devices.set(key(host.name, i.name), i.kind === 'physical' ? id : hostId);
      for (const a of i.ipv4) if (!addresses.has(a.address)) addresses.set(a.address, i.kind === 'physical' ? id : hostId);
    }
    devices.set(key(host.name, 'lo'), hostId);

    const networks = [...host.networks.values()].sort((a, b) => a.seq - b.seq).map((n) => diagramNetwork(host, n));
    for (const n of host.networks.values()) {
      const id = ids.network(host.name, n.name);
      if (n.bridge) devices.set(key(host.name, n.bridge.name), id);
      for (const pool of n.ipv4) if (pool.gateway) addresses.set(formatAddr(pool.gateway), id);
    }

    const sandboxes: DiagramSandbox[] = [];
    const ports: DiagramPort[] = [];
    const containers = [...host.containers.values()].sort((a, b) => a.seq - b.seq);
    const byId = new Map(containers.map((c) => [c.id, c]));
    for (const c of containers) {
      hostOfContainer.set(c.name, hostOfContainer.get(c.name) ?? host.name);
      // A container in another's namespace is drawn inside that one's box.
      if (c.modeKind === 'container' && c.joinedContainerId) continue;
      const box = diagramSandbox(host, c, byId);
      sandboxes.push(box);
      sandboxByContainer.set(key(host.name, c.name), box.id);
      for (const m of box.sharedBy) sandboxByContainer.set(key(host.name, m.name), box.id);
      for (const e of box.endpoints) {
        if (e.veth) devices.set(key(host.name, e.veth), e.linkId);
        sandboxIfs.set(key(host.name, c.name, e.ifname), e.id);
        for (const m of box.sharedBy) sandboxIfs.set(key(host.name, m.name, e.ifname), e.id);
        if (e.ipv4) addresses.set(e.ipv4, e.id);
        if (e.ipv6) addresses.set(e.ipv6, e.id);
      }
      ports.push(...diagramPorts(host, c, box.id));
    }
    // Containers whose owner is not drawn (it failed) still get a box, so nothing silently vanishes.
    for (const c of containers) {
      if (c.modeKind === 'container' && c.joinedContainerId && !sandboxByContainer.has(key(host.name, c.name))) {
        const box = diagramSandbox(host, c, byId);
        sandboxes.push(box);
        sandboxByContainer.set(key(host.name, c.name), box.id);
      }
    }
    // A swarm node's ingress-sbox (the routing mesh's namespace): drawn as a box of its own, so a trace
    // to a published port is seen to pass through it. The tracer names it "ingress-sbox on <node>".
    const sbox = ingressSandbox(state, host, containers);
    if (sbox) {
      sandboxes.push(sbox.box);
      const tracerName = `${INGRESS_SANDBOX_NAME} on ${host.name}`;
      for (const n of [INGRESS_SANDBOX_NAME, tracerName]) sandboxByContainer.set(key(host.name, n), sbox.box.id);
      for (const e of sbox.box.endpoints) {
        if (e.veth) devices.set(key(host.name, e.veth), e.linkId);
        for (const n of [INGRESS_SANDBOX_NAME, tracerName]) sandboxIfs.set(key(host.name, n, e.ifname), e.id);
        if (e.ipv4 && !addresses.has(e.ipv4)) addresses.set(e.ipv4, e.id);
      }
    }
    const own = driverDevices(state, host, devices, tunnelDrafts);
    for (const d of own.list) {
      for (const name of d.names) if (!devices.has(key(host.name, name))) devices.set(key(host.name, name), d.device.id);
    }
    hosts.push({ id: hostId, name: host.name, dockerVersion: host.daemon.version.text, interfaces, networks, sandboxes, ports, ...(own.list.length ? { devices: own.list.map((d) => d.device) } : {}) });
  }
  const deviceTunnels = joinTunnels(tunnelDrafts, tunnelVia);
  const services = diagramServices(state);

  const index: ElementIndex = {
    sandboxOf: (host, container) => sandboxByContainer.get(key(host, container)),
    device: (host, ifname) => devices.get(key(host, ifname)),
    sandboxInterface: (host, container, ifname) => sandboxIfs.get(key(host, container, ifname)),
    address: (ip) => addresses.get(ip),
    hostOfContainer: (container) => hostOfContainer.get(container),
    isHost: (name) => state.hosts.has(name),
    tunnelVia: (host, via, toHost) => tunnelVia.get(key(host, via, toHost)),
    service: (name) => services.find((s) => s.name === name)?.id,
  };
  return { snapshot: { title, hosts, problems, ...(deviceTunnels.length ? { deviceTunnels } : {}), ...(services.length ? { services } : {}) }, index };
}

/** The host a swarm's services are drawn under: its first manager (they keep the services). */
export function swarmManager(state: Pick<EngineState, 'swarm'>): string | undefined {
  return (state.swarm.nodes.find((n) => n.role === 'manager') ?? state.swarm.nodes[0])?.host;
}

/** Swarm services with their VIPs (by network name), routing-mesh ports and tasks (by their boxes). */
export function diagramServices(state: Pick<EngineState, 'hosts' | 'swarm'>): DiagramService[] {
  const sw = state.swarm;
  const manager = swarmManager(state);
  if (!manager || sw.services.size === 0) return [];
  const netName = (id: string) => sw.networks.get(id)?.name ?? [...state.hosts.values()].map((h) => h.networks.get(id)?.name).find(Boolean) ?? id.slice(0, 12);
  return [...sw.services.values()].map((svc) => ({
    id: ids.service(manager, svc.name),
    name: svc.name,
    image: svc.image,
    mode: 'replicated' as const,
    replicas: svc.replicas,
    endpointMode: svc.endpointMode,
    vips: svc.vips.map((v) => ({ network: netName(v.networkId), address: v.address, ingress: v.networkId === sw.ingressNetworkId })),
    ports: svc.ports.map((p) => ({ id: ids.mesh(manager, `${p.published}/${p.proto}`), published: p.published, target: p.target, proto: p.proto, auto: p.auto })),
    tasks: svc.tasks.map((t) => ({
      name: t.name, slot: t.slot, host: t.host, sandboxId: ids.container(t.host, t.name),
      addresses: t.addresses.map((a) => ({ network: netName(a.networkId), address: a.address })),
    })),
  }));
}

interface TunnelDraft {
  host: string;
  device: string;
  toHost: string;
  toDevice: string;
  network: string;
  driver: string;
  label: string;
  via: string;
}

/**
 * The drivers' own devices on a host (DriverUnit.picture), one per name: a device two networks share
 * (the weave router, tunl0) gets both networks' lines. Devices already drawn (a bridge, a veth) keep their element.
 */
function driverDevices(state: EngineState, host: HostState, drawn: Map<string, string>, tunnels: TunnelDraft[]): { list: { device: DiagramDevice; names: string[] }[] } {
  const byName = new Map<string, { device: DiagramDevice; names: string[] }>();
  for (const net of [...host.networks.values()].sort((a, b) => a.seq - b.seq)) {
    const picture = state.drivers?.picture(net.driver);
    if (!picture) continue;
    let drawnPicture;
    try {
      drawnPicture = picture(host, net, state.hosts);
    } catch {
      continue; // a driver's picture is a nicety: never let it break the diagram
    }
    for (const d of drawnPicture.devices) {
      const had = byName.get(d.name);
      if (had) {
        for (const line of d.lines) if (!had.device.lines.includes(line)) had.device.lines.push(line);
        continue;
      }
      byName.set(d.name, { device: { id: ids.device(host.name, d.name), name: d.name, kind: d.kind, driver: net.driver, lines: [...d.lines] }, names: [d.name, ...(d.aliases ?? [])].filter((n) => !drawn.has(`${host.name}\0${n}`)) });
    }
    for (const t of drawnPicture.tunnels) tunnels.push({ host: host.name, device: t.device, toHost: t.toHost, toDevice: t.toDevice, network: t.network, driver: net.driver, label: t.label, via: t.via });
  }
  return { list: [...byName.values()] };
}

/** One drawn tunnel per pair of devices and label (each host describes its side); `via` finds it from either end. */
function joinTunnels(drafts: TunnelDraft[], via: Map<string, string>): DiagramDeviceTunnel[] {
  const out = new Map<string, DiagramDeviceTunnel>();
  for (const t of drafts) {
    const a = ids.device(t.host, t.device);
    const b = ids.device(t.toHost, t.toDevice);
    const [from, to] = a < b ? [a, b] : [b, a];
    const id = ids.deviceTunnel(from, to, t.label);
    if (!out.has(id)) out.set(id, { id, from, to, network: t.network, driver: t.driver, label: t.label });
    else if (!out.get(id)!.network.split(', ').includes(t.network)) out.get(id)!.network += `, ${t.network}`;
    via.set([t.host, t.via, t.toHost].join('\0'), id);
  }
  return [...out.values()];
}

function diagramNetwork(host: HostState, n: NetworkState): DiagramNetwork {
  const v4 = n.ipv4[0];
  const v6 = n.ipv6[0];
  const out: DiagramNetwork = { id: ids.network(host.name, n.name), name: n.name, driver: n.driver, internal: n.internal, predefined: n.predefined, scope: n.scope };
  if (v4) {
    out.subnet = formatNet(v4.subnet);
    if (v4.gateway) out.gateway = formatAddr(v4.gateway);
  }
  if (v6) out.subnet6 = formatNet(v6.subnet);
  if (n.bridge) out.device = n.bridge.name;
  if (n.addressesUnknown) out.addressesUnknown = true;
  return out;
}

/** What listens in the namespace the container is in: with `container:` joiners, theirs too (one network stack). */
function namespaceListening(c: ContainerState, sb: SandboxState | undefined, byId: Map<string, ContainerState>): string[] {
  const members = sb && !sb.hostNetwork ? [sb.containerId, ...sb.sharedBy].map((id) => byId.get(id)).filter((m): m is ContainerState => !!m) : [c];
  if (!members.includes(c)) members.push(c);
  return [...new Set(members.flatMap((m) => m.listening.map((p) => `${p.port}/${p.proto}`)))];
}

function diagramSandbox(host: HostState, c: ContainerState, byId: Map<string, ContainerState>): DiagramSandbox {
  const sb: SandboxState | undefined = c.sandboxId ? host.sandboxes.get(c.sandboxId) : undefined;
  const byHand = sb && !sb.hostNetwork ? handMadeEndpoints(host, sb) : [];
  // network_mode: none with an interface added by hand (pipework) is no longer "lo only".
  const mode = !sb ? 'stopped' : sb.hostNetwork ? 'host' : c.modeKind === 'none' && byHand.length === 0 ? 'none' : 'sandbox';
  const sharedBy = sb
    ? [...sb.sharedBy].map((id) => byId.get(id)).filter((m): m is ContainerState => !!m && m.id !== c.id)
      .sort((a, b) => a.seq - b.seq).map((m) => ({ id: ids.container(host.name, m.name), name: m.name }))
    : [];
  const endpoints: DiagramEndpoint[] = [];
  if (sb && !sb.hostNetwork) {
    for (const ep of [...sb.endpoints, ...byHand]) {
      // null-driver endpoints (network_mode: none) have no interface: nothing to draw.
      if (!ep.ifname) continue;
      const e: DiagramEndpoint = {
        id: ids.endpoint(host.name, ep.networkName, c.name),
        networkId: ids.network(host.name, ep.networkName),
        ifname: ep.ifname,
        linkId: ids.link(host.name, ep.networkName, c.name),
        aliases: ep.aliases.filter((a) => a !== c.name && a !== c.id.slice(0, 12)),
      };
      if (ep.ipv4) e.ipv4 = ep.ipv4.address;
      if (ep.ipv6) e.ipv6 = ep.ipv6.address;
      if (ep.mac) e.mac = ep.mac;
      if (ep.addressUnknown) e.addressUnknown = true;
      if (ep.hostIfname) e.veth = ep.hostIfname;
      endpoints.push(e);
    }
    // Interface order (eth0, eth1…) reads best.
    endpoints.sort((a, b) => a.ifname.localeCompare(b.ifname, 'en', { numeric: true }));
  }
  return {
    id: ids.container(host.name, c.name),
    name: c.name,
    sharedBy,
    mode,
    image: c.image,
    listening: namespaceListening(c, sb, byId),
    endpoints,
  };
}

/** The node's ingress-sbox as a box (its legs on the ingress network and docker_gwbridge), unless a container has its name. */
function ingressSandbox(state: EngineState, host: HostState, containers: ContainerState[]): { box: DiagramSandbox } | undefined {
  const sb = host.sandboxes.get(INGRESS_SANDBOX_ID);
  if (!sb || containers.some((c) => c.name === INGRESS_SANDBOX_NAME)) return undefined;
  const endpoints: DiagramEndpoint[] = [];
  for (const ep of sb.endpoints) {
    if (!ep.ifname) continue;
    const e: DiagramEndpoint = {
      id: ids.endpoint(host.name, ep.networkName, INGRESS_SANDBOX_NAME),
      networkId: ids.network(host.name, ep.networkName),
      ifname: ep.ifname,
      linkId: ids.link(host.name, ep.networkName, INGRESS_SANDBOX_NAME),
      aliases: [],
    };
    if (ep.ipv4) e.ipv4 = ep.ipv4.address;
    if (ep.mac) e.mac = ep.mac;
    if (ep.hostIfname) e.veth = ep.hostIfname;
    endpoints.push(e);
  }
  endpoints.sort((a, b) => a.ifname.localeCompare(b.ifname, 'en', { numeric: true }));
  // What IPVS in it serves: every published port of the routing mesh.
  const listening = [...new Set(routingMesh(state, host.name).map((m) => `${m.published}/${m.proto}`))];
  return { box: { id: ids.container(host.name, INGRESS_SANDBOX_NAME), name: INGRESS_SANDBOX_NAME, sharedBy: [], mode: 'ingress', image: '', listening, endpoints } };
}

/** Interfaces put in the namespace by hand (pipework): Docker's sandbox does not list their endpoints, their network does. */
function handMadeEndpoints(host: HostState, sb: SandboxState): SandboxState['endpoints'] {
  const known = new Set(sb.endpoints.map((e) => e.id));
  const out: SandboxState['endpoints'][number][] = [];
  for (const i of sb.interfaces) {
    if (!i.endpointId || known.has(i.endpointId)) continue;
    for (const n of host.networks.values()) {
      const ep = n.endpoints.get(i.endpointId);
      if (ep) {
        out.push(ep);
        break;
      }
    }
  }
  return out;
}

function diagramPorts(host: HostState, c: ContainerState, sandboxId: string): DiagramPort[] {
  const out: DiagramPort[] = [];
  const sb = c.sandboxId ? host.sandboxes.get(c.sandboxId) : undefined;
  for (const ep of sb?.endpoints ?? []) {
    for (const b of ep.portBindings) {
      const binding = portBindingLabel(b.hostIp, b.hostPort, b.containerPort, b.proto);
      out.push({ id: ids.port(host.name, c.name, binding), sandboxId, hostIp: b.hostIp, hostPort: b.hostPort, containerPort: b.containerPort, proto: b.proto });
    }
  }
  return out;
}

/** "0.0.0.0:8080->80/tcp", "[::]:8080->80/tcp", as `docker ps` shows a binding. */
export function portBindingLabel(hostIp: string, hostPort: number, containerPort: number, proto: string): string {
  const ip = hostIp.includes(':') ? `[${hostIp}]` : hostIp;
  return `${ip}:${hostPort}->${containerPort}/${proto}`;
}
