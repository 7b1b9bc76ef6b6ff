// A Compose project → what `docker compose up` (v2.26) makes on a fresh dockerd, as a TopologySpec the
// builder plays: networks `<project>_<key>` (only those some enabled service uses), containers
// `<project>-<service>-<n>` (or container_name) in dependency order, each created on its first network
// by priority then name, connected to the others before it starts (Compose < API 1.44 connects them
// one by one; from 1.44 it passes them all at create — the same endpoints either way), with the
// aliases Compose gives (container name, service name, `aliases`). Where Compose's own concurrency
// makes an address depend on timing, a warning says so instead of pretending to know.
import { DEFAULT_HOST } from '../schema';
import type { ContainerNetworkSpec, ContainerSpec, ExpectSpec, NetworkSpec, TopologySpec, YamlPath } from '../spec';
import type { ComposeProblem } from './load';
import type { Loc } from './nodes';
import type { ComposeNetwork, ComposeProject, ComposeService } from './project';

export interface PlayedCompose {
  spec: TopologySpec;
  /** Spec paths (as the builder reports them) → where in which file. */
  locations: Map<string, Loc>;
  /** Service name → its containers' names, replica 1 first. */
  containersOf: Map<string, string[]>;
  /** Network key → Docker's name. */
  networkNames: Map<string, string>;
  /** Docker network name → the containers whose address on it depends on start timing (warned). */
  racing: Map<string, Set<string>>;
  /** Networks whose subnet depends on Compose's creation order (warned). */
  racingSubnets: Set<string>;
  /** Containers on several networks: which interface is eth0, eth1, … depends on dockerd's join order at start (warned). */
  racingInterfaces: Set<string>;
  /** Service → its replicas, when which replica gets which address depends on the order they start (warned): their numbers are interchangeable. */
  racingReplicas: Map<string, string[]>;
  /**
   * Link names that name one replica of a replicated service (warned): from `from`, each of `names` answers
   * the replica Compose created first, which is the one it starts last; which replica number that is depends
   * on timing. `target` is the engine's (its last replica, which gets the last of their addresses).
   */
  racingLinks: { from: string; names: string[]; service: string; candidates: string[]; target: string }[];
  problems: ComposeProblem[];
}

export const COMPOSE_SEPARATOR = '-';

export function containerName(project: string, service: ComposeService, n: number): string {
  return service.containerName?.value ?? [project, service.name, String(n)].join(COMPOSE_SEPARATOR);
}

