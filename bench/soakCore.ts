// The live soak shared by bench/soak.bench.ts (1,000 cycles, figures) and the lab-lane test
// test/docker/live/soak.test.ts (100 cycles, asserts only the end state): the extension's own
// connection (LiveHostConnection with the shipped deadlines and liveness, the live source built on
// every state as an open diagram would, the tree rebuilt on every change as the explorer does) follows
// a lab host while the Docker API on that host runs container create → network connect → remove
// cycles as fast as the daemon takes them (not started: no process to run, so the cycle is the
// daemon's bookkeeping and the events the extension follows, not runc under a busy machine). Every `sampleEvery` cycles the heap and RSS are
// sampled after a forced GC (node --expose-gc); at the end the followed state is compared with a new
// connection's snapshot and the tree's names with `docker ps -a` / `docker network ls`.
import { request } from 'node:http';
import { connectDocker } from '../src/docker/client';
import { parseDockerHost } from '../src/docker/connection';
import { takeSnapshot, type Snapshot } from '../src/docker/snapshot';
import { liveTopology, type LiveState } from '../src/live';
import { LiveHostConnection, REQUEST_TIMEOUT_MS } from '../src/extension/live/liveHostConnection';
import { buildLiveHostTree, liveHostViewOf, type TreeNode } from '../src/extension/treeNodes';
import type { LabHost } from '../test/docker/harness/lab';

export interface MemorySample {
  cycle: number;
  heapUsedMB: number;
  rssMB: number;
}

export interface SoakResult {
  cycles: number;
  cycleMs: number[];
  memory: MemorySample[];
  /** Least-squares slope of heap used over the samples after the first, in MB per 1,000 cycles. */
  heapGrowthPer1000MB: number;
  rssGrowthPer1000MB: number;
  /** The followed state equals a fresh read through a new connection. */
  modelMatches: boolean;
  /** The tree's containers and networks are `docker ps -a` / `docker network ls`. */
  treeMatches: boolean;
  /** What differed (empty when both match). */
  differences: string[];
  /** How long after the last cycle the followed state equalled the fresh read. */
  settleMs: number;
  /** States given by the connection, trees built, statuses other than connected seen. */
  states: number;
  trees: number;
  notConnected: string[];
  unhandledRejections: string[];
  wallMs: number;
}

