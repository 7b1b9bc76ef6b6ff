// `cnm inspect --json`: the engine state in the shape fixed by SPEC.md (inspectTypes.ts). Networks and
// containers per host in creation order; a stopped container lists its configured networks without
// addresses, as `docker inspect` does.
import { formatAddr, formatNet } from './ip';
import type { InspectContainer, InspectEndpoint, InspectNetwork, InspectPortBinding, InspectResult, InspectService } from './inspectTypes';
import type { ContainerState, EndpointState, EngineState, HostState, NetworkState } from './model';
import { sandboxFiles } from './sandboxView';
import { INGRESS_SANDBOX_ID } from './swarm/services';

export function buildInspect(state: EngineState): InspectResult {
  const networks: InspectNetwork[] = [];
  const containers: InspectContainer[] = [];
  for (const host of state.hosts.values()) {
    const byName = new Map<string, NetworkState>();
    for (const n of host.networks.values()) {
      networks.push(inspectNetwork(n, host));
      byName.set(n.name, n);
    }
    for (const c of host.containers.values()) containers.push(inspectContainer(host, c, byName));
  }
  return { networks, containers, services: inspectServices(state) };
}

/** Every service in creation order: VIPs by network name, tasks in slot order with their task container's endpoints. */
export function inspectServices(state: EngineState): InspectService[] {
  const out: InspectService[] = [];
  const netName = (id: string) => state.swarm.networks.get(id)?.name ?? id;
  for (const svc of state.swarm.services.values()) {
    out.push({
      name: svc.name,
      endpoint_mode: svc.endpointMode,
      vips: svc.vips.map((v) => ({ network: netName(v.networkId), ipv4_address: v.address })),
      tasks: svc.tasks.map((t) => {
        const host = state.hosts.get(t.host);
        const c = host?.containers.get(t.containerId);
        return { name: t.name, host: t.host, endpoints: host && c ? inspectContainer(host, c).endpoints : [] };
      }),
      replicas: svc.replicas,
      ports: svc.ports.map((p) => ({ published: p.published, target: p.target, protocol: p.proto, mode: p.mode })),
    });
  }
  return out;
}

export function inspectNetwork(n: NetworkState, host?: HostState): InspectNetwork {
  const v4 = n.ipv4[0];
  const v6 = n.ipv6[0];
  const swarmEndpoints: NonNullable<InspectNetwork['swarm_endpoints']> = [];
  const lb = host?.overlays.get(n.id)?.loadBalancer;
  if (lb && !n.ingress) swarmEndpoints.push({ key: `lb-${n.name}`, name: `${n.name}-endpoint`, ipv4_address: lb.address, mac_address: lb.mac });
  for (const ep of n.endpoints.values()) {
    if (ep.sandboxId !== INGRESS_SANDBOX_ID) continue;
    swarmEndpoints.push({ key: ep.containerId, name: ep.name, ipv4_address: ep.ipv4?.address ?? null, mac_address: ep.mac });
  }
  return {
    name: n.name,
    host: n.host,
    id: n.id,
    driver: n.driver,
    scope: n.scope,
    subnet: v4 ? formatNet(v4.subnet) : null,
    gateway: v4?.gateway ? formatAddr(v4.gateway) : null,
    ip_range: v4?.ipRange ? formatNet(v4.ipRange) : null,
    ipv6_subnet: v6 ? formatNet(v6.subnet) : null,
    ipv6_gateway: v6?.gateway ? formatAddr(v6.gateway) : null,
    internal: n.internal,
    attachable: n.attachable,
    ingress: n.ingress,
    enable_ipv6: n.enableIpv6,
    options: { ...n.options },
    bridge: n.bridge ? n.bridge.name : null,
    ...(swarmEndpoints.length ? { swarm_endpoints: swarmEndpoints } : {}),
    ...(n.addressesUnknown ? { addresses_unknown: true as const } : {}),
  };
}

function inspectEndpoint(n: NetworkState | undefined, key: string, ep: EndpointState | null, storedAliases: string[]): InspectEndpoint {
  return {
    network: n?.name ?? key,
    ipv4_address: ep?.ipv4?.address ?? null,
    ipv4_prefix: ep?.ipv4?.prefixLength ?? null,
    ipv6_address: ep?.ipv6?.address ?? null,
    mac_address: ep?.mac ?? null,
    interface: ep?.ifname ?? null,
    // macvlan/ipvlan children have no veth: the host link they hang off (what their iflink names).
    host_interface: ep?.hostIfname ?? (ep?.link && ep.link.kind !== 'veth' ? ep.link.parent : null),
    gateway: ep?.gateway ? formatAddr(ep.gateway) : null,
    aliases: ep ? [...ep.aliases] : [...storedAliases],
    ipv6_prefix: ep?.ipv6?.prefixLength ?? null,
    ipv6_gateway: ep?.gateway6 ? formatAddr(ep.gateway6) : null,
    ...(n?.addressesUnknown ? { address_unknown: true as const } : {}),
  };
}

export function inspectContainer(host: HostState, c: ContainerState, byName?: Map<string, NetworkState>): InspectContainer {
  const running = c.status === 'running';
  const endpoints: InspectEndpoint[] = [];
  const ports: InspectPortBinding[] = [];
  let gatewayNetwork: string | null = null;
  for (const cn of c.networks) {
    const n = cn.networkId ? host.networks.get(cn.networkId) : byName ? byName.get(cn.key) : [...host.networks.values()].find((x) => x.name === cn.key);
    const ep = running && cn.endpointId && n ? n.endpoints.get(cn.endpointId) ?? null : null;
    endpoints.push(inspectEndpoint(n, cn.key, ep, cn.aliases));
  }
  const sb = running && c.sandboxId ? host.sandboxes.get(c.sandboxId) : undefined;
  // A `container:` joiner has no endpoints of its own, but its default route is the owner's (shared
  // namespace); the owner's published ports stay the owner's.
  if (sb) {
    const gw = sb.endpoints.find((e) => e.id === sb.gatewayEndpointId);
    if (gw) gatewayNetwork = gw.networkName;
    if (gw && c.modeKind !== 'container') {
      const sorted = [...gw.portBindings].sort((a, b) => a.containerPort - b.containerPort || a.proto.localeCompare(b.proto));
      for (const b of sorted) {
        ports.push({ container_port: b.containerPort, protocol: b.proto, host_ip: b.hostIp, host_port: b.hostPort, ...(b.hostPortOneOf ? { host_port_one_of: [...b.hostPortOneOf] } : {}) });
      }
    }
  }
  return {
    name: c.name,
    host: host.name,
    id: c.id,
    network_mode: c.networkMode === 'default' && host.daemon.features.defaultModeShownAsBridge ? 'bridge' : c.networkMode,
    running,
    endpoints,
    ports,
    default_gateway_network: gatewayNetwork,
    warnings: [...c.warnings, ...c.runtimeWarnings],
    ...(sb ? sandboxFiles(sb) : { interfaces: null, routes: null, hosts_file: null, resolv_conf: null }),
  };
}
