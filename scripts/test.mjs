// `npm test`: every test tier in order, each with its counts, then one summary line.
//   node scripts/test.mjs [static|unit|extension|ui|docker ...]
// A tier whose system part (code-server, Chromium, dockerd) is missing is skipped with a loud
// message; under CI (CI=true or CI=1) it fails instead, so CI cannot go green by testing nothing.
// Likewise a skipped (or todo) test fails its tier under CI, unless its skip names an entry of
// test/EXCLUSIONS.md (a limit of the machine): that one counts as excluded and is listed at the end.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { chromiumAvailable, chromiumPath } from './lib/browser.mjs';
import { codeServerInstalled } from './lib/code-server.mjs';
import { root } from './lib/paths.mjs';
import { isCI } from '../test/support/ci.mjs';
import { judgeSkips, tapSkips } from '../test/support/exclusions.mjs';

const TIERS = ['static', 'unit', 'extension', 'ui', 'docker'];
/** Docker-tier files that touch only lab hosts (no docker lock, no main dockerd): run in parallel with the rest. */
// (lab/lab.test.ts stays in the main sequence: it asserts that the main dockerd is left unchanged.)
// Longest first: they run three at a time, in this order.
const LAB_ONLY_FILES = [
  ...['probes26', 'differential26', 'probes20', 'differential20'].map((f) => join('test', 'docker', 'lab', `${f}.test.ts`)),
  join('test', 'docker', 'compose', 'compose.test.ts'),
  ...['services', 'multihost3', 'sshHostRead', 'multihost', 'remote', 'liveSwarm', 'liveSwarmNodes', 'daemonFaults', 'userIngress', 'labUp', 'composeRefusals'].map((f) => join('test', 'docker', 'lab', `${f}.test.ts`)),
  join('test', 'docker', 'live', 'ip6tables.test.ts'),
  join('test', 'docker', 'live', 'forwarding.test.ts'),
  join('test', 'docker', 'live', 'rpPolicy.test.ts'),
  join('test', 'docker', 'live', 'soak.test.ts'),
];
const ci = isCI();

const requested = process.argv.slice(2);
const unknown = requested.filter((t) => !TIERS.includes(t));
if (unknown.length) {
  console.error(`test: unknown tier ${unknown.join(', ')}; tiers are ${TIERS.join(', ')}`);
  process.exit(2);
}
const tiers = requested.length ? TIERS.filter((t) => requested.includes(t)) : TIERS;
let built = false; // the bundles, built once per run by build()

// Interrupted: exit through process.exit so that the 'exit' handlers stop any code-server we started.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/** @typedef {{ id: string, name: string, detail: string }} Excluded */
/** @typedef {{ passed: number, failed: number, skipped: number, excluded: Excluded[] }} Counts */

const runners = { static: staticTier, unit: unitTier, extension: extensionTier, ui: uiTier, docker: dockerTier };
const done = [];
for (const tier of tiers) {
  // A signal that came while a synchronous child ran is handled only when the event loop turns: let it.
  await new Promise((resolve) => setImmediate(resolve));
  console.log(`\n━━━━ ${tier} ━━━━`);
  const started = Date.now();
  /** @type {Counts} */
  let counts;
  try {
    counts = await runners[tier]();
  } catch (e) {
    console.error(`${tier}: ${e instanceof Error ? e.message : e}`);
    counts = { passed: 0, failed: 1, skipped: 0, excluded: [] };
  }
  const seconds = (Date.now() - started) / 1000;
  done.push({ tier, ...counts, seconds });
  console.log(`${tierLine(tier, counts)}   (${seconds.toFixed(1)} s)`);
}

const total = done.reduce(
  (a, t) => ({ passed: a.passed + t.passed, failed: a.failed + t.failed, skipped: a.skipped + t.skipped, excluded: [...a.excluded, ...t.excluded] }),
  { passed: 0, failed: 0, skipped: 0, excluded: [] });
