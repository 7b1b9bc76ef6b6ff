// Plays a TopologySpec on a real dockerd the way the engine's topology builder plays it on the
// model, in file order: every network (`docker network create` with all its options), then every
// container (`docker run -d` on its first network or its network_mode, then `docker network connect`
// for the rest, in order). Every object carries a label (the test suite's, or `cnm lab`'s). A failing
// step does not stop the play: its docker error text is recorded against the object, for the comparison
// with the engine's diagnostics. Every container runs busybox:local, listening where the file says
// (httpd per TCP port), whatever image the file names.
import type { ContainerSpec, NetworkSpec, TopologySpec } from '../topology/spec';
import { LAB_IMAGE } from './busyboxImage';
import type { RunOptions, RunResult } from './exec';

/** The docker CLI of the daemon being played on. */
export type DockerRunner = (args: readonly string[], opts?: RunOptions) => Promise<RunResult>;

/** The label `cnm lab` gives what it creates. */
export const LAB_LABEL_ARG = 'cnm-explorer.lab=1';

export type StepKind = 'network-create' | 'run' | 'connect';

export interface PlayStep {
  kind: StepKind;
  /** The file object the step belongs to: ["networks", name] or ["containers", name]. */
  object: ['networks' | 'containers', string];
  /** For connect: the network connected. */
  network?: string;
  argv: string[];
  ok: boolean;
  /**
   * Not run, as the engine's builder does not run it either: the object depends on one that failed
   * (a container on a network that was not created, or sharing a container that was not created).
   */
  skipped?: string;
  /** Docker's error text without the CLI's decorations ("docker: ", "Error response from daemon: ", help hint). */
  error?: string;
  /** Who refused: the daemon (API) or the docker CLI's own checks before any API call. */
  errorSource?: 'daemon' | 'cli';
  /** `WARNING: …` lines the CLI printed (the API's Warnings), without the prefix. */
  warnings: string[];
  ms: number;
}

export interface PlayRecord {
  steps: PlayStep[];
  /** Containers that exist after the play (created, running or not): name -> full id. */
  containerIds: Map<string, string>;
}

const CMD_TIMEOUT = 90_000;

/** Splits the CLI's stderr into Docker's message, its source and the printed warnings. */
export function parseCliStderr(stderr: string): { message: string; source: 'daemon' | 'cli'; warnings: string[] } {
  const warnings: string[] = [];
  const rest: string[] = [];
  for (const line of stderr.split('\n')) {
    if (line.startsWith('WARNING: ')) warnings.push(line.slice('WARNING: '.length).trim());
    else if (/^See '.*--help'\.$/.test(line.trim())) continue;
    else if (line.trim() !== '') rest.push(line);
  }
  let message = rest.join('\n').trim();
  if (message.startsWith('docker: ')) message = message.slice('docker: '.length);
  let source: 'daemon' | 'cli' = 'cli';
  if (message.startsWith('Error response from daemon: ')) {
    source = 'daemon';
    message = message.slice('Error response from daemon: '.length);
  }
  return { message, source, warnings };
}

export function networkCreateArgs(n: NetworkSpec, label = LAB_LABEL_ARG): string[] {
  const a = ['network', 'create', '--label', label];
  for (const [k, v] of Object.entries(n.labels)) a.push('--label', `${k}=${v}`);
  a.push('--driver', n.driver);
  if (n.ipamDriver) a.push('--ipam-driver', n.ipamDriver);
  for (const c of n.ipamConfig) {
    if (c.subnet !== undefined) a.push('--subnet', c.subnet);
    if (c.gateway !== undefined) a.push('--gateway', c.gateway);
    if (c.ipRange !== undefined) a.push('--ip-range', c.ipRange);
    for (const [k, v] of Object.entries(c.auxAddresses ?? {})) a.push('--aux-address', `${k}=${v}`);
  }
  if (n.internal) a.push('--internal');
  if (n.attachable) a.push('--attachable');
  if (n.ingress) a.push('--ingress');
  if (n.enableIpv6) a.push('--ipv6');
  for (const [k, v] of Object.entries(n.driverOpts)) a.push('-o', `${k}=${v}`);
  a.push(n.name);
  return a;
}

