// Live hosts in CNM terms: a snapshot replayed on the engine and kept current (LiveHost), the host as a
// topology spec or file (import), what differs from a file (drift), a file applied to a host (plan),
// and a predicted trace checked by a real probe (verify). Talks to Docker only through src/docker.
export { LiveHost, type LiveState, type LiveHostOptions } from './liveHost';
export { snapshotToEngine, networkRequestOf, type SnapshotEngine } from './replay';
export { snapshotToSpec, type ImportOptions, type SnapshotSpec } from './snapshotSpec';
export { importTopology } from './import';
export { liveTopology, type LiveTopology } from './liveTopology';
export { computeDrift, type DriftItem, type DriftOptions } from './drift';
export { planApply, applyPlan, type Plan, type PlanStep, type PlanOptions, type ApplyResult, type ApplyProgress } from './plan';
export { verifyTrace, verifyOutcome, VerifyInputError, type VerifyRequest, type VerifyResult, type VerifyOutcome, type ObservedProbe, type ObservedVerdict } from './verify';
export { computeComposeDrift, composeDriftRange, COMPOSE_PROJECT_LABEL, type ComposeDriftOptions } from './composeDrift';
export { observationFor, type ObservationNeeds } from './observation';
export { liveSwarm, inspectLiveServices, taskName, type LiveSwarm, type LiveSwarmTask } from './swarmView';
export { involvedContainers } from './involved';
export { swarmToEngine, swarmSpec, type NodeReading, type SwarmEngine } from './swarmReplay';
export { readSwarmNodes, swarmTopology, isSwarmManager, type NodeEndpoint, type SwarmNodesRead, type SwarmTopology } from './swarmNodes';