export function playCompose(p: ComposeProject, daemonVersion?: string): PlayedCompose {
  const locations = new Map<string, Loc>();
  const problems: ComposeProblem[] = [];
  const at = (path: YamlPath, loc: Loc | undefined) => {
    if (loc) locations.set(JSON.stringify(path), loc);
  };
  const warn = (loc: Loc, message: string, code = 'compose-order'): void => {
    problems.push({ file: loc.file, path: loc.path, part: 'key', severity: 'warning', message, code });
  };

  const version = daemonVersion ?? p.daemonVersion?.value;
  const spec: TopologySpec = {
    ...(p.name ? { name: p.name } : {}),
    hosts: [{ name: DEFAULT_HOST, interfaces: {}, daemon: version !== undefined ? { version } : {}, path: ['host'] }],
    networks: [],
    containers: [],
    services: [],
    expect: [],
  };
  if (p.daemonVersion) at(['host', 'daemon', 'version'], p.daemonVersion.loc);

  // Networks: Compose ranges over a Go map (no fixed order); the engine uses key order.
  const networkNames = new Map<string, string>();
  // External networks modelled from x-cnm exist before the project: first.
  const keys = [...p.networks.keys()].sort((a, b) => Number(!!p.networks.get(b)!.known) - Number(!!p.networks.get(a)!.known) || (a < b ? -1 : a > b ? 1 : 0));
  const created: ComposeNetwork[] = [];
  for (const key of keys) {
    const n = p.networks.get(key)!;
    networkNames.set(key, n.name);
    const unknown = n.external && !n.known;
    if (unknown) {
      warn(n.loc ?? { file: '', path: [] }, `Network "${n.name}" is external: it exists outside this project, so its subnet and the addresses on it are unknown here; the containers on it are shown with an unknown address, and names and traces that depend on it say unknown (describe its subnet in x-cnm to model it).`, 'compose-external');
    }
    const path: YamlPath = ['n', spec.networks.length];
    at(path, n.loc);
    n.ipamConfig.forEach((c, i) => at([...path, 'ipam', 'config', i], c.loc));
    const spec1: NetworkSpec = {
      name: n.name,
      driver: n.driver ?? 'bridge',
      host: DEFAULT_HOST,
      ipamConfig: unknown ? [] : n.ipamConfig.map((c) => ({
        ...(c.subnet !== undefined ? { subnet: c.subnet } : {}),
        ...(c.gateway !== undefined ? { gateway: c.gateway } : {}),
        ...(c.ipRange !== undefined ? { ipRange: c.ipRange } : {}),
        ...(c.auxAddresses !== undefined ? { auxAddresses: c.auxAddresses } : {}),
      })),
      ipamForm: 'compose',
      viaApi: true,
      internal: n.internal,
      attachable: n.attachable,
      ingress: false,
      enableIpv6: n.enableIpv6,
      driverOpts: n.driverOpts,
      // Compose labels what it creates (prepareNetworks).
      labels: n.known || unknown ? n.labels : { ...n.labels, 'com.docker.compose.network': key, 'com.docker.compose.project': p.name, 'com.docker.compose.version': '2.26.1' },
      path,
    };
    if (unknown) spec1.addressesUnknown = true;
    if (n.ipamDriver !== undefined) spec1.ipamDriver = n.ipamDriver;
    if (n.ipamOptions !== undefined) spec1.ipamOptions = n.ipamOptions;
    spec.networks.push(spec1);
    if (unknown) continue;
    if (n.known) {
      problems.push({ file: n.loc!.file, path: n.loc!.path, part: 'key', severity: 'information', code: 'compose-external',
        message: `Network "${n.name}" is external: modelled as created before the project with the settings in its x-cnm, with nothing outside this project attached to it (other containers on it would take addresses too).` });
    } else created.push(n);
  }
  const racingSubnets = new Set<string>();
  const pooled = created.filter((n) => (n.driver ?? 'bridge') === 'bridge' && !n.ipamConfig.some((c) => c.subnet !== undefined && !c.subnet.includes(':')));
  if (pooled.length > 1) {
    for (const n of pooled) {
      racingSubnets.add(n.name);
      const others = pooled.filter((o) => o !== n).map((o) => `"${o.name}"`);
      warn(n.loc ?? p.services.find((s) => s.networks.some((x) => x.key === n.key))?.loc ?? { file: '', path: [] },
        `Compose creates networks in no fixed order, so the subnet "${n.name}" gets from the default pools depends on whether it is created before or after ${others.join(', ')}; give it an ipam config subnet to pin it.`);
    }
  }

  // Containers, in dependency order (ties: file order).
  const enabled = p.services.filter((s) => s.enabled);
  const order = dependencyOrder(enabled);
  const containersOf = new Map<string, string[]>();
  for (const s of enabled) containersOf.set(s.name, Array.from({ length: s.scale }, (_, i) => containerName(p.name, s, i + 1)));
  for (const s of order) {
    for (let n = 1; n <= s.scale; n++) {
      const name = containerName(p.name, s, n);
      const path: YamlPath = ['c', spec.containers.length];
      at(path, s.loc);
      const c: ContainerSpec = { name, host: DEFAULT_HOST, image: s.image ?? '', networks: [], ports: [], expose: [], path, connectBeforeStart: true };
      if (s.hostname !== undefined) c.hostname = s.hostname;
      s.ports.forEach((x, i) => {
        c.ports.push(x.value);
        at([...path, 'ports', i], x.loc);
      });
      if (s.ports[0]) at([...path, 'ports'], { file: s.ports[0].loc.file, path: s.ports[0].loc.path.slice(0, -1) });
      s.expose.forEach((x, i) => {
        c.expose.push(x.value);
        at([...path, 'expose', i], x.loc);
      });
      if (s.expose[0]) at([...path, 'expose'], { file: s.expose[0].loc.file, path: s.expose[0].loc.path.slice(0, -1) });
      if (s.networkMode) {
        at([...path, 'network_mode'], s.networkMode.loc);
        const mode = s.networkMode.value;
        if (mode.startsWith('service:')) {
          const target = containersOf.get(mode.slice(8))?.[0];
          c.networkMode = `container:${target ?? mode.slice(8)}`;
        } else c.networkMode = mode;
      } else {
        const mac = macPlan(s, version);
        if (mac.error) {
          // Compose (or the Docker client under it) refuses to create the container.
          problems.push({ file: mac.error.loc.file, path: mac.error.loc.path, part: 'value', severity: 'error', message: mac.error.message, code: 'compose' });
          continue;
        }
        let primary = true;
        for (const sn of s.networks) {
          const net = p.networks.get(sn.key);
          if (!net) continue;
          const unknown = net.external && !net.known;
          const ep: ContainerNetworkSpec = { network: net.name, path: [...path, 'networks', c.networks.length], aliases: [name, s.name, ...sn.aliases] };
          at(ep.path, sn.loc);
          // On a network of unknown subnet a static address cannot be checked; the engine gives none.
          if (sn.ipv4Address !== undefined && !unknown) ep.ipv4Address = sn.ipv4Address;
          if (sn.ipv6Address !== undefined && !unknown) ep.ipv6Address = sn.ipv6Address;
          const links = linksOf(p, s, n, containersOf);
          if (links.length) ep.links = links;
          const m = primary ? mac.primary : mac.api144 ? sn.macAddress : undefined;
          if (m !== undefined && m !== '') ep.macAddress = m;
          c.networks.push(ep);
          primary = false;
        }
        if (c.networks.length === 0) c.networkMode = 'none';
      }
      spec.containers.push(c);
    }
  }
  const { racing, racingReplicas } = concurrencyWarnings(enabled, p, warn, containersOf);
  const racingLinks = linkRaces(p, enabled, spec, containersOf, warn);
  // On docker0 Compose's links are legacy links: dockerd writes /etc/hosts lines for them (observed on 20.10
  // and 26.1; with replicas, for the one started first). The engine does not model those lines: it says so.
  for (const s of enabled) {
    if (!s.networkMode || !['bridge', 'default'].includes(s.networkMode.value)) continue;
    for (const l of s.links) {
      warn(l.loc, `On the default bridge (network_mode: ${s.networkMode.value}) this link is a legacy link: Docker writes "${l.alias}" and "${l.service}-<n>" into /etc/hosts of "${s.name}", which the engine does not model, so those names do not resolve here (they do on Docker). Put both services on a user-defined network to have them modelled.`, 'compose-links');
    }
  }
  // Compose connects every network before the container starts; dockerd then joins them ranging over a
  // Go map (allocateNetwork), so the interface names follow no fixed order. The default route does not
  // depend on it (the gateway endpoint is chosen by priority, internal last, then network name).
  const racingInterfaces = new Set<string>();
  for (const s of enabled) {
    const names = containersOf.get(s.name) ?? [];
    const c = spec.containers.find((x) => x.name === names[0]);
    if (!c || c.networks.length < 2) continue;
    for (const n of names) racingInterfaces.add(n);
    problems.push({ file: s.loc.file, path: s.loc.path, part: 'key', severity: 'information', code: 'compose-order',
      message: `"${s.name}" is on ${c.networks.length} networks, all connected before it starts; dockerd joins them in no fixed order, so which of its interfaces is eth0, eth1, … changes from run to run (its addresses and its default route do not).` });
  }
  // x-cnm-expect: a service name as `from` means its first replica.
  for (const e of p.expect) {
    const path: YamlPath = ['e', spec.expect.length];
    at(path, e.loc);
    const from = containersOf.get(e.from)?.[0] ?? e.from;
    spec.expect.push({ from, to: e.to, verdict: e.verdict as ExpectSpec['verdict'], path });
  }
  return { spec, locations, containersOf, networkNames, racing, racingSubnets, racingInterfaces, racingReplicas, racingLinks, problems };
}

