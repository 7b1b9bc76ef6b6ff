// Trace benchmark (SPEC targets: one trace under 1 ms on the 10,000-container / 1,000-network topology;
// the matrix of 1,000 containers under 2 s). Prints numbers; asserts nothing.
//   node --import tsx bench/trace.bench.ts [CONTAINERS] [NETWORKS] [MATRIX_CONTAINERS] [MATRIX_NETWORKS]
import { parseExpose } from '../src/engine';
import { Tracer, reachabilityMatrix, type TraceQuery } from '../src/engine/trace';
import { buildTopology } from '../src/topology/build';
import { parseTopology } from '../src/topology/parse';
import type { TopologySpec } from '../src/topology/spec';
import { record, runs } from './figures';
import { generateTopology } from './generate';

const containers = Number(process.argv[2] ?? 10000);
const networks = Number(process.argv[3] ?? 1000);
const matrixContainers = Number(process.argv[4] ?? 1000);
const matrixNetworks = Number(process.argv[5] ?? 100);

function load(c: number, n: number) {
  const parsed = parseTopology(generateTopology({ containers: c, networks: n }));
  return { spec: parsed.spec, engine: buildTopology(parsed.spec, parsed).engine };
}

function listening(spec: TopologySpec) {
  const m = new Map(spec.containers.map((c) => [`${c.host}\0${c.name}`, c.expose.flatMap((e) => parseExpose(e))]));
  return (host: string, name: string) => m.get(`${host}\0${name}`);
}

const ms = (t0: number) => performance.now() - t0;
const name = (i: number) => `c${String(i).padStart(5, '0')}`;

// ---- one trace on the big topology
{
  const t0 = performance.now();
  const { spec, engine } = load(containers, networks);
  console.log(`trace: ${containers} containers on ${networks} networks (loaded in ${ms(t0).toFixed(0)} ms), daemon 20.10`);
  const t1 = performance.now();
  const tracer = new Tracer(engine.state, { listening: listening(spec) });
  console.log(`  index build (rules derived and compiled, address index): ${ms(t1).toFixed(1)} ms`);
  const published = spec.containers.find((c) => c.ports.length > 0)!;
  const queries: { label: string; q: TraceQuery }[] = [
    { label: 'same network, by name, tcp/80 (delivered)', q: { from: name(0), to: name(networks), port: 80, proto: 'tcp' } },
    { label: 'other network, by address, icmp (dropped by isolation)', q: { from: name(0), to: '10.64.1.2', proto: 'icmp' } },
    { label: 'host → 127.0.0.1:published port (docker-proxy)', q: { from: 'host1', to: '127.0.0.1', port: Number(published.ports[0]!.split(':')[0]), proto: 'tcp' } },
    { label: 'to an address of no one (ARP)', q: { from: name(5), to: '10.64.5.250', proto: 'icmp' } },
  ];
  for (const { label, q } of queries) {
    const first = performance.now();
    const r = tracer.trace(q);
    const firstMs = ms(first);
    const runs = 2000;
    const t = performance.now();
    for (let i = 0; i < runs; i++) tracer.trace(q);
    const each = ms(t) / runs;
    console.log(`  ${label}: ${r.verdict}, ${r.hops.length} hops — first ${firstMs.toFixed(3)} ms, then ${each.toFixed(4)} ms per trace (mean of ${runs})`);
  }
  // Each pair traced once (nothing cached for it yet), as hovering over the diagram does.
  const times: number[] = [];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const addressOf = new Map(engine.inspect().containers.map((c) => [c.name, c.endpoints[0]?.ipv4_address ?? '127.0.0.1']));
  const verdicts = new Map<string, number>();
  for (let i = 0; i < 500; i++) {
    const a = Math.floor(next() * containers), b = Math.floor(next() * containers);
    // Half by name on a shared network (same first network: a ≡ b mod networks), half by address anywhere.
    const to = i % 2 === 0 ? name(b - (b % networks) + (a % networks)) : addressOf.get(name(b))!;
    const t = performance.now();
    const r = tracer.trace({ from: name(a), to, port: 80, proto: 'tcp' });
    times.push(ms(t));
    verdicts.set(r.verdict, (verdicts.get(r.verdict) ?? 0) + 1);
  }
  console.log(`  (their verdicts: ${[...verdicts].map(([v, n]) => `${n} ${v}`).join(', ')})`);
  times.sort((x, y) => x - y);
  const mean = times.reduce((x, y) => x + y, 0) / times.length;
  console.log(`  500 random pairs, each traced once: mean ${mean.toFixed(3)} ms, median ${times[250]!.toFixed(3)} ms, p95 ${times[475]!.toFixed(3)} ms, max ${times[499]!.toFixed(3)} ms`);
  record({
    id: 'trace.one', name: `one trace in process, ${containers.toLocaleString('en-US')} containers (p95 of 500 pairs)`, unit: 'ms', stat: 'p95', samples: times, target: 1,
    measured: 'Tracer.trace of 500 random container pairs (tcp/80, half by name, half by address), each pair traced once, on the built engine in one process',
  });
}

// ---- the matrix
{
  const t0 = performance.now();
  const { spec, engine } = load(matrixContainers, matrixNetworks);
  console.log(`matrix: ${matrixContainers} containers on ${matrixNetworks} networks (loaded in ${ms(t0).toFixed(0)} ms)`);
  const samples: number[] = [];
  for (let run = 0; run < runs(3, 2); run++) {
    const t = performance.now();
    const m = reachabilityMatrix(engine.state, { listening: listening(spec) });
    let cells = 0;
    const n = m.containers.length;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cells += m.cell(i, j).verdicts.length;
    samples.push(ms(t));
    console.log(`  run ${run + 1}: ${ms(t).toFixed(0)} ms for ${n}×${n} pairs (${cells} verdicts, ${m.traces} traces)`);
  }
  record({
    id: 'matrix.inprocess', name: `matrix in process, ${matrixContainers.toLocaleString('en-US')} containers`, unit: 'ms', stat: 'median', samples, target: 2000,
    measured: 'reachabilityMatrix on the built engine and reading every cell, in one process (no load, no output)',
  });
}
