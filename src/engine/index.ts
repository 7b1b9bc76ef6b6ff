// The CNM engine: a pure model of dockerd's networking. Other layers import from here only.
export { Engine, sandboxPortBindings } from './engine';
export { DockerError, type ErrorHint } from './errors';
export type * from './model';
export type * from './requests';
export type * from './inspectTypes';
export { NEWEST_MODELLED_VERSION, parseVersion, featuresOf, type DockerVersion, type VersionFeatures } from './version';
export type { NetworkDriver, DriverContext, JoinInfo, NetworkDraft, NetworkCreated, EndpointCreated } from './drivers/types';
export { DriverRegistry } from './drivers/types';
export type { IpamDriver, PoolRequest, AllocatedPool } from './ipam/types';
export { parseIp, parseCidr, formatAddr, formatNet, netContains, netsOverlap, type IpAddr, type IpNet, type IpFamily } from './ip';
export { parsePortSpec, parseExpose } from './ports/portSpec';
export { hostInterfaces, hostRoutes } from './hostView';
export { DEFAULT_HOSTS_ENTRIES } from './sandbox';
