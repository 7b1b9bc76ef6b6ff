// Trace benchmark (SPEC targets: one trace under 1 ms on the 10,000-container / 1,000-network topology;
// the matrix of 1,000 containers under 2 s). Prints numbers; asserts nothing.
//   node --import tsx bench/trace.bench.ts [CONTAINERS] [NETWORKS] [MATRIX_CONTAINERS] [MATRIX_NETWORKS]
import { parseExpose } from '../src/engine';
import { Tracer, reachabilityMatrix, type TraceQuery } from '../src/engine/trace';
import { buildTopology } from '../src/topology/build';
import { parseTopology } from '../src/topology/parse';
import type { TopologySpec } from '../src/topology/spec';
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
}

// ---- the matrix
{
  const t0 = performance.now();
  const { spec, engine } = load(matrixContainers, matrixNetworks);
  console.log(`matrix: ${matrixContainers} containers on ${matrixNetworks} networks (loaded in ${ms(t0).toFixed(0)} ms)`);
  for (let run = 0; run < 3; run++) {
    const t = performance.now();
    const m = reachabilityMatrix(engine.state, { listening: listening(spec) });
    let cells = 0;
    const n = m.containers.length;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cells += m.cell(i, j).verdicts.length;
    console.log(`  run ${run + 1}: ${ms(t).toFixed(0)} ms for ${n}×${n} pairs (${cells} verdicts, ${m.traces} traces)`);
  }
}
