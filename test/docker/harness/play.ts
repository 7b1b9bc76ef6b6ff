// The suite's play: src/lab/play.ts (which `cnm lab` ships) on whichever daemon harness/exec.ts targets,
// every object labelled with the suite's label (so removeLeftovers() and foreignObjects() know them).
import type { ContainerSpec, NetworkSpec, TopologySpec } from '../../../src/topology/spec';
import { connectArgs as labConnectArgs, networkCreateArgs as labNetworkCreateArgs, playOn, runArgs as labRunArgs, type PlayRecord } from '../../../src/lab/play';
import { docker } from './exec';
import { TEST_LABEL_ARG } from './daemon';

export { containerScript, listenList, listeners, namespaceListeners, parseCliStderr, type PlayRecord, type PlayStep, type StepKind } from '../../../src/lab/play';

export const networkCreateArgs = (n: NetworkSpec): string[] => labNetworkCreateArgs(n, TEST_LABEL_ARG);
export const runArgs = (c: ContainerSpec): string[] => labRunArgs(c, TEST_LABEL_ARG);
export const connectArgs = labConnectArgs;

/** Only what one dockerd can play: one host, no swarm services. */
export function unplayable(spec: TopologySpec): string | null {
  if (spec.hosts.length !== 1) return `${spec.hosts.length} hosts (the suite has one dockerd)`;
  if (spec.services.length > 0) return 'swarm services';
  return null;
}

export async function play(spec: TopologySpec): Promise<PlayRecord> {
  const why = unplayable(spec);
  if (why) throw new Error(`scenario cannot be played on one dockerd: ${why}`);
  return playOn(spec, docker, TEST_LABEL_ARG);
}
