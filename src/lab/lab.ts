// Lab hosts: several dockerd on this one machine, each in a network namespace of its own (20.10 or 26.1),
// joined by a LAN in a namespace of its own, optionally a swarm. The main dockerd is only ever read
// (`docker save` of the images the lab needs); lab daemons are separate processes with their own
// iptables, addresses and state, so no docker lock is needed to use them.
//
//   const lab = await startLab({ hosts: [{ name: 'node1', version: '20.10' }, { name: 'node2', version: '26.1' }],
//                                lan: true, swarm: { manager: 'node1', workers: ['node2'] } });
//   await lab.host('node2').dockerOk(['run', '-d', 'busybox:local', 'sleep', '60']);
//   await lab.stop();
//
// A lab is removed by stop(), when startLab fails half-way, and when this process exits or is signalled;
// a lab left by a killed process is removed by the next startLab (or `labCli sweep`). `cnm lab` (src/cli/lab.ts)
// plays a user's topology file on one; the Docker tests use it through test/docker/harness/lab.ts.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { importBusybox } from './busyboxImage';
import { mainDockerCli, run, type RunOptions, type RunResult } from './exec';
import { releaseEnv, startDockerd } from './labDaemon';
import { LAN_PREFIX, LAN_PREFIX_LEN, createLan, createNamespace, lanAddress } from './labNet';
import { HOST_NAME, RELEASES, hostPaths, labRunDir, lanNetns, releaseMissing, type HostPaths, type LabVersion } from './labPaths';
import { processStart, sweepLeftovers, teardownLabSync, writeOwner } from './labTeardown';

export type { LabVersion } from './labPaths';

export interface LabHostSpec {
  name: string;
  version: LabVersion;
  /** More dockerd flags (a scenario's daemon settings: --bip, --icc=false, …) beyond the lab's own. */
  flags?: string[];
}

export interface LabOptions {
  hosts: LabHostSpec[];
  /** A LAN joining the hosts (needed for a swarm). Default true. */
  lan?: boolean;
  /** The name of the LAN interface inside each host's namespace. Default "eth0", like a real host's. */
  lanInterface?: string;
  swarm?: { manager: string; workers: string[] };
  /** Images copied from the main dockerd into every host. Default ['busybox:local']. */
  images?: string[];
  /** Keep the lab after this process exits (labCli up); removed only by labCli down. */
  manual?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** More facts kept in the lab's lab.json (`cnm lab` records the topology file it plays). */
  meta?: Record<string, unknown>;
}