interface Listener {
  port: number;
  proto: 'tcp' | 'udp';
}

/**
 * What a container's processes listen on, as the format says: `listen`, else `expose` plus the container
 * port of each `ports` entry (written here from the strings, not with the engine's code, so the suite
 * checks the engine's default).
 */
export function listenList(c: ContainerSpec): string[] {
  if (c.listen !== undefined) return c.listen;
  return [...c.ports.map((p) => p.split(':').pop()!), ...c.expose];
}

/** Port entries ("80", "53/udp", "8000-8010/tcp") as listeners; bad entries are left to docker to refuse. */
export function listeners(list: readonly string[]): Listener[] {
  const out: Listener[] = [];
  for (const e of list) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/i.exec(e.trim());
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] ? Number(m[2]) : from;
    const proto = (m[3] ?? 'tcp').toLowerCase();
    if (proto === 'sctp' || from < 1 || to > 65535 || to < from) continue;
    for (let p = from; p <= Math.min(to, from + 63); p++) {
      if (!out.some((o) => o.port === p && o.proto === proto)) out.push({ port: p, proto: proto as 'tcp' | 'udp' });
    }
  }
  return out;
}

/**
 * Everything that listens in the network namespace `c` is in: its own listeners and those of the
 * containers sharing it (`network_mode: container:`), whoever owns it.
 */
export function namespaceListeners(spec: TopologySpec, c: ContainerSpec): Listener[] {
  const byName = new Map(spec.containers.map((x) => [x.name, x]));
  const root = (x: ContainerSpec): ContainerSpec => {
    for (let i = 0; i < 8; i++) {
      const owner = x.networkMode?.startsWith('container:') ? byName.get(x.networkMode.slice('container:'.length)) : undefined;
      if (!owner) return x;
      x = owner;
    }
    return x;
  };
  const mine = root(c);
  return listeners(spec.containers.filter((x) => root(x) === mine).flatMap(listenList));
}

/**
 * The container's command: a TCP listener (busybox httpd) per tcp port it listens on, then sleep (UDP
 * listeners: probeKinds.ts, as this busybox's nc has no -u). A `container:` joiner runs its own listeners, so they listen in the
 * namespace it shares. Only numbers from `listeners` go into the script. TERM ends it at once (sh as pid
 * 1 would ignore it otherwise).
 */
export function containerScript(listen: readonly string[]): string {
  const parts = ["trap 'exit 0' TERM INT"];
  for (const l of listeners(listen)) {
    if (l.proto === 'tcp') parts.push(`httpd -p ${l.port} -h /tmp`);
    // UDP: this busybox's nc has no -u (the loop only spun); the probes start their own UDP listeners
    // in the container's namespace (probeKinds.ts startUdpListeners).
  }
  parts.push('sleep 3600 & wait');
  return parts.join('\n');
}

export function runArgs(c: ContainerSpec, label = LAB_LABEL_ARG): string[] {
  const a = ['run', '-d', '--label', label, '--name', c.name];
  if (c.networkMode !== undefined) {
    a.push('--network', c.networkMode);
  } else if (c.networks.length > 0) {
    const first = c.networks[0]!;
    a.push('--network', first.network);
    if (first.ipv4Address !== undefined) a.push('--ip', first.ipv4Address);
    if (first.ipv6Address !== undefined) a.push('--ip6', first.ipv6Address);
    for (const al of first.aliases ?? []) a.push('--network-alias', al);
    if (first.macAddress !== undefined) a.push('--mac-address', first.macAddress);
  }
  for (const p of c.ports) a.push('-p', p);
  for (const e of c.expose) a.push('--expose', e);
  if (c.hostname !== undefined) a.push('--hostname', c.hostname);
  a.push(LAB_IMAGE, 'sh', '-c', containerScript(listenList(c)));
  return a;
}

