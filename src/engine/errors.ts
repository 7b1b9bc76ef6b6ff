// Docker's errors: the exact text dockerd (or the docker CLI, for what it checks first) prints, and the
// HTTP status the API answers with. Keeping every text in one file makes them easy to audit against
// the reference.

/** Which part of the request caused the error, so the topology layer can put the diagnostic on the right range. */
export interface ErrorHint {
  field?: 'name' | 'driver' | 'subnet' | 'gateway' | 'ip_range' | 'aux_addresses' | 'ipv6'
    | 'driver_opts' | 'network_mode' | 'network' | 'ipv4_address' | 'ipv6_address' | 'aliases' | 'mac_address'
    | 'ports' | 'expose' | 'listen' | 'daemon';
  index?: number;
  key?: string;
}

export class DockerError extends Error {
  constructor(message: string, public readonly status: number, public readonly hint?: ErrorHint) {
    super(message);
    this.name = 'DockerError';
  }

  /** The same error pointing at another part of the request (an inner error gets its hint late). */
  withHint(hint: ErrorHint): DockerError {
    return new DockerError(this.message, this.status, { ...this.hint, ...hint });
  }
}

// HTTP statuses errdefs maps to.
export const BAD_REQUEST = 400;
export const FORBIDDEN = 403;
export const NOT_FOUND = 404;
export const CONFLICT = 409;
export const INTERNAL = 500;
export const UNAVAILABLE = 503;

export const ipamText = {
  poolOverlap: 'Pool overlaps with other one on this address space',
  alreadyInUse: 'Address already in use',
  outOfRange: 'Requested address is out of range',
  noAvailableIps: 'No available addresses on this pool',
  invalidPool: 'Invalid Address Pool',
  invalidSubPool: 'Invalid Address SubPool',
} as const;

/** An error of the IPAM driver, before the caller wraps it (e.g. in "failed to allocate gateway (…): …"). */
export class IpamError extends DockerError {}

export const IPAM_ERRORS = {
  poolOverlap: () => new IpamError(ipamText.poolOverlap, FORBIDDEN),
  alreadyInUse: () => new IpamError(ipamText.alreadyInUse, FORBIDDEN),
  outOfRange: () => new IpamError(ipamText.outOfRange, BAD_REQUEST),
  noAvailableIps: () => new IpamError(ipamText.noAvailableIps, UNAVAILABLE),
};

