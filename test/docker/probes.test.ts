// Issue 4's probes: every scenario is played on the real dockerd, then real `ping -c1 -W1` and
// `nc -w 2 HOST PORT` run from its containers and from the host, and each result is compared with the
// packet tracer's verdict on the same file (delivered ⇔ success, refused ⇔ "Connection refused",
// dropped ⇔ timeout or unreachable, unresolved ⇔ the name does not resolve). `cnm rules` is compared
// with `iptables-save` too. Any disagreement fails the scenario (see KNOWN-DISAGREEMENTS.md).
//
//   node --import tsx --test test/docker/probes.test.ts
//   CNM_SCENARIO=probe- node --import tsx --test test/docker/probes.test.ts      (scenarios by prefix)
//   CNM_PROBES_ALL=1 node --import tsx --test test/docker/probes.test.ts         (every scenario here)
//
// Every other scenario is played on a lab dockerd 20.10 instead (lab/probes20.test.ts, the same binary in a
// namespace of its own), beside this file, unless CNM_PROBES_ALL=1: the main dockerd plays one file at a time.
//
// Each scenario's record (probes, outputs, verdicts, rules diff) goes to $CNM_DIFF_OUT/probes-<scenario>.json.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertNoForeignObjects, ensureDaemon, ensureImage, removeLeftovers, requireDaemon, restoreDefaultDaemon, runningDaemonFlags, stopDaemon,
} from './harness/daemon';
import { withHostLinks } from './harness/hostLinks';
import { resetDockerFirewall } from './harness/probe';
import { probedOnLab20 } from './harness/labProbeSuite';
import { ProbeTotals, probeScenario } from './harness/probeRun';
import { loadScenario, scenarioFiles } from './harness/scenario';

const OUT_DIR = process.env.CNM_DIFF_OUT ?? join(tmpdir(), 'cnm-differential');

/** This process and its ancestors (the test runner that started it). */
function ownProcessTree(): Set<number> {
  const mine = new Set<number>();
  for (let pid = process.pid; pid > 1 && !mine.has(pid); ) {
    mine.add(pid);
    try {
      pid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    } catch {
      break;
    }
  }
  return mine;
}

/** A process's start time (clock ticks since boot), from /proc/<pid>/stat. */
function startTime(pid: number | string): number {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * The differential suite, and another run of this one (e.g. a CI run from a clone), play with the same
 * label on the same dockerd: never run beside one that started earlier (each removes the other's
 * objects); a later one waits for this one in turn.
 */
async function waitForOtherSuites(maxMs = 30 * 60_000): Promise<void> {
  const mine = ownProcessTree();
  const myStart = startTime(process.pid);
  const until = Date.now() + maxMs;
  for (;;) {
    const others = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && !mine.has(Number(p)) && startTime(p) < myStart).filter((p) => {
      try {
        // Only a node process runs a suite: a `flock …` still waiting for the Docker lock (which this
        // run may hold) runs nothing yet, and waiting for it would wait for ourselves.
        const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return /(^|\/)node$/.test(argv[0] ?? '') && /test\/docker\/(differential|probes)\.test/.test(argv.join(' '));
      } catch {
        return false;
      }
    });
    if (others.length === 0) return;
    if (Date.now() > until) throw new Error(`another Docker-tier suite keeps running (pids ${others.join(', ')}); not probing beside it`);
    await new Promise((r) => setTimeout(r, 5_000));
  }
}

const only = process.env.CNM_SCENARIO?.split(',').map((s) => s.trim());
const ALL = process.env.CNM_PROBES_ALL === '1';

/** Stops dockerd, clears its leftover rules and starts it with `flags` (refused while others use it). */
async function freshDaemon(flags: readonly string[]): Promise<void> {
  await assertNoForeignObjects();
  await stopDaemon();
  await resetDockerFirewall();
  await ensureDaemon(flags, false);
}

/** The daemon with exactly these flags; a change of flags gets a fresh daemon. */
async function daemonWithFlags(flags: readonly string[]): Promise<void> {
  const current = runningDaemonFlags();
  if (current !== null && current.length === flags.length && current.every((f, i) => f === flags[i])) {
    await ensureDaemon(flags, false);
    return;
  }
  await freshDaemon(flags);
}

describe('probes: real ping and nc against the packet tracer', { concurrency: 1 }, () => {
  let ready = false;
  const totals = new ProbeTotals();

  before(async () => {
    const st = await requireDaemon();
    if (!st.reachable) return;
    mkdirSync(OUT_DIR, { recursive: true });
    await ensureImage();
    await waitForOtherSuites();
    await removeLeftovers();
    await freshDaemon(runningDaemonFlags() ?? []);
    ready = true;
  });

  after(async () => {
    if (!ready) return;
    await removeLeftovers();
    await daemonWithFlags([]);
    await restoreDefaultDaemon();
    console.log(totals.summary('probes'));
  });

  for (const file of scenarioFiles()) {
    const sc = loadScenario(file);
    if (only && !only.some((o) => sc.name.startsWith(o))) continue;
    if (!ALL && probedOnLab20(sc.name)) continue;
    test(sc.name, { timeout: 300_000 }, async (t) => {
      if (!ready) return t.skip('dockerd is not reachable');
      assert.deepEqual(sc.parseErrors, [], `${sc.name} must be a clean topology file`);
      const problems: string[] = [];
      // Host links the scenario declares (cnm… veth ends as macvlan/ipvlan parents) live while it runs.
      await withHostLinks(sc.spec, async () => { try {
        await waitForOtherSuites();
        await removeLeftovers();
        // Probes name their targets symbolically and the rules are compared with addresses normalised,
        // so dockerd's allocation cursors need not be fresh: restart only for other daemon flags — and
        // then without the previous daemon's leftover rules.
        await daemonWithFlags(sc.daemonFlags);
        const r = await probeScenario(t, sc, sc.text, join(OUT_DIR, `probes-${sc.name}.json`));
        problems.push(...r.problems);
        totals.add(sc.name, r);
        assert.equal(problems.length, 0, `${sc.name}: ${problems.length} disagreement(s):\n  ${problems.join('\n  ')}`);
      } finally {
        await removeLeftovers();
      } });
    });
  }
});
