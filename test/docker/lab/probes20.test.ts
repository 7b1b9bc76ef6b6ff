// Half of the 20.10 probe suite, on a lab dockerd 20.10 (the system's own binary, in a network namespace
// of its own) instead of the main dockerd: every other scenario of test/docker/scenarios by name
// (harness/labProbeSuite.ts, probedOnLab20). probes.test.ts plays the other half on the main dockerd, so
// the docker tier's main lane, which plays one file at a time, is about half as long, while this file
// runs beside it. The probes, the rules comparison and the verdicts are exactly probes.test.ts's.
//
//   node --import tsx --test test/docker/lab/probes20.test.ts
//   CNM_PROBES_ALL=1 node --import tsx --test test/docker/probes.test.ts    (all of them on the main dockerd)
//
// Records go to $CNM_DIFF_OUT/20.10/probes-<scenario>.json.
import { labProbeSuite, probedOnLab20 } from '../harness/labProbeSuite';

labProbeSuite('20.10', { pick: (sc) => probedOnLab20(sc.name) });
