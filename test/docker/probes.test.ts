// Issue 4's probes: every scenario is played on the real dockerd, then real `ping -c1 -W1` and
// `nc -w 2 HOST PORT` run from its containers and from the host, and each result is compared with the
// packet tracer's verdict on the same file (delivered ⇔ success, refused ⇔ "Connection refused",
// dropped ⇔ timeout or unreachable, unresolved ⇔ the name does not resolve). `cnm rules` is compared
// with `iptables-save` too. Any disagreement fails the scenario (see KNOWN-DISAGREEMENTS.md).
//
//   node --import tsx --test test/docker/probes.test.ts
//   CNM_SCENARIO=probe- node --import tsx --test test/docker/probes.test.ts      (scenarios by prefix)
//
// Each scenario's record (probes, outputs, verdicts, rules diff) goes to $CNM_DIFF_OUT/probes-<scenario>.json.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hostRules } from '../../src/engine/netfilter/derive';
import { formatIptablesSave } from '../../src/engine/netfilter/format';
import { Tracer, type TraceResult } from '../../src/engine/trace';
import { loadTopology } from '../../src/topology/index';
import type { TopologySpec } from '../../src/topology/spec';
import { listeningFromSpec } from '../../src/cli/commands/tracing';
import {
  assertNoForeignObjects, ensureDaemon, ensureImage, foreignObjects, markCursorUsed, removeLeftovers, requireDaemon, restoreDefaultDaemon, runningDaemonFlags, stopDaemon,
} from './harness/daemon';
import { run } from './harness/exec';
import { withHostLinks } from './harness/hostLinks';
import { excludeNoIpvlan, refusedForNoIpvlan } from './harness/machineLimits';
import { observe } from './harness/observe';
import { play } from './harness/play';
import { moreProbes, runAnyProbes, startUdpListeners, udpHostPort } from './harness/probeKinds';
import { AddressBook, assertSafe, probeLabel, resetDockerFirewall, safeTargets, scenarioProbes, type Observed, type Probe } from './harness/probe';
import { addressLabels, bridgeLabels, canonicalPortOrder, diffRules, normaliseIptablesSave } from './harness/rulesCompare';
import { loadScenario, scenarioFiles } from './harness/scenario';
import { isCI } from '../support/ci.mjs';

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

interface ProbeRecord {
  probe: string;
  dockerd: { dest: string; verdict: string; output: string };
  engine: { dest: string; verdict: string; reason: string; rule?: string };
  agree: boolean;
}

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

/** The containers a probe involves: its source, its target, the container whose port it reaches. */
function probeContainers(p: Probe): string[] {
  const t = p.target;
  return [p.from, t.kind === 'name' ? t.name : 'container' in t ? t.container : '', p.published?.container ?? ''].filter((c) => c !== '');
}

/** Which network namespace a probe source sends from: "host", or the container owning the sandbox. */
function namespaceGroup(spec: TopologySpec, source: string): string {
  let name = source;
  for (let hops = 0; hops < 10; hops++) {
    const c = spec.containers.find((x) => x.name === name);
    if (!c) return 'host';
    if (c.networkMode === 'host') return 'host';
    if (c.networkMode?.startsWith('container:')) name = c.networkMode.slice('container:'.length);
    else return name;
  }
  return name;
}

