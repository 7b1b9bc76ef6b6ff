// The Docker client: connect, read (snapshot), follow (events) and change (actions) a live host.
// Everything returns plain data; dockerode stays inside client.ts. What the data means for a topology
// (replay on the engine, import, drift, apply) is src/live's.
export * from './types';
export { resolveEndpoint, resolveNodeEndpoint, describeEndpoint, tlsWarning, parseDockerHost, sshDialCommand, contextDirName, parseContextMeta, EndpointError, type DockerEndpoint, type ConnectionEnv } from './connection';
export { connectDocker } from './client';
export { takeSnapshot, withMembers, observeHost, type Snapshot, type ObserveOptions } from './snapshot';
export { readListeners, readAllListeners, parseProcNet, procAddress, type ListenerReading, type SocketListener } from './listeners';
export { readHostRouting, readSandboxRoutes, parseProcRoute, routeLine, type KernelRoute, type RouteReading, type HostRouting } from './routes';
export { readUdpCounters, parseUdpCounters, type UdpCounters } from './udpCounters';
export { readHostOverSsh, parseSshReading, type SshEndpoint, type SshHostAccess } from './sshHost';
export { readHostNetfilter, HOST_SYSCTLS, type HostReading, type SaveReading } from './hostNetfilter';
export { localInterfaces } from './localHost';
export { DockerWatcher, type WatchStatus, type RefreshReason, type WatchOptions } from './events';
export * from './actions';
