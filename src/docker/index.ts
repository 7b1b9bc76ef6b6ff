// Live Docker hosts: connect, read (snapshot), follow (events), change (actions), import, compare
// (drift) and apply (plan). Everything returns plain data; dockerode stays inside client.ts.
export * from './types';
export { resolveEndpoint, describeEndpoint, parseDockerHost, sshDialCommand, contextDirName, parseContextMeta, EndpointError, type DockerEndpoint, type ConnectionEnv } from './connection';
export { connectDocker } from './client';
export { takeSnapshot, snapshotToEngine, withMembers, type Snapshot, type SnapshotEngine } from './snapshot';
export { localInterfaces } from './localHost';
export { importTopology, type ImportOptions } from './import';
export { DockerWatcher, type WatchStatus, type RefreshReason } from './events';
export { LiveHost, type LiveState, type LiveHostOptions } from './live';
export * from './actions';
export { computeDrift, type DriftItem, type DriftOptions } from './drift';
export { planApply, applyPlan, type Plan, type PlanStep, type ApplyResult, type ApplyProgress } from './plan';
export type { FileTopology, FileNetwork, FileContainer, FileEndpoint } from './fileModel';
export { verifyTrace, verifyOutcome, VerifyInputError, type VerifyRequest, type VerifyResult, type VerifyOutcome, type ObservedProbe, type ObservedVerdict } from './verify';