console.log('\n━━━━ summary ━━━━');
for (const t of done) console.log(`${tierLine(t.tier, t)}   (${t.seconds.toFixed(1)} s)`);
console.log(countsLine(total));
printExclusions(total.excluded);
process.exit(total.failed > 0 ? 1 : 0);

function countsLine(c) {
  return `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped, ${c.excluded.length} excluded`;
}

function tierLine(tier, c) {
  return `${tier}: ${countsLine(c)}`;
}

/** The exclusions that applied, by id (test/EXCLUSIONS.md), each with what it left out. */
function printExclusions(excluded) {
  if (!excluded.length) return;
  const byId = new Map();
  for (const e of excluded) byId.set(e.id, [...(byId.get(e.id) ?? []), e]);
  console.log(`excluded: ${excluded.length} (test/EXCLUSIONS.md)`);
  for (const [id, list] of byId) {
    console.log(`  ${id}: ${list.length}`);
    for (const e of list) console.log(`    - ${e.detail}   [${e.name}]`);
  }
}

/**
 * The tier's counts with its skipped tests judged: an exclusion counts as excluded; any other skip
 * fails the tier under CI and stays a (loud) skip outside it.
 * @param {{ passed: number, failed: number }} counts
 * @param {import('../test/support/exclusions.mjs').Skip[]} skips
 * @returns {Counts}
 */
function judged(counts, skips) {
  const j = judgeSkips(skips, ci);
  const bar = '!'.repeat(78);
  if (j.failed.length) {
    console.error(`${bar}\n!! ${j.failed.length} test(s) skipped under CI: a skip that is not in test/EXCLUSIONS.md FAILS the tier`);
    for (const s of j.failed) console.error(`!!   ✖ ${s.name}${s.kind === 'todo' ? ' (todo)' : ''}${s.message ? ` — ${s.message}` : ''}`);
    console.error(bar);
  }
  if (j.skipped.length) {
    console.error(`${bar}\n!! ${j.skipped.length} test(s) SKIPPED (under CI each would fail the tier):`);
    for (const s of j.skipped) console.error(`!!   - ${s.name}${s.kind === 'todo' ? ' (todo)' : ''}${s.message ? ` — ${s.message}` : ''}`);
    console.error(bar);
  }
  for (const e of j.excluded) console.log(`  excluded [${e.id}] ${e.detail}`);
  return { passed: counts.passed, failed: counts.failed + j.failed.length, skipped: j.skipped.length, excluded: j.excluded };
}

// ── tiers ───────────────────────────────────────────────────────────────────

/** Type-check and lint: two checks. */
async function staticTier() {
  const checks = [
    ['tsc --noEmit', bin('tsc'), ['--noEmit', '-p', '.']],
    ['eslint', bin('eslint'), ['.']],
  ];
  const counts = { passed: 0, failed: 0, skipped: 0, excluded: [] };
  for (const [name, command, args] of checks) {
    const ok = run(command, args).status === 0;
    console.log(`${ok ? '✔' : '✖'} ${name}`);
    counts[ok ? 'passed' : 'failed']++;
  }
  return counts;
}

/** Plain Node: the engine, topology, CLI and language-server tests. */
async function unitTier() {
  return nodeTests([...findTests('test/unit'), ...findTests('test/lsp')], {});
}

/** The Mocha suite inside the real extension host of code-server. */
async function extensionTier() {
  const missing = browserSetupMissing();
  if (missing) return unavailable('extension', missing);
  build();
  const { runExtensionTests } = await import('../test/extension/run-code-server.mjs');
  const r = await runExtensionTests();
  // Mocha's pending tests carry no reason: the extension tier has no exclusions.
  return judged(r, r.tests.filter((t) => t.state === 'skipped').map((t) => ({ name: t.title, kind: 'skip', message: '' })));
}