export const msg = {
  // Networks (daemon/network.go, libnetwork)
  predefinedCreate: (name: string) => `operation is not permitted on predefined ${name} network `,
  predefinedRemove: (name: string) => `${name} is a pre-defined network and cannot be removed`,
  networkExists: (name: string) => `network with name ${name} already exists`,
  invalidName: (name: string) => `invalid name: ${name}`,
  networkNotFound: (term: string) => `network ${term} not found`,
  networkAmbiguousName: (term: string, n: number) => `network ${term} is ambiguous (${n} matches found on name)`,
  networkAmbiguousId: (term: string, n: number) => `network ${term} is ambiguous (${n} matches found based on ID prefix)`,
  activeEndpoints: (name: string, id: string) => `error while removing network: network ${name} id ${id} has active endpoints`,
  activeEndpoints281: (name: string, eps: string[]) =>
    `error while removing network: network ${name} has active endpoints (${eps.join(', ')})`,
  pluginNotFound: (driver: string) => `plugin "${driver}" not found`,
  leaveManager: () =>
    'You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message.',
  notSwarmManager: () =>
    'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.',
  invalidSubnet: (subnet: string, goErr: string) => `Invalid subnet ${subnet} : ${goErr}`,
  invalidGatewayAddress: (gw: string) => `invalid gateway address ${gw} in Ipam configuration`,
  failedAllocateGateway: (gw: string, err: string) => `failed to allocate gateway (${gw}): ${err}`,
  auxNotParsable: (k: string, v: string, net: string) => `non parsable secondary ip address (${k}:${v}) passed for network ${net}`,
  auxOutsidePool: (k: string, v: string, pool: string) => `auxiliary address: (${k}:${v}) must belong to the master pool: ${pool}`,
  auxAllocFailed: (k: string, v: string, err: string) => `failed to allocate secondary ip address (${k}:${v}): ${err}`,
  poolRequestParse: (space: string, pool: string, sub: string, err: string) =>
    `failed to parse pool request for address space "${space}" pool "${pool}" subpool "${sub}": ${err}`,
  noPredefinedPool: (v: 4 | 6) =>
    `could not find an available, non-overlapping IPv${v} address pool among the defaults to assign to the network`,
  poolsFullySubnetted: () => 'all predefined address pools have been fully subnetted',
  // 25.0+ ValidateIPAM: one line per error, under v25InvalidConfig.
  v25InvalidConfig: (lines: string[]) => `invalid network config:\n${lines.length === 1 ? lines[0] : `* ${lines.map((l) => l.replace(/\n/g, '\n\t')).join('\n* ')}`}`,
  v25BadCidr: (typed: string) => `invalid subnet ${typed}: invalid CIDR block notation`,
  v25InvalidSubnet: (typed: string, canonical: string) => `invalid subnet ${typed}: it should be ${canonical}`,
  v25InvalidRange: (range: string, subnet: string) => `invalid ip-range ${range}: parent subnet ${subnet} doesn't contain ip-range`,
  v25InvalidAddress: (what: string, typed: string, why: string) => `invalid ${what} ${typed}: ${why}`,
  v25AddressOutside: (subnet: string) => `parent subnet ${subnet} doesn't contain this address`,
  // bridge driver
  bridgeMultipleSubnets: () => "bridge driver doesn't support multiple subnets",
  bridgeParse: (label: string, value: string, err: string) => `failed to parse ${label} value: ${value} (${err})`,
  bridgeConflict: (id: string, br: string, otherId: string, otherBr: string, why: string) =>
    `cannot create network ${id} (${br}): conflicts with network ${otherId} (${otherBr}): ${why}`,
  invalidMtu: (mtu: number) => `invalid MTU number: ${mtu}`,
  selfGenerateV6: (net: string) => `Cannot self generate an IPv6 address on network ${net}: At least 48 host bits are needed.`,
  // macvlan / ipvlan (drivers/macvlan, drivers/ipvlan: *_network.go, *_setup.go, *_endpoint.go)
  macvlanMode: (mode: string) => `requested macvlan mode '${mode}' is not valid, 'bridge' mode is the macvlan driver default`,
  ipvlanMode: (mode: string) => `requested ipvlan mode '${mode}' is not valid, 'l2' mode is the ipvlan driver default`,
  loopbackParent: (driver: string) => `loopback interface is not a valid ${driver} parent link`,
  parentInUse: (dummyOfExisting: string, parent: string) => `network ${dummyOfExisting} is already using parent interface ${parent}`,
  vlanIdRange: (id: number) => `vlan id must be between 1-4094, received: ${id}`,
  vlanName: (name: string) => `invalid subinterface vlan name ${name}, example formatting is eth0.10`,
  vlanFormat: (name: string) => `required interface name format is: name.vlan_id, ex. eth0.10 for vlan 10, instead received: ${name}`,
  vlanIdParse: (vid: string) => `unable to parse a valid vlan id from: ${vid} (ex. eth0.10 for vlan 10)`,
  vlanParentMissing: (parent: string) => `-o parent interface was not found on the host: ${parent}`,
  ipv4PoolEmpty: () => 'ipv4 pool is empty',
  ipvlanCustomMac: () => 'ipvlan interfaces do not support custom mac address assignment',
  // overlay and swarm (daemon/cluster, swarmkit controlapi / allocator)
  notAttachable: (net: string) => `Could not attach to network ${net}: rpc error: code = PermissionDenied desc = network ${net} not manually attachable`,
  ingressExists: (id: string) => `rpc error: code = AlreadyExists desc = ingress network (${id}) is already present`,
  dnsrrIngress: () => "rpc error: code = InvalidArgument desc = EndpointSpec: port published with ingress mode can't be used with dnsrr mode",
  duplicatePublished: () => 'rpc error: code = InvalidArgument desc = EndpointSpec: duplicate published ports provided',
  serviceExists: (name: string) => `rpc error: code = AlreadyExists desc = name conflicts with an existing object: service ${name} already exists`,
  serviceNetworkNotFound: (net: string) => `network ${net} not found`,
  serviceNotOverlay: (net: string) => `rpc error: code = InvalidArgument desc = network ${net} is not eligible for service attachment`,
  notSwarmNode: () => 'This node is not part of a swarm',
  // Endpoints and addresses
  noAvailableAddresses: (v: 4 | 6, name: string, id: string) =>
    `no available IPv${v} addresses on this network's address pools: ${name} (${id})`,
  addressNotInSubnets: (ip: string) => `Invalid address ${ip}: It does not belong to any of this network's subnets`,
  ipOnPredefined: () => 'user specified IP address is supported on user defined networks only',
  ipNeedsSubnet: () => 'user specified IP address is supported only when connecting to networks with user configured subnets',
  /** 25.0+ (validateEndpointIPAddress). */
  noSubnetContains: (ip: string) => `no configured subnet or ip-range contain the IP address ${ip}`,
  aliasOnPredefined: () => 'network-scoped alias is supported only for containers in user defined networks',
  invalidIPv4: (ip: string) => `invalid IPv4 address: ${ip}`,
  invalidIPv6: (ip: string) => `invalid IPv6 address: ${ip}`,
  endpointExists: (ctr: string, net: string) => `endpoint with name ${ctr} already exists in network ${net}`,
  invalidMac: (mac: string) => `address ${mac}: invalid MAC address`,
  // Containers
  invalidContainerName: (name: string) => `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
  nameInUse: (name: string, id: string) =>
    `Conflict. The container name "/${name}" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
  noSuchContainer: (name: string) => `No such container: ${name}`,
  multipleIds: (prefix: string) => `Multiple IDs found with provided prefix: ${prefix}`,
  removeRunning: (id: string) =>
    `You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`,
  invalidContainerMode: () => 'Invalid network mode: invalid container format container:<name|id>',
  conflictHostname: () => 'conflicting options: hostname and the network mode',
  conflictMac: () => 'conflicting options: mac-address and the network mode',
  conflictPublish: () => 'conflicting options: port publishing and the container type network mode',
  conflictExpose: () => 'conflicting options: port exposing and the container type network mode',
  hostPortsDiscarded: () => 'Published ports are discarded when using host network mode',
  joinOwn: () => 'cannot join own network',
  joinNotRunning: (name: string) => `cannot join network of a non running container: ${name}`,
  conflictShared: () => 'container sharing network namespace with another container or host cannot be connected to any other network',
  conflictHost: () => 'container cannot be disconnected from host network or connected to host network',
  conflictHostConnect28: () => 'cannot connect container to host network - container must be created in host network mode',
  conflictHostDisconnect28: () => 'cannot disconnect container from host network - container was created in host network mode',
  conflictNone: () => 'container cannot be connected to multiple networks with one of the networks in private (none) mode',
  notConnectedRunning: (id: string, net: string) => `container ${id} is not connected to network ${net}`,
  notConnectedStopped: (id: string, net: string) => `container ${id} is not connected to the network ${net}`,
  // Ports
  portAllocated: (ip: string, port: number) => `Bind for ${ip}:${port} failed: port is already allocated`,
  allPortsAllocated: () => 'all ports are allocated',
  externalConnectivity: (ep: string, id: string, err: string) =>
    `driver failed programming external connectivity on endpoint ${ep} (${id}): ${err}`,
  userlandProxy: (proto: string, hostPort: string) =>
    `Error starting userland proxy: listen ${proto} ${hostPort}: bind: address already in use`,
  bindInUse: (proto: string, hostPort: string) => `listen ${proto} ${hostPort}: bind: address already in use`,
  // Daemon
  defaultBridge: (err: string) => `Error creating default "bridge" network: ${err}`,
  ipv6NoSubnet: () =>
    'IPv6 is enabled for the default bridge, but no subnet is configured. Specify an IPv6 subnet using --fixed-cidr-v6',
  invalidBasePool: (base: string, err: string) => `invalid base pool "${base}": ${err}`,
  invalidPoolSize: (size: number) => `invalid pools size: ${size}`,
};
