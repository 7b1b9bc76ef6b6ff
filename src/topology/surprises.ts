// Docker's silent surprises: things Docker accepts without an error but that do not do what the file
// seems to say. Each becomes a warning (or a note) on the line that says it.
import { findDescriptor, inspectContainer, inspectNetwork, parseCidr, type ContainerState, type Engine, type InspectContainer, type InspectNetwork, type NetworkState } from '../engine';
import { cidrFamily, canonicalCIDR, hasHostBits, ipFamily } from './addresses';
import type { BuildReport } from './buildReport';
import type { ContainerSpec, ExpectSpec, NetworkSpec, TopologySpec } from './spec';

export function findSurprises(spec: TopologySpec, engine: Engine, report: BuildReport): void {
  const { containers, networks } = lazyInspect(engine);
  const versions = new Map(spec.hosts.map((h) => [h.name, h.daemon.version]));

  for (const c of spec.containers) {
    if (c.ports.length === 0) continue;
    const view = portView(engine, c.host, c.name);
    if (view) portSurprises(c, view, () => containers.get(c.host, c.name), networks, report);
  }
  for (const n of spec.networks) {
    if (networks.has(n.host, n.name)) subnetSurprises(n, versions.get(n.host), report);
  }
  for (const e of spec.expect) nameSurprises(e, spec, containers, engine, report);
}

/** A look-up by host and name. */
interface Lookup<T> {
  get(host: string, name: string): T | undefined;
  has(host: string, name: string): boolean;
}

/**
 * The inspect view of what the checks look at, made on demand: most containers publish nothing and need
 * none (a whole engine.inspect() of 10,000 containers costs tens of milliseconds of every load).
 */
function lazyInspect(engine: Engine): { containers: Lookup<InspectContainer>; networks: Lookup<InspectNetwork> } {
  const seenC = new Map<ContainerState, InspectContainer>();
  const seenN = new Map<NetworkState, InspectNetwork>();
  const containers: Lookup<InspectContainer> = {
    has: (host, name) => engine.containerNamed(host, name) !== undefined,
    get: (host, name) => {
      const c = engine.containerNamed(host, name);
      const h = engine.state.hosts.get(host);
      if (!c || !h) return undefined;
      let v = seenC.get(c);
      if (!v) seenC.set(c, (v = inspectContainer(h, c)));
      return v;
    },
  };
  const networks: Lookup<InspectNetwork> = {
    has: (host, name) => engine.networkNamed(host, name) !== undefined,
    get: (host, name) => {
      const n = engine.networkNamed(host, name);
      if (!n) return undefined;
      let v = seenN.get(n);
      if (!v) seenN.set(n, (v = inspectNetwork(n)));
      return v;
    },
  };
  return { containers, networks };
}

/**
 * What the port checks read of a built container, as inspectContainer shows it (running, warnings, how
 * many ports it publishes, the default-gateway network) without making the rest of its view — every
 * endpoint and the sandbox's files — for each of the containers that publish ports.
 * test/unit/topology/surprises.test.ts holds it to inspectContainer.
 */
export interface PortView {
  running: boolean;
  warnings: readonly string[];
  published: number;
  gatewayNetwork: string | null;
}

export function portView(engine: Engine, host: string, name: string): PortView | undefined {
  const c = engine.containerNamed(host, name);
  const h = engine.state.hosts.get(host);
  if (!c || !h) return undefined;
  const running = c.status === 'running';
  const sb = running && c.sandboxId ? h.sandboxes.get(c.sandboxId) : undefined;
  const gw = sb?.endpoints.find((e) => e.id === sb.gatewayEndpointId);
  return {
    running,
    warnings: c.runtimeWarnings.length > 0 ? [...c.warnings, ...c.runtimeWarnings] : c.warnings,
    // A `container:` joiner's default route is the owner's, but the published ports stay the owner's.
    published: gw && c.modeKind !== 'container' ? gw.portBindings.length : 0,
    gatewayNetwork: gw ? gw.networkName : null,
  };
}

function portSurprises(c: ContainerSpec, live: PortView, inspect: () => InspectContainer | undefined, networks: Lookup<InspectNetwork>, report: BuildReport): void {
  const portsKey = { path: [...c.path, 'ports'], part: 'key' as const };
  const mode = c.networkMode ?? c.networks[0]?.network ?? 'bridge';
  if (mode === 'host') {
    // dockerd's own warning, unless the engine already returned it.
    if (!live.warnings.some((w) => /discarded/i.test(w))) {
      report.add('warning', portsKey, 'Published ports are discarded when using host network mode', 'ports-ignored');
    }
    return;
  }
  if (mode.startsWith('container:') || !live.running) return; // an error already, or nothing published yet
  if (live.published === 0) {
    const full = inspect();
    if (!full) return;
    // Docker does publish them (through the network whose subnet is unknown): the engine cannot say to where.
    const unknown = full.endpoints.map((ep) => networks.get(full.host, ep.network)).find((n) => n?.addresses_unknown && !n.internal);
    if (unknown) {
      report.add('warning', portsKey, `Docker publishes these ports on the host, but through network "${unknown.name}", whose subnet is unknown here: the container's address behind them is unknown, so the engine does not model them, and connections to them trace as unknown.`, 'ports-unknown');
      return;
    }
    report.add('warning', portsKey, `Published ports are ignored: ${whyNoPorts(mode, full, networks)}.`, 'ports-ignored');
    return;
  }
  const first = c.networkMode === undefined ? c.networks[0]?.network : undefined;
  const gateway = live.gatewayNetwork;
  if (first && gateway && gateway !== first && c.networks.length > 1) {
    report.add(
      'information',
      portsKey,
      `These ports are published on network "${gateway}", not "${first}": Docker gives the default route and the published ports to the network whose name sorts first, not to the first one listed.`,
      'ports-network',
    );
  }
}

