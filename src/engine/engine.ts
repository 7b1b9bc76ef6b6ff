// The engine: dockerd's networking operations on a model of one or more hosts. Each public method is one
// Docker CLI/API operation and fails like it, with dockerd's text and status, in dockerd's order of checks.
// This class is the facade: the operations live in ops/, one module per concern, sharing one EngineCore.
import type { ContainerCreateRequest, EndpointConfig, HostConfig, NetworkCreateRequest, ServiceCreateRequest } from './requests';
import type { InspectResult } from './inspectTypes';
import type { ContainerState, EngineState, HostState, NetworkState } from './model';
import type { IpamDriver } from './ipam/types';
import { DriverRegistry, withDrivers, type NetworkDriver } from './drivers/types';
import { BUILTIN_DRIVERS } from './drivers/builtin';
import { VXLAN_PORT } from './drivers/overlay/driver';
import { SwarmCluster } from './swarm/cluster';
import { findContainer } from './lookup';
import { lookupName, resolveDns, resolveName, type NameAnswer } from './dns';
import { buildInspect } from './inspect';
import { type EngineCore, hostNames, hostOf } from './ops/core';
import { addHost } from './ops/hosts';
import { createNetwork, relabelNetwork, removeNetwork } from './ops/networks';
import { createContainer, removeContainer, runContainer, startContainer, stopContainer } from './ops/containers';
import { connect, disconnect } from './ops/connect';
import { createService, leaveSwarm, removeService } from './ops/services';
import { replaceContainer, replaceNetwork } from './ops/replay';

export { sandboxPortBindings } from './ops/publishing';

export class Engine {
  /** This engine's drivers (each engine its own: a plug-in installed on one leaves the others alone). */
  readonly drivers = new DriverRegistry();
  readonly state: EngineState = withDrivers({
    hosts: new Map(),
    swarm: { nodes: [], networks: new Map(), services: new Map(), ingressNetworkId: null, dataPathPort: VXLAN_PORT },
  }, this.drivers);
  /** What the ops/ modules share: this engine's state and bookkeeping. */
  private readonly core: EngineCore;

  constructor() {
    for (const unit of BUILTIN_DRIVERS) this.drivers.install(unit, this);
    this.core = {
      state: this.state,
      drivers: this.drivers,
      swarm: new SwarmCluster(this.state.swarm),
      internals: new Map(),
      swarmInitialised: false,
      ingressReplaced: false,
      userIngress: new Set(),
      taskAddresses: new Map(),
      overlaySpecs: new Map(),
      taskContainers: new Set(),
      serviceSeq: 0,
      pinnedNetworkId: undefined,
    };
  }

  /** Adds a network driver (a plug-in, or macvlan/ipvlan/overlay later). */
  registerDriver(driver: NetworkDriver): void {
    this.drivers.register(driver);
  }

  registerIpamDriver(name: string, factory: (host: HostState) => IpamDriver): void {
    this.drivers.registerIpam(name, factory);
  }

  hostNames(): string[] {
    return hostNames(this.core);
  }

  // ---------------------------------------------------------------- hosts (ops/hosts.ts)

  addHost(cfg: HostConfig): void {
    addHost(this.core, cfg);
  }

  // ---------------------------------------------------------------- networks (ops/networks.ts)

  createNetwork(hostName: string, req: NetworkCreateRequest): { id: string; warning?: string } {
    return createNetwork(this.core, hostName, req);
  }

  removeNetwork(hostName: string, nameOrId: string): void {
    removeNetwork(this.core, hostName, nameOrId);
  }

  // ---------------------------------------------------------------- containers (ops/containers.ts)

  createContainer(hostName: string, req: ContainerCreateRequest): { id: string; warnings: string[] } {
    return createContainer(this.core, hostName, req);
  }

  runContainer(hostName: string, req: ContainerCreateRequest): { id: string; warnings: string[] } {
    return runContainer(this.core, hostName, req);
  }

  startContainer(hostName: string, nameOrId: string): void {
    startContainer(this.core, hostName, nameOrId);
  }

  stopContainer(hostName: string, nameOrId: string): void {
    stopContainer(this.core, hostName, nameOrId);
  }