describe('probes: real ping and nc against the packet tracer', { concurrency: 1 }, () => {
  let ready = false;
  const totals = { scenarios: 0, probes: 0, agree: 0, missingTarget: 0, absentOnBoth: 0, excludedContainers: 0, rulesCompared: 0, rulesAgree: 0 };
  const failures: string[] = [];

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
    console.log(
      `  probes: ${totals.probes} over ${totals.scenarios} scenarios, ${totals.agree} agree, ${totals.probes - totals.agree} disagree, ` +
        `${totals.missingTarget} with a target missing on one side; ${totals.absentOnBoth} whose target neither side has (refused on both); ${totals.excludedContainers} containers excluded (test/EXCLUSIONS.md); ` +
        `rules: ${totals.rulesAgree} of ${totals.rulesCompared} scenarios agree` + (failures.length ? `\n  failing: ${failures.join(', ')}` : ''),
    );
  });

  for (const file of scenarioFiles()) {
    const sc = loadScenario(file);
    if (only && !only.some((o) => sc.name.startsWith(o))) continue;
    test(sc.name, { timeout: 300_000 }, async (t) => {
      if (!ready) return t.skip('dockerd is not reachable');
      assert.deepEqual(sc.parseErrors, [], `${sc.name} must be a clean topology file`);
      const problems: string[] = [];
      let stopUdp = (): void => {};
      // Host links the scenario declares (cnm… veth ends as macvlan/ipvlan parents) live while it runs.
      await withHostLinks(sc.spec, async () => { try {
        await waitForOtherSuites();
        await removeLeftovers();
        // Probes name their targets symbolically and the rules are compared with addresses normalised,
        // so dockerd's allocation cursors need not be fresh: restart only for other daemon flags — and
        // then without the previous daemon's leftover rules.
        await daemonWithFlags(sc.daemonFlags);
        const played = await play(sc.spec);
        if (sc.needsFreshCursor) markCursorUsed();
        const observed = await observe(sc.spec, played);

        const loaded = loadTopology(sc.text);
        const hostName = sc.spec.hosts[0]!.name;
        const engineInspect = loaded.engine.inspect();
        const realBook = new AddressBook(observed.inspect);
        const engineBook = new AddressBook(engineInspect);
        const tracer = new Tracer(loaded.engine.state, { listening: listeningFromSpec(loaded.spec) });
        const safe = safeTargets(sc.spec, observed.inspect);

        // Containers dockerd could not start because this kernel has no ipvlan (test/EXCLUSIONS.md): no
        // probe from or to them can be made; each is counted as an exclusion, with the probes the engine
        // side has for it.
        const noIpvlan = refusedForNoIpvlan(played);
        const engineProbes = noIpvlan.size > 0 ? scenarioProbes(sc.spec, engineInspect) : [];
        await excludeNoIpvlan(t, sc.name, noIpvlan, (c) => {
          const n = engineProbes.filter((p) => probeContainers(p).includes(c)).length;
          return `its ${n} probe(s) (from or to it, as the engine side has them) are not made`;
        });

        // Probes: concrete per side, grouped by source, each source's probes in parallel.
        const probes = [...scenarioProbes(sc.spec, observed.inspect), ...moreProbes(sc.spec, observed.inspect)];
        type Job = { probe: Probe; realDest: string; engineDest: string; realPort?: number; enginePort?: number };
        const bySource = new Map<string, Job[]>();
        // A probe whose target one side does not have cannot agree: it is a disagreement, not a skip.
        let missing = 0;
        let absentOnBoth = 0;
        for (const p of probes) {
          const realDest = realBook.resolve(p.target, engineBook);
          const engineDest = engineBook.resolve(p.target, realBook);
          const realPort = p.published ? (p.proto === 'udp' ? udpHostPort(observed.inspect, p.published) : realBook.hostPort(p.published)) : p.port;
          const enginePort = p.published ? (p.proto === 'udp' ? udpHostPort(engineInspect, p.published) : engineBook.hostPort(p.published)) : p.port;
          const realMissing = realDest === null || realPort === null;
          const engineMissing = engineDest === null || enginePort === null;
          if (realMissing && engineMissing) {
            // Neither side has the target (a network or container both refused, which the differential
            // suite compares as errors): the two agree there is nothing to probe. Counted, not a failure.
            absentOnBoth++;
            continue;
          }
          if (realDest === null || engineDest === null || realPort === null || enginePort === null) {
            const sides = [realDest === null || realPort === null ? 'dockerd' : '', engineDest === null || enginePort === null ? 'the engine' : ''].filter(Boolean);
            problems.push(`${probeLabel(p)}: its target is missing on ${sides.join(' and ')} (dockerd ${realDest ?? '—'}${realPort != null ? `:${realPort}` : ''}, engine ${engineDest ?? '—'}${enginePort != null ? `:${enginePort}` : ''})`);
            missing++;
            continue;
          }
          assertSafe(realDest, p.fromHost, safe);
          const list = bySource.get(p.from) ?? [];
          list.push({ probe: p, realDest, engineDest, ...(realPort !== undefined ? { realPort } : {}), ...(enginePort !== undefined ? { enginePort } : {}) });
          bySource.set(p.from, list);
        }
        const records: ProbeRecord[] = [];
        // Sources sharing a network namespace (the host and host-mode containers; a container and those
        // in its container: mode) take turns: busybox ping tells replies apart by ICMP id only, and two
        // PID namespaces can pick the same one.
        const groups = new Map<string, [string, Job[]][]>();
        for (const entry of bySource) {
          const g = namespaceGroup(sc.spec, entry[0]);
          groups.set(g, [...(groups.get(g) ?? []), entry]);
        }
        // UDP needs a listener that answers (probeKinds.ts); stopped in `finally`.
        stopUdp = await startUdpListeners(sc.spec, observed.inspect);
        const observedBySource = (
          await Promise.all(
            [...groups.values()].map(async (members) => {
              const done: { list: Job[]; res: Observed[] }[] = [];
              for (const [source, list] of members) {
                const res = await runAnyProbes(source, list[0]!.probe.fromHost, list.map((x) => ({ proto: x.probe.proto, dest: x.realDest, ...(x.realPort !== undefined ? { port: x.realPort } : {}) })));
                done.push({ list, res });
              }
              return done;
            }),
          )
        ).flat();
        for (const { list, res } of observedBySource) {
          list.forEach((x, i) => {
            const o: Observed = res[i]!;
            let traced: TraceResult;
            try {
              traced = tracer.trace({ host: hostName, from: x.probe.from, to: x.engineDest, proto: x.probe.proto, ...(x.enginePort !== undefined ? { port: x.enginePort } : {}) });
            } catch (e) {
              traced = { verdict: 'unknown', reason: `tracer error: ${(e as Error).message}`, hops: [] };
            }
            // `unknown` (the engine cannot know) never agrees with what dockerd did, whatever that was.
            const agree = traced.verdict !== 'unknown' && o.verdict === traced.verdict;
            records.push({
              probe: probeLabel(x.probe),
              dockerd: { dest: `${x.realDest}${x.realPort !== undefined ? `:${x.realPort}` : ''}`, verdict: o.verdict, output: o.output },
              engine: { dest: `${x.engineDest}${x.enginePort !== undefined ? `:${x.enginePort}` : ''}`, verdict: traced.verdict, reason: traced.reason, ...(traced.rule ? { rule: traced.rule } : {}) },
              agree,
            });
            if (!agree) problems.push(`${probeLabel(x.probe)}: dockerd ${o.verdict} (${x.realDest}; ${o.output.split('\n').filter((l) => l && !l.startsWith('rc=')).slice(-1)[0] ?? o.output}), engine ${traced.verdict} (${x.engineDest}): ${traced.reason}`);
          });
        }
        totals.scenarios++;
        totals.probes += records.length;
        totals.agree += records.filter((r) => r.agree).length;
        totals.missingTarget += missing;
        totals.absentOnBoth += absentOnBoth;
        totals.excludedContainers += noIpvlan.size;

        // Rules: iptables-save against `cnm rules`, normalised.
        const saved = await run('iptables-save', [], { timeoutMs: 30_000 });
        const host = loaded.engine.state.hosts.get(hostName);
        let rulesDiff: string[] = [];
        let foreign: string[] = [];
        if (saved.code === 0 && host) {
          const real = normaliseIptablesSave(saved.stdout, bridgeLabels(observed.inspect), addressLabels(observed.inspect));
          const engine = normaliseIptablesSave(formatIptablesSave(hostRules(host, loaded.engine.state.drivers)), bridgeLabels(engineInspect), addressLabels(engineInspect));
          foreign = real.foreign;
          const others = await foreignObjects();
          if (others.length > 0) {
            // Under CI the Docker tier owns dockerd (.ci/run clears it first): rules not compared fail.
            const why = `rules not compared: dockerd holds ${others.length} objects of another suite (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''})`;
            if (isCI()) problems.push(why);
            else {
              console.error(`\n  !!! ${sc.name}: ${why} !!!\n`);
              await t.test('rules against iptables-save', (st) => st.skip(why));
            }
          } else {
            rulesDiff = diffRules(canonicalPortOrder(real.lines), canonicalPortOrder(engine.lines));
            totals.rulesCompared++;
            if (rulesDiff.length === 0) totals.rulesAgree++;
            for (const d of rulesDiff) problems.push(`rules: ${d}`);
          }
        } else {
          problems.push(`iptables-save failed: ${saved.stderr.trim()}`);
        }
        writeFileSync(
          join(OUT_DIR, `probes-${sc.name}.json`),
          JSON.stringify({ scenario: sc.name, probes: records, missingTarget: missing, excluded: Object.fromEntries(noIpvlan), rulesDiff, foreignRules: foreign, iptablesSave: saved.stdout }, null, 2),
        );
        t.diagnostic(`${records.length} probes, ${records.filter((r) => r.agree).length} agree${missing ? `, ${missing} with a target missing on one side (failures)` : ''}${absentOnBoth ? `, ${absentOnBoth} whose target neither side has` : ''}; rules ${rulesDiff.length === 0 ? 'agree' : `${rulesDiff.length} differences`}`);
        if (problems.length > 0) failures.push(sc.name);
        assert.equal(problems.length, 0, `${sc.name}: ${problems.length} disagreement(s):\n  ${problems.join('\n  ')}`);
      } finally {
        stopUdp();
        await removeLeftovers();
      } });
    });
  }
});