export interface LabHost {
  readonly name: string;
  readonly version: LabVersion;
  /** The host's network namespace (/run/netns/NAME): `ip -n NAME ...`, `nsenter --net=/run/netns/NAME`. */
  readonly netns: string;
  readonly socket: string;
  /** unix:///run/cnmlab/ID/NAME.sock */
  readonly dockerHost: string;
  /** The host's address on the LAN (undefined without a LAN). */
  readonly lanAddress: string | undefined;
  /** The docker CLI of the host's release. */
  readonly cli: string;
  /** An environment for tools (docker compose, cnm --docker): DOCKER_HOST set, the release's CLI first on PATH. */
  readonly env: NodeJS.ProcessEnv;
  readonly paths: HostPaths;
  /** The host's docker CLI against the host (`-H` added). */
  docker(args: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** The same, throwing when the command fails; resolves to its stdout. */
  dockerOk(args: readonly string[], opts?: RunOptions): Promise<string>;
  /** A command inside the host's network namespace (e.g. `ip -j addr`). */
  inNamespace(file: string, args: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** Copies an image from the main dockerd into this host. */
  loadImage(ref: string): Promise<void>;
  /** Removes every service (on a manager), container, user network and volume; keeps images and the swarm.
   * On a swarm, lab.wipe() is the one to use: a worker's containers can keep a manager's network in use. */
  wipe(): Promise<void>;
}

export interface Lab {
  readonly id: string;
  readonly hosts: readonly LabHost[];
  host(name: string): LabHost;
  readonly lan: { netns: string; bridge: string; subnet: string } | undefined;
  readonly swarm: { manager: LabHost; workers: LabHost[] } | undefined;
  /** Every host's wipe(), phase by phase across the hosts (services, containers, networks, volumes). */
  wipe(): Promise<void>;
  /** Stops the lab's daemons and removes its namespaces, LAN and folders. Idempotent. */
  stop(): Promise<void>;
}

// ── clean-up when this process ends ─────────────────────────────────────────

const live = new Set<string>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const all = () => {
    for (const id of [...live]) {
      live.delete(id);
      teardownLabSync(id);
    }
  };
  process.on('exit', all);
  for (const [signal, n] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    process.on(signal, () => {
      all();
      process.exit(128 + n);
    });
  }
}

/**
 * Keeps a lab this process started after it exits (`cnm lab up`, once the file is played): until then an
 * interrupted start removes it; from now on only a teardown does (`cnm lab down`).
 */
export function keepLab(id: string): void {
  live.delete(id);
  writeOwner(id, 'manual');
  const file = `${labRunDir(id)}/lab.json`;
  writeFileSync(file, `${JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), manual: true }, null, 2)}\n`);
}

// ── prerequisites ───────────────────────────────────────────────────────────

/** Why lab hosts of these versions cannot run here, or [] when they can. */
export function labMissing(versions: readonly LabVersion[]): string[] {
  const out: string[] = [];
  if (process.getuid?.() !== 0) out.push('lab hosts need root (network namespaces, dockerd)');
  for (const v of new Set(versions)) {
    const m = releaseMissing(v);
    if (m) out.push(m);
  }
  return out;
}

// ── start ───────────────────────────────────────────────────────────────────

export async function startLab(opts: LabOptions): Promise<Lab> {
  const log = opts.log ?? (() => undefined);
  const lanWanted = opts.lan ?? true;
  const iface = opts.lanInterface ?? 'eth0';
  const names = opts.hosts.map((h) => h.name);
  if (!opts.hosts.length) throw new Error('startLab: no hosts');
  for (const n of names) if (!HOST_NAME.test(n) || n === 'lan') throw new Error(`startLab: host name ${JSON.stringify(n)}: use 1-12 of a-z, 0-9 (starting with a letter), not "lan"`);
  if (new Set(names).size !== names.length) throw new Error(`startLab: host names repeat: ${names.join(', ')}`);
  if (opts.hosts.length > 200) throw new Error('startLab: at most 200 hosts on one LAN');
  if (!/^[a-z][a-z0-9]{0,14}$/.test(iface)) throw new Error(`startLab: LAN interface name ${JSON.stringify(iface)}`);
  if (opts.swarm) {
    if (!lanWanted) throw new Error('startLab: a swarm needs the LAN');
    for (const n of [opts.swarm.manager, ...opts.swarm.workers]) if (!names.includes(n)) throw new Error(`startLab: swarm member ${n} is not one of the hosts`);
  }
  const missing = labMissing(opts.hosts.map((h) => h.version));
  if (missing.length) throw new Error(`startLab: ${missing.join('; ')}`);

  for (const line of sweepLeftovers()) log(line);
  const id = randomBytes(3).toString('hex');
  mkdirSync(labRunDir(id), { recursive: true });
  writeOwner(id, opts.manual ? 'manual' : { pid: process.pid, start: processStart(process.pid) ?? '' });
  if (!opts.manual) {
    hookExit();
    live.add(id);
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    live.delete(id);
    for (const line of teardownLabSync(id)) log(`lab ${id}: ${line}`);
  };

  try {
    const hosts = opts.hosts.map((h, i) => makeHost(id, h, lanWanted ? lanAddress(i) : undefined));
    for (const h of hosts) await createNamespace(h.netns);
    const lan = lanWanted ? { netns: lanNetns(id), bridge: 'br0', subnet: `${LAN_PREFIX}.0/${LAN_PREFIX_LEN}` } : undefined;
    if (lan) await createLan(lan.netns, hosts.map((h) => ({ netns: h.netns, address: h.lanAddress! })), iface);
    log(`lab ${id}: namespaces${lan ? ` and the LAN ${lan.subnet}` : ''} ready; starting ${hosts.length} dockerd`);
    await Promise.all(hosts.map((h, i) => startDockerd(h.name, h.version, h.paths, h.netns, opts.hosts[i]!.flags ?? [])));
    writeFileSync(`${labRunDir(id)}/lab.json`, `${JSON.stringify({
      ...opts.meta, id, manual: !!opts.manual, lan,
      hosts: hosts.map((h) => ({ name: h.name, version: h.version, dockerHost: h.dockerHost, cli: h.cli, lanAddress: h.lanAddress, netns: h.netns })),
    }, null, 2)}\n`);
    for (const image of opts.images ?? ['busybox:local']) {
      log(`lab ${id}: loading ${image}`);
      await loadEverywhere(id, image, hosts);
    }
    const byName = (n: string) => hosts.find((h) => h.name === n)!;
    const swarm = opts.swarm ? { manager: byName(opts.swarm.manager), workers: opts.swarm.workers.map(byName) } : undefined;
    if (swarm) {
      log(`lab ${id}: swarm init on ${swarm.manager.name}, ${swarm.workers.length} worker(s) joining`);
      await formSwarm(swarm.manager, swarm.workers);
    }
    const lab: Lab = {
      id,
      hosts,
      lan,
      swarm,
      host(name) {
        const h = hosts.find((x) => x.name === name);
        if (!h) throw new Error(`lab ${id} has no host ${name} (it has ${names.join(', ')})`);
        return h;
      },
      wipe: () => wipeHosts(hosts),
      stop,
    };
    log(`lab ${id}: up (${hosts.map((h) => `${h.name} ${h.version}${h.lanAddress ? ` ${h.lanAddress}` : ''}`).join(', ')})`);
    return lab;
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * A lab another process started (from its lab.json: the hosts, their releases and LAN addresses), to use
 * its hosts; stop() tears it down. No swarm is recorded.
 */
export function openLab(id: string): Lab {
  const rec = JSON.parse(readFileSync(`${labRunDir(id)}/lab.json`, 'utf8')) as {
    lan?: { netns: string; bridge: string; subnet: string };
    hosts: { name: string; version: LabVersion; lanAddress?: string }[];
  };
  const hosts = rec.hosts.map((h) => makeHost(id, { name: h.name, version: h.version }, h.lanAddress));
  return {
    id,
    hosts,
    lan: rec.lan,
    swarm: undefined,
    host(name) {
      const h = hosts.find((x) => x.name === name);
      if (!h) throw new Error(`lab ${id} has no host ${name}`);
      return h;
    },
    wipe: () => wipeHosts(hosts),
    stop: async () => {
      teardownLabSync(id);
    },
  };
}

function makeHost(labId: string, spec: LabHostSpec, lanAddr: string | undefined): LabHost {
  const paths = hostPaths(labId, spec.name);
  const cli = RELEASES[spec.version].cli;
  const dockerHost = `unix://${paths.socket}`;
  const cliEnv = releaseEnv(spec.version);
  const docker = (args: readonly string[], o: RunOptions = {}) => run(cli, ['-H', dockerHost, ...args], { timeoutMs: 60_000, ...o, env: o.env ?? cliEnv });
  const dockerOk = async (args: readonly string[], o: RunOptions = {}) => {
    const r = await docker(args, o);
    if (r.code !== 0) {
      throw new Error(`lab host ${spec.name}: docker ${args.join(' ')} failed (${r.timedOut ? 'timed out' : `exit ${r.code}`}): ${r.stderr.trim()}`);
    }
    return r.stdout;
  };
  const host: LabHost = {
    name: spec.name,
    version: spec.version,
    netns: paths.netns,
    socket: paths.socket,
    dockerHost,
    lanAddress: lanAddr,
    cli,
    env: releaseEnv(spec.version, { DOCKER_HOST: dockerHost }),
    paths,
    docker,
    dockerOk,
    inNamespace: (file, args, o = {}) => run('nsenter', [`--net=${paths.netnsPath}`, '--', file, ...args], { timeoutMs: 30_000, ...o }),
    loadImage: (ref) => loadEverywhere(labId, ref, [host]),
    wipe: () => wipeHosts([host]),
  };
  return host;
}

/** `docker save` from the main dockerd once (read-only there), then `docker load` into each host. */
async function loadEverywhere(labId: string, ref: string, hosts: readonly LabHost[]): Promise<void> {
  if (ref === 'busybox:local') {
    // Made in each host from the static binary, as the main dockerd's is: lab suites run beside the
    // main-dockerd files, which restart the main dockerd, so it may not answer a `docker save` then.
    await Promise.all(hosts.map(async (h) => {
      try {
        await importBusybox(h.cli, h.env);
      } catch (e) {
        throw new Error(`importing busybox:local into lab host ${h.name} failed: ${(e as Error).message}`);
      }
    }));
    return;
  }
  const dir = `${labRunDir(labId)}/_images`;
  mkdirSync(dir, { recursive: true });
  const tar = `${dir}/${ref.replace(/[^A-Za-z0-9_.-]/g, '_')}.tar`;
  const saved = await run(mainDockerCli(), ['save', '-o', tar, ref], { timeoutMs: 120_000 });
  if (saved.code !== 0) throw new Error(`docker save ${ref} from the main dockerd failed: ${saved.stderr.trim()}`);
  await Promise.all(hosts.map((h) => h.dockerOk(['load', '-q', '-i', tar], { timeoutMs: 120_000 })));
}

async function formSwarm(manager: LabHost, workers: readonly LabHost[]): Promise<void> {
  const addr = manager.lanAddress!;
  await manager.dockerOk(['swarm', 'init', '--advertise-addr', addr, '--listen-addr', `${addr}:2377`]);
  const token = (await manager.dockerOk(['swarm', 'join-token', '-q', 'worker'])).trim();
  for (const w of workers) {
    await w.dockerOk(['swarm', 'join', '--token', token, '--advertise-addr', w.lanAddress!, '--listen-addr', `${w.lanAddress!}:2377`, `${addr}:2377`]);
  }
  const want = 1 + workers.length;
  const end = Date.now() + 60_000;
  for (;;) {
    const nodes = (await manager.dockerOk(['node', 'ls', '--format', '{{.Status}}'])).trim().split('\n').filter(Boolean);
    if (nodes.length === want && nodes.every((s) => s === 'Ready')) return;
    if (Date.now() > end) throw new Error(`swarm: ${want} nodes expected Ready within 60 s, the manager lists: ${nodes.join(', ') || 'none'}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const PREDEFINED = new Set(['bridge', 'host', 'none', 'ingress', 'docker_gwbridge']);

async function lines(host: LabHost, args: string[]): Promise<string[]> {
  return (await host.dockerOk(args)).split('\n').map((l) => l.trim()).filter(Boolean);
}

/** Phases of a wipe, each run on every host before the next: a swarm network is removable only once no
 * node has a container on it, and service tasks go away only once their service is gone. */
async function wipeHosts(all: readonly LabHost[]): Promise<void> {
  const managers: LabHost[] = [];
  for (const h of all) {
    if ((await h.dockerOk(['info', '--format', '{{.Swarm.ControlAvailable}}'])).trim() === 'true') managers.push(h);
  }
  for (const h of managers) {
    const services = await lines(h, ['service', 'ls', '-q']);
    if (services.length) await h.dockerOk(['service', 'rm', ...services]);
  }
  // Containers (service tasks stop asynchronously: until none is left), then networks, then volumes.
  await untilEmpty('containers', all, async (h) => {
    const ids = await lines(h, ['ps', '-aq']);
    if (ids.length) await h.docker(['rm', '-f', ...ids]);
    return lines(h, ['ps', '-aq']);
  });
  const userNetworks = async (h: LabHost, scope: string) =>
    (await lines(h, ['network', 'ls', '--filter', `scope=${scope}`, '--format', '{{.Name}}'])).filter((n) => !PREDEFINED.has(n));
  await untilEmpty('networks', all, async (h) => {
    const scopes = managers.includes(h) ? ['local', 'swarm'] : ['local'];
    const left: string[] = [];
    for (const scope of scopes) {
      for (const n of await userNetworks(h, scope)) await h.docker(['network', 'rm', n]);
      left.push(...(await userNetworks(h, scope)));
    }
    return left;
  });
  for (const h of all) {
    const volumes = await lines(h, ['volume', 'ls', '-q']);
    if (volumes.length) await h.dockerOk(['volume', 'rm', '-f', ...volumes]);
  }
}

async function untilEmpty(what: string, all: readonly LabHost[], step: (h: LabHost) => Promise<string[]>): Promise<void> {
  const end = Date.now() + 30_000;
  for (;;) {
    const left: string[] = [];
    for (const h of all) left.push(...(await step(h)).map((x) => `${h.name}:${x}`));
    if (!left.length) return;
    if (Date.now() > end) throw new Error(`wipe: ${what} still there after 30 s: ${left.join(' ')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
