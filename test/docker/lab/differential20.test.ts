// Half of the 20.10 differential suite, on a lab dockerd 20.10 (the system's own binary, in a network
// namespace of its own, fresh for each scenario) instead of the main dockerd: every other scenario
// (harness/labDifferentialSuite.ts, comparedOnLab20). differential.test.ts plays the other half on the main
// dockerd, so the docker tier's main lane, which plays one file at a time, is shorter, while this file
// runs beside it. The comparison is exactly differential.test.ts's.
//
//   node --import tsx --test test/docker/lab/differential20.test.ts
//   CNM_DIFFERENTIAL_ALL=1 node --import tsx --test test/docker/differential.test.ts   (all on the main dockerd)
//
// Records go to $CNM_DIFF_OUT/20.10/<scenario>.json.
import { comparedOnLab20, labDifferentialSuite } from '../harness/labDifferentialSuite';

labDifferentialSuite('20.10', { pick: (sc) => comparedOnLab20(sc.name) });