export function connectArgs(c: ContainerSpec, index: number): string[] {
  const n = c.networks[index]!;
  const a = ['network', 'connect'];
  if (n.ipv4Address !== undefined) a.push('--ip', n.ipv4Address);
  if (n.ipv6Address !== undefined) a.push('--ip6', n.ipv6Address);
  for (const al of n.aliases ?? []) a.push('--alias', al);
  a.push(n.network, c.name);
  return a;
}

async function step(docker: DockerRunner, kind: StepKind, object: PlayStep['object'], argv: string[], network?: string): Promise<PlayStep> {
  const t0 = Date.now();
  const r = await docker(argv, { timeoutMs: CMD_TIMEOUT });
  const parsed = parseCliStderr(r.stderr);
  const s: PlayStep = { kind, object, argv, ok: r.code === 0, warnings: parsed.warnings, ms: Date.now() - t0 };
  if (network !== undefined) s.network = network;
  if (r.code !== 0) {
    s.error = r.timedOut ? `(docker ${argv[0]} timed out after ${CMD_TIMEOUT} ms)` : parsed.message;
    s.errorSource = parsed.source;
  }
  return s;
}

async function containerId(docker: DockerRunner, name: string): Promise<string | null> {
  const r = await docker(['container', 'inspect', '--format', '{{.Id}}', name], { timeoutMs: 30_000 });
  return r.code === 0 ? r.stdout.trim() : null;
}

function skippedStep(kind: StepKind, object: PlayStep['object'], argv: string[], why: string, network?: string): PlayStep {
  return { kind, object, argv, ok: false, skipped: why, warnings: [], ms: 0, ...(network !== undefined ? { network } : {}) };
}

/**
 * Plays the networks and containers of `spec` (all of them: give a spec of one host's part) through
 * `docker`, each object labelled `label`.
 */
export async function playOn(spec: TopologySpec, docker: DockerRunner, label = LAB_LABEL_ARG): Promise<PlayRecord> {
  const steps: PlayStep[] = [];
  const containerIds = new Map<string, string>();
  const failedNetworks = new Set<string>();
  for (const n of spec.networks) {
    const s = await step(docker, 'network-create', ['networks', n.name], networkCreateArgs(n, label));
    if (!s.ok) failedNetworks.add(n.name);
    steps.push(s);
  }
  for (const c of spec.containers) {
    // Like the engine's builder (src/topology/build.ts): a container whose first network (or shared
    // container) was not created is not created either, and a failed network is not connected.
    const mode = c.networkMode ?? c.networks[0]?.network;
    const dependsOn =
      mode === undefined
        ? undefined
        : mode.startsWith('container:')
          ? containerIds.has(mode.slice('container:'.length)) || !spec.containers.some((o) => o.name === mode.slice('container:'.length))
            ? undefined
            : `container ${mode.slice('container:'.length)} was not created`
          : failedNetworks.has(mode)
            ? `network ${mode} was not created`
            : undefined;
    if (dependsOn !== undefined) {
      steps.push(skippedStep('run', ['containers', c.name], runArgs(c, label), dependsOn));
      continue;
    }
    steps.push(await step(docker, 'run', ['containers', c.name], runArgs(c, label)));
    const id = await containerId(docker, c.name);
    if (id === null) continue; // not even created: nothing to connect
    containerIds.set(c.name, id);
    if (c.networkMode !== undefined) continue;
    for (let i = 1; i < c.networks.length; i++) {
      const net = c.networks[i]!.network;
      if (failedNetworks.has(net)) {
        steps.push(skippedStep('connect', ['containers', c.name], connectArgs(c, i), `network ${net} was not created`, net));
        continue;
      }
      steps.push(await step(docker, 'connect', ['containers', c.name], connectArgs(c, i), net));
    }
  }
  return { steps, containerIds };
}