/** Playwright + Chromium against code-server with the extension installed. */
async function uiTier() {
  const missing = browserSetupMissing();
  if (missing) return unavailable('ui', missing);
  build();
  // One code-server at a time: two would compete for the two cores.
  return nodeTests(findTests('test/ui'), { concurrency: 1 });
}

/** A real dockerd: scenarios that create and remove their own networks and containers. */
async function dockerTier() {
  const files = findTests('test/docker');
  if (!files.length) {
    console.log('(no test files under test/docker)');
    return { passed: 0, failed: 0, skipped: 0, excluded: [] };
  }
  build(); // test/docker/lab/daemonFaults.test.ts runs the built CLI (dist/cli.js), as a user does
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 20_000 });
  if (info.status !== 0) {
    return unavailable('docker', `dockerd does not answer (\`docker info\`: ${(info.stderr || info.error?.message || '').trim().split('\n')[0]}).` +
      ' Start it: dockerd --dns 127.0.0.1 &');
  }
  console.log(`dockerd ${info.stdout.trim()}`);
  if (spawnSync('docker', ['image', 'inspect', 'busybox:local'], { stdio: 'ignore' }).status !== 0) {
    if (run('bash', [join(root, 'scripts', 'busybox-image.sh')]).status !== 0) {
      return unavailable('docker', 'the image busybox:local is missing and could not be imported (apt-get install -y busybox-static)');
    }
  }
  // Files that use only lab hosts (their own dockerd in namespaces of their own, never the main one) run
  // beside the main-dockerd files, in a process of their own whose output is printed when it ends; three lab
  // files at a time (each has labs of its own, with random ids and their own namespaces, so they cannot
  // meet; they wait on daemons and probes more than they compute, and a three-node lab takes under 1 GB).
  // probes26 alone took 45 min with the load average near 30, hence the longer bound.
  const labOnly = LAB_ONLY_FILES.filter((f) => files.includes(f));
  const background = labOnly.length ? nodeTestsInBackground(labOnly, { concurrency: 3, timeoutMs: 4_800_000 }) : undefined;
  // The scenarios share one dockerd (and its address pools): one file at a time.
  // A file plays many scenarios (each on a freshly started dockerd where it must): allow it time.
  const main = nodeTests(files.filter((f) => !labOnly.includes(f)), { concurrency: 1, timeoutMs: 2_400_000 });
  if (!background) return main;
  const lab = await background;
  return { passed: main.passed + lab.passed, failed: main.failed + lab.failed, skipped: main.skipped + lab.skipped, excluded: [...main.excluded, ...lab.excluded] };
}

// ── helpers ─────────────────────────────────────────────────────────────────

/** Why the browser tiers cannot run here, or undefined when they can. Installs code-server when it can. */
function browserSetupMissing() {
  if (!chromiumAvailable()) return `Chromium is missing (${chromiumPath}): apt-get install -y chromium`;
  if (!codeServerInstalled()) {
    console.log('code-server is not installed yet: installing it into .cache/code-server (once)…');
    if (run(process.execPath, [join(root, 'scripts', 'ensure-code-server.mjs')]).status !== 0 || !codeServerInstalled()) {
      return 'code-server could not be installed (needs ripgrep and libkrb5-dev: apt-get install -y ripgrep libkrb5-dev; then node scripts/ensure-code-server.mjs)';
    }
  }
  return undefined;
}

/** A tier that cannot run: a loud skip, or a failure under CI. */
function unavailable(tier, reason) {
  const bar = '!'.repeat(78);
  if (ci) {
    console.error(`${bar}\n!! ${tier} tier FAILED: ${reason}\n!! (CI=true: a missing system part is a failure, not a skip)\n${bar}`);
    return { passed: 0, failed: 1, skipped: 0, excluded: [] };
  }
  console.error(`${bar}\n!! ${tier} tier SKIPPED: ${reason}\n${bar}`);
  return { passed: 0, failed: 0, skipped: 1, excluded: [] };
}

