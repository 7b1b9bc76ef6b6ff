// The real dockerd the differential suite plays scenarios on: reachability, (re)starting it with a
// scenario's daemon flags, the test image, and cleaning up what the suite (and only the suite) made.
//
// dockerd keeps the cursor over its default address pools and the ephemeral-port cursor in memory, and
// icc / userland-proxy / bip are daemon flags, so a scenario that depends on them runs on a freshly
// started dockerd. Only a dockerd that looks like ours (`dockerd --dns 127.0.0.1 …`, pid in
// /var/run/docker.pid) is ever stopped.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename, resolve } from 'node:path';
import ipaddr from 'ipaddr.js';
import { isCI } from '../../support/ci.mjs';
import { docker, dockerOk, run } from './exec';

export const TEST_LABEL = 'cnm-explorer.test';
export const TEST_LABEL_ARG = `${TEST_LABEL}=1`;
export const TEST_IMAGE = 'busybox:local';

const PID_FILE = '/var/run/docker.pid';
/** Every dockerd the suite runs keeps name look-ups on this machine (testing-offline.md). */
export const BASE_FLAGS = ['--dns', '127.0.0.1'];
const DEFAULT_DOCKER0 = '172.17.0.1/16';

export interface DaemonStatus {
  reachable: boolean;
  version?: string;
  reason?: string;
}

export async function daemonStatus(): Promise<DaemonStatus> {
  const r = await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 15_000 });
  if (r.code === 0 && r.stdout.trim() !== '') return { reachable: true, version: r.stdout.trim() };
  return { reachable: false, reason: (r.stderr || r.stdout).trim() || `exit ${r.code}` };
}

/**
 * Outside CI a missing dockerd skips the Docker tier (loudly); under CI it is a failure, because
 * .ci/run starts one.
 */
export async function requireDaemon(): Promise<DaemonStatus> {
  const st = await daemonStatus();
  if (!st.reachable) {
    const msg = `dockerd is not reachable (${st.reason}); the Docker tier needs one (see shared/docs/testing-offline.md)`;
    if (isCI()) throw new Error(msg);
    console.warn(`\n*** SKIPPING the Docker tier: ${msg} ***\n`);
  }
  return st;
}

// ---------------------------------------------------------------------------------------------------
// Which dockerd is running, with which flags

function readPid(): number | null {
  try {
    const n = Number(readFileSync(PID_FILE, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

function cmdline(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((s) => s !== '');
  } catch {
    return null;
  }
}

/** A dockerd started with `--dns 127.0.0.1`: the one testing-offline.md and .ci/run start, or ours. */
function isOurDockerd(argv: string[]): boolean {
  if (argv.length === 0 || basename(argv[0]!) !== 'dockerd') return false;
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '--dns=127.0.0.1') return true;
    if (argv[i] === '--dns' && argv[i + 1] === '127.0.0.1') return true;
  }
  return false;
}

/** The running daemon's flags beyond `--dns 127.0.0.1`, or null when no dockerd of ours runs. */
export function runningDaemonFlags(): string[] | null {
  const pid = readPid();
  if (pid === null) return null;
  const argv = cmdline(pid);
  if (!argv || !isOurDockerd(argv)) return null;
  const rest = argv.slice(1);
  const out: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--dns' && rest[i + 1] === '127.0.0.1') {
      i++;
      continue;
    }
    if (rest[i] === '--dns=127.0.0.1') continue;
    out.push(rest[i]!);
  }
  return out;
}

