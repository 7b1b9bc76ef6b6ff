// One scenario of the probe suite, on whichever daemon harness/exec.ts targets (the main dockerd, or a
// lab host): play it, observe it, send real ping/nc/UDP probes from its containers and from the host's
// namespace, compare each with the packet tracer's verdict on `engineText`, and `iptables-save` (in the
// daemon's namespace) with `cnm rules`. Shared by probes.test.ts (20.10) and lab/probes26.test.ts (26.1).
import { writeFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { hostRules } from '../../../src/engine/netfilter/derive';
import { formatIptablesSave } from '../../../src/engine/netfilter/format';
import { Tracer, type TraceResult } from '../../../src/engine/trace';
import { loadTopology } from '../../../src/topology/index';
import type { TopologySpec } from '../../../src/topology/spec';
import { listeningFromSpec } from '../../../src/cli/commands/tracing';
import { foreignObjects, markCursorUsed } from './daemon';
import { hostRun } from './exec';
import { waitForIpv6Dad } from './ipv6Settle';
import { excludeNoIpvlan, refusedForNoIpvlan } from './machineLimits';
import { observe } from './observe';
import { play } from './play';
import { moreProbes, runAnyProbes, startUdpListeners, udpHostPort } from './probeKinds';
import { AddressBook, assertSafe, probeLabel, safeTargets, scenarioProbes, type Observed, type Probe } from './probe';
import { addressLabels, bridgeLabels, canonicalPortOrder, diffRules, normaliseIptablesSave } from './rulesCompare';
import type { Scenario } from './scenario';
import { isCI } from '../../support/ci.mjs';

export interface ProbeRecord {
  probe: string;
  dockerd: { dest: string; verdict: string; output: string };
  engine: { dest: string; verdict: string; reason: string; rule?: string };
  agree: boolean;
}

/** What one scenario's probes gave; `problems` empty when everything agrees. */
export interface ProbeRun {
  problems: string[];
  records: ProbeRecord[];
  /** Probes whose target one side lacks (each also a problem). */
  missing: number;
  /** Probes whose target neither side has (not made). */
  absentOnBoth: number;
  /** Containers excluded (kernel-no-ipvlan). */
  excluded: number;
  /** Whether the rules were compared, and their differences (each also a problem). */
  rulesCompared: boolean;
  rulesDiff: string[];
}

/** A probe suite's running totals over its scenarios, and the line it prints at the end. */
export class ProbeTotals {
  scenarios = 0;
  probes = 0;
  agree = 0;
  missingTarget = 0;
  absentOnBoth = 0;
  excludedContainers = 0;
  rulesCompared = 0;
  rulesAgree = 0;
  readonly failures: string[] = [];

  add(name: string, r: ProbeRun): void {
    this.scenarios++;
    this.probes += r.records.length;
    this.agree += r.records.filter((x) => x.agree).length;
    this.missingTarget += r.missing;
    this.absentOnBoth += r.absentOnBoth;
    this.excludedContainers += r.excluded;
    if (r.rulesCompared) this.rulesCompared++;
    if (r.rulesCompared && r.rulesDiff.length === 0) this.rulesAgree++;
    if (r.problems.length) this.failures.push(name);
  }

  summary(title: string, tail = ''): string {
    return (
      `  ${title}: ${this.probes} over ${this.scenarios} scenarios, ${this.agree} agree, ${this.probes - this.agree} disagree, ` +
      `${this.missingTarget} with a target missing on one side; ${this.absentOnBoth} whose target neither side has; ${this.excludedContainers} containers excluded (test/EXCLUSIONS.md); ` +
      `rules: ${this.rulesAgree} of ${this.rulesCompared} scenarios agree${tail}` + (this.failures.length ? `\n  failing: ${this.failures.join(', ')}` : '')
    );
  }
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

/**
 * Plays and probes `sc` on the current target and writes its record to `outFile`. The caller prepares the
 * daemon (flags, leftovers) and the scenario's host links, and asserts on `problems`.
 */
export async function probeScenario(t: TestContext, sc: Scenario, engineText: string, outFile: string): Promise<ProbeRun> {
  const problems: string[] = [];
  let stopUdp = (): void => {};
  try {
    const played = await play(sc.spec);
    if (sc.needsFreshCursor) markCursorUsed();
    const observed = await observe(sc.spec, played);

    const loaded = loadTopology(engineText);
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
    // Probes wait for IPv6 duplicate address detection (ipv6Settle.ts): a tentative address drops packets
    // for a moment after a bridge's first port, which is not what the network does once settled.
    const stillTentative = await waitForIpv6Dad();
    if (stillTentative.length) console.error(`  ${sc.name}: IPv6 addresses still tentative after 8 s: ${stillTentative.join(', ')}`);
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
      for (const [i, x] of list.entries()) {
        let o: Observed = res[i]!;
        let traced: TraceResult;
        try {
          traced = tracer.trace({ host: hostName, from: x.probe.from, to: x.engineDest, proto: x.probe.proto, ...(x.enginePort !== undefined ? { port: x.enginePort } : {}) });
        } catch (e) {
          traced = { verdict: 'unknown', reason: `tracer error: ${(e as Error).message}`, hops: [] };
        }
        // A real packet that got no answer where the engine predicts one is sent once more before it
        // counts: one lost reply on a loaded machine is not what the network does (a real drop stays a
        // drop, so this cannot hide a disagreement). Both outputs are kept in the record.
        if (o.verdict === 'dropped' && (traced.verdict === 'delivered' || traced.verdict === 'refused')) {
          const again = (await runAnyProbes(x.probe.from, x.probe.fromHost, [{ proto: x.probe.proto, dest: x.realDest, ...(x.realPort !== undefined ? { port: x.realPort } : {}) }]))[0]!;
          o = { verdict: again.verdict, output: `first try: ${o.output}\nsecond try: ${again.output}` };
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
      }
    }

    // Rules: iptables-save against `cnm rules`, normalised.
    const saved = await hostRun('iptables-save', [], { timeoutMs: 30_000 });
    const host = loaded.engine.state.hosts.get(hostName);
    let rulesDiff: string[] = [];
    let rulesCompared = false;
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
        rulesCompared = true;
        for (const d of rulesDiff) problems.push(`rules: ${d}`);
      }
    } else {
      problems.push(`iptables-save failed: ${saved.stderr.trim()}`);
    }
    writeFileSync(
      outFile,
      JSON.stringify({ scenario: sc.name, probes: records, missingTarget: missing, excluded: Object.fromEntries(noIpvlan), rulesDiff, foreignRules: foreign, iptablesSave: saved.stdout }, null, 2),
    );
    t.diagnostic(`${records.length} probes, ${records.filter((r) => r.agree).length} agree${missing ? `, ${missing} with a target missing on one side (failures)` : ''}${absentOnBoth ? `, ${absentOnBoth} whose target neither side has` : ''}; rules ${rulesDiff.length === 0 ? 'agree' : `${rulesDiff.length} differences`}`);
    return { problems, records, missing, absentOnBoth, excluded: noIpvlan.size, rulesCompared, rulesDiff };
  } finally {
    stopUdp();
  }
}
