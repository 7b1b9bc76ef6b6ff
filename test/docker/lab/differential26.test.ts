// The differential suite on Docker 26.1: every single-host scenario of test/docker/scenarios and
// scenarios-hostlinks is played on a lab host running dockerd 26.1 (harness/labTarget.ts: a fresh lab
// dockerd per scenario, started with the scenario's daemon flags, in a network namespace of its own) and
// compared, exactly as differential.test.ts compares 20.10, with the engine loading the same file with
// `daemon.version: "26.1"`. It never touches the main dockerd, so it needs no docker lock and runs beside
// the main-dockerd tier (scripts/test.mjs).
//
//   node --import tsx --test test/docker/lab/differential26.test.ts
//   CNM_SCENARIO=07,seed node --import tsx --test test/docker/lab/differential26.test.ts
//
// Records go to $CNM_DIFF_OUT/26.1 (default <tmpdir>/cnm-differential/26.1/<scenario>.json).
import { labDifferentialSuite } from '../harness/labDifferentialSuite';

labDifferentialSuite('26.1');