/**
 * EndpointSettings.Links as docker compose 2.26 passes them (getLinks): for each container of a linked
 * service, its name as the link's alias, as `<service>-<n>` and as `<project>-<service>-<n>` (n: the
 * linking container's number). dockerd answers these names from its embedded DNS for the linking
 * container only (on a user-defined network links touch no /etc/hosts). With several containers behind
 * one alias the last one Compose lists wins: it lists them newest first (dockerd's order), so the alias
 * names the replica created first — which is also the one started last (Compose starts a service's
 * containers in that same list order), with the last of their addresses. Replicas are created
 * concurrently, so which number that replica has is a race (linkRaces warns); the engine takes its last
 * replica, the one it starts last (observed on 20.10 and 26.1: the alias always answered the last address).
 */
function linksOf(p: ComposeProject, s: ComposeService, n: number, containersOf: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const l of s.links) {
    const target = containersOf.get(l.service)?.at(-1);
    if (target === undefined) continue;
    out.push(`${target}:${l.alias}`, `${target}:${l.service}${COMPOSE_SEPARATOR}${n}`, `${target}:${[p.name, l.service, String(n)].join(COMPOSE_SEPARATOR)}`);
  }
  return out;
}

/** Links to a service with several replicas: which replica their names answer depends on timing (linksOf). */
function linkRaces(p: ComposeProject, services: ComposeService[], spec: TopologySpec, containersOf: Map<string, string[]>, warn: (loc: Loc, message: string) => void): PlayedCompose['racingLinks'] {
  const out: PlayedCompose['racingLinks'] = [];
  const byName = new Map(services.map((s) => [s.name, s]));
  for (const s of services) {
    const linking = (containersOf.get(s.name) ?? []).filter((c) => spec.containers.some((x) => x.name === c && x.networks.some((ep) => ep.links?.length)));
    if (linking.length === 0) continue;
    for (const l of s.links) {
      const target = byName.get(l.service);
      const candidates = containersOf.get(l.service) ?? [];
      if (!target || candidates.length < 2) continue;
      const names = (n: number) => [...new Set([l.alias, `${l.service}${COMPOSE_SEPARATOR}${n}`, [p.name, l.service, String(n)].join(COMPOSE_SEPARATOR)])];
      for (const from of linking) {
        const n = (containersOf.get(s.name) ?? []).indexOf(from) + 1;
        out.push({ from, names: names(n), service: l.service, candidates, target: candidates.at(-1)! });
      }
      const shown = names(1).map((x) => `"${x}"`).join(', ');
      const message = `"${s.name}" links "${l.service}", which has ${candidates.length} replicas: from "${s.name}", ${shown} name one of them — the one Compose created first, which it starts last (so it has the last of their addresses); replicas are created at the same time, so which replica number that is depends on timing (the engine shows ${candidates.at(-1)}). Link a service with one container, or use the service name "${l.service}" (all replicas), where it matters.`;
      warn(l.loc, message);
      warn(target.loc, message);
    }
  }
  return out;
}

