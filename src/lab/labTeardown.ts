// Tearing a lab down, synchronously so that it also works from a process 'exit' handler: stop each lab
// dockerd by its pidfile (checked to be the dockerd of this lab's exec root), then whatever the lab's
// containerd and containers left, unmount and remove the lab's folders, delete its namespaces (which
// deletes its veths and the LAN bridge). Only things named after the lab id are touched: never the main
// dockerd, /var/lib/docker or /var/run/docker.sock.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { DATA_DIR, LAB_ID, NETNS_DIR, NETNS_PREFIX, RELEASES, RUN_DIR, labDataDir, labRunDir } from './labPaths';

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string | undefined {
  return readText(`/proc/${pid}/cmdline`)?.split('\0').join(' ');
}

/** The process's start time in clock ticks (field 22 of /proc/PID/stat): a pid plus this names one process. */
export function processStart(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !readText(`/proc/${pid}/stat`)?.includes(') Z ');

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

// ── ownership ────────────────────────────────────────────────────────────────

/** Who keeps a lab: a running process (cleaned when it exits), or "manual" (kept until `labCli down`). */
export type Owner = { pid: number; start: string } | 'manual';

export function writeOwner(labId: string, owner: Owner): void {
  writeFileSync(`${labRunDir(labId)}/owner`, JSON.stringify(owner));
}

function readOwner(labId: string): Owner | undefined {
  try {
    return JSON.parse(readFileSync(`${labRunDir(labId)}/owner`, 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

/** True while the lab's owner runs (or the lab is a manual one); a lab being created is given a minute. */
export function labKept(labId: string): boolean {
  const owner = readOwner(labId);
  if (owner === 'manual') return true;
  if (owner) return processStart(owner.pid) === owner.start;
  try {
    return Date.now() - statSync(labRunDir(labId)).mtimeMs < 60_000;
  } catch {
    return false;
  }
}

export function isManual(labId: string): boolean {
  return readOwner(labId) === 'manual';
}

// ── finding a lab's parts ────────────────────────────────────────────────────

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Every lab id that has anything on this machine: a run folder, a data folder or a namespace. */
export function labIds(): string[] {
  const ids = new Set<string>();
  for (const d of [...listDir(RUN_DIR), ...listDir(DATA_DIR)]) if (LAB_ID.test(d)) ids.add(d);
  for (const ns of listDir(NETNS_DIR)) {
    const m = ns.startsWith(NETNS_PREFIX) ? /^([a-z0-9]{4,12})-/.exec(ns.slice(NETNS_PREFIX.length)) : null;
    if (m?.[1]) ids.add(m[1]);
  }
  return [...ids].sort();
}

function labNamespaces(labId: string): string[] {
  return listDir(NETNS_DIR).filter((ns) => ns.startsWith(`${NETNS_PREFIX}${labId}-`));
}

/** Mount points at or under one of `roots`, deepest first (/proc/self/mountinfo escapes blanks as \040). */
function mountsUnder(roots: string[]): string[] {
  const text = readText('/proc/self/mountinfo') ?? '';
  const points = text.split('\n').map((l) => l.split(' ')[4]).filter((p): p is string => !!p)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  return [...new Set(points.filter((p) => roots.some((r) => p === r || p.startsWith(`${r}/`) || (r.endsWith('-') && p.startsWith(r)))))]
    .sort((a, b) => b.length - a.length);
}

/** Pids whose command line names one of this lab's folders (its dockerd, containerd and shims). */
function processesNaming(paths: string[]): number[] {
  const out: number[] = [];
  for (const d of listDir('/proc')) {
    const pid = Number(d);
    if (!Number.isInteger(pid) || pid === process.pid || !alive(pid)) continue;
    const cmd = cmdline(pid);
    if (cmd && paths.some((p) => cmd.includes(`${p}/`) || cmd.includes(`${p} `))) out.push(pid);
  }
  return out;
}

/** Pids in the cgroups of the lab's containers (ids from its data root), which outlive a killed shim. */
function containerProcesses(dataDir: string): number[] {
  const ids = new Set<string>();
  for (const host of listDir(dataDir)) for (const c of listDir(`${dataDir}/${host}/containers`)) if (/^[0-9a-f]{64}$/.test(c)) ids.add(c);
  if (!ids.size) return [];
  const out: number[] = [];
  for (const d of listDir('/proc')) {
    const pid = Number(d);
    if (!Number.isInteger(pid) || !alive(pid)) continue;
    const cg = readText(`/proc/${pid}/cgroup`);
    if (cg && [...ids].some((id) => cg.includes(id))) out.push(pid);
  }
  return out;
}

// ── tear down ────────────────────────────────────────────────────────────────

/** Services (on a manager) and containers of a lab daemon, removed through its API; bounded, errors ignored. */
function removeContainers(socket: string): void {
  if (!existsSync(socket)) return;
  const env = { ...process.env };
  delete env.DOCKER_HOST;
  delete env.DOCKER_CONTEXT;
  // Debian 12's 20.10 CLI: it speaks to 26.1 daemons too (API version negotiation).
  const cli = (args: string[]) => spawnSync(RELEASES['20.10'].cli, ['-H', `unix://${socket}`, ...args], { encoding: 'utf8', timeout: 15_000, env });
  const ids = (args: string[]) => (cli(args).stdout ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  const services = ids(['service', 'ls', '-q']);
  if (services.length) cli(['service', 'rm', ...services]);
  const containers = ids(['ps', '-aq']);
  if (containers.length) cli(['rm', '-f', ...containers]);
}

/**
 * Removes everything of lab `labId`; returns what it did, one line each. Safe to call for a lab that is
 * half made or already gone.
 */
export function teardownLabSync(labId: string, timeoutMs = 20_000): string[] {
  const notes: string[] = [];
  const run = labRunDir(labId);
  const data = labDataDir(labId);

  // 1. The lab's dockerds, each by its pidfile, and only when that pid is the dockerd of this lab. Their
  // containers are removed first: a daemon that stops them itself gives each one 10 s to exit.
  const daemons: number[] = [];
  for (const f of listDir(run).filter((f) => f.endsWith('.pid'))) {
    const pid = Number(readText(`${run}/${f}`)?.trim());
    const cmd = Number.isInteger(pid) && pid > 1 ? cmdline(pid) : undefined;
    if (cmd?.includes('dockerd') && cmd.includes(`${run}/`)) {
      removeContainers(`${run}/${f.replace(/\.pid$/, '.sock')}`);
      kill(pid, 'SIGTERM');
      daemons.push(pid);
      notes.push(`stopping dockerd ${pid} (${f.replace(/\.pid$/, '')})`);
    }
  }
  const end = Date.now() + timeoutMs;
  while (daemons.some(alive) && Date.now() < end) sleepSync(100);
  for (const pid of daemons.filter(alive)) {
    kill(pid, 'SIGKILL');
    notes.push(`killed dockerd ${pid}: it did not stop within ${timeoutMs / 1000} s`);
  }

  // 2. What a killed dockerd leaves running: its containerd and shims, and container processes.
  for (let round = 0; round < 3; round++) {
    const rest = [...new Set([...processesNaming([run, data]), ...containerProcesses(data)])];
    if (!rest.length) break;
    for (const pid of rest) kill(pid, 'SIGKILL');
    notes.push(`killed ${rest.length} leftover process(es) of the lab: ${rest.join(' ')}`);
    sleepSync(300);
  }

  // 3. Mounts (overlay layers, shm, the sandboxes' network namespaces), namespaces, folders.
  const mounts = mountsUnder([run, data, `${NETNS_DIR}/${NETNS_PREFIX}${labId}-`]);
  for (const m of mounts) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
  if (mounts.length) notes.push(`unmounted ${mounts.length} mount(s)`);
  for (const ns of labNamespaces(labId)) {
    if (spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }).status !== 0) rmSync(`${NETNS_DIR}/${ns}`, { force: true });
    notes.push(`deleted namespace ${ns}`);
  }
  for (const dir of [run, data]) {
    if (existsSync(dir)) {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      notes.push(`removed ${dir}`);
    }
  }
  return notes;
}

/** Tears down every lab whose owner process is gone (an interrupted run); manual labs stay. */
export function sweepLeftovers(): string[] {
  const notes: string[] = [];
  for (const id of labIds()) {
    if (labKept(id)) continue;
    notes.push(`lab ${id} (left by an interrupted run):`, ...teardownLabSync(id).map((n) => `  ${n}`));
  }
  return notes;
}
