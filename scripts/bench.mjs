// `npm run bench`: every benchmark of bench/, each as its own process, then one line per figure with
// its SPEC target and, where one exists, the baseline measured in the same run; the raw samples and
// the machine go to bench/results/ (see bench/README.md).
//   node scripts/bench.mjs [--quick] [--note TEXT] [--no-build] [--no-write] [BENCH ...]
//   node scripts/bench.mjs --show [RESULTS_FILE]     the table of a results file (default: latest.json)
// BENCH: cli, load, scaling, trace, lsp, lsp-rebuild, import, diagram, diagram-workbench, fuzz, soak (default: all). --quick: fewer runs (a smoke test).
// The import bench uses the main dockerd: it runs under `flock /tmp/cnm-docker.lock`, and only it does;
// the diagram benches (Chromium) under `flock /tmp/cnm-browser.lock`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { formatFigures, tally } from './lib/bench-format.mjs';
import { root } from './lib/paths.mjs';

/** Each bench: its file, the lock it must hold, and what its figures need. */
const BENCHES = {
  cli: { file: 'bench/cli.bench.ts', group: 'validate', about: 'cnm validate / trace / matrix as whole processes' },
  load: { file: 'bench/load.bench.ts', group: 'validate', about: 'parse + build in process' },
  scaling: { file: 'bench/scaling.bench.ts', group: 'validate', about: 'cnm validate at 1k, 5k, 10k and 50k containers: time and memory growth' },
  trace: { file: 'bench/trace.bench.ts', group: 'trace', about: 'one trace and the matrix in process' },
  lsp: { file: 'bench/diagnostics.bench.ts', group: 'lsp', about: 'the language server over LSP, against yaml-language-server' },
  'lsp-rebuild': { file: 'bench/rebuildRequests.bench.ts', group: 'lsp', about: 'hover and completion over LSP while an edit rebuilds the engine' },
  import: { file: 'bench/import.bench.ts', group: 'import', lock: '/tmp/cnm-docker.lock', about: 'live import against the docker CLI (main dockerd)' },
  diagram: { file: 'bench/diagram.bench.ts', group: 'diagram', lock: '/tmp/cnm-browser.lock', about: 'the diagram in Chromium' },
  'diagram-workbench': { file: 'bench/diagramWorkbench.bench.ts', group: 'diagram', lock: '/tmp/cnm-browser.lock', about: 'the diagram in the real webview: code-server with the extension, in Chromium' },
  fuzz: { file: 'bench/fuzz.bench.ts', group: 'fuzz', about: 'fuzz soak: 12,000 mutated topology and Compose documents and language-server requests' },
  soak: { file: 'bench/soak.bench.ts', group: 'soak', node: ['--expose-gc'], about: 'live soak: the extension connected to a lab host through 1,000 container create/connect/remove cycles' },
};
/** Figures are listed by what they measure (process and in-process figures side by side). */
const GROUPS = ['validate', 'trace', 'matrix', 'lsp', 'import', 'diagram'];

function usage(message) {
  if (message) console.error(`bench: ${message}`);
  console.error(`usage: node scripts/bench.mjs [--quick] [--note TEXT] [--no-build] [--no-write] [${Object.keys(BENCHES).join('|')} ...]`);
  process.exit(2);
}

// --show FILE: the table of a results file, as printed when it was made.
if (process.argv[2] === '--show') {
  const file = process.argv[3] ?? 'bench/results/latest.json';
  const r = JSON.parse(readFileSync(file, 'utf8'));
  console.log(`${file}: ${r.date}, commit ${r.commit.slice(0, 10)}${r.dirty ? ' (dirty)' : ''}${r.quick ? ', quick' : ''}; ${r.machine.cpus} CPUs, node ${r.machine.node}, `
    + `load average ${r.machine.loadAverageAtStart.map((l) => l.toFixed(1)).join(' ')} at start, ${r.machine.loadAverageAtEnd.map((l) => l.toFixed(1)).join(' ')} at the end${r.note ? `\nnote: ${r.note}` : ''}`);
  process.stdout.write(formatFigures(r.figures));
  process.exit(0);
}

const opts = { quick: false, build: true, write: true, note: '', names: /** @type {string[]} */ ([]) };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--quick') opts.quick = true;
  else if (a === '--no-build') opts.build = false;
  else if (a === '--no-write') opts.write = false;
  else if (a === '--note') opts.note = argv[++i] ?? usage('--note needs a text');
  else if (a === '--help' || a === '-h') usage();
  else if (a in BENCHES) opts.names.push(a);
  else usage(`unknown bench or option "${a}"`);
}
const names = opts.names.length ? Object.keys(BENCHES).filter((n) => opts.names.includes(n)) : Object.keys(BENCHES);
const complete = names.length === Object.keys(BENCHES).length;

