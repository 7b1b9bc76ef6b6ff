// One scenario of the differential suite, played on whichever daemon harness/exec.ts targets (the main
// dockerd, or a lab host) and compared with the engine loading `engineText`: shared by
// differential.test.ts (20.10, main dockerd) and lab/differential26.test.ts (26.1 on a lab host).
//
// Normalised beyond compare.ts, because Docker draws them at random: the dummy-link names in "network
// dm-<12hex> is already using parent …" (macvlan dm-, ipvlan di-) carry the existing network's id; and a
// macvlan/ipvlan network's gateway that the user did not give is hidden by dockerd's inspect (reference
// §1.8) with no bridge device to read it from — it is still compared where a container uses it (its
// endpoint's gateway and default route).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { loadTopology } from '../../../src/topology/index';
import type { TopologySpec } from '../../../src/topology/spec';
import { compare, type Disagreement, type EngineSide } from './compare';
import { foreignObjects, markCursorUsed } from './daemon';
import { managedLinks, withHostLinks } from './hostLinks';
import { excludeNoIpvlan, refusedForNoIpvlan } from './machineLimits';
import { observe, type Observation } from './observe';
import { play, type PlayRecord } from './play';
import type { Scenario } from './scenario';

function unobservableGateway(spec: TopologySpec, d: { field: string; dockerd: string }): boolean {
  const m = /^networks\.([^.]+)\.(?:ipv6_)?gateway$/.exec(d.field);
  if (!m || d.dockerd !== 'null') return false;
  const n = spec.networks.find((x) => x.name === m[1]);
  return !!n && (n.driver === 'macvlan' || n.driver === 'ipvlan');
}
const DUMMY = /\bd[mi]-[0-9a-f]{12}\b/g;

export interface ScenarioRun {
  played: PlayRecord;
  observed: Observation;
  engine: EngineSide;
  disagreements: Disagreement[];
  /** Milliseconds spent playing and observing. */
  playMs: number;
}

export { managedLinks };

/**
 * Plays the scenario (with its host links), observes it, loads `engineText` in the engine and returns
 * every disagreement; containers refused for want of ipvlan become excluded subtests of `t`. Writes the
 * record to `outDir/<scenario>.json`.
 */
export async function playAndCompare(t: TestContext, sc: Scenario, engineText: string, outDir: string): Promise<ScenarioRun> {
  const tPlay = Date.now();
  const { played, observed } = await withHostLinks(sc.spec, async () => {
    const played = await play(sc.spec);
    if (sc.needsFreshCursor) markCursorUsed();
    return { played, observed: await observe(sc.spec, played) };
  });
  const playMs = Date.now() - tPlay;
  const intruders = await foreignObjects();
  if (intruders.length > 0) throw new Error(`objects the suite did not create appeared on dockerd during the scenario (${intruders.join(', ')}): its results are not trustworthy`);

  const loaded = loadTopology(engineText);
  const host = sc.spec.hosts[0]!.name;
  const engine: EngineSide = {
    inspect: loaded.engine.inspect(),
    resolve: (from, name) => loaded.engine.resolve(host, from, name),
    diagnostics: loaded.diagnostics,
  };
  const all = compare(sc.spec, played, observed, engine)
    .filter((d) => d.dockerd.replace(DUMMY, 'd?-<id>') !== d.engine.replace(DUMMY, 'd?-<id>'))
    .filter((d) => !unobservableGateway(sc.spec, d));
  // Containers dockerd could not start because this kernel has no ipvlan (a limit of the machine,
  // test/EXCLUSIONS.md): their comparisons are left out, each counted as an exclusion; their
  // networks are still compared.
  const noIpvlan = refusedForNoIpvlan(played);
  await excludeNoIpvlan(t, sc.name, noIpvlan, () => 'its comparisons with the engine are left out (its networks are compared)');
  const disagreements = all.filter((d) => ![...noIpvlan.keys()].some((c) => d.field === `error on containers.${c}` || d.field.startsWith(`containers.${c}.`)));
  writeFileSync(
    join(outDir, `${sc.name}.json`),
    JSON.stringify({ scenario: sc.name, steps: played.steps, observed, engine: { inspect: engine.inspect, diagnostics: engine.diagnostics }, disagreements }, null, 2),
  );
  for (const n of observed.notes) t.diagnostic(`dockerd: ${n}`);
  return { played, observed, engine, disagreements, playMs };
}
