// Real daemon faults, on a lab dockerd 20.10 (its own namespace, data root and socket; never the main
// dockerd): the daemon SIGKILLed, restarted on the same data root with other objects, its socket removed
// while it runs, stopped (SIGSTOP: it accepts and never answers) and continued, and killed while an
// action and an apply are in flight. Connected meanwhile: the extension's own connection
// (LiveHostConnection with the shipped deadlines and liveness) and the built CLI (`node dist/cli.js`).
// test/docker/live/faults.test.ts causes the protocol faults (cut streams, malformed answers) through a
// proxy; here the daemon itself fails.
//
//   node scripts/build.mjs && node --import tsx --test test/docker/lab/daemonFaults.test.ts
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { after, before, test } from 'node:test';
import { connectDocker } from '../../../src/docker/client';
import { parseDockerHost } from '../../../src/docker/connection';
import { takeSnapshot, type Snapshot } from '../../../src/docker/snapshot';
import { createNetwork } from '../../../src/docker/actions';
import type { LiveState } from '../../../src/live/liveHost';
import { applyPlan, planApply } from '../../../src/live/plan';
import { parseTopology } from '../../../src/topology';
import { LiveHostConnection, PING_INTERVAL_MS, PING_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../../../src/extension/live/liveHostConnection';
import { buildLiveHostTree, liveHostViewOf } from '../../../src/extension/treeNodes';
import { labMissing, startLab, type Lab, type LabHost } from '../harness/lab';
import { startDockerd } from '../harness/labDaemon';
import { isCI } from '../../support/ci.mjs';

const ROOT = resolvePath(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'dist', 'cli.js');
const NAME = 'faulty';
/** As in faults.test.ts: the shipped ping interval and deadline, plus slack for a loaded CI machine. */
const NOTICE_MS = PING_INTERVAL_MS + PING_TIMEOUT_MS + 8000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const missing = [...labMissing(['20.10']), ...(existsSync(CLI) ? [] : [`${CLI} is missing: node scripts/build.mjs`])].join('; ');

let lab: Lab | undefined;
let host: LabHost;
let started = 0;

before(async () => {
  if (missing) {
    if (isCI()) throw new Error(missing);
    return;
  }
  started = Date.now();
  lab = await startLab({ hosts: [{ name: NAME, version: '20.10' }], lan: false });
  host = lab.host(NAME);
});

after(async () => {
  await lab?.stop();
  if (started) console.log(`# daemon faults lab test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

// ── the daemon's process ─────────────────────────────────────────────────────

/** The lab dockerd's pid, checked to be this lab host's daemon (its data root on the command line). */
function daemonPid(): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(host.paths.pidfile, 'utf8').trim());
  } catch {
    return undefined;
  }
  let cmd: string;
  let stat: string;
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  if (!cmd.includes(host.paths.dataRoot) || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return undefined;
  return pid;
}

function signal(sig: NodeJS.Signals): number {
  const pid = daemonPid();
  assert.ok(pid, 'the lab dockerd runs');
  process.kill(pid, sig);
  return pid;
}

async function gone(pid: number): Promise<void> {
  const end = Date.now() + 30_000;
  while (existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')) {
    if (Date.now() > end) assert.fail(`dockerd ${pid} still runs 30 s after it was signalled`);
    await sleep(50);
  }
}

/** The lab daemon's containerd (started by dockerd; it outlives a killed dockerd for a moment). */
function containerdPid(): number | undefined {
  try {
    const pid = Number(readFileSync(join(host.paths.execRoot, 'containerd', 'containerd.pid'), 'utf8').trim());
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(host.paths.execRoot) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * dockerd again on the same data root, exec root and socket (as the lab started it), once the killed
 * one's containerd has exited: a new containerd beside it would wait for its database lock.
 */
async function restart(): Promise<void> {
  const old = containerdPid();
  if (old) await gone(old);
  // Its pidfile too: an exited containerd stays a zombie until this machine's init reaps it, and dockerd
  // takes a zombie for a running containerd ("containerd is still running") and waits on its socket.
  rmSync(join(host.paths.execRoot, 'containerd', 'containerd.pid'), { force: true });
  await startDockerd(host.name, host.version, host.paths, host.netns);
}

/** Leaves the daemon running and answering on its socket, whatever a test did to it. */
async function healthy(): Promise<void> {
  const pid = daemonPid();
  if (pid) {
    process.kill(pid, 'SIGCONT');
    if (existsSync(host.socket)) return;
    process.kill(pid, 'SIGTERM');
    await gone(pid);
  }
  await restart();
}

// ── what is watched ──────────────────────────────────────────────────────────

interface Watched {
  conn: LiveHostConnection<LiveState>;
  log: string[];
  statuses: { at: number; kind: string; message?: string }[];
}

/** The extension's connection to the lab host, as LiveHosts makes it (shipped deadlines and liveness). */
function watch(): Watched {
  const log: string[] = [];
  const statuses: Watched['statuses'] = [];
  const conn = new LiveHostConnection<LiveState>(
    { key: host.dockerHost, label: NAME, hostName: 'default', endpoint: parseDockerHost(host.dockerHost, null, { from: 'explicit' }), isDefault: false },
    {
      log: { info: (m) => log.push(`info ${m}`), warn: (m) => log.push(`warn ${m}`), debug: () => undefined },
      changed: (e) => {
        const s = e.status;
        if (statuses.at(-1)?.kind !== s.kind) statuses.push({ at: Date.now(), kind: s.kind, ...(s.kind === 'unreachable' ? { message: s.message } : {}) });
      },
      connect: () => connectDocker(host.dockerHost, { timeoutMs: REQUEST_TIMEOUT_MS }),
      buildSource: (_k, _l, state) => state,
      backoffMinMs: 500,
      backoffMaxMs: 2000,
    },
  );
  conn.start();
  return { conn, log, statuses };
}

async function until(check: () => boolean, what: string, ms: number, w?: Watched): Promise<number> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) assert.fail(`not within ${ms} ms: ${what}${w ? `\nstatuses: ${JSON.stringify(w.statuses)}\n${w.log.join('\n')}` : ''}`);
    await sleep(25);
  }
  return Date.now() - t0;
}

let marks = 0;
/**
 * Connected and following changes: a network made now shows in the state (so the event stream is up
 * and the liveness pings run; a snapshot alone says "connected" a moment before the stream is).
 */
async function following(w: Watched): Promise<void> {
  await until(() => w.conn.status.kind === 'connected', 'connected', 30_000, w);
  const mark = `fx-mark${++marks}`;
  await host.dockerOk(['network', 'create', mark]);
  await until(() => !!w.conn.state?.snapshot.networks.some((n) => n.name === mark), `${mark} followed`, 30_000, w);
}

/** What must be equal between the followed state and a fresh read (times and "Up 3 seconds" aside). */
function essence(s: Snapshot) {
  const byId = <T extends { id: string }>(a: T[]) => [...a].sort((x, y) => x.id.localeCompare(y.id));
  return {
    networks: byId(s.networks).map((n) => ({
      id: n.id, name: n.name, driver: n.driver, ipam: n.ipamConfig, labels: n.labels,
      members: n.members.map((m) => `${m.containerId} ${m.ipv4Address} ${m.macAddress}`).sort(),
    })),
    containers: byId(s.containers).map((c) => ({
      id: c.id, name: c.name, running: c.running,
      endpoints: c.endpoints.map((e) => `${e.network} ${e.ipv4Address} ${e.macAddress}`).sort(),
    })),
  };
}

/** The followed state equals a fresh read through a new connection (retried while events still land). */
async function assertCurrent(w: Watched, what: string): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 20; i++) {
    await sleep(500);
    const fresh = await takeSnapshot(connectDocker(host.dockerHost, { timeoutMs: 30_000 }));
    try {
      assert.equal(w.conn.status.kind, 'connected', `${what}: connected`);
      assert.deepEqual(essence(w.conn.state!.snapshot), essence(fresh), `${what}: the state equals a fresh read`);
      return;
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/** The host's tree as the extension shows it now. */
function tree(w: Watched) {
  return buildLiveHostTree(liveHostViewOf({ key: w.conn.key, label: w.conn.label, endpoint: w.conn.endpoint, status: w.conn.status, state: w.conn.state }, `cnm-live:/${NAME}`));
}

/** While unreachable the tree says why, in one line, and shows nothing of the last state as current. */
function assertTreeUnreachable(w: Watched, hidden: string[], why: RegExp): void {
  const t = tree(w);
  assert.equal(t.description, 'unreachable');
  assert.equal(t.children.length, 1, JSON.stringify(t.children.map((c) => c.label)));
  assert.match(String(t.children[0]!.label), why);
  const shown = JSON.stringify(t, (k, v: unknown) => (k === 'parent' ? undefined : v));
  for (const h of hidden) assert.ok(!shown.includes(h), `${h} is not shown while the host is unreachable`);
}

/** The built CLI as a user runs it; killed (and failed) if it has not ended within a minute. */
function cnm(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  const clean: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: join(tmpdir(), 'cnm-no-docker-config'), ...env };
  for (const k of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH']) delete clean[k];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: clean });
    let stdout = '', stderr = '';
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`cnm ${args.join(' ')} hung for 60 s; stderr: ${stderr}`));
    }, 60_000);
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** `cnm inspect --docker … --json` against the lab host ends with exit 2 and one line naming the failure. */
async function assertCliUnreachable(why: RegExp, env: Record<string, string> = {}): Promise<number> {
  const cli = await cnm(['inspect', '--docker', host.dockerHost, '--json'], env);
  assert.equal(cli.status, 2, cli.stderr);
  assert.equal(cli.stdout, '', 'nothing on stdout');
  assert.match(cli.stderr, /^cnm: inspect: Docker host: [^\n]+\n$/, 'one line');
  assert.match(cli.stderr, why);
  return cli.ms;
}

const ready = (t: { skip(m: string): void }) => {
  if (!lab) t.skip(missing);
  return !!lab;
};

// ── the faults ───────────────────────────────────────────────────────────────

test('dockerd killed, then restarted on the same data root with other objects: unreachable within seconds, nothing stale shown, the CLI fails in one line, then back and current by itself', { timeout: 300_000 }, async (t) => {
  if (!ready(t)) return;
  await host.dockerOk(['network', 'create', '--subnet', '10.251.1.0/24', 'fx-before']);
  await host.dockerOk(['run', '-d', '--name', 'fx-old', '--network', 'fx-before', 'busybox:local', 'sleep', '3600']);
  await host.dockerOk(['run', '-d', '--name', 'fx-kept', '--network', 'fx-before', 'busybox:local', 'sleep', '3600']);
  const w = watch();
  try {
    await following(w);
    assert.ok(w.conn.state!.snapshot.containers.some((c) => c.name === 'fx-old'));
    const killedAt = Date.now();
    const pid = signal('SIGKILL');
    await gone(pid);
    const noticed = await until(() => w.conn.status.kind === 'unreachable', 'unreachable after dockerd was killed', NOTICE_MS, w);
    const s = w.conn.status;
    assert.ok(s.kind === 'unreachable');
    assert.match(s.message, /ECONNREFUSED|ECONNRESET|ended the event stream|closed the connection|no answer/);
    assertTreeUnreachable(w, ['fx-old', 'fx-kept', 'fx-before'], /ECONNREFUSED|ECONNRESET|ended the event stream|closed the connection|no answer/);
    const cliMs = await assertCliUnreachable(/ECONNREFUSED|cannot connect|refused/i);

    // The same data root again; right away (racing the extension's reconnection) objects change.
    await restart();
    await host.dockerOk(['rm', '-f', 'fx-old']);
    await host.dockerOk(['network', 'create', '--subnet', '10.251.2.0/24', 'fx-after']);
    await host.dockerOk(['start', 'fx-kept']);
    await host.dockerOk(['network', 'connect', 'fx-after', 'fx-kept']);
    await until(() => w.conn.status.kind === 'connected', 'connected again by itself', 60_000, w);
    await assertCurrent(w, 'after the restart');
    const names = new Set([...w.conn.state!.snapshot.containers.map((c) => c.name), ...w.conn.state!.snapshot.networks.map((n) => n.name)]);
    assert.ok(!names.has('fx-old') && names.has('fx-after') && names.has('fx-kept'), [...names].join(' '));
    t.diagnostic(`kill noticed after ${noticed} ms; CLI ended after ${cliMs} ms; back and current ${Date.now() - killedAt} ms after the kill`);
  } finally {
    w.conn.stop();
    await healthy();
    await host.wipe();
  }
});

test('the socket removed while dockerd runs: new connections fail (the CLI in one line), the extension never shows a stale state as current; a new socket brings it back', { timeout: 300_000 }, async (t) => {
  if (!ready(t)) return;
  await host.dockerOk(['network', 'create', '--subnet', '10.251.3.0/24', 'fx-vanishing']);
  const w = watch();
  try {
    await following(w);
    assert.ok(w.conn.state!.snapshot.networks.some((n) => n.name === 'fx-vanishing'));
    unlinkSync(host.socket);
    const cliMs = await assertCliUnreachable(/ENOENT|no such file|not found/i);
    // A fresh read is impossible now, so the extension's state cannot be checked as current; whatever it
    // shows must then not be the old state under "connected": it says unreachable within seconds.
    const noticed = await until(() => w.conn.status.kind === 'unreachable', 'unreachable once the socket is gone', NOTICE_MS + REQUEST_TIMEOUT_MS, w);
    assertTreeUnreachable(w, ['fx-vanishing'], /ENOENT|no such file|ended the event stream|closed the connection|no answer/i);
    // The daemon is made to listen again (restarted, as a user would): the connection comes back by itself.
    const pid = signal('SIGTERM');
    await gone(pid);
    await restart();
    await host.dockerOk(['network', 'rm', 'fx-vanishing']);
    await until(() => w.conn.status.kind === 'connected', 'connected again', 60_000, w);
    await assertCurrent(w, 'after the socket came back');
    t.diagnostic(`CLI ended after ${cliMs} ms; the extension said unreachable after ${noticed} ms`);
  } finally {
    w.conn.stop();
    await healthy();
    await host.wipe();
  }
});

test('dockerd stopped (SIGSTOP: accepts, never answers) then continued: requests end by their deadline, unreachable within seconds, then back and current', { timeout: 300_000 }, async (t) => {
  if (!ready(t)) return;
  await host.dockerOk(['network', 'create', '--subnet', '10.251.4.0/24', 'fx-frozen']);
  const w = watch();
  try {
    await following(w);
    signal('SIGSTOP');
    const noticed = await until(() => w.conn.status.kind === 'unreachable', 'unreachable while dockerd is stopped', NOTICE_MS, w);
    const s = w.conn.status;
    assert.ok(s.kind === 'unreachable');
    assert.match(s.message, /no answer from Docker within \d+ s/);
    assertTreeUnreachable(w, ['fx-frozen'], /no answer from Docker within \d+ s/);
    // Requests of every kind end by their deadline (3 s here) with a clear error, none hangs.
    const c = connectDocker(host.dockerHost, { timeoutMs: 3000 });
    const t0 = Date.now();
    const results = await Promise.all(([
      ['ping', () => c.ping()],
      ['snapshot', () => takeSnapshot(c)],
      ['create network', () => createNetwork(c, { name: 'fx-never', ipam: { config: [{ subnet: '10.251.5.0/24' }] } })],
      ['events', () => c.events(() => undefined, () => undefined)],
    ] as const).map(async ([name, call]) => {
      try {
        await call();
        return `${name}: answered`;
      } catch (e) {
        return `${name}: ${(e as Error).message}`;
      }
    }));
    for (const r of results) assert.match(r, /: .*no answer from Docker within 3 s$/, r);
    const ended = Date.now() - t0;
    const cliMs = await assertCliUnreachable(/no answer from Docker within 3 s/, { CNM_DOCKER_TIMEOUT: '3' });
    signal('SIGCONT');
    await host.dockerOk(['network', 'create', '--subnet', '10.251.6.0/24', 'fx-thawed']);
    await until(() => w.conn.status.kind === 'connected', 'connected again', 60_000, w);
    await assertCurrent(w, 'after SIGCONT');
    assert.ok(w.conn.state!.snapshot.networks.some((n) => n.name === 'fx-thawed'));
    t.diagnostic(`stop noticed after ${noticed} ms; 4 requests ended after ${ended} ms; CLI after ${cliMs} ms`);
  } finally {
    w.conn.stop();
    await healthy();
    await host.wipe();
  }
});

test('dockerd killed with an action and an apply in flight: each ends with a clear error at once, the apply says which steps were done', { timeout: 300_000 }, async (t) => {
  if (!ready(t)) return;
  try {
    // An action in flight: sent to a stopped daemon (so it is surely in flight), which is then killed.
    signal('SIGSTOP');
    const c = connectDocker(host.dockerHost, { timeoutMs: REQUEST_TIMEOUT_MS });
    const action = createNetwork(c, { name: 'fx-inflight', ipam: { config: [{ subnet: '10.251.7.0/24' }] } }).then(() => 'created', (e: Error) => e.message);
    await sleep(500);
    let pid = signal('SIGKILL');
    const t0 = Date.now();
    const actionError = await action;
    const actionMs = Date.now() - t0;
    assert.match(actionError, /^network create fx-inflight: .*(ECONNRESET|closed the connection|socket hang up)/, actionError);
    await gone(pid);
    await restart();

    // An apply: the daemon is stopped as its third step starts, then killed; two steps were done.
    const spec = parseTopology([
      'name: faults',
      'hosts:',
      '  host1:',
      '    daemon: { version: "20.10" }',
      'networks:',
      '  front: { driver: bridge, subnet: 10.251.8.0/24 }',
      '  back: { driver: bridge, subnet: 10.251.9.0/24 }',
      'containers:',
      '  web:',
      '    image: busybox:local',
      '    networks: [front, back]',
    ].join('\n'));
    assert.deepEqual(spec.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
    const plan = planApply(spec.spec, { command: ['sleep', '3600'] });
    assert.deepEqual(plan.steps.map((s) => s.op), ['create-network', 'create-network', 'run-container', 'connect']);
    const progress: string[] = [];
    const applying = applyPlan(c, plan, (p) => {
      progress.push(`${p.index + 1}/${p.total} ${p.state}`);
      if (p.index === 2 && p.state === 'running') signal('SIGSTOP'); // before its request is sent
    });
    await until(() => progress.includes('3/4 running'), 'the third step started', 60_000);
    await sleep(500);
    pid = signal('SIGKILL');
    const result = await applying;
    assert.equal(result.done, 2, JSON.stringify(result));
    assert.equal(result.failed?.index, 2);
    assert.equal(result.failed?.step.op, 'run-container');
    assert.match(result.failed!.error, /^create web: cannot reach Docker \((ECONNRESET|EPIPE)/, result.failed!.error);
    assert.deepEqual(progress, ['1/4 running', '1/4 done', '2/4 running', '2/4 done', '3/4 running', '3/4 failed']);
    await gone(pid);
    await restart();
    // What the apply reported as done is there; what it did not reach is not.
    const left = await takeSnapshot(connectDocker(host.dockerHost, { timeoutMs: 30_000 }));
    assert.deepEqual(left.networks.map((n) => n.name).filter((n) => ['front', 'back', 'fx-inflight'].includes(n)).sort(), ['back', 'front']);
    assert.ok(!left.containers.some((x) => x.name === 'web'));
    t.diagnostic(`the action ended ${actionMs} ms after the kill (${actionError}); apply: ${result.done} done, step 3 failed: ${result.failed!.error}`);
  } finally {
    await healthy();
    await host.wipe();
  }
});
