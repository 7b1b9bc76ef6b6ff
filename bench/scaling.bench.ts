// How the cost of a file grows with its size: `cnm validate` (read, parse, build, every check) as a
// whole process on generated files of 1,000, 5,000, 10,000 and 50,000 containers (one network per ten
// containers), wall and CPU time (GNU time) and peak memory (max RSS) of each. The growth is judged on
// what each size adds over the smallest (the process start and the bundle's load are paid once):
// CPU and memory per 1,000 containers added, at each size against 5,000. Past 1.5x that is worse than
// linear: a bug to find. Prints numbers; asserts nothing. Needs the bundle: npm run build.
//   node --import tsx bench/scaling.bench.ts [SIZES...]   (e.g. 1000 5000 10000 50000)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notMeasured, quick, record, runs } from './figures';
import { generateTopology } from './generate';

const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
const SIZES = sizes.length ? sizes : [1000, 5000, 10000, 50000];
const RUNS = runs(3, 1);
const cli = join(__dirname, '..', 'dist', 'cli.js');
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const MARK = 'cnm-bench-scaling';

interface Run { ms: number; cpu: number; rssMB: number; code: number | null }

function time(file: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(gnuTime!, ['-f', `${MARK} %U %S %M`, process.execPath, cli, 'validate', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const m = new RegExp(`${MARK} ([\\d.]+) ([\\d.]+) (\\d+)\\s*$`).exec(stderr);
      if (!m) return reject(new Error(`no GNU time line: ${stderr.slice(-300)}`));
      resolve({ ms, cpu: (Number(m[1]) + Number(m[2])) * 1000, rssMB: Number(m[3]) / 1024, code });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const n = (x: number) => x.toLocaleString('en-US');

async function main(): Promise<void> {
  const figure = (size: number) => ({
    id: `validate.scaling.${size}`, name: `cnm validate, ${n(size)} containers / ${n(size / 10)} networks (whole process, scaling)`,
    unit: 'ms' as const, stat: 'median' as const,
    measured: 'node dist/cli.js validate FILE: spawn to exit; extra.cpu: user + system CPU ms, extra.rssMB: peak memory (GNU time)',
  });
  if (!existsSync(cli) || !gnuTime) {
    const why = !gnuTime ? 'GNU time (/usr/bin/time) is missing: no CPU time or memory to report' : 'dist/cli.js is missing (npm run build)';
    for (const size of SIZES) notMeasured(figure(size), why);
    console.log(`scaling: not measured: ${why}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cnm-bench-scaling-'));
  const results: { size: number; ms: number; cpu: number; rssMB: number }[] = [];
  try {
    console.log(`scaling: cnm validate as whole processes, ${RUNS} run${RUNS === 1 ? '' : 's'} per size after one warm-up${quick ? ' (quick)' : ''}`);
    for (const size of SIZES) {
      const file = join(dir, `scaling-${size}.cnm.yaml`);
      writeFileSync(file, generateTopology({ containers: size, networks: Math.max(1, Math.round(size / 10)) }));
      const warm = await time(file);
      if (warm.code !== 0 && warm.code !== 1) {
        notMeasured(figure(size), `cnm validate exited ${warm.code}`);
        continue;
      }
      const samples: Run[] = [];
      for (let r = 0; r < RUNS; r++) samples.push(await time(file));
      const row = { size, ms: median(samples.map((s) => s.ms)), cpu: median(samples.map((s) => s.cpu)), rssMB: median(samples.map((s) => s.rssMB)) };
      results.push(row);
      console.log(`  ${n(size).padStart(6)} containers: wall ${row.ms.toFixed(0)} ms, CPU ${row.cpu.toFixed(0)} ms, peak memory ${row.rssMB.toFixed(0)} MB`);
      record({ ...figure(size), samples: samples.map((s) => s.ms), extra: { cpu: samples.map((s) => s.cpu), rssMB: samples.map((s) => s.rssMB) } });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // What each size adds over the smallest, per 1,000 containers, against the same at 5,000 (or the second size).
  const base = results[0];
  const ref = results.find((r) => r.size === 5000) ?? results[1];
  if (!base || !ref || ref === base) return;
  const per = (r: typeof base, k: 'cpu' | 'rssMB') => (r[k] - base[k]) / ((r.size - base.size) / 1000);
  console.log(`  growth over ${n(base.size)} containers, per 1,000 containers added (against ${n(ref.size)}):`);
  for (const r of results.slice(1)) {
    const cpu = per(r, 'cpu') / per(ref, 'cpu'), mem = per(r, 'rssMB') / per(ref, 'rssMB');
    const flag = cpu > 1.5 || mem > 1.5 ? '  WORSE THAN LINEAR' : '';
    console.log(`    ${n(r.size).padStart(6)}: CPU ${per(r, 'cpu').toFixed(0)} ms (${cpu.toFixed(2)}x), memory ${per(r, 'rssMB').toFixed(1)} MB (${mem.toFixed(2)}x)${flag}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