/** The Engine API version of a Docker release (what Compose checks features against). */
export function apiVersionOf(release: string | undefined): number {
  if (release === undefined) return 1.47;
  const [maj, min] = release.split('.').map(Number) as [number, number];
  if (maj >= 27) return 1.46 + (maj - 27) * 0.01;
  if (maj === 26) return min >= 1 ? 1.45 : 1.44;
  if (maj === 25) return 1.44;
  if (maj === 24) return 1.43;
  if (maj === 23) return 1.42;
  return 1.41;
}

/**
 * MAC addresses as docker compose 2.26 passes them (prepareContainerMACAddress, createEndpointSettings):
 * from API 1.44 the service-wide mac_address moves to the primary network's settings — only when that
 * network has a settings block (a network listed by name has none, and the address is dropped); before
 * 1.44 it is container-wide unless the primary network has a block, whose mac_address (or none) wins, and
 * a per-network mac_address on the primary network makes the Docker client refuse the create.
 */
function macPlan(s: ComposeService, release: string | undefined): { primary?: string; api144: boolean; error?: { loc: Loc; message: string } } {
  const api = apiVersionOf(release);
  const api144 = api >= 1.44;
  const main = s.networks[0];
  const hasBlock = main?.hasConfig ?? false;
  const svc = s.macAddress?.value;
  if (svc !== undefined && svc !== '' && main?.macAddress && main.macAddress !== svc) {
    return { api144, error: { loc: s.macAddress!.loc, message: `the service-level mac_address should have the same value as network ${main.key}` } };
  }
  if (api144) return { api144, ...(hasBlock ? { primary: main!.macAddress || svc || '' } : {}) };
  const withMac = s.networks.filter((n) => n.macAddress);
  if (withMac.length > 1) {
    return { api144, error: { loc: s.loc, message: `a MAC address is specified for multiple networks (${withMac.map((n) => n.key).join(', ')}), but this feature requires Docker Engine 1.44 or later (currently: ${api.toFixed(2)})` } };
  }
  if (main?.macAddress) return { api144, error: { loc: main.loc, message: `"specify mac-address per network" requires API version 1.44, but the Docker daemon API version is ${api.toFixed(2)}` } };
  return { api144, ...(hasBlock ? {} : svc ? { primary: svc } : {}) };
}

