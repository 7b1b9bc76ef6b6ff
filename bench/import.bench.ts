// Import benchmark on the real dockerd (SPEC: "importing a live host is faster than the docker CLI
// reading the same"). Makes N containers on M networks (default 200 on 50; label cnm-explorer.test=1,
// which CI's clean-up also removes; explicit subnets 10.242.<i>.0/24 so no pool cursor moves), then,
// after one uncounted warm-up round, RUNS rounds in alternating order of:
//   cnm as a process: `node dist/cli.js inspect --docker --json` (node start, GET /version, /networks,
//         /containers/json?all=1, then /containers/<id>/json for each, validated; the engine replay;
//         the JSON on stdout), timed spawn to exit: what a user waits for;
//   cnm in process: takeSnapshot + importTopology (the *.cnm.yaml text) + snapshotToEngine;
//   the docker CLI reading the same, as processes, the three pipelines in parallel (its best case):
//         docker version  &  docker network inspect $(docker network ls -q)  &  docker inspect $(docker ps -aq)
//   the CLI networks only (an earlier yardstick; reads less than we do).
// SPEC target: cnm / CLI reading the same < 1. Asserts nothing. Removes what it made, also on
// failure, Ctrl-C or SIGTERM. Only one user of the main dockerd at a time: `npm run bench` runs this
// under `flock /tmp/cnm-docker.lock`; run it by hand the same way.
//   flock /tmp/cnm-docker.lock node --import tsx bench/import.bench.ts [CONTAINERS] [NETWORKS] [RUNS]
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { connectDocker } from '../src/docker/client';
import { importTopology } from '../src/live/import';
import { takeSnapshot } from '../src/docker/snapshot';
import { snapshotToEngine } from '../src/live/replay';
import { DockerApiError } from '../src/docker/types';
import { notMeasured, quick, record, runs } from './figures';

const containers = Number(process.argv[2] ?? (quick ? 40 : 200));
const networks = Number(process.argv[3] ?? (quick ? 10 : 50));
const RUNS = Number(process.argv[4] ?? runs(9, 3));
const LABEL = 'cnm-explorer.test';
const cnmCli = join(__dirname, '..', 'dist', 'cli.js');
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

/** cnm as a user runs it: a whole process, its JSON read from a pipe. */
function cnmProcess(): Promise<number> {
  const s = performance.now();
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [cnmCli, 'inspect', '--docker', '--json'], { maxBuffer: 256 * 1024 * 1024 }, (err, _stdout, stderr) =>
      (err ? reject(new Error(`cnm inspect --docker failed: ${stderr || err.message}`)) : resolve(performance.now() - s))),
  );
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
  if (!existsSync(cnmCli)) return notMeasuredBecause('dist/cli.js is missing (npm run build)');
  try {
    await client.ping();
  } catch (e) {
    return notMeasuredBecause(`no Docker daemon answers: ${e instanceof Error ? e.message : String(e)}`);
  }
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
  // The uncounted warm-up: a vanished object (see below) does not matter here.
  const vanished = (e: unknown) => {
    if (!/No such (network|container|object)/i.test(e instanceof Error ? e.message : String(e))) throw e;
  };
  await cliSame().catch(vanished);
  await cliNetworksOnly().catch(vanished);
  await cnmProcess().catch(vanished);
  const t = { read: [] as number[], file: [] as number[], replay: [] as number[], total: [] as number[], same: [] as number[], nets: [] as number[], proc: [] as number[] };
  // A round in which an object vanished between a list and its inspect (someone else's test on the
  // same dockerd, outside the lock) is dropped whole and run again, at most 3 times in all.
  let dropped = 0;
  for (let r = 0; r < RUNS; ) {
    // Alternate who goes first, so neither side always meets a daemon just woken by the other.
    const round = { proc: 0, same: 0, nets: 0, o: undefined as Awaited<ReturnType<typeof ours>> | undefined };
    try {
      if (r % 2 === 0) {
        round.proc = await cnmProcess();
        round.o = await ours();
        round.same = await cliSame();
      } else {
        round.same = await cliSame();
        round.o = await ours();
        round.proc = await cnmProcess();
      }
      round.nets = await cliNetworksOnly();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (!/No such (network|container|object)/i.test(message) || ++dropped > 3) throw e;
      console.log(`  round ${r + 1} dropped (an object vanished meanwhile: ${message.trim()}); running it again`);
      continue;
    }
    t.proc.push(round.proc);
    t.same.push(round.same);
    t.nets.push(round.nets);
    t.read.push(round.o.read);
    t.file.push(round.o.file);
    t.replay.push(round.o.replay);
    t.total.push(round.o.total);
    r++;
  }
  if (dropped) console.log(`${dropped} round(s) dropped because an object vanished during them`);
  console.log(`host: ${cold.counts}; load now ${loadavg()[0]!.toFixed(2)}`);
  console.log(`cnm inspect --docker --json, whole process: ${stats(t.proc)}`);
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
  const objects = `${containers} containers / ${networks} networks`;
  const cliBaseline = {
    name: 'docker CLI', stat: 'median' as const, samples: t.same,
    measured: 'docker version & docker network inspect $(docker network ls -q) & docker inspect $(docker ps -aq --no-trunc): processes, the three pipelines in parallel, warm, start to the last exit',
  };
  record({
    id: 'import.process', name: `live import, ${objects} (whole process)`, unit: 'ms', stat: 'median', samples: t.proc, target: 'baseline',
    measured: `node dist/cli.js inspect --docker --json on the main dockerd (${cold.counts}): spawn to exit, warm, rounds alternating with the baseline`,
    baseline: cliBaseline,
  });
  record({
    id: 'import.inprocess', name: `live import in process, ${objects}`, unit: 'ms', stat: 'median', samples: t.total, target: 'baseline',
    measured: 'takeSnapshot + importTopology + snapshotToEngine in a warm process (no node start, no output)',
    baseline: cliBaseline,
  });
}

/** Says why the import figures have no numbers. */
function notMeasuredBecause(why: string): void {
  const objects = `${containers} containers / ${networks} networks`;
  notMeasured({ id: 'import.process', name: `live import, ${objects} (whole process)`, unit: 'ms', stat: 'median', measured: '', target: 'baseline' }, why);
  notMeasured({ id: 'import.inprocess', name: `live import in process, ${objects}`, unit: 'ms', stat: 'median', measured: '', target: 'baseline' }, why);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().then(() => process.exit(130)));
}

main()
  .catch((err) => {
    const why = err instanceof DockerApiError ? `Docker: ${err.message}` : err instanceof Error ? err.message : String(err);
    console.error(`import bench failed: ${why}`);
    notMeasuredBecause(`the bench failed: ${why}`);
    process.exitCode = 1;
  })
  .finally(() => cleanUp());
