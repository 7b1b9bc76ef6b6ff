// The probe suite on a lab host: each scenario of test/docker/scenarios played on a fresh lab dockerd of
// one release (harness/labTarget.ts: the scenario's daemon flags, a network namespace of its own), real
// ping/nc/UDP probes between its containers and from the lab host's namespace, and `iptables-save` inside
// that namespace compared with `cnm rules` — the one step probes.test.ts takes on the main dockerd
// (harness/probeRun.ts). It never touches the main dockerd: no docker lock.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withHostLinks } from './hostLinks';
import { labMissing, type LabVersion } from './lab';
import { freshLabDaemon, labSuiteReady, stopLabDaemon } from './labTarget';
import { ProbeTotals, probeScenario } from './probeRun';
import { loadScenario, scenarioFiles, textForVersion, type Scenario } from './scenario';

/**
 * The probe scenarios the docker tier plays on a lab dockerd 20.10 instead of the main one (every other
 * one, by name): the same release and binary, so the suite is the same — and the main-dockerd lane, which
 * plays one file at a time, is about half as long. probes.test.ts plays the rest (all with CNM_PROBES_ALL=1).
 */
export function probedOnLab20(name: string): boolean {
  scenarioNames ??= scenarioFiles().map((f) => loadScenario(f).name);
  return scenarioNames.indexOf(name) % 2 === 1;
}
let scenarioNames: string[] | undefined;

export function labProbeSuite(version: LabVersion, opts: { pick?: (sc: Scenario) => boolean } = {}): void {
  const outDir = join(process.env.CNM_DIFF_OUT ?? join(tmpdir(), 'cnm-differential'), version);
  const only = process.env.CNM_SCENARIO?.split(',').map((s) => s.trim());

  describe(`probes: dockerd ${version} on a lab host against the packet tracer`, { concurrency: 1 }, () => {
    const missing = labMissing([version]);
    const totals = new ProbeTotals();
    const started = Date.now();

    before(() => {
      labSuiteReady(version, 'probe', missing, outDir);
    });

    after(async () => {
      await stopLabDaemon();
      if (!totals.scenarios) return;
      console.log(totals.summary(`probes on Docker ${version}`, `; ${((Date.now() - started) / 1000).toFixed(0)} s`));
    });

    for (const file of scenarioFiles()) {
      const sc = loadScenario(file);
      if (opts.pick && !opts.pick(sc)) continue;
      if (only && !only.some((o) => sc.name.startsWith(o))) continue;
      test(sc.name, { timeout: 300_000 }, async (t) => {
        if (missing.length) return t.skip(`lab hosts of Docker ${version} cannot run here`);
        assert.deepEqual(sc.parseErrors, [], `${sc.name} must be a clean topology file`);
        const t0 = Date.now();
        try {
          await freshLabDaemon(version, sc.daemonFlags);
          const r = await withHostLinks(sc.spec, () => probeScenario(t, sc, textForVersion(sc, version), join(outDir, `probes-${sc.name}.json`)));
          totals.add(sc.name, r);
          t.diagnostic(`${Date.now() - t0} ms`);
          assert.equal(r.problems.length, 0, `${sc.name} (Docker ${version}): ${r.problems.length} disagreement(s):\n  ${r.problems.join('\n  ')}`);
        } finally {
          await stopLabDaemon().catch((e: Error) => console.error(`  stopping the lab after ${sc.name} failed: ${e.message}`));
        }
      });
    }
  });
}