function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ---------------------------------------------------------------------------------------------------
// Stop / start

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The running dockerd's `--dns` servers, in order ([] when it has none or is not ours). */
export function daemonDnsServers(): string[] {
  const pid = readPid();
  const argv = pid === null ? null : cmdline(pid);
  if (!argv) return [];
  const out: string[] = [];
  argv.forEach((a, i) => {
    if (a === '--dns' && argv[i + 1] !== undefined) out.push(argv[i + 1]!);
    else if (a.startsWith('--dns=')) out.push(a.slice('--dns='.length));
  });
  return out;
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

export async function stopDaemon(): Promise<void> {
  const pid = readPid();
  if (pid === null || !alive(pid)) return;
  const argv = cmdline(pid);
  if (!argv || !isOurDockerd(argv)) {
    throw new Error(`refusing to stop pid ${pid} (${argv?.join(' ') ?? '?'}): not a dockerd started with --dns 127.0.0.1`);
  }
  process.kill(pid, 'SIGTERM');
  await waitFor(`dockerd ${pid} to exit`, 45_000, () => !alive(pid));
}

let lastLog = '';

const NETWORK_STORE = '/var/lib/docker/network/files/local-kv.db';

export async function startDaemon(flags: readonly string[]): Promise<void> {
  try {
    await startDaemonOnce(flags);
  } catch (e) {
    // dockerd 20.10 cannot start at all when its network store holds a network without IPAM data
    // (seen after networks were removed while the daemon was shutting down): libnetwork panics in
    // reservePools. Keep the store aside (never deleted) and start with a fresh one, once.
    const log = existsSync(lastLog) ? readFileSync(lastLog, 'utf8') : '';
    if (!log.includes('libnetwork.(*controller).reservePools') || !existsSync(NETWORK_STORE)) throw e;
    const aside = `${NETWORK_STORE}.broken-${Date.now()}`;
    renameSync(NETWORK_STORE, aside);
    console.warn(`  [dockerd] network store was unreadable (libnetwork panic); moved to ${aside}, starting with a fresh one`);
    await startDaemonOnce(flags);
  }
}

async function startDaemonOnce(flags: readonly string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cnm-dockerd-'));
  lastLog = join(dir, 'dockerd.log');
  const fd = openSync(lastLog, 'a');
  const child = spawn('dockerd', [...BASE_FLAGS, ...flags], { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.on('error', () => (exited = -1));
  child.unref();
  try {
    await waitFor('dockerd to answer `docker info`', 60_000, async () => {
      if (exited !== undefined) throw new Error(`dockerd exited with ${exited}`);
      const r = await docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 5_000 });
      return r.code === 0 && readPid() === child.pid;
    });
  } catch (e) {
    const tail = existsSync(lastLog) ? readFileSync(lastLog, 'utf8').split('\n').slice(-15).join('\n') : '';
    throw new Error(`dockerd ${[...BASE_FLAGS, ...flags].join(' ')} did not start: ${(e as Error).message}\n${tail}`);
  }
  cursorFresh = true;
  console.log(`  [dockerd] started: dockerd ${[...BASE_FLAGS, ...flags].join(' ')} (pid ${child.pid}, log ${lastLog})`);
}

async function docker0Address(): Promise<string | null> {
  const r = await run('ip', ['-o', '-4', 'addr', 'show', 'dev', 'docker0'], { timeoutMs: 5_000 });
  if (r.code !== 0) return null;
  return /inet (\S+)/.exec(r.stdout)?.[1] ?? null;
}

function flagValue(flags: readonly string[], name: string): string | undefined {
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] === name) return flags[i + 1];
    if (flags[i]!.startsWith(`${name}=`)) return flags[i]!.slice(name.length + 1);
  }
  return undefined;
}

/**
 * docker0's address on a fresh host started with these flags: --bip, else the first subnet of the
 * first --default-address-pool (.1), else 172.17.0.1/16.
 */