  removeContainer(hostName: string, nameOrId: string, opts?: { force?: boolean }): void {
    removeContainer(this.core, hostName, nameOrId, opts);
  }

  // ---------------------------------------------------------------- connect / disconnect (ops/connect.ts)

  connect(hostName: string, network: string, container: string, cfg?: EndpointConfig): void {
    connect(this.core, hostName, network, container, cfg);
  }

  disconnect(hostName: string, network: string, container: string, force?: boolean): void {
    disconnect(this.core, hostName, network, container, force);
  }

  // ---------------------------------------------------------------- swarm services (ops/services.ts)

  /** docker service create on a manager: published ports, VIPs, then the tasks placed on the nodes. */
  createService(hostName: string, req: ServiceCreateRequest): { id: string } {
    return createService(this.core, hostName, req);
  }

  /** docker service rm: the tasks' containers go, then the VIPs and published ports are released. */
  removeService(hostName: string, nameOrId: string): void {
    removeService(this.core, hostName, nameOrId);
  }

  /** docker swarm leave on a worker: its tasks start again on the other nodes (ops/services.ts leaveSwarm). */
  leaveSwarm(hostName: string): void {
    leaveSwarm(this.core, hostName);
  }

  // ---------------------------------------------------------------- queries

  /** The container named `name` on the host (exact name, no id look-up), if any. */
  containerNamed(hostName: string, name: string): ContainerState | undefined {
    return this.core.internals.get(hostName)?.containersByName.get(name);
  }

  /** The network named `name` on the host (exact name), if any. */
  networkNamed(hostName: string, name: string): NetworkState | undefined {
    return this.core.internals.get(hostName)?.networksByName.get(name);
  }

  inspect(): InspectResult {
    return buildInspect(this.state);
  }

  /** What the container's DNS server answers for the name (`nslookup NAME`); [] = does not resolve. */
  resolve(hostName: string, fromContainer: string, name: string): string[] {
    const { host, int } = hostOf(this.core, hostName);
    const ctr = findContainer(host, int.containersByName, fromContainer);
    return resolveDns(host, ctr, name, this.state.swarm);
  }

  /** resolve (dnsOnly) or lookupHost, saying when the answer is an address on a network whose addresses are unknown. */
  resolveAnswer(hostName: string, fromContainer: string, name: string, dnsOnly = true): NameAnswer {
    const { host, int } = hostOf(this.core, hostName);
    const ctr = findContainer(host, int.containersByName, fromContainer);
    return lookupName(host, ctr, name, this.state.swarm, dnsOnly);
  }

  /** What getaddrinfo gives in the container (/etc/hosts first, then DNS): what `ping NAME` uses. */
  lookupHost(hostName: string, fromContainer: string, name: string): string[] {
    const { host, int } = hostOf(this.core, hostName);
    const ctr = findContainer(host, int.containersByName, fromContainer);
    return resolveName(host, ctr, name, this.state.swarm);
  }

  // ---------------------------------------------------------------- an editor's change in place (ops/networks.ts, ops/replay.ts)

  /**
   * Gives a local network the labels and `attachable` flag it would have had, had it been created with
   * them; false, with nothing changed, where that would not be the same (see ops/networks.ts).
   */
  relabelNetwork(hostName: string, name: string, labels: Record<string, string>, attachable: boolean): boolean {
    return relabelNetwork(this.core, hostName, name, labels, attachable);
  }

  /**
   * Plays one bridge network again in place with another definition, with the containers on it
   * (`recreateNetwork`, then `recreate` for each); refused or spoilt as ops/replay.ts explains.
   */
  replaceNetwork(hostName: string, name: string, containers: readonly string[], recreateNetwork: () => void, recreate: (name: string) => void, limit = Infinity): { ok: boolean; spoilt: boolean } {
    return replaceNetwork(this.core, hostName, name, containers, recreateNetwork, recreate, limit);
  }

  /**
   * Plays one running container again in place (and the later containers on the `networks` it changed),
   * `recreate(name)` making each again; refused or spoilt as ops/replay.ts explains.
   */
  replaceContainer(hostName: string, name: string, networks: readonly string[], recreate: (name: string) => void, limit = Infinity): { ok: boolean; spoilt: boolean } {
    return replaceContainer(this.core, hostName, name, networks, recreate, limit);
  }
}