const git = (...args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout.trim();
const commit = git('rev-parse', 'HEAD');
const dirty = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/results').length > 0;
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  kernel: release(),
  node: process.version,
  loadAverageAtStart: loadavg(),
};
const started = new Date();
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`bench: ${names.join(', ')}${opts.quick ? ' (quick)' : ''} on commit ${commit.slice(0, 10)}${dirty ? ' with uncommitted changes' : ''}`);
console.log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, node ${machine.node}; load average ${load()}; ${started.toISOString()}`);
if (opts.note) console.log(`note: ${opts.note}`);

if (opts.build) {
  const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) {
    console.error('bench: the build failed');
    process.exit(1);
  }
}

const hasFlock = spawnSync('flock', ['--version']).status === 0;
// How long a bench waits for its lock (other users of dockerd or Chromium) before it is not measured.
const LOCK_WAIT_S = Number(process.env.CNM_BENCH_LOCK_WAIT ?? 1800);
const LOCK_BUSY = 75; // flock's exit code when the wait ran out (-E)
const scratch = mkdtempSync(join(tmpdir(), 'cnm-bench-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

// Stopped: pass it on to the running bench (it removes what it made) and stop after it.
let current;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`bench: ${signal}; stopping`);
    // The bench runs in its own process group (flock does not pass signals on): signal all of it.
    if (current?.pid) process.kill(-current.pid, signal);
    process.exitCode = 130;
    stopping = true;
  });
}
let stopping = false;

/** Runs one bench, echoing its output; resolves with its figures and how it went. */
function runBench(name) {
  const bench = BENCHES[name];
  const out = join(scratch, `${name}.json`);
  const node = [process.execPath, ...(bench.node ?? []), '--import', 'tsx', bench.file];
  // The lock is taken for this bench only, and only where a shared part is used.
  const cmd = bench.lock && hasFlock ? ['flock', '-w', String(LOCK_WAIT_S), '-E', String(LOCK_BUSY), bench.lock, ...node] : node;
  const env = { ...process.env, CNM_BENCH_OUT: out, CNM_BENCH_QUICK: opts.quick ? '1' : '0', CNM_SERVER: 'dist' };
  console.log(`\n━━━━ ${name}: ${bench.about}${bench.lock && hasFlock ? ` (holding ${bench.lock})` : ''}`);
  const loadBefore = loadavg();
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd[0], cmd.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    current = child;
    let log = '';
    const echo = (stream) => (d) => {
      stream.write(d);
      log += d.toString();
    };
    child.stdout.on('data', echo(process.stdout));
    child.stderr.on('data', echo(process.stderr));
    // Ctrl-C reaches the whole process group; the benches clean up what they made and exit.
    child.on('close', (code, signal) => {
      /** @type {import('./lib/bench-format.mjs').BenchFigure[]} */
      let figures = [];
      try {
        figures = JSON.parse(readFileSync(out, 'utf8'));
      } catch {
        // No figures written: the lock never came, or the bench crashed before the end (its log says why).
        const why = code === LOCK_BUSY && bench.lock ? `${bench.lock} stayed busy for ${LOCK_WAIT_S} s (others use it)` : `the bench wrote no figures (exit ${code ?? signal})`;
        figures = [{ id: `${bench.group}.all`, name: `${name}: every figure`, unit: 'ms', stat: 'median', samples: [], measured: '', notMeasured: why }];
      }
      resolve({ name, file: bench.file, exit: code, signal, seconds: (Date.now() - t0) / 1000, loadBefore, loadAfter: loadavg(), figures, log });
    });
  });
}

const runsDone = [];
for (const name of names) {
  if (stopping) break;
  runsDone.push(await runBench(name));
}
if (stopping) process.exit(130);

const group = (f) => {
  const g = GROUPS.indexOf(f.id.split('.')[0]);
  return g < 0 ? GROUPS.length : g;
};
const figures = runsDone.flatMap((r) => r.figures).sort((a, b) => group(a) - group(b));
const failed = runsDone.filter((r) => r.exit !== 0 && !(r.exit === LOCK_BUSY && BENCHES[r.name].lock));

console.log(`\n━━━━ figures (${opts.quick ? 'quick mode: fewer runs, ' : ''}median unless said; every baseline measured in this run on the same file or objects)`);
process.stdout.write(formatFigures(figures));
const t = tally(figures);
console.log(`\n${figures.length} figures: ${t.met} met, ${t.missed} missed, ${t['no target']} without a target, ${t['not measured']} not measured`);
for (const r of failed) console.log(`bench ${r.name} failed (exit ${r.exit ?? r.signal}): see its output above`);
console.log(`machine: ${machine.cpus} CPUs; load average at start ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}, now ${load()}; node ${machine.node}; commit ${commit.slice(0, 10)}${dirty ? ' (dirty)' : ''}`);

if (opts.write) {
  const day = started.toISOString().slice(0, 10);
  const suffix = `${dirty ? '-dirty' : ''}${opts.quick ? '-quick' : ''}${complete ? '' : `-${names.join('+')}`}`;
  const file = `bench/results/${day}-${commit.slice(0, 7)}${suffix}.json`;
  const result = {
    format: 1,
    date: started.toISOString(),
    finished: new Date().toISOString(),
    commit,
    dirty,
    quick: opts.quick,
    benches: names,
    note: opts.note || undefined,
    machine: { ...machine, loadAverageAtEnd: loadavg() },
    runs: runsDone.map(({ figures: _f, ...r }) => r),
    figures,
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, file), JSON.stringify(result, null, 1) + '\n');
  console.log(`results: ${file}`);
  // latest.json is always the last complete run (every bench, not quick), so a partial run cannot hide it.
  if (complete && !opts.quick) {
    writeFileSync(join(root, 'bench/results/latest.json'), JSON.stringify({ file, ...result }, null, 1) + '\n');
    console.log('results: bench/results/latest.json');
  }
}
if (!existsSync(join(root, 'dist/cli.js'))) console.log('note: dist/ was not built; figures that need it were not measured');
process.exitCode = failed.length ? 1 : 0;