export function expectedDocker0(flags: readonly string[]): string {
  const bip = flagValue(flags, '--bip');
  if (bip !== undefined) return bip;
  const pool = flagValue(flags, '--default-address-pool');
  if (pool !== undefined) {
    const kv = Object.fromEntries(pool.split(',').map((p) => p.split('=') as [string, string]));
    const [addr] = ipaddr.parseCIDR(kv.base!);
    const size = Number(kv.size);
    const first = ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${size}`).toByteArray();
    first[3]! += 1;
    return `${first.join('.')}/${size}`;
  }
  return DEFAULT_DOCKER0;
}

/**
 * Stops ours and starts `dockerd --dns 127.0.0.1 <flags>`. dockerd keeps docker0's address across
 * restarts (from the device and from its network store), so a daemon started without --bip after one
 * with --bip keeps the old address. The engine models a fresh host, so when docker0 is not what a fresh
 * host would get, the daemon is started once with that address as --bip, then again with the flags
 * asked for (it then keeps the right address).
 */
export async function restartDaemon(flags: readonly string[]): Promise<void> {
  const dockerHost = process.env.DOCKER_HOST;
  if (dockerHost !== undefined && dockerHost !== '' && dockerHost !== 'unix:///var/run/docker.sock') {
    throw new Error(`DOCKER_HOST=${dockerHost}: the suite only restarts the local dockerd of /var/run/docker.pid`);
  }
  const pid = readPid();
  if (runningDaemonFlags() === null && pid !== null && alive(pid)) {
    throw new Error('the running dockerd was not started with --dns 127.0.0.1; the suite will not restart it');
  }
  if ((await daemonStatus()).reachable) await assertNoForeignObjects();
  await stopDaemon();
  await startDaemon(flags);
  const want = expectedDocker0(flags);
  if ((await docker0Address()) === want) return;
  await stopDaemon();
  await startDaemon([...flags.filter((f, i) => f !== '--bip' && flags[i - 1] !== '--bip' && !f.startsWith('--bip=')), '--bip', want]);
  await stopDaemon();
  await startDaemon(flags);
  const got = await docker0Address();
  if (got !== want) throw new Error(`docker0 has ${got} after restarting dockerd; a fresh host would give it ${want}`);
}

// ---------------------------------------------------------------------------------------------------
// Fresh cursors: restart only when a scenario needs it

let cursorFresh = false;

/** A scenario allocated from the default pools or ephemeral ports: the next one that cares needs a restart. */
export function markCursorUsed(): void {
  cursorFresh = false;
}

/**
 * Makes the running daemon the one a scenario needs: its flags, and (if asked) fresh in-memory cursors.
 * Returns whether it restarted.
 */
export async function ensureDaemon(flags: readonly string[], needFreshCursor: boolean): Promise<boolean> {
  const current = runningDaemonFlags();
  const docker0Right = (await docker0Address()) === expectedDocker0(flags);
  if (current !== null && sameFlags(current, flags) && docker0Right && (!needFreshCursor || cursorFresh)) return false;
  await restartDaemon(flags);
  return true;
}

/** Back to `dockerd --dns 127.0.0.1` (with a default docker0) if the suite left it otherwise. */
export async function restoreDefaultDaemon(): Promise<void> {
  const current = runningDaemonFlags();
  const addr = await docker0Address();
  if (current !== null && current.length === 0 && (addr === null || addr === DEFAULT_DOCKER0)) return;
  await removeLeftovers();
  await restartDaemon([]);
}

// ---------------------------------------------------------------------------------------------------
// Objects on the daemon

interface Listed {
  id: string;
  name: string;
  labelled: boolean;
  running?: boolean;
}

async function listContainers(): Promise<Listed[]> {
  const out = await dockerOk(['ps', '-a', '--no-trunc', '--format', `{{.ID}}\t{{.Names}}\t{{.Label "${TEST_LABEL}"}}\t{{.State}}`], {
    timeoutMs: 30_000,
  });
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [id = '', name = '', label = '', state = ''] = l.split('\t');
      return { id, name, labelled: label === '1', running: state === 'running' };
    });
}

async function listNetworks(): Promise<Listed[]> {
  const out = await dockerOk(['network', 'ls', '--no-trunc', '--format', `{{.ID}}\t{{.Name}}\t{{.Label "${TEST_LABEL}"}}`], {
    timeoutMs: 30_000,
  });
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [id = '', name = '', label = ''] = l.split('\t');
      return { id, name, labelled: label === '1' };
    });
}

/** Removes every container and network carrying the suite's label — and nothing else. */
export async function removeLeftovers(): Promise<void> {
  const containers = (await listContainers()).filter((c) => c.labelled);
  if (containers.length > 0) await removeIfThere(['rm', '-f', ...containers.map((c) => c.id)], 60_000);
  const networks = (await listNetworks()).filter((n) => n.labelled);
  for (const n of networks) await removeIfThere(['network', 'rm', n.id], 30_000);
}

/** A removal that finds the object already gone (another clean-up got there first) is no failure. */
async function removeIfThere(args: string[], timeoutMs: number): Promise<void> {
  const r = await docker(args, { timeoutMs });
  if (r.code === 0 || /No such (container|network)/i.test(r.stderr)) return;
  throw new Error(`docker ${args.join(' ')} failed (${r.timedOut ? 'timed out' : `exit ${r.code}`}): ${r.stderr.trim()}`);
}

const PREDEFINED = ['bridge', 'host', 'none'];

/** Containers and user networks the suite did not make (they would change what dockerd allocates). */
export async function foreignObjects(): Promise<string[]> {
  const c = (await listContainers()).filter((x) => !x.labelled).map((x) => `container ${x.name}`);
  const n = (await listNetworks()).filter((x) => !x.labelled && !PREDEFINED.includes(x.name)).map((x) => `network ${x.name}`);
  return [...c, ...n];
}

/**
 * The suite shares the daemon with nobody: other containers would be killed by a restart, and other
 * networks change which subnets dockerd hands out. Wait a little for them to go, then refuse.
 */
export async function assertNoForeignObjects(waitMs = 60_000): Promise<void> {
  const until = Date.now() + waitMs;
  for (;;) {
    const foreign = await foreignObjects();
    if (foreign.length === 0) return;
    if (Date.now() > until) {
      throw new Error(
        `dockerd holds objects the suite did not create (${foreign.join(', ')}); the differential suite needs a daemon of its own`,
      );
    }
    await sleep(2_000);
  }
}

// ---------------------------------------------------------------------------------------------------
// The test image

/** busybox:local, made from the machine's static busybox (scripts/busybox-image.sh when present). */
export async function ensureImage(): Promise<void> {
  if ((await docker(['image', 'inspect', TEST_IMAGE], { timeoutMs: 15_000 })).code === 0) return;
  const script = resolve(__dirname, '../../../scripts/busybox-image.sh');
  if (existsSync(script)) {
    const r = await run('bash', [script], { timeoutMs: 120_000 });
    if (r.code === 0 && (await docker(['image', 'inspect', TEST_IMAGE], { timeoutMs: 15_000 })).code === 0) return;
    console.warn(`scripts/busybox-image.sh failed (${r.stderr.trim()}); importing the image directly`);
  }
  await importBusybox();
}

async function importBusybox(): Promise<void> {
  const bin = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
  if (!bin) throw new Error('no static busybox on this machine (apt-get install busybox-static)');
  const dir = mkdtempSync(join(tmpdir(), 'cnm-busybox-'));
  const mk = (args: string[]) => run(args[0]!, args.slice(1), { timeoutMs: 30_000 });
  await mk(['mkdir', '-p', `${dir}/bin`, `${dir}/etc`, `${dir}/tmp`, `${dir}/proc`, `${dir}/sys`, `${dir}/dev`]);
  await mk(['cp', bin, `${dir}/bin/busybox`]);
  for (const c of ['sh', 'ping', 'ip', 'nc', 'wget', 'httpd', 'nslookup', 'sleep', 'cat', 'hostname', 'ifconfig', 'route', 'netstat']) {
    await mk(['ln', '-s', 'busybox', `${dir}/bin/${c}`]);
  }
  const tar = await new Promise<Buffer>((res, rej) => {
    const p = spawn('tar', ['-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    p.stdout.on('data', (b: Buffer) => chunks.push(b));
    p.on('error', rej);
    p.on('close', (code) => (code === 0 ? res(Buffer.concat(chunks)) : rej(new Error(`tar exited ${code}`))));
  });
  await dockerOk(['import', '-', TEST_IMAGE], { input: tar, timeoutMs: 120_000 });
  await mk(['rm', '-rf', dir]);
}
