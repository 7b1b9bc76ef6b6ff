// The differential suite on a lab host: each single-host scenario of test/docker/scenarios and
// scenarios-hostlinks played on a fresh lab dockerd of one release per scenario (harness/labTarget.ts: the
// scenario's daemon flags, a network namespace of its own) and compared with the engine loading the same
// file with that `daemon.version` — the one step differential.test.ts takes on the main dockerd
// (harness/differentialRun.ts). It never touches the main dockerd: no docker lock.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formatDisagreements } from './compare';
import { managedLinks, playAndCompare } from './differentialRun';
import { labMissing, type LabVersion } from './lab';
import { freshLabDaemon, labSuiteReady, stopLabDaemon } from './labTarget';
import { HOST_LINK_SCENARIO_DIR, loadScenario, scenarioFiles, textForVersion, type Scenario } from './scenario';

/** Every single-host scenario the differential suites play, in their order (scenarios/, then scenarios-hostlinks/). */
export function differentialScenarioFiles(): string[] {
  return [...scenarioFiles(), ...scenarioFiles(HOST_LINK_SCENARIO_DIR)];
}

/**
 * The differential scenarios the docker tier plays on a lab dockerd 20.10 instead of the main one (every
 * other one): the same release and binary, and a fresh daemon per scenario, so the comparison is the same —
 * and the main-dockerd lane, which plays one file at a time, is shorter. differential.test.ts plays the
 * rest (all with CNM_DIFFERENTIAL_ALL=1).
 */
export function comparedOnLab20(name: string): boolean {
  scenarioNames ??= differentialScenarioFiles().map((f) => loadScenario(f).name);
  return scenarioNames.indexOf(name) % 2 === 1;
}
let scenarioNames: string[] | undefined;

export function labDifferentialSuite(version: LabVersion, opts: { pick?: (sc: Scenario) => boolean } = {}): void {
  const outDir = join(process.env.CNM_DIFF_OUT ?? join(tmpdir(), 'cnm-differential'), version);
  const only = process.env.CNM_SCENARIO?.split(',').map((s) => s.trim());

  describe(`differential: dockerd ${version} on a lab host against the engine`, { concurrency: 1 }, () => {
    const missing = labMissing([version]);
    const timings: string[] = [];
    const started = Date.now();

    before(() => {
      if (labSuiteReady(version, 'differential', missing, outDir)) console.log(`  Docker ${version} on lab hosts; records in ${outDir}`);
    });

    after(async () => {
      await stopLabDaemon();
      if (timings.length) console.log(`  Docker ${version} lab timings:\n${timings.map((t) => `    ${t}`).join('\n')}\n    total ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

    for (const file of differentialScenarioFiles()) {
      const sc = loadScenario(file);
      if (opts.pick && !opts.pick(sc)) continue;
      if (only && !only.some((o) => sc.name.startsWith(o))) continue;
      test(sc.name, { timeout: 300_000 }, async (t) => {
        if (missing.length) return t.skip(`lab hosts of Docker ${version} cannot run here`);
        assert.deepEqual(sc.parseErrors, [], `${sc.name} must be a clean topology file`);
        assert.ok(managedLinks(sc.spec).length === 0 || process.getuid?.() === 0, 'host links need root');
        const t0 = Date.now();
        let verdict = 'error';
        try {
          await freshLabDaemon(version, sc.daemonFlags);
          const { disagreements, playMs } = await playAndCompare(t, sc, textForVersion(sc, version), outDir);
          verdict = disagreements.length === 0 ? 'agrees' : `${disagreements.length} disagreement(s)`;
          timings.push(`${sc.name}: ${verdict}; ${Date.now() - t0} ms (play+observe ${playMs} ms)`);
          assert.equal(disagreements.length, 0, formatDisagreements(`${sc.name} (Docker ${version})`, disagreements));
        } catch (e) {
          if (verdict === 'error') timings.push(`${sc.name}: failed to run (${(e as Error).message.split('\n')[0]}); ${Date.now() - t0} ms`);
          throw e;
        } finally {
          // The lab goes with everything in it, also when the scenario failed.
          await stopLabDaemon().catch((e: Error) => console.error(`  stopping the lab after ${sc.name} failed: ${e.message}`));
        }
      });
    }
  });
}