const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What must be equal between the followed state and a fresh read (times and "Up 3 seconds" aside). */
export function essence(s: Snapshot) {
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

/** One Docker API call on the lab's socket (a create without a start: the client has only run). */
function dockerApi(socketPath: string, method: string, path: string, body?: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath, method, path, timeout: 60_000, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text.trim()}`));
        else resolve(text ? JSON.parse(text) : null);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** Names that differ between two lists, said both ways. */
function setDiff(what: string, shown: string[], truth: string[]): string[] {
  const a = new Set(shown), b = new Set(truth);
  const extra = [...a].filter((x) => !b.has(x)), missing = [...b].filter((x) => !a.has(x));
  return [
    ...(extra.length ? [`${what} shown but not on the daemon: ${extra.join(', ')}`] : []),
    ...(missing.length ? [`${what} on the daemon but not shown: ${missing.join(', ')}`] : []),
  ];
}

/** The labels of the tree's nodes of a kind (containers, networks), wherever they sit. */
function labelsOf(root: TreeNode, kind: TreeNode['kind'], under: TreeNode['kind']): string[] {
  const out: string[] = [];
  const walk = (n: TreeNode, inside: boolean) => {
    if (inside && n.kind === kind) out.push(n.label);
    for (const c of n.children) walk(c, inside || n.kind === under);
  };
  walk(root, false);
  return out;
}

function slopePer1000(points: { x: number; y: number }[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n, my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 1000;
}

function sampleMemory(cycle: number): MemorySample {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the soak needs a forced GC: run node with --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  return { cycle, heapUsedMB: m.heapUsed / MB, rssMB: m.rss / MB };
}

export interface SoakOptions {
  host: LabHost;
  cycles: number;
  /** Samples memory every this many cycles (default 100); 0: never (no forced GC needed). */
  sampleEvery?: number;
  log?: (line: string) => void;
}

/** Runs the soak on a lab host (which it leaves as it found it: its containers and network removed). */
export async function soak(o: SoakOptions): Promise<SoakResult> {
  const log = o.log ?? (() => undefined);
  const every = o.sampleEvery ?? 100;
  const unhandled: string[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  process.on('unhandledRejection', onUnhandled);
  const t0 = Date.now();
  const api = connectDocker(o.host.dockerHost, { timeoutMs: 30_000 });
  let states = 0, trees = 0;
  const notConnected: string[] = [];
  let tree: TreeNode | undefined;
  // The extension's connection, as LiveHosts makes it (src/extension/live/liveHosts.ts).
  const conn: LiveHostConnection<unknown> = new LiveHostConnection<unknown>(
    { key: o.host.dockerHost, label: o.host.name, hostName: 'default', endpoint: parseDockerHost(o.host.dockerHost, null, { from: 'explicit' }), isDefault: false },
    {
      log: { info: () => undefined, warn: (m) => log(`  connection: ${m}`), debug: () => undefined },
      changed: (e) => {
        if (e.status.kind !== 'connected' && e.status.kind !== 'connecting') notConnected.push(`${e.status.kind}: ${e.status.message}`);
        // The explorer rebuilds the host's node on every change; an open diagram reads the source.
        tree = buildLiveHostTree(liveHostViewOf(e, `live:${e.key}`));
        trees++;
        if (e.state) e.source();
      },
      connect: () => connectDocker(o.host.dockerHost, { timeoutMs: REQUEST_TIMEOUT_MS }),
      buildSource: (_k, _l, state: LiveState) => {
        states++;
        return liveTopology(state.snapshot, state.model);
      },
    },
  );
  const net = 'soaknet';
  const cycleMs: number[] = [];
  const memory: MemorySample[] = [];
  try {
    await api.createNetwork({ name: net, ipamConfig: [{ subnet: '10.250.0.0/16', auxAddresses: {} }], labels: { 'cnm-explorer.soak': '1' } });
    conn.start();
    for (let waited = 0; conn.status.kind !== 'connected'; waited += 50) {
      if (waited > 30_000) throw new Error(`the connection did not connect: ${JSON.stringify(conn.status)}`);
      await sleep(50);
    }
    await sleep(1000);
    if (every > 0) {
      memory.push(sampleMemory(0));
      log(`  cycle     0: heap ${memory[0]!.heapUsedMB.toFixed(1)} MB, RSS ${memory[0]!.rssMB.toFixed(1)} MB`);
    }
    for (let i = 1; i <= o.cycles; i++) {
      const c0 = performance.now();
      const name = `soak${i}`;
      await dockerApi(o.host.socket, 'POST', `/containers/create?name=${name}`, { Image: 'busybox:local', Cmd: ['sleep', '3600'], Labels: { 'cnm-explorer.soak': '1' } });
      await dockerApi(o.host.socket, 'POST', `/networks/${net}/connect`, { Container: name });
      await dockerApi(o.host.socket, 'DELETE', `/containers/${name}?force=1`);
      cycleMs.push(performance.now() - c0);
      if (every > 0 && (i % every === 0 || i === o.cycles)) {
        const m = sampleMemory(i);
        memory.push(m);
        log(`  cycle ${String(i).padStart(5)}: heap ${m.heapUsedMB.toFixed(1)} MB, RSS ${m.rssMB.toFixed(1)} MB, status ${conn.status.kind}, ${states} states, ${trees} trees`);
      }
    }
    // The last burst of events is followed within a second or so; then a fresh read decides.
    const end = Date.now();
    let differences: string[] = [];
    let modelMatches = false, treeMatches = false;
    for (;;) {
      const fresh = await takeSnapshot(connectDocker(o.host.dockerHost, { timeoutMs: 30_000 }));
      const followed = conn.state?.snapshot;
      const a = followed ? JSON.stringify(essence(followed)) : 'none', b = JSON.stringify(essence(fresh));
      modelMatches = a === b && (conn.status as { kind: string }).kind === 'connected';
      const ps = (await o.host.dockerOk(['ps', '-a', '--format', '{{.Names}}'])).split('\n').filter(Boolean);
      const nets = (await o.host.dockerOk(['network', 'ls', '--format', '{{.Name}}'])).split('\n').filter(Boolean);
      const status = conn.status as { kind: string };
      differences = [
        ...(status.kind === 'connected' ? [] : [`status ${status.kind}`]),
        ...(!followed ? ['no state followed'] : a === b ? [] : [`followed state differs from a fresh read: ${describe(essence(followed), essence(fresh))}`]),
        ...setDiff('containers', tree ? labelsOf(tree, 'container', 'containers') : [], ps),
        ...setDiff('networks', tree ? labelsOf(tree, 'network', 'networks') : [], nets),
      ];
      treeMatches = differences.every((d) => !/^(containers|networks) /.test(d)) && !!tree;
      if ((modelMatches && treeMatches) || Date.now() - end > 20_000) break;
      await sleep(250);
    }
    const settleMs = Date.now() - end;
    const after = memory.slice(1).map((m) => ({ x: m.cycle, y: m.heapUsedMB }));
    const afterRss = memory.slice(1).map((m) => ({ x: m.cycle, y: m.rssMB }));
    return {
      cycles: o.cycles, cycleMs, memory,
      heapGrowthPer1000MB: slopePer1000(after), rssGrowthPer1000MB: slopePer1000(afterRss),
      modelMatches, treeMatches, differences, settleMs, states, trees, notConnected,
      unhandledRejections: unhandled, wallMs: Date.now() - t0,
    };
  } finally {
    conn.stop();
    process.off('unhandledRejection', onUnhandled);
    await o.host.wipe();
  }
}

/** A short account of how two essences differ (counts, then the first differing ids). */
function describe(a: ReturnType<typeof essence>, b: ReturnType<typeof essence>): string {
  const out: string[] = [];
  for (const k of ['containers', 'networks'] as const) {
    const x = new Map(a[k].map((e) => [e.id, JSON.stringify(e)])), y = new Map(b[k].map((e) => [e.id, JSON.stringify(e)]));
    const diff = [...new Set([...x.keys(), ...y.keys()])].filter((id) => x.get(id) !== y.get(id));
    if (diff.length) out.push(`${k}: ${diff.length} differ (${diff.slice(0, 3).map((id) => `${x.get(id) ?? 'missing'} vs ${y.get(id) ?? 'missing'}`).join('; ')})`);
  }
  return out.join('; ') || 'order only';
}
