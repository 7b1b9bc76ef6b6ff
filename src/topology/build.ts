// buildTopology: plays a parsed topology on a fresh Engine in Docker's order — hosts, then networks in
// file order, then containers in file order (created on their first network, started, then connected
// to the others in order), then swarm services — and turns every engine error and warning into a
// positioned diagnostic.
// One failing object never stops the rest; what depends on it gets an error that names it.
import { DockerError, Engine, PipeworkError, attachPipework, checkNetworkCreateFlags, setCalicoPolicies, checkRunFlags, installPlugins, listenSpecError, type ContainerCreateRequest, type EndpointConfig, type NetworkCreateRequest } from '../engine';
import { BuildReport, type BuildSource } from './buildReport';
import type { TopologyDiagnostic } from './diagnostics';
import { subjectKey, type Subject } from './errorTargets';
import { BUILTIN_NETWORKS } from './schema';
import type { ContainerNetworkSpec, ContainerSpec, NetworkSpec, PolicySpec, TopologySpec } from './spec';
import { findSurprises } from './surprises';

export interface BuildResult {
  engine: Engine;
  diagnostics: TopologyDiagnostic[];
  /** What replayContainer needs to change one container of this build in place. */
  resume?: BuildResume;
}

/** Which diagnostics of a build came from which step, and the builder's memory of what failed. */
export interface BuildResume {
  readonly builder: Builder;
  /** networkStart[i] = index in `diagnostics` of network i's first one; networkStart[n] = containerStart[0]. */
  readonly networkStart: number[];
  /** containerStart[i] = index in `diagnostics` of container i's first one; containerStart[n] = the end of the containers'. */
  readonly containerStart: number[];
  /** Index of the first diagnostic of the checks made on the finished build (findSurprises). */
  readonly surprisesStart: number;
}

