// The CLI as a user waits for it: `cnm validate`, `cnm trace` and `cnm matrix` timed as whole
// processes (node start, bundle load, read, parse, build, the work, output through a pipe, exit), on
// generated files: validate and trace on 10,000 containers / 1,000 networks, the matrix on 1,000
// containers / 100 networks. One uncounted warm-up run each (page cache), then RUNS runs.
// SPEC targets: validate under 1 s as a whole process; the matrix under 2 s. (One trace under 1 ms is
// an in-process figure: bench/trace.bench.ts; the process figure here says what `cnm trace` costs.)
// Prints numbers; asserts nothing. Needs the bundle: npm run build.
//   node --import tsx bench/cli.bench.ts [CONTAINERS] [NETWORKS] [MATRIX_CONTAINERS] [MATRIX_NETWORKS]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notMeasured, record, runs, type BenchFigure } from './figures';
import { generateTopology } from './generate';

const containers = Number(process.argv[2] ?? 10000);
const networks = Number(process.argv[3] ?? 1000);
const matrixContainers = Number(process.argv[4] ?? 1000);
const matrixNetworks = Number(process.argv[5] ?? 100);
const RUNS = runs(7, 3);
const cli = join(__dirname, '..', 'dist', 'cli.js');

// GNU time reports the process's CPU time (user + system), which a busy machine inflates far less
// than wall time; kept beside the wall times as extra.cpu.
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const CPU_MARK = 'cnm-bench-cpu';

interface Run {
  ms: number;
  cpu?: number;
  code: number | null;
  bytes: number;
  stderr: string;
}

/** One whole process, its output read from a pipe (as a terminal or `| less` would), timed to its exit. */
function time(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const node = [process.execPath, cli, ...args];
    const cmd = gnuTime ? [gnuTime, '-f', `${CPU_MARK} %U %S`, ...node] : node;
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (bytes += d.length));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const m = new RegExp(`${CPU_MARK} ([\\d.]+) ([\\d.]+)\\s*$`).exec(stderr);
      const cpu = m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined;
      resolve({ ms, code, bytes, stderr: m ? stderr.slice(0, m.index) : stderr, ...(cpu !== undefined ? { cpu } : {}) });
    });
  });
}

async function figure(base: Omit<BenchFigure, 'samples'>, args: string[], okCodes: number[]): Promise<void> {
  const warm = await time(args);
  if (!okCodes.includes(warm.code ?? -1)) {
    // A crash is not a time: say what happened instead of a number.
    const why = `cnm ${args[0]} exited ${warm.code}: ${warm.stderr.trim().split('\n').slice(-1)[0] ?? ''}`;
    console.log(`  ${base.name}: ${why}`);
    notMeasured(base, why);
    return;
  }
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const run = await time(args);
    samples.push(run.ms);
    if (run.cpu !== undefined) cpu.push(run.cpu);
  }
  const s = [...samples].sort((a, b) => a - b);
  console.log(`  ${base.name}: median ${s[Math.floor(s.length / 2)]!.toFixed(0)} ms (min ${s[0]!.toFixed(0)}, max ${s[s.length - 1]!.toFixed(0)}, n=${s.length}); `
    + `exit ${warm.code}, ${(warm.bytes / 1024).toFixed(0)} KiB on stdout${cpu.length ? `; CPU time median ${[...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)]!.toFixed(0)} ms` : ''}`);
  record({ ...base, samples, ...(cpu.length ? { extra: { cpu } } : {}), measured: `${base.measured}${cpu.length ? '; extra.cpu: user + system CPU time of the process (GNU time)' : ''}` });
}

async function main(): Promise<void> {
  const ids = { id: '', name: '', unit: 'ms' as const, stat: 'median' as const };
  if (!existsSync(cli)) {
    const why = 'dist/cli.js is missing (npm run build)';
    for (const [id, name] of [['validate.process', 'cnm validate'], ['trace.process', 'cnm trace'], ['matrix.process', 'cnm matrix']] as const) {
      notMeasured({ ...ids, id, name: `${name} (whole process)`, measured: '' }, why);
    }
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cnm-bench-cli-'));
  try {
    const big = join(dir, `bench-${containers}.cnm.yaml`);
    const small = join(dir, `bench-${matrixContainers}.cnm.yaml`);
    writeFileSync(big, generateTopology({ containers, networks }));
    writeFileSync(small, generateTopology({ containers: matrixContainers, networks: matrixNetworks }));
    console.log(`cli: whole processes of node ${process.version} running dist/cli.js; ${RUNS} runs after one warm-up`);
    const n = (x: number) => x.toLocaleString('en-US');
    await figure({
      ...ids, id: 'validate.process', name: `cnm validate, ${n(containers)} containers / ${n(networks)} networks (whole process)`,
      measured: `node dist/cli.js validate FILE: spawn to exit, stdout read from a pipe`, target: 1000, targetNote: 'SPEC: as a whole process',
    }, ['validate', big], [0, 1]);
    await figure({
      ...ids, id: 'trace.process', name: `cnm trace, ${n(containers)} containers (whole process)`,
      measured: 'node dist/cli.js trace FILE --from c00000 --to c01000:80/tcp: spawn to exit (load + one trace)',
    }, ['trace', big, '--from', 'c00000', '--to', `c${String(networks).padStart(5, '0')}:80/tcp`], [0]);
    await figure({
      ...ids, id: 'matrix.process', name: `cnm matrix, ${n(matrixContainers)} containers (whole process)`,
      measured: 'node dist/cli.js matrix FILE (text): spawn to exit, stdout read from a pipe', target: 2000,
    }, ['matrix', small], [0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