/** depends_on order; services Compose would start at the same time keep file order. */
function dependencyOrder(services: ComposeService[]): ComposeService[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const done = new Set<string>();
  const out: ComposeService[] = [];
  const visit = (s: ComposeService, stack: Set<string>) => {
    if (done.has(s.name) || stack.has(s.name)) return;
    stack.add(s.name);
    for (const d of s.dependsOn) {
      const dep = byName.get(d.service);
      if (dep) visit(dep, stack);
    }
    done.add(s.name);
    out.push(s);
  };
  for (const s of services) visit(s, new Set());
  return out;
}

/** Services ordered before `s` by depends_on (transitively). */
function before(s: ComposeService, byName: Map<string, ComposeService>, seen = new Set<string>()): Set<string> {
  for (const d of s.dependsOn) {
    if (seen.has(d.service)) continue;
    seen.add(d.service);
    const dep = byName.get(d.service);
    if (dep) before(dep, byName, seen);
  }
  return seen;
}

function concurrencyWarnings(services: ComposeService[], p: ComposeProject, warn: (loc: Loc, message: string) => void, containersOf: Map<string, string[]>): { racing: Map<string, Set<string>>; racingReplicas: Map<string, string[]> } {
  const racing = new Map<string, Set<string>>();
  const racingReplicas = new Map<string, string[]>();
  // `network_mode: bridge` (or default) puts a service on docker0, whose addresses race as well.
  const DOCKER0 = '\0bridge';
  const nameOf = (key: string) => (key === DOCKER0 ? 'bridge' : p.networks.get(key)!.name);
  const mark = (key: string, service: string) => {
    const name = nameOf(key);
    const set = racing.get(name) ?? new Set<string>();
    for (const c of containersOf.get(service) ?? []) set.add(c);
    racing.set(name, set);
  };
  const byName = new Map(services.map((s) => [s.name, s]));
  const dynamicOn = (s: ComposeService) =>
    s.networkMode ? (['bridge', 'default'].includes(s.networkMode.value) ? [DOCKER0] : []) : s.networks.filter((n) => n.ipv4Address === undefined && p.networks.get(n.key) && !(p.networks.get(n.key)!.external && !p.networks.get(n.key)!.known)).map((n) => n.key);
  const preds = new Map(services.map((s) => [s.name, before(s, byName)]));
  for (const s of services) {
    const mine = dynamicOn(s);
    if (s.scale > 1 && mine.length > 0) {
      for (const k of mine) mark(k, s.name);
      racingReplicas.set(s.name, containersOf.get(s.name) ?? []);
      warn(s.loc, `The ${s.scale} replicas of "${s.name}" are created at the same time, so which replica gets which address on ${mine.map((k) => `"${nameOf(k)}"`).join(', ')} depends on the order they start (replicas cannot be pinned; where it matters, make separate services with ipv4_address).`);
    }
    const racers = new Map<string, string[]>();
    for (const o of services) {
      if (o === s || preds.get(s.name)!.has(o.name) || preds.get(o.name)!.has(s.name)) continue;
      for (const k of dynamicOn(o)) if (mine.includes(k)) racers.set(o.name, [...(racers.get(o.name) ?? []), k]);
    }
    for (const [other, nets] of racers) {
      for (const k of nets) {
        mark(k, s.name);
        mark(k, other);
      }
      warn(s.loc, `"${s.name}" and "${other}" start at the same time (no depends_on between them), so which of them gets which address on ${nets.map((k) => `"${nameOf(k)}"`).join(', ')} depends on who starts first; ${nets.includes(DOCKER0) ? 'add a depends_on between them (docker0 takes no ipv4_address)' : 'pin it with ipv4_address, or add a depends_on between them'}.`);
    }
  }
  return { racing, racingReplicas };
}
