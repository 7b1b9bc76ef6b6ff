// The probe suite on Docker 26.1: every scenario of test/docker/scenarios is played on a fresh lab dockerd
// 26.1 (harness/labTarget.ts, started with the scenario's daemon flags, in a network namespace of its
// own), real ping/nc/UDP probes go between its containers and from the lab host's namespace, and
// `iptables-save` inside that namespace is compared with `cnm rules` — exactly as probes.test.ts does on
// 20.10 (harness/probeRun.ts is the one step of both), with the engine loading the same file with
// `daemon.version: "26.1"`. It never touches the main dockerd: no docker lock, and scripts/test.mjs runs it
// beside the main-dockerd files.
//
//   node --import tsx --test test/docker/lab/probes26.test.ts
//   CNM_SCENARIO=probe- node --import tsx --test test/docker/lab/probes26.test.ts
//
// Records go to $CNM_DIFF_OUT/26.1/probes-<scenario>.json.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withHostLinks } from '../harness/hostLinks';
import { labMissing } from '../harness/lab';
import { freshLabDaemon, stopLabDaemon } from '../harness/labTarget';
import { probeScenario } from '../harness/probeRun';
import { loadScenario, scenarioFiles, textForVersion } from '../harness/scenario';
import { isCI } from '../../support/ci.mjs';

const VERSION = '26.1';
const OUT_DIR = join(process.env.CNM_DIFF_OUT ?? join(tmpdir(), 'cnm-differential'), VERSION);
const only = process.env.CNM_SCENARIO?.split(',').map((s) => s.trim());

describe(`probes: dockerd ${VERSION} on a lab host against the packet tracer`, { concurrency: 1 }, () => {
  const missing = labMissing([VERSION]);
  const totals = { scenarios: 0, probes: 0, agree: 0, missingTarget: 0, absentOnBoth: 0, excludedContainers: 0, rulesCompared: 0, rulesAgree: 0 };
  const failures: string[] = [];
  const started = Date.now();

  before(() => {
    if (missing.length) {
      const msg = `lab hosts of Docker ${VERSION} cannot run here: ${missing.join('; ')}`;
      if (isCI()) throw new Error(msg);
      console.warn(`\n*** SKIPPING the ${VERSION} probe suite: ${msg} ***\n`);
      return;
    }
    mkdirSync(OUT_DIR, { recursive: true });
  });

  after(async () => {
    await stopLabDaemon();
    if (!totals.scenarios) return;
    console.log(
      `  probes on Docker ${VERSION}: ${totals.probes} over ${totals.scenarios} scenarios, ${totals.agree} agree, ${totals.probes - totals.agree} disagree, ` +
        `${totals.missingTarget} with a target missing on one side; ${totals.absentOnBoth} whose target neither side has; ${totals.excludedContainers} containers excluded (test/EXCLUSIONS.md); ` +
        `rules: ${totals.rulesAgree} of ${totals.rulesCompared} scenarios agree; ${((Date.now() - started) / 1000).toFixed(0)} s` +
        (failures.length ? `\n  failing: ${failures.join(', ')}` : ''),
    );
  });

  for (const file of scenarioFiles()) {
    const sc = loadScenario(file);
    if (only && !only.some((o) => sc.name.startsWith(o))) continue;
    test(sc.name, { timeout: 300_000 }, async (t) => {
      if (missing.length) return t.skip(`lab hosts of Docker ${VERSION} cannot run here`);
      assert.deepEqual(sc.parseErrors, [], `${sc.name} must be a clean topology file`);
      const t0 = Date.now();
      try {
        await freshLabDaemon(VERSION, sc.daemonFlags);
        const r = await withHostLinks(sc.spec, () => probeScenario(t, sc, textForVersion(sc, VERSION), join(OUT_DIR, `probes-${sc.name}.json`)));
        totals.scenarios++;
        totals.probes += r.records.length;
        totals.agree += r.records.filter((x) => x.agree).length;
        totals.missingTarget += r.missing;
        totals.absentOnBoth += r.absentOnBoth;
        totals.excludedContainers += r.excluded;
        if (r.rulesCompared) totals.rulesCompared++;
        if (r.rulesCompared && r.rulesDiff.length === 0) totals.rulesAgree++;
        t.diagnostic(`${Date.now() - t0} ms`);
        if (r.problems.length) failures.push(sc.name);
        assert.equal(r.problems.length, 0, `${sc.name} (Docker ${VERSION}): ${r.problems.length} disagreement(s):\n  ${r.problems.join('\n  ')}`);
      } finally {
        await stopLabDaemon().catch((e: Error) => console.error(`  stopping the lab after ${sc.name} failed: ${e.message}`));
      }
    });
  }
});
