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
import { labProbeSuite } from '../harness/labProbeSuite';

labProbeSuite('26.1');