function whyNoPorts(mode: string, live: InspectContainer, networks: Lookup<InspectNetwork>): string {
  if (mode === 'none') return 'a container with network_mode none has no network to publish them on';
  const nets = live.endpoints.map((ep) => networks.get(live.host, ep.network)).filter((n): n is InspectNetwork => !!n);
  const internal = nets.find((n) => n.internal);
  if (internal && nets.every((n) => n.internal)) return `network "${internal.name}" is internal, and Docker does not publish ports from internal networks`;
  const direct = nets.find((n) => findDescriptor(n.driver)?.onParentLan);
  if (direct) return `the ${direct.driver} driver puts the container directly on the host's LAN and does not publish ports; reach it at its own address`;
  return 'none of the container\'s networks gives it a default gateway to publish through';
}

function subnetSurprises(n: NetworkSpec, version: string | undefined, report: BuildReport): void {
  const major = version === undefined ? undefined : Number(version.split('.')[0]);
  if (major === undefined || major >= 25) return; // these are 20.10–24 quirks; newer releases reject or auto-enable
  n.ipamConfig.forEach((pool, i) => {
    const subnet = pool.subnet;
    const family = subnet === undefined ? undefined : cidrFamily(subnet);
    if (subnet === undefined || !family) return;
    const path = n.ipamForm === 'compose' ? [...n.path, 'ipam', 'config', i, 'subnet'] : [...n.path, 'subnet'];
    if (family === 'ipv6' && !n.enableIpv6) {
      report.add('warning', { path, part: 'value' }, `Docker ${version} ignores the IPv6 subnet ${subnet} unless enable_ipv6 is true.`, 'ipv6-ignored');
    } else if (!isMaskedIpv4(subnet) && hasHostBits(subnet)) {
      report.add(
        'warning',
        { path, part: 'value' },
        `Docker ${version} uses ${canonicalCIDR(subnet)} (the host bits of ${subnet} are dropped); Docker 25 and later reject this subnet.`,
        'subnet-host-bits',
      );
    }
  });
}

/** A quick "no host bits" for the common case (a plain IPv4 network address), before ipaddr.js's slower check. */
function isMaskedIpv4(cidr: string): boolean {
  const n = parseCidr(cidr);
  return n !== null && n.family === 4 && !cidr.includes(':') && n.ip === n.base;
}

/** An `expect` target name that the source container cannot resolve (typically: only on the default bridge). */
function nameSurprises(e: ExpectSpec, spec: TopologySpec, containers: Lookup<InspectContainer>, engine: Engine, report: BuildReport): void {
  if (e.verdict === 'unresolved') return;
  const name = targetName(e.to);
  const from = spec.containers.find((c) => c.name === e.from);
  if (name === undefined || !from) return;
  const live = containers.get(from.host, from.name);
  if (!live || !live.running) return;
  let addresses: string[];
  try {
    addresses = engine.resolve(from.host, from.name, name);
  } catch {
    return;
  }
  if (addresses.length > 0) return;
  // A container of the file that did not start has its own error; no need to say it does not resolve.
  if (spec.containers.some((c) => c.name === name && !containers.get(c.host, c.name)?.running)) return;
  const onDefaultBridgeOnly = live.endpoints.length > 0 && live.endpoints.every((ep) => ep.network === 'bridge');
  const message = onDefaultBridgeOnly
    ? `"${name}" will not resolve from "${from.name}": "${from.name}" is only on the default bridge network, which has no embedded DNS. Put both containers on a user-defined network.`
    : `"${name}" does not resolve from "${from.name}": no container, alias or service of that name shares a user-defined network with it.`;
  report.add('warning', { path: [...e.path, 'to'], part: 'value' }, message, 'unresolvable-name');
}

/** The name in an expect target NAME|IP[:PORT][/proto], or undefined when it is an address (proto may end in 6: /icmp6, /tcp6). */
export function targetName(to: string): string | undefined {
  const withoutProto = to.replace(/\/(tcp|udp|icmp|sctp)6?$/i, '');
  if (withoutProto.startsWith('[') || ipFamily(withoutProto)) return undefined;
  const name = withoutProto.split(':')[0]!;
  return name === '' || ipFamily(name) ? undefined : name;
}
