// Import benchmark on the real dockerd: N containers on M labelled networks (default 200 on 50), then
// the time to snapshot the whole host (every network and container inspected, validated, replayed on
// the engine) against `docker network ls -q` + `docker network inspect <all>` through the docker CLI,
// and against the CLI reading the same (networks and every container inspected).
// SPEC target: ratio under 1. Prints numbers; asserts nothing. Cleans up what it made (label
// cnm-explorer.live-test=1), also on failure.
//   node --import tsx bench/import.bench.ts [CONTAINERS] [NETWORKS]
import { execFile } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { connectDocker } from '../src/docker/client';
import { snapshotToEngine, takeSnapshot } from '../src/docker/snapshot';
import { DockerApiError } from '../src/docker/types';

const containers = Number(process.argv[2] ?? 200);
const networks = Number(process.argv[3] ?? 50);
const RUNS = 7;
const LABELS = { 'cnm-explorer.live-test': '1' };
const prefix = `cnmbench-${process.pid}-`;
const client = connectDocker(undefined, { timeoutMs: 60_000 });

function cli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('/usr/bin/docker', args, { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout))),
  );
}

async function pool<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function cleanUp(): Promise<void> {
  const all = await client.containers().catch(() => []);
  await pool(all.filter((c) => c.name.startsWith(prefix) && c.labels['cnm-explorer.live-test'] === '1'), 8, (c) => client.removeContainer(c.id, true).catch(() => undefined));
  const nets = await client.networks().catch(() => []);
  await pool(nets.filter((n) => n.name.startsWith(prefix) && n.labels['cnm-explorer.live-test'] === '1'), 8, (n) => client.removeNetwork(n.id).catch(() => undefined));
}

async function main(): Promise<void> {
  await client.ping();
  console.log(`import: ${containers} containers on ${networks} labelled networks; ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}`);
  const t0 = performance.now();
  const netNames = Array.from({ length: networks }, (_, i) => `${prefix}n${i}`);
  // Explicit subnets (10.242.<i>.0/24): no auto-allocated pool moves the daemon's pool cursor.
  await pool(netNames.map((n, i) => [n, i] as const), 8, async ([name, i]) => {
    await client.createNetwork({ name, labels: LABELS, ipamConfig: [{ subnet: `10.242.${i}.0/24`, auxAddresses: {} }] });
  });
  await pool(Array.from({ length: containers }, (_, i) => i), 8, async (i) => {
    await client.runContainer({ name: `${prefix}c${i}`, image: 'busybox:local', cmd: ['sleep', '3600'], labels: LABELS, networkMode: netNames[i % networks]! });
  });
  console.log(`setup: ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const snapshotMs: number[] = [], replayMs: number[] = [], cliMs: number[] = [], cliInspectOnlyMs: number[] = [], cliSameMs: number[] = [];
  let counts = '';
  for (let r = 0; r < RUNS; r++) {
    let s = performance.now();
    const snap = await takeSnapshot(client);
    const taken = performance.now();
    const model = snapshotToEngine(snap);
    const e = performance.now();
    snapshotMs.push(e - s);
    replayMs.push(e - taken);
    counts = `${snap.networks.length} networks, ${snap.containers.length} containers (${model.warnings.length} not reproduced)`;

    s = performance.now();
    const ids = (await cli(['network', 'ls', '-q'])).split('\n').filter(Boolean);
    const mid = performance.now();
    await cli(['network', 'inspect', ...ids]);
    const done = performance.now();
    cliMs.push(done - s);
    cliInspectOnlyMs.push(done - mid);

    // The CLI reading the same as the snapshot: every network and every container inspected.
    s = performance.now();
    const [netIds, ctrIds] = await Promise.all([cli(['network', 'ls', '-q']), cli(['ps', '-aq', '--no-trunc'])]);
    await Promise.all([cli(['network', 'inspect', ...netIds.split('\n').filter(Boolean)]), cli(['inspect', ...ctrIds.split('\n').filter(Boolean)])]);
    cliSameMs.push(performance.now() - s);
  }
  const snap = median(snapshotMs), cliT = median(cliMs);
  console.log(`host: ${counts}`);
  console.log(`snapshot (network list + every container inspected, validated, replayed on the engine): median ${snap.toFixed(1)} ms (of which engine replay ${median(replayMs).toFixed(1)} ms)`);
  console.log(`docker CLI (network ls -q + network inspect <all>): median ${cliT.toFixed(1)} ms (inspect alone ${median(cliInspectOnlyMs).toFixed(1)} ms)`);
  console.log(`docker CLI reading the same (network ls/inspect + ps/inspect of every container, in parallel): median ${median(cliSameMs).toFixed(1)} ms`);
  console.log(`ratio snapshot / CLI network inspect: ${(snap / cliT).toFixed(2)} (target < 1); vs inspect alone ${(snap / median(cliInspectOnlyMs)).toFixed(2)}; vs the CLI reading the same ${(snap / median(cliSameMs)).toFixed(2)}`);
}

main()
  .catch((err) => {
    console.error(`import bench failed: ${err instanceof DockerApiError ? `Docker: ${err.message}` : err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    const s = performance.now();
    await cleanUp();
    console.log(`cleanup: ${((performance.now() - s) / 1000).toFixed(1)} s`);
  });