/** Builds the bundles once per run (the extension and ui tiers both need them). */
function build() {
  if (built) return;
  if (run(process.execPath, [join(root, 'scripts', 'build.mjs')]).status !== 0) throw new Error('the build failed');
  built = true;
}

/** Every *.test.ts under `dir` (relative to the project), sorted; Node 20's --test does not expand globs. */
function findTests(dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/**
 * Runs test files with the Node test runner (through tsx): the spec report on the console and a TAP
 * report in a file, whose closing counts are the tier's passed and failed; its skip and todo
 * directives (skipped suites too, which node's own count leaves out) are judged one by one.
 * @returns {Counts}
 */
function nodeTests(files, { concurrency, timeoutMs = 300_000 }) {
  if (!files.length) {
    console.log('(no test files)');
    return { passed: 0, failed: 0, skipped: 0, excluded: [] };
  }
  const scratch = mkdtempSync(join(tmpdir(), 'cnm-tap-'));
  const tap = join(scratch, 'report.tap');
  try {
    const result = run(process.execPath, nodeTestArgs(files, tap, { concurrency, timeoutMs }));
    return tapCounts(tap, result.status);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * nodeTests in a child process that does not block this one: its console output goes to a file, printed
 * (framed) when it ends, so it does not interleave with the files run meanwhile.
 * @returns {Promise<Counts>}
 */
function nodeTestsInBackground(files, { concurrency, timeoutMs = 300_000 }) {
  const scratch = mkdtempSync(join(tmpdir(), 'cnm-tap-'));
  const tap = join(scratch, 'report.tap');
  const logFile = join(scratch, 'output.log');
  const out = openSync(logFile, 'w');
  console.log(`(in parallel: ${files.join(', ')}; its output follows when it ends)`);
  // A process group of its own, so that stopping it reaches the test file's own process too.
  const child = spawn(process.execPath, nodeTestArgs(files, tap, { concurrency, timeoutMs }), { cwd: root, stdio: ['ignore', out, out], detached: true });
  closeSync(out);
  // Interrupted or ending early: SIGTERM the group, so the file's exit hooks tear its lab down.
  const stop = () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  process.on('exit', stop);
  return new Promise((resolve) => {
    const finish = (status) => {
      const bar = '─'.repeat(78);
      console.log(`${bar}\n(parallel run of ${files.join(', ')}, exit ${status})`);
      if (existsSync(logFile)) process.stdout.write(readFileSync(logFile, 'utf8'));
      console.log(bar);
      try {
        resolve(tapCounts(tap, status));
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    };
    child.on('error', (e) => {
      console.error(`${files.join(', ')}: ${e.message}`);
      finish(1);
    });
    child.on('close', (code) => {
      process.off('exit', stop);
      finish(code);
    });
  });
}

function nodeTestArgs(files, tap, { concurrency, timeoutMs }) {
  const args = ['--import', 'tsx', '--test', `--test-timeout=${timeoutMs}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`];
  if (concurrency) args.push(`--test-concurrency=${concurrency}`);
  return [...args, ...files];
}

/** The counts of a TAP report (skips judged); a runner that exited non-zero without a failure fails once. */
function tapCounts(tap, status) {
  const report = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (name) => Number(report.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
  const counts = { passed: count('pass'), failed: count('fail') + count('cancelled') };
  // A runner that died before its summary (or failed outside any test) still fails the tier.
  if (status !== 0 && counts.failed === 0) counts.failed = 1;
  return judged(counts, tapSkips(report));
}

function bin(name) {
  return join(root, 'node_modules', '.bin', name);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) console.error(`${command}: ${result.error.message}`);
  // The child was interrupted with us (Ctrl-C or a kill of the process group): stop, not the next tier.
  if (result.signal === 'SIGINT' || result.signal === 'SIGTERM') process.exit(130);
  return result;
}
