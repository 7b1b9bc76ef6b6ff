// Load benchmark: parse + build of a generated topology, 10,000 containers on 1,000 networks by default
// (SPEC target: under 1 s). Prints numbers; asserts nothing.
//   node --import tsx bench/load.bench.ts [CONTAINERS] [NETWORKS]
import { cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildTopology } from '../src/topology/build';
import { parseTopology } from '../src/topology/parse';
import { record, runs } from './figures';
import { generateTopology } from './generate';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const containers = Number(process.argv[2] ?? 10000);
const networks = Number(process.argv[3] ?? 1000);
const RUNS = runs(5, 2);

const text = generateTopology({ containers, networks });
const lines = text.split('\n').length;
console.log(`load: ${containers} containers on ${networks} networks (${(text.length / 1024).toFixed(0)} KiB, ${lines} lines), daemon 20.10`);

function heapMiB(): number {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

interface Sample {
  parse: number;
  build: number;
  /** CPU time of parse and of build: less sensitive than wall time to other processes on a busy machine. */
  parseCpu: number;
  buildCpu: number;
}

const samples: Sample[] = [];
let keep: unknown;
let retainedMiB = 0;
for (let run = 0; run <= RUNS; run++) {
  keep = undefined;
  const before = heapMiB();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const parsed = parseTopology(text);
  const cpu1 = process.cpuUsage();
  const t1 = performance.now();
  const built = buildTopology(parsed.spec, parsed);
  const t2 = performance.now();
  const cpu2 = process.cpuUsage();
  keep = { parsed, built };
  const cpuMs = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => (b.user - a.user + b.system - a.system) / 1000;
  samples.push({ parse: t1 - t0, build: t2 - t1, parseCpu: cpuMs(cpu0, cpu1), buildCpu: cpuMs(cpu1, cpu2) });
  if (run === 0) {
    retainedMiB = heapMiB() - before;
    const errors = [...parsed.diagnostics, ...built.diagnostics].filter((d) => d.severity === 'error');
    const state = built.engine.inspect();
    console.log(`  built: ${state.networks.length} networks, ${state.containers.length} containers, ${errors.length} errors${errors[0] ? ` (first: ${errors[0].message})` : ''}`);
  }
}
void keep;

const ms = (n: number) => `${n.toFixed(0).padStart(5)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cold = samples[0]!;
const warm = samples.slice(1);
console.log(`  parse  cold ${ms(cold.parse)}   warm median ${ms(median(warm.map((s) => s.parse)))}`);
console.log(`  build  cold ${ms(cold.build)}   warm median ${ms(median(warm.map((s) => s.build)))}`);
console.log(`  total  cold ${ms(cold.parse + cold.build)}   warm median ${ms(median(warm.map((s) => s.parse + s.build)))}   (target: under 1000 ms)`);
console.log(`  cpu    parse cold ${ms(cold.parseCpu)} warm ${ms(median(warm.map((s) => s.parseCpu)))};  build cold ${ms(cold.buildCpu)} warm ${ms(median(warm.map((s) => s.buildCpu)))}  (user+system, all threads incl. GC)`);
console.log(`  machine: ${cpus().length} cpus, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (numbers above are inflated on a busy machine)`);
console.log(`  memory: ${retainedMiB.toFixed(1)} MiB of heap held by the loaded topology; process rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);

const n = (x: number) => x.toLocaleString('en-US');
const measured = 'parseTopology + buildTopology of the generated text in this process (no node start, no file read, no output)';
record({
  id: 'validate.inprocess.cold', name: `load in process, first (cold), ${n(containers)} containers / ${n(networks)} networks`, unit: 'ms', stat: 'median',
  samples: [cold.parse + cold.build], measured: `${measured}: the first load of the process`,
});
record({
  id: 'validate.inprocess.warm', name: `load in process, warm, ${n(containers)} containers / ${n(networks)} networks`, unit: 'ms', stat: 'median',
  samples: warm.map((s) => s.parse + s.build), measured: `${measured}: loads 2 to ${RUNS + 1} of the process`,
});
