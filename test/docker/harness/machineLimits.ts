// Limits of the machine the Docker tier runs on, as dockerd itself reports them, and the exclusions
// (test/EXCLUSIONS.md) they lead to. Only dockerd's answer decides; nothing is assumed of the kernel.
import type { TestContext } from 'node:test';
import { exclude } from '../../support/exclusions.mjs';
import type { PlayRecord } from './play';

/** dockerd's answer when the kernel has no ipvlan: it cannot make a container's ipvlan port. */
const NO_IPVLAN = /failed to create the ipvlan port: operation not supported/;

/**
 * The containers dockerd refused to start (or connect) because this kernel has no ipvlan, each with
 * dockerd's error. On a kernel with ipvlan: none.
 */
export function refusedForNoIpvlan(played: PlayRecord): Map<string, string> {
  const refused = new Map<string, string>();
  for (const s of played.steps) {
    if (s.object[0] === 'containers' && s.error && NO_IPVLAN.test(s.error) && !refused.has(s.object[1])) refused.set(s.object[1], s.error);
  }
  return refused;
}

/**
 * One excluded subtest per container (kernel-no-ipvlan): each is counted and listed by the test runner
 * with `what` it leaves out, e.g. "its comparisons with the engine".
 */
export async function excludeNoIpvlan(t: TestContext, scenario: string, refused: ReadonlyMap<string, string>, what: (container: string) => string): Promise<void> {
  for (const [container, error] of refused) {
    const detail = `${scenario}: container ${container} — ${what(container)} (dockerd: ${error.split('\n')[0]})`;
    console.error(`\n  !!! excluded [kernel-no-ipvlan] ${detail} !!!\n`);
    await t.test(`${container}: not started by dockerd (this kernel has no ipvlan)`, (st) => exclude(st, 'kernel-no-ipvlan', detail));
  }
}
