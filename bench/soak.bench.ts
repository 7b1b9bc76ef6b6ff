// Live soak (bench/README.md): the extension's connection follows a lab host (its own dockerd in a
// network namespace, never the main one) through 1,000 container create → network connect → remove
// cycles (100 with --quick), driven through the Docker API on that host. Figures: cycle time
// (p95), heap used and RSS growth per 1,000 cycles (least-squares slope over samples taken every 100
// cycles after a forced GC, the first sample — before any cycle — left out as warm-up), and in `extra`
// the samples, whether the followed state equalled a fresh read at the end and the tree equalled
// `docker ps -a` / `docker network ls` (1 / 0), and the count of unhandled rejections. Asserts nothing;
// the lab lane runs a 100-cycle slice that asserts the end state (test/docker/live/soak.test.ts).
//
// Needs --expose-gc (scripts/bench.mjs gives it): node --expose-gc --import tsx bench/soak.bench.ts
import { labMissing, startLab, type Lab } from '../test/docker/harness/lab';
import { notMeasured, quick, record } from './figures';
import { soak } from './soakCore';


const CYCLES = Number(process.env.CNM_SOAK_CYCLES ?? (quick ? 100 : 1000));
const measured = `the extension's LiveHostConnection on a lab dockerd 20.10 (tree and live source built on every change); each cycle: POST /containers/create (busybox, not started), POST /networks/soaknet/connect, DELETE ?force=1, through the Docker API; ${CYCLES} cycles`;
const figures = {
  cycle: { id: 'soak-cycle', name: `soak: one create/connect/remove cycle (${CYCLES} cycles)`, unit: 'ms' as const, stat: 'p95' as const, measured },
  heap: { id: 'soak-heap-growth', name: 'soak: heap used growth per 1,000 cycles', unit: 'MB' as const, stat: 'median' as const, measured: `${measured}; least-squares slope of heap used after a forced GC, sampled every 100 cycles` },
  rss: { id: 'soak-rss-growth', name: 'soak: RSS growth per 1,000 cycles', unit: 'MB' as const, stat: 'median' as const, measured: `${measured}; least-squares slope of RSS after a forced GC, sampled every 100 cycles` },
};

async function main(): Promise<void> {
  const missing = labMissing(['20.10']);
  if (!(globalThis as { gc?: unknown }).gc) missing.push('the soak needs a forced GC: run node with --expose-gc');
  if (missing.length) {
    for (const f of Object.values(figures)) notMeasured(f, missing.join('; '));
    console.log(`soak: not measured: ${missing.join('; ')}`);
  } else {
    let lab: Lab | undefined;
    try {
      console.log(`soak: starting a lab host (dockerd 20.10 in a namespace of its own)…`);
      lab = await startLab({ hosts: [{ name: 's8soak', version: '20.10' }], lan: false });
      console.log(`soak: ${CYCLES} cycles on ${lab.host('s8soak').dockerHost}`);
      const r = await soak({ host: lab.host('s8soak'), cycles: CYCLES, log: (l) => console.log(l) });
      const sorted = [...r.cycleMs].sort((a, b) => a - b);
      const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * q) - 1)]!;
      console.log(`soak: ${r.cycles} cycles in ${(r.wallMs / 1000).toFixed(0)} s; cycle median ${p(0.5).toFixed(0)} ms, p95 ${p(0.95).toFixed(0)} ms`);
      console.log(`soak: heap used ${r.memory.map((m) => m.heapUsedMB.toFixed(1)).join(' → ')} MB; growth ${r.heapGrowthPer1000MB.toFixed(2)} MB per 1,000 cycles`);
      console.log(`soak: RSS ${r.memory.map((m) => m.rssMB.toFixed(0)).join(' → ')} MB; growth ${r.rssGrowthPer1000MB.toFixed(2)} MB per 1,000 cycles`);
      console.log(`soak: ${r.states} states followed, ${r.trees} trees built; statuses other than connected: ${r.notConnected.length ? r.notConnected.join('; ') : 'none'}`);
      console.log(`soak: at the end (settled ${r.settleMs} ms after the last cycle): followed state equals a fresh read: ${r.modelMatches}; tree equals docker ps -a / network ls: ${r.treeMatches}${r.differences.length ? `\n  differed: ${r.differences.join('\n  differed: ')}` : ''}`);
      console.log(`soak: unhandled rejections: ${r.unhandledRejections.length}${r.unhandledRejections.length ? ` (${r.unhandledRejections.slice(0, 5).join('; ')})` : ''}`);
      const extra = {
        cycles: [r.cycles], wallMs: [r.wallMs], settleMs: [r.settleMs],
        modelMatches: [r.modelMatches ? 1 : 0], treeMatches: [r.treeMatches ? 1 : 0], differences: [r.differences.length],
        unhandledRejections: [r.unhandledRejections.length], states: [r.states], trees: [r.trees], notConnected: [r.notConnected.length],
        sampleCycle: r.memory.map((m) => m.cycle), heapUsedMB: r.memory.map((m) => m.heapUsedMB), rssMB: r.memory.map((m) => m.rssMB),
      };
      record({ ...figures.cycle, samples: r.cycleMs, extra });
      record({ ...figures.heap, samples: [r.heapGrowthPer1000MB], extra: { sampleCycle: extra.sampleCycle, heapUsedMB: extra.heapUsedMB } });
      record({ ...figures.rss, samples: [r.rssGrowthPer1000MB], extra: { sampleCycle: extra.sampleCycle, rssMB: extra.rssMB } });
    } catch (e) {
      const why = `the soak failed: ${e instanceof Error ? e.message : String(e)}`;
      for (const f of Object.values(figures)) notMeasured(f, why);
      console.error(`soak: ${why}`);
      process.exitCode = 1;
    } finally {
      await lab?.stop();
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
