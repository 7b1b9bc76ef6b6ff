// The CNM engine: a pure model of dockerd's networking. Other layers import from here only.
export { Engine, sandboxPortBindings } from './engine';
export { DockerError, type ErrorHint } from './errors';
export { inspectContainer, inspectNetwork } from './inspect';
export { checkNetworkCreateFlags, checkRunFlags } from './cliChecks';
export type * from './model';
export type * from './requests';
export type * from './inspectTypes';
export { NEWEST_MODELLED_VERSION, parseVersion, featuresOf, type DockerVersion, type VersionFeatures } from './version';
export type { NetworkDriver, DriverContext, JoinInfo, NetworkDraft, NetworkCreated, EndpointCreated, DriverDescriptor, DriverOption, DriverUnit, DriverHost, DriverLookup, DriverPicture, PictureDevice, PictureTunnel } from './drivers/types';
export { DriverRegistry } from './drivers/types';
export { BUILTIN_DRIVERS, PLUGIN_DRIVERS, SHIPPED_DRIVERS, SHIPPED_DESCRIPTORS, installPlugins, findDescriptor } from './drivers';
export { registerFlannel, flannelUnit, type FlannelOptions } from './drivers/flannel';
export { setCalicoPolicies, calicoData, parseSelector, type CalicoPolicy, type CalicoRule, type CalicoNetworkData } from './drivers/calico';
export { WEAVE, weaveVeth, weaveVni, shareOf as weaveShare, type WeaveNetworkData } from './drivers/weave';
export { attachPipework, PipeworkError, PIPEWORK, pipeworkVethName, type PipeworkAttachment, type PipeworkNetworkData } from './drivers/pipework';
export { generateSchema, generateGrammar, driverPattern, driverOptionsSchema, optionSchema, SCHEMA_FILE, GRAMMAR_FILE } from './drivers/staticFiles';
export type { IpamDriver, PoolRequest, AllocatedPool } from './ipam/types';
export { parseIp, parseCidr, formatAddr, formatNet, netContains, netsOverlap, makeNet, netSize, type IpAddr, type IpNet, type IpFamily } from './ip';
export { parsePortSpec, parseExpose, parseListen, listenSpecError } from './ports/portSpec';
export { hostInterfaces, hostRoutes } from './hostView';
export { DEFAULT_HOSTS_ENTRIES } from './sandbox';
export { resolveDns, resolveName } from './dns';
export { sandboxFiles, HOST_HOSTS_FILE, DAEMON_NAMESERVERS, type SandboxFiles } from './sandboxView';
export { INGRESS_SANDBOX_ID, INGRESS_SANDBOX_NAME, replicaForConnection, placeTasks, routingMesh, type MeshEntry } from './swarm/services';
export { DYNAMIC_PORT_START, DYNAMIC_PORT_END, VNI_START } from './swarm/cluster';
export { GW_BRIDGE_NETWORK } from './sandbox';
export { VXLAN_PORT, overlayDeviceNames, overlayMtu } from './drivers/overlay/driver';
export { BridgeDriver } from './drivers/bridge/driver';
export { networkMembers, memberByAddress, vxlanPeer, type NetworkMember } from './multiHost';
// The tracer (trace/index.ts) and the rules (netfilter/index.ts), as the other layers use them.
export {
  checkExpectations, expectationProblem, listeningFromTopology, listenPortsOf, matrixCells, parseDestination, reachabilityMatrix, trace, TraceInputError, tracerFor,
  type ExpectationResult, type GroupCell, type IpvsChoice, type RuleRef, type ListeningLookup, type MatrixCell, type MatrixContainer, type MatrixResult, type TraceProto, type TraceResult, type Verdict,
} from './trace';
export { engineRules, formatIptablesSave, deriveHostRules, parseIptablesSave, hasDockerChains, IptablesSaveError, markDockerdRules, dockerdWrote } from './netfilter';