export function buildTopology(spec: TopologySpec, parsed?: BuildSource): BuildResult {
  const steps = buildTopologySteps(spec, parsed);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Networks or containers played between two pauses of buildTopologySteps. */
const BUILD_STEP = 50;

/**
 * buildTopology in steps: it pauses (yields) after every few networks and containers, so that a
 * caller (the language server) can answer other requests during a long build, or drop it.
 */
export function* buildTopologySteps(spec: TopologySpec, parsed?: BuildSource): Generator<void, BuildResult, void> {
  const engine = new Engine();
  // Third-party drivers a topology may name (`driver: flannel`), through the engine's plug-in interface.
  installPlugins(engine);
  const report = new BuildReport(parsed);
  const builder = new Builder(engine, report);
  builder.hosts(spec);
  const networkStart: number[] = [];
  for (const n of spec.networks) {
    networkStart.push(report.diagnostics.length);
    builder.network(n);
    if (networkStart.length % BUILD_STEP === 0) yield;
  }
  builder.policies(spec);
  networkStart.push(report.diagnostics.length);
  const containerStart: number[] = [];
  for (const c of spec.containers) {
    containerStart.push(report.diagnostics.length);
    builder.container(c);
    if (containerStart.length % BUILD_STEP === 0) yield;
  }
  containerStart.push(report.diagnostics.length);
  builder.services(spec);
  const surprisesStart = report.diagnostics.length;
  checkBuilt(spec, engine, report);
  return { engine, diagnostics: report.diagnostics, resume: { builder, networkStart, containerStart, surprisesStart } };
}

/** What replayContainer gives: the engine, each re-played container's diagnostics by index, the checks', the new resume data. */
export interface Replayed {
  engine: Engine;
  containers: Map<number, TopologyDiagnostic[]>;
  surprises: TopologyDiagnostic[];
  resume: BuildResume;
}

/**
 * The build of `spec` made from `previous` — the build of a spec that differs from it in container
 * `index` only — by re-playing that container in place, with the later ones on `changedNetworks`, the
 * networks whose part of its definition changed (Engine.replaceContainer). The previous build's engine becomes the new one. Undefined when
 * that does not apply or the change reaches further; then `previous.engine` may be spoilt: build afresh.
 */
export function replayContainer(
  previous: BuildResult & { resume: BuildResume },
  spec: TopologySpec,
  parsed: BuildSource | undefined,
  index: number,
  changedNetworks: readonly string[],
): Replayed | undefined {
  const c = spec.containers[index];
  const { engine, resume } = previous;
  if (!c || spec.services.length > 0 || resume.containerStart.length !== spec.containers.length + 1) return undefined;
  const report = new BuildReport(parsed);
  const builder = resume.builder.withReport(report);
  if (!builder.ready(c)) return undefined;
  const indexOf = new Map<string, number>();
  spec.containers.forEach((x, i) => {
    if (x.host === c.host) indexOf.set(x.name, i);
  });
  const { containers, recreate } = containerReplayer(spec, indexOf, builder, report);
  // Past a quarter of the file, re-playing costs about what a full build does.
  const limit = Math.max(16, spec.containers.length / 4);
  if (!engine.replaceContainer(c.host, c.name, changedNetworks, recreate, limit).ok) return undefined;
  const surprisesFrom = report.diagnostics.length;
  checkBuilt(spec, engine, report);
  const surprises = report.diagnostics.slice(surprisesFrom);
  const old = resume.containerStart;
  const containerStart: number[] = [];
  let shift = 0;
  for (let i = 0; i < old.length; i++) {
    containerStart.push(old[i]! + shift);
    const again = containers.get(i);
    if (again && i + 1 < old.length) shift += again.length - (old[i + 1]! - old[i]!);
  }
  return { engine, containers, surprises, resume: { builder, networkStart: resume.networkStart, containerStart, surprisesStart: resume.surprisesStart + shift } };
}

/** Re-plays a container of the file by name on `builder`, keeping each one's new diagnostics by file index. */
function containerReplayer(spec: TopologySpec, indexOf: ReadonlyMap<string, number>, builder: { container(c: TopologySpec['containers'][number]): void }, report: BuildReport) {
  const containers = new Map<number, TopologyDiagnostic[]>();
  const recreate = (name: string) => {
    const i = indexOf.get(name);
    if (i === undefined) throw new Error(`no container ${name} in the file`);
    const from = report.diagnostics.length;
    builder.container(spec.containers[i]!);
    containers.set(i, report.diagnostics.slice(from));
  };
  return { containers, recreate };
}

/** What replayNetwork gives: replayContainer's, and the re-played network's own diagnostics. */
export interface ReplayedNetwork extends Replayed {
  network: TopologyDiagnostic[];
}

/**
 * The build of `spec` made from `previous` — the build of a spec that differs from it in network `index`
 * only (its subnet, gateway, ip_range, options…; same name, host and driver) — by re-playing that network
 * and the containers on it in place (Engine.replaceNetwork). Undefined when that does not apply (a
 * network of its host failed, a container on it failed or shares its namespace, pools picked after it)
 * or the change reaches further; then `previous.engine` may be spoilt: build afresh.
 */
export function replayNetwork(previous: BuildResult & { resume: BuildResume }, was: NetworkSpec, spec: TopologySpec, parsed: BuildSource | undefined, index: number): ReplayedNetwork | undefined {
  const n = spec.networks[index];
  const { engine, resume } = previous;
  if (!n || was.name !== n.name || was.host !== n.host || was.driver !== n.driver || spec.services.length > 0) return undefined;
  if (resume.containerStart.length !== spec.containers.length + 1 || resume.networkStart.length !== spec.networks.length + 1) return undefined;
  const report = new BuildReport(parsed);
  const builder = resume.builder.withReport(report);
  // A network that failed may not fail any more (or another may fail instead): only when all were made.
  if (!builder.allNetworksMade(n.host)) return undefined;
  const indexOf = new Map<string, number>();
  const on: string[] = [];
  spec.containers.forEach((c, i) => {
    if (c.host !== n.host) return;
    indexOf.set(c.name, i);
    if (c.networkMode === n.name || (c.networkMode === undefined && c.networks.some((x) => x.network === n.name))) on.push(c.name);
  });
  for (const name of on) if (!builder.ready(spec.containers[indexOf.get(name)!]!)) return undefined;
  let network: TopologyDiagnostic[] = [];
  const recreateNetwork = () => {
    const from = report.diagnostics.length;
    builder.network(n);
    network = report.diagnostics.slice(from);
  };
  const { containers, recreate } = containerReplayer(spec, indexOf, builder, report);
  const limit = Math.max(16, spec.containers.length / 4);
  if (!engine.replaceNetwork(n.host, n.name, on, recreateNetwork, recreate, limit).ok) return undefined;
  const surprisesFrom = report.diagnostics.length;
  checkBuilt(spec, engine, report);
  const surprises = report.diagnostics.slice(surprisesFrom);
  const oldNet = resume.networkStart;
  const networkStart = oldNet.map((x, i) => (i > index ? x + network.length - (oldNet[index + 1]! - oldNet[index]!) : x));
  let shift = networkStart[networkStart.length - 1]! - oldNet[oldNet.length - 1]!;
  const old = resume.containerStart;
  const containerStart: number[] = [];
  for (let i = 0; i < old.length; i++) {
    containerStart.push(old[i]! + shift);
    const again = containers.get(i);
    if (again && i + 1 < old.length) shift += again.length - (old[i + 1]! - old[i]!);
  }
  return { engine, network, containers, surprises, resume: { builder, networkStart, containerStart, surprisesStart: resume.surprisesStart + shift } };
}

/** The checks on a finished build again, for a spec that builds the same engine (say, only `expect` changed). */
/**
 * The networks (names) where a container's addresses may differ between two versions of its definition:
 * joined or left, created on instead of connected (or back), a static address changed. (Aliases or a
 * MAC do not move addresses.)
 */
export function networksChanged(was: ContainerSpec, now: ContainerSpec): string[] {
  const modeOf = (c: ContainerSpec) => c.networkMode ?? (c.networks.length === 0 ? 'bridge' : undefined);
  const out = new Set<string>();
  const wasMode = modeOf(was), nowMode = modeOf(now);
  if (wasMode !== nowMode) {
    for (const m of [wasMode, nowMode]) if (m !== undefined) out.add(m === 'default' ? 'bridge' : m);
  }
  const before = new Map(was.networks.map((n, i) => [n.network, { n, i }]));
  const after = new Map(now.networks.map((n, i) => [n.network, { n, i }]));
  for (const [name, b] of before) {
    const a = after.get(name);
    // Moving to or from the first place changes which network the container is created on.
    if (!a || a.n.ipv4Address !== b.n.ipv4Address || a.n.ipv6Address !== b.n.ipv6Address || (a.i === 0) !== (b.i === 0)) out.add(name);
  }
  for (const name of after.keys()) if (!before.has(name)) out.add(name);
  return [...out];
}

export function recheckBuild(engine: Engine, spec: TopologySpec, parsed?: BuildSource): TopologyDiagnostic[] {
  const report = new BuildReport(parsed);
  checkBuilt(spec, engine, report);
  return report.diagnostics;
}

/** The checks on the finished build (Docker's silent surprises). */
function checkBuilt(spec: TopologySpec, engine: Engine, report: BuildReport): void {
  try {
    findSurprises(spec, engine, report);
  } catch (err) {
    report.add('error', { path: [], part: 'key' }, `Internal error while checking the built topology: ${String(err)}`, 'internal');
  }
}

class Builder {
  private readonly hostsUp = new Set<string>();
  private readonly hostsDown = new Map<string, string>();
  private readonly networksFailed = new Map<string, string>(); // host\0name -> why
  private readonly containersFailed = new Set<string>(); // host\0name

  constructor(
    private readonly engine: Engine,
    private readonly report: BuildReport,
  ) {}

  /** The same builder (same engine, same memory of what failed) reporting to another report. */
  withReport(report: BuildReport): Builder {
    const b = new Builder(this.engine, report);
    for (const h of this.hostsUp) b.hostsUp.add(h);
    for (const [k, v] of this.hostsDown) b.hostsDown.set(k, v);
    for (const [k, v] of this.networksFailed) b.networksFailed.set(k, v);
    for (const k of this.containersFailed) b.containersFailed.add(k);
    return b;
  }

  /** Every network of the host declared in the file was created (none failed, the host is up). */
  allNetworksMade(host: string): boolean {
    if (!this.hostsUp.has(host)) return false;
    for (const k of this.networksFailed.keys()) if (k.startsWith(`${host}\0`)) return false;
    return true;
  }

  /** The container's host is up and the container itself was built (a failed one is not re-played in place). */
  ready(c: ContainerSpec): boolean {
    return this.hostsUp.has(c.host) && !this.containersFailed.has(key(c.host, c.name));
  }

  hosts(spec: TopologySpec): void {
    for (const host of spec.hosts) {
      try {
        this.engine.addHost({
          name: host.name, interfaces: host.interfaces, daemon: host.daemon, ...(host.swarm ? { swarm: host.swarm } : {}),
          ...(host.gateway !== undefined ? { gateway: host.gateway } : {}), ...(host.listen ? { listen: host.listen } : {}),
        });
        this.hostsUp.add(host.name);
      } catch (err) {
        this.hostsDown.set(host.name, this.report.failure({ kind: 'host', host }, err));
      }
    }
  }

  /** calico's policies into its datastore (as `calicoctl apply`): top-level ones reach every calico network. */
  policies(spec: TopologySpec): void {
    const all: PolicySpec[] = [...(spec.policies ?? [])];
    for (const n of spec.networks) {
      if (!n.policies?.length) continue;
      if (n.driver !== 'calico') {
        this.report.add('warning', { path: [...n.path, 'policies'], part: 'key' }, `policies are enforced by calico's felix only: network "${n.name}" uses driver ${n.driver}, which ignores them`, 'policies-ignored');
        continue;
      }
      all.push(...n.policies);
    }
    if (all.length === 0) return;
    if (!spec.networks.some((n) => n.driver === 'calico')) {
      for (const p of spec.policies ?? []) this.report.add('warning', { path: p.path, part: 'key' }, `policy "${p.name}" has no calico network to apply to (policies are enforced by calico's felix)`, 'policies-ignored');
    }
    try {
      setCalicoPolicies(this.engine, all.map(({ path: _path, ...p }) => p));
    } catch (err) {
      this.report.add('error', { path: all[0]!.path, part: 'key' }, err instanceof Error ? err.message : String(err), 'docker');
    }
  }

  network(n: NetworkSpec): void {
    const subject: Subject = { kind: 'network', network: n };
    if (!this.hostReady(n.host, subject, `Network "${n.name}"`)) {
      this.networksFailed.set(key(n.host, n.name), `host "${n.host}" is not available`);
      return;
    }
    try {
      // Declaring an ingress network replaces swarm's default `ingress`, as `docker network rm ingress` does first.
      if (n.ingress && n.driver === 'overlay') this.removeDefaultIngress(n.host);
      const request = networkRequest(n);
      // A file stands for docker commands: the CLI's own checks come before the daemon's (Compose uses the API).
      if (!n.viaApi) checkNetworkCreateFlags(request);
      const { warning } = this.engine.createNetwork(n.host, request);
      if (warning) this.report.add('warning', subjectKey(subject), warning, 'docker');
    } catch (err) {
      const why = this.report.failure(subject, err);
      // Redefining bridge/host/none fails, but the built-in network is still there to be used.
      if (!(BUILTIN_NETWORKS as readonly string[]).includes(n.name)) this.networksFailed.set(key(n.host, n.name), why);
    }
  }

  container(c: ContainerSpec): void {
    const id = key(c.host, c.name);
    if (!this.hostReady(c.host, { kind: 'container', container: c }, `Container "${c.name}"`)) {
      this.containersFailed.add(id);
      return;
    }
    // network_mode wins over networks (having both is an error the parser reports).
    const first = c.networkMode !== undefined ? undefined : c.networks[0];
    const networkMode = c.networkMode ?? first?.network;
    const subject: Subject = { kind: 'container', container: c, ...(first ? { endpoint: first } : {}) };

    const blocked = networkMode === undefined ? undefined : this.dependencyFailure(c, networkMode);
    if (blocked) {
      this.report.add('error', first ? { path: first.path, part: 'key' } : { path: [...c.path, 'network_mode'], part: 'value' }, blocked, 'dependency');
      this.containersFailed.add(id);
      return;
    }
    try {
      const endpoint = first ? endpointConfig(first) : undefined;
      const request: ContainerCreateRequest = { name: c.name, image: c.image, ports: c.ports, expose: c.expose, ...(c.publishAll ? { publishAll: true } : {}), ...(c.labels ? { labels: c.labels } : {}) };
      if (c.listen) request.listen = validListen(c.listen);
      if (c.hostname !== undefined) request.hostname = c.hostname;
      if (networkMode !== undefined) request.networkMode = networkMode;
      if (endpoint) request.endpoint = endpoint;
      checkRunFlags(request);
      const { warnings } = this.engine.createContainer(c.host, request);
      for (const w of warnings) this.report.add('warning', warningTarget(c, w), w, 'docker');
    } catch (err) {
      this.report.failure(subject, err);
      this.containersFailed.add(id);
      return;
    }
    if (c.connectBeforeStart) this.connectRest(c, first);
    try {
      this.engine.startContainer(c.host, c.name);
    } catch (err) {
      this.report.failure(subject, err);
    }
    if (!c.connectBeforeStart) this.connectRest(c, first);
    this.pipework(c);
  }

  /** `pipework …` run by hand once the container runs, one attachment after the other. */
  private pipework(c: ContainerSpec): void {
    for (const a of c.pipework ?? []) {
      if (a.ip === '' || (a.bridge === undefined && a.macvlan === undefined)) continue; // the parser said why
      try {
        attachPipework(this.engine.state, c.host, c.name, a);
      } catch (err) {
        if (!(err instanceof DockerError)) throw err;
        const key = err instanceof PipeworkError && err.key && a[err.key] !== undefined ? err.key : null;
        const path = key === null ? a.path : [...a.path, key === 'hostIface' ? 'host_iface' : key];
        this.report.add('error', { path, part: key === null ? 'key' : 'value' }, err.message, 'pipework');
      }
    }
  }

  /** The container's networks after the first, in order. */
  private connectRest(c: ContainerSpec, first: ContainerNetworkSpec | undefined): void {
    for (let i = 1; first && i < c.networks.length; i++) {
      const ep = c.networks[i]!;
      const why = this.networksFailed.get(key(c.host, ep.network));
      if (why !== undefined) {
        this.report.add('error', { path: ep.path, part: 'key' }, `Network "${ep.network}" was not created (${why}), so "${c.name}" is not connected to it.`, 'dependency');
        continue;
      }
      try {
        this.engine.connect(c.host, ep.network, c.name, endpointConfig(ep));
      } catch (err) {
        this.report.failure({ kind: 'container', container: c, endpoint: ep }, err);
      }
    }
  }

  /**
   * Services are created on the first manager (`docker service create`); tasks go to every node. Without
   * a manager they are sent to the first host, which refuses as Docker does.
   */
  services(spec: TopologySpec): void {
    if (spec.services.length === 0) return;
    const manager = spec.hosts.find((h) => h.swarm === 'manager') ?? spec.hosts[0]!;
    for (const s of spec.services) {
      const subject: Subject = { kind: 'service', service: s };
      if (!this.hostReady(manager.name, subject, `Service "${s.name}"`)) continue;
      try {
        this.engine.createService(manager.name, {
          name: s.name,
          image: s.image,
          replicas: s.replicas,
          networks: s.networks,
          ports: s.ports,
          endpointMode: s.endpointMode,
          expose: s.expose,
          ...(s.listen ? { listen: validListen(s.listen) } : {}),
        });
      } catch (err) {
        this.report.failure(subject, err);
      }
    }
  }

  /** `docker network rm ingress`: swarm's default ingress network makes way for the one the file declares. */
  private removeDefaultIngress(host: string): void {
    const existing = this.engine.inspect().networks.find((n) => n.host === host && n.ingress);
    if (existing) this.engine.removeNetwork(host, existing.name);
  }

  /** Why a container cannot be created because something it needs failed, or undefined. */
  private dependencyFailure(c: ContainerSpec, networkMode: string): string | undefined {
    if (networkMode.startsWith('container:')) {
      const other = networkMode.slice('container:'.length);
      if (this.containersFailed.has(key(c.host, other))) {
        return `Container "${other}" was not created (see its error), so "${c.name}" cannot share its network namespace and was not created.`;
      }
      return undefined;
    }
    const why = this.networksFailed.get(key(c.host, networkMode));
    return why === undefined ? undefined : `Network "${networkMode}" was not created (${why}), so container "${c.name}" was not created.`;
  }

  private hostReady(host: string, subject: Subject, what: string): boolean {
    if (this.hostsUp.has(host)) return true;
    const why = this.hostsDown.get(host);
    // An undefined host is already reported by the parser on the `host:` value.
    if (why !== undefined) this.report.add('error', subjectKey(subject), `${what} was not created: host "${host}" did not start (${why}).`, 'dependency');
    return false;
  }
}

function key(host: string, name: string): string {
  return `${host}\0${name}`;
}

function networkRequest(n: NetworkSpec): NetworkCreateRequest {
  const ipam: NonNullable<NetworkCreateRequest['ipam']> = { config: n.ipamConfig };
  if (n.ipamDriver !== undefined) ipam.driver = n.ipamDriver;
  if (n.ipamOptions !== undefined) ipam.options = n.ipamOptions;
  return {
    name: n.name,
    driver: n.driver,
    ipam,
    internal: n.internal,
    attachable: n.attachable,
    ingress: n.ingress,
    enableIpv6: n.enableIpv6,
    options: n.driverOpts,
    labels: n.labels,
    ...(n.addressesUnknown ? { addressesUnknown: true } : {}),
  };
}

function endpointConfig(ep: ContainerNetworkSpec): EndpointConfig | undefined {
  if (ep.ipv4Address === undefined && ep.ipv6Address === undefined && ep.aliases === undefined && ep.macAddress === undefined && ep.links === undefined) return undefined;
  const cfg: EndpointConfig = {};
  if (ep.ipv4Address !== undefined) cfg.ipv4Address = ep.ipv4Address;
  if (ep.ipv6Address !== undefined) cfg.ipv6Address = ep.ipv6Address;
  if (ep.aliases !== undefined) cfg.aliases = ep.aliases;
  if (ep.macAddress !== undefined) cfg.macAddress = ep.macAddress;
  if (ep.links !== undefined) cfg.links = ep.links;
  return cfg;
}

/** Engine warnings about ports go on `ports:`; others on the container. */
function warningTarget(c: ContainerSpec, warning: string) {
  return /port/i.test(warning) && c.ports.length > 0 ? { path: [...c.path, 'ports'], part: 'key' as const } : { path: c.path, part: 'key' as const };
}

/** The `listen` entries the parser accepted (it reports the others): a bad one must not stop the container. */
function validListen(listen: readonly string[]): string[] {
  return listen.filter((l) => l !== '' && listenSpecError(l) === undefined);
}
