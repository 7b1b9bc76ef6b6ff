// Import benchmark on the real dockerd (SPEC: "importing a live host is faster than the docker CLI
// reading the same"). Makes N containers on M networks (default 200 on 50; its own label
// cnm-explorer.live-test=1, explicit subnets 10.242.<i>.0/24 so no pool cursor moves), then, in
// alternating order each round:
//   ours: takeSnapshot (GET /version, GET /networks, GET /containers/json?all=1, then GET
//         /containers/<id>/json for every container; each answer validated) + importTopology (the
//         *.cnm.yaml text of the whole host) + snapshotToEngine (the engine replay the live view uses);
//   CLI reading the same, the three pipelines in parallel (its best case):
//         docker version  &  docker network inspect $(docker network ls -q)  &  docker inspect $(docker ps -aq)
//   CLI networks only (the bench's earlier yardstick, kept for comparison; reads less than we do):
//         docker network inspect $(docker network ls -q)
// One uncounted warm-up round (both sides), then RUNS rounds; prints median and spread (min–max).
// SPEC target: ours / CLI reading the same < 1. Asserts nothing. Removes what it made, also on
// failure, Ctrl-C or SIGTERM.
//   node --import tsx bench/import.bench.ts [CONTAINERS] [NETWORKS] [RUNS]
import { execFile } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { connectDocker } from '../src/docker/client';
import { importTopology } from '../src/docker/import';
import { snapshotToEngine, takeSnapshot } from '../src/docker/snapshot';
import { DockerApiError } from '../src/docker/types';

const containers = Number(process.argv[2] ?? 200);
const networks = Number(process.argv[3] ?? 50);
const RUNS = Number(process.argv[4] ?? 9);
const LABEL = 'cnm-explorer.live-test';
const LABELS = { [LABEL]: '1' };
const prefix = `cnmbench-${process.pid}-`;
const client = connectDocker(undefined, { timeoutMs: 60_000 });

function cli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('/usr/bin/docker', args, { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout))),
  );
}

const lines = (s: string) => s.split('\n').filter(Boolean);

async function pool<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)]!.toFixed(0)} ms (min ${s[0]!.toFixed(0)}, max ${s[s.length - 1]!.toFixed(0)}, n=${s.length})`;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let cleaning: Promise<void> | null = null;
function cleanUp(): Promise<void> {
  return (cleaning ??= (async () => {
    const s = performance.now();
    const all = await client.containers().catch(() => []);
    await pool(all.filter((c) => c.name.startsWith(prefix) && c.labels[LABEL] === '1'), 8, (c) => client.removeContainer(c.id, true).catch(() => undefined));
    const nets = await client.networks().catch(() => []);
    await pool(nets.filter((n) => n.name.startsWith(prefix) && n.labels[LABEL] === '1'), 8, (n) => client.removeNetwork(n.id).catch(() => undefined));
    console.log(`cleanup: ${((performance.now() - s) / 1000).toFixed(1)} s`);
  })());
}

/** Ours: everything an import does, timed by phase. */
async function ours(): Promise<{ read: number; file: number; replay: number; total: number; counts: string }> {
  const s = performance.now();
  const snap = await takeSnapshot(client);
  const read = performance.now();
  const text = importTopology(snap);
  const file = performance.now();
  const model = snapshotToEngine(snap);
  const end = performance.now();
  const counts = `${snap.networks.length} networks, ${snap.containers.length} containers (${model.warnings.length} not reproduced), topology file ${(text.length / 1024).toFixed(0)} KiB`;
  return { read: read - s, file: file - read, replay: end - file, total: end - s, counts };
}

/** The CLI reading what takeSnapshot reads: daemon version, every network, every container. */
async function cliSame(): Promise<number> {
  const s = performance.now();
  await Promise.all([
    cli(['version']),
    cli(['network', 'ls', '-q']).then((ids) => cli(['network', 'inspect', ...lines(ids)])),
    cli(['ps', '-aq', '--no-trunc']).then((ids) => (lines(ids).length > 0 ? cli(['inspect', ...lines(ids)]) : '')),
  ]);
  return performance.now() - s;
}

async function cliNetworksOnly(): Promise<number> {
  const s = performance.now();
  await cli(['network', 'inspect', ...lines(await cli(['network', 'ls', '-q']))]);
  return performance.now() - s;
}

async function main(): Promise<void> {
  await client.ping();
  console.log(`import: ${containers} containers on ${networks} labelled networks; ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}`);
  const t0 = performance.now();
  const netNames = Array.from({ length: networks }, (_, i) => `${prefix}n${i}`);
  await pool(netNames.map((n, i) => [n, i] as const), 8, async ([name, i]) => {
    await client.createNetwork({ name, labels: LABELS, ipamConfig: [{ subnet: `10.242.${i}.0/24`, auxAddresses: {} }] });
  });
  await pool(Array.from({ length: containers }, (_, i) => i), 8, async (i) => {
    await client.runContainer({ name: `${prefix}c${i}`, image: 'busybox:local', cmd: ['sleep', '3600'], labels: LABELS, networkMode: netNames[i % networks]! });
  });
  console.log(`setup: ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const cold = await ours();
  await cliSame();
  await cliNetworksOnly();
  const t = { read: [] as number[], file: [] as number[], replay: [] as number[], total: [] as number[], same: [] as number[], nets: [] as number[] };
  for (let r = 0; r < RUNS; r++) {
    // Alternate who goes first, so neither side always meets a daemon just woken by the other.
    const runOurs = async () => {
      const o = await ours();
      t.read.push(o.read);
      t.file.push(o.file);
      t.replay.push(o.replay);
      t.total.push(o.total);
    };
    if (r % 2 === 0) {
      await runOurs();
      t.same.push(await cliSame());
    } else {
      t.same.push(await cliSame());
      await runOurs();
    }
    t.nets.push(await cliNetworksOnly());
  }
  console.log(`host: ${cold.counts}; load now ${loadavg()[0]!.toFixed(2)}`);
  console.log(`ours, import (GET /version + /networks + /containers/json + ${containers}+ container inspects, validated; topology file; engine replay):`);
  console.log(`  total   ${stats(t.total)}  [first, cold in this process: ${cold.total.toFixed(0)} ms]`);
  console.log(`  read    ${stats(t.read)}`);
  console.log(`  file    ${stats(t.file)}`);
  console.log(`  replay  ${stats(t.replay)}`);
  console.log(`docker CLI reading the same, in parallel (docker version & docker network inspect $(docker network ls -q) & docker inspect $(docker ps -aq)):`);
  console.log(`          ${stats(t.same)}`);
  console.log(`docker CLI networks only (docker network inspect $(docker network ls -q); reads no container inspect):`);
  console.log(`          ${stats(t.nets)}`);
  const ratios = t.total.map((x, i) => x / t.same[i]!);
  console.log(`ratio ours / CLI reading the same: median ${median(ratios).toFixed(2)} (per round ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) (SPEC target < 1)`);
  console.log(`ratio ours / CLI networks only:    median ${(median(t.total) / median(t.nets)).toFixed(2)} (reads less than we do; for comparison with earlier runs)`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().then(() => process.exit(130)));
}

main()
  .catch((err) => {
    console.error(`import bench failed: ${err instanceof DockerApiError ? `Docker: ${err.message}` : err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(() => cleanUp());
