// Plain data the Docker client returns. Nothing here is a dockerode type: the rest of the product
// (snapshot, drift, the extension's tree) works on these, validated, and never on raw API answers.

export interface DaemonInfo {
  /** e.g. "20.10.24+dfsg1" */
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
  kernelVersion: string;
}

export interface IpamPoolInfo {
  subnet: string;
  gateway?: string;
  ipRange?: string;
  auxAddresses: Record<string, string>;
}

/** One entry of a network's `Containers` map. */
export interface NetworkMemberInfo {
  containerId: string;
  name: string;
  endpointId: string;
  macAddress: string | null;
  /** CIDR as Docker shows it, e.g. "172.18.0.2/16", or null. */
  ipv4Address: string | null;
  ipv6Address: string | null;
}

export interface NetworkInfo {
  id: string;
  name: string;
  driver: string;
  scope: string;
  /** RFC 3339 as Docker gives it. */
  created: string;
  internal: boolean;
  attachable: boolean;
  ingress: boolean;
  enableIpv6: boolean;
  ipamDriver: string;
  ipamOptions: Record<string, string>;
  ipamConfig: IpamPoolInfo[];
  options: Record<string, string>;
  labels: Record<string, string>;
  members: NetworkMemberInfo[];
}

export interface EndpointInfo {
  network: string;
  networkId: string;
  endpointId: string;
  /** Without prefix length. */
  ipv4Address: string | null;
  ipv4Prefix: number | null;
  ipv6Address: string | null;
  ipv6Prefix: number | null;
  gateway: string | null;
  macAddress: string | null;
  aliases: string[];
  /** IPAMConfig: the static addresses the user asked for. */
  staticIpv4: string | null;
  staticIpv6: string | null;
}

export type PortProtocol = 'tcp' | 'udp' | 'sctp';

/** HostConfig.PortBindings: what `-p` asked for (hostPort "" = ephemeral). */
export interface PortBindingSpec {
  containerPort: number;
  protocol: PortProtocol;
  hostIp: string;
  hostPort: string;
}

/** NetworkSettings.Ports: what is bound now. */
export interface PublishedPort {
  containerPort: number;
  protocol: PortProtocol;
  hostIp: string;
  hostPort: number;
}

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  created: string;
  running: boolean;
  status: string;
  /** State.Pid when it runs: its namespaces are /proc/<pid>/… on the daemon's machine. */
  pid?: number;
  hostname: string;
  /** HostConfig.NetworkMode: default, bridge, host, none, container:<id>, or a network name. */
  networkMode: string;
  /** Config.MacAddress */
  macAddress: string | null;
  endpoints: EndpointInfo[];
  portBindings: PortBindingSpec[];
  publishedPorts: PublishedPort[];
  exposedPorts: { port: number; protocol: PortProtocol }[];
  publishAll: boolean;
  labels: Record<string, string>;
}

export type DockerEventKind =
  | 'network:create' | 'network:destroy' | 'network:connect' | 'network:disconnect'
  | 'container:start' | 'container:die' | 'container:destroy' | 'container:rename'
  /** A process started in a running container (docker exec): it may listen on a port now. */
  | 'container:exec_start'
  /** Swarm objects (on a manager): a service or node created, changed or removed. */
  | 'service:create' | 'service:update' | 'service:remove' | 'node:create' | 'node:update' | 'node:remove';

export interface DockerEvent {
  kind: DockerEventKind;
  /** The object's id (network id, or container id; for network connect the container id is in `container`). */
  id: string;
  name: string | null;
  container: string | null;
  /** Unix time in nanoseconds as a string when Docker gives it. */
  timeNano: string | null;
  /** exec_start: the command run ("cat /proc/net/tcp …"). */
  command?: string;
}

export interface NetworkCreateOptions {
  name: string;
  driver?: string;
  internal?: boolean;
  attachable?: boolean;
  ingress?: boolean;
  enableIpv6?: boolean;
  ipamDriver?: string;
  ipamOptions?: Record<string, string>;
  ipamConfig?: IpamPoolInfo[];
  options?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface ConnectOptions {
  ipv4Address?: string;
  ipv6Address?: string;
  aliases?: string[];
}

export interface RunContainerOptions {
  name: string;
  image: string;
  /** The command; default: the image's (busybox:local has none, so callers pass one). */
  cmd?: string[];
  hostname?: string;
  networkMode?: string;
  /** Endpoint settings for the network named by networkMode. */
  endpoint?: ConnectOptions & { macAddress?: string };
  /** -p specs as the CLI takes them. */
  ports?: string[];
  expose?: string[];
  labels?: Record<string, string>;
}

/** Docker's refusal, with its own text and HTTP status. */
export class DockerApiError extends Error {
  constructor(message: string, readonly status: number | null) {
    super(message);
    this.name = 'DockerApiError';
  }
}

/** An answer from Docker that is not what the API promises (a bad proxy, another daemon, a bug). */
export class MalformedAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedAnswerError';
  }
}

/** The host cannot be reached at all (socket missing, refused, ssh failed). */
export class UnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreachableError';
  }
}

/** The caller cancelled the request (its AbortSignal fired). */
export class CancelledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CancelledError';
  }
}

/** What a command run inside a container (docker exec) gave back. */
export interface ExecResult {
  /** null when it did not finish within the time bound. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** A local image (docker image ls): what "run a container" offers, since nothing is pulled. */
export interface ImageSummary {
  id: string;
  /** repo:tag names; empty for a dangling image. */
  tags: string[];
  /** Unix seconds. */
  created: number;
  size: number;
}

export interface EventSubscription {
  close(): void;
}

/** Per request: cancel it, or give it its own deadline (every request has one: the client's by default). */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Docker behind an interface: plain data in and out. Every request ends by its deadline. */
export interface DockerClient {
  readonly description: string;
  /** The daemon runs on this machine (unix socket): its interfaces are this machine's. */
  readonly local: boolean;
  /** GET /_ping, with its own (short) deadline when given: the liveness check. */
  ping(opts?: CallOptions): Promise<void>;
  daemon(call?: CallOptions): Promise<DaemonInfo>;
  /** Every network (IPAM, options, labels; members only where the API gives them — see takeSnapshot). */
  networks(call?: CallOptions): Promise<NetworkInfo[]>;
  /** Local images (docker image ls). */
  images(call?: CallOptions): Promise<ImageSummary[]>;
  /** Every container (running or not), each inspected. */
  containers(call?: CallOptions): Promise<ContainerInfo[]>;
  inspectNetwork(nameOrId: string, call?: CallOptions): Promise<NetworkInfo>;
  inspectContainer(nameOrId: string, call?: CallOptions): Promise<ContainerInfo>;
  /** The event stream; `onEnd` is called once when it breaks (daemon restart, network). */
  events(onEvent: (e: DockerEvent) => void, onEnd: (err: Error | null) => void, call?: CallOptions): Promise<EventSubscription>;
  createNetwork(opts: NetworkCreateOptions, call?: CallOptions): Promise<{ id: string; warning: string | null }>;
  removeNetwork(nameOrId: string, call?: CallOptions): Promise<void>;
  connect(network: string, container: string, opts?: ConnectOptions, call?: CallOptions): Promise<void>;
  disconnect(network: string, container: string, force?: boolean, call?: CallOptions): Promise<void>;
  /** create + start; returns the id (and Docker's warnings). */
  runContainer(opts: RunContainerOptions, call?: CallOptions): Promise<{ id: string; warnings: string[] }>;
  removeContainer(nameOrId: string, force?: boolean, call?: CallOptions): Promise<void>;
  /** The daemon's swarm: nodes, services and tasks on a manager; only the local state elsewhere. */
  swarm?(call?: CallOptions): Promise<SwarmInfo>;
  /** docker exec: `argv` as given (never through a shell), output collected, bounded by `timeoutMs`. */
  exec(container: string, argv: string[], opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<ExecResult>;
}

/** A swarm node as a manager lists it (docker node ls / node inspect). */
export interface SwarmNodeInfo {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  /** Status.Addr: the address the node is reached at (its underlay address). */
  address: string | null;
  /** Spec.Availability: active, pause, drain. */
  availability: string;
  /** Status.State: ready, down, unknown, disconnected. */
  state: string;
  leader: boolean;
  engineVersion: string | null;
}

export interface SwarmPortInfo {
  published: number | null;
  target: number;
  protocol: PortProtocol;
  /** ingress (the routing mesh) or host. */
  mode: string;
}

/** A service as a manager reports it (docker service inspect). */
export interface SwarmServiceInfo {
  id: string;
  name: string;
  image: string;
  /** replicated or global. */
  mode: 'replicated' | 'global';
  /** Spec.Mode.Replicated.Replicas (null in global mode). */
  replicas: number | null;
  endpointMode: 'vip' | 'dnsrr';
  /** Endpoint.VirtualIPs: the address without its prefix, per network id. */
  vips: { networkId: string; address: string }[];
  ports: SwarmPortInfo[];
  /** The networks the tasks attach to (ids), as the spec names them. */
  networks: string[];
}

/** One task a manager knows of (docker service ps), with the addresses swarm gave it. */
export interface SwarmTaskInfo {
  id: string;
  serviceId: string;
  /** Slot (replicated) or null (global: the node id names the task instead). */
  slot: number | null;
  nodeId: string | null;
  /** Status.State: running, pending, shutdown, … and DesiredState. */
  state: string;
  desiredState: string;
  containerId: string | null;
  /** NetworksAttachments: per network id the addresses in CIDR form. */
  attachments: { networkId: string; addresses: string[] }[];
}

/** The swarm as the daemon sees it: only a manager can list nodes, services and tasks. */
export interface SwarmInfo {
  /** Swarm.LocalNodeState: inactive, pending, active, error, locked. */
  localState: string;
  nodeId: string | null;
  clusterId: string | null;
  /** Swarm.ControlAvailable: this daemon is a manager. */
  manager: boolean;
  nodes: SwarmNodeInfo[];
  services: SwarmServiceInfo[];
  tasks: SwarmTaskInfo[];
}
