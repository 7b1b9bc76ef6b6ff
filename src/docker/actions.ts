// Changes to a live host, phrased in the engine's request types (the same ones the topology builder
// and the extension's built-in engine use), sent through the DockerClient. Thin on purpose: Docker
// decides, and its refusal reaches the user as a DockerApiError with Docker's own text.
import type { ContainerCreateRequest, EndpointConfig, NetworkCreateRequest } from '../engine';
import type { DockerClient, NetworkCreateOptions, RunContainerOptions } from './types';

/** Label put on everything CNM Explorer creates, so it can be found (and cleaned) later. */
export const CREATED_BY_LABEL = 'cnm-explorer.created-by';

export function networkCreateOptions(req: NetworkCreateRequest): NetworkCreateOptions {
  const o: NetworkCreateOptions = { name: req.name };
  if (req.driver) o.driver = req.driver;
  if (req.internal !== undefined) o.internal = req.internal;
  if (req.attachable !== undefined) o.attachable = req.attachable;
  if (req.ingress !== undefined) o.ingress = req.ingress;
  if (req.enableIpv6 !== undefined) o.enableIpv6 = req.enableIpv6;
  if (req.ipam?.driver) o.ipamDriver = req.ipam.driver;
  if (req.ipam?.options) o.ipamOptions = req.ipam.options;
  if (req.ipam?.config) {
    o.ipamConfig = req.ipam.config.map((c) => ({
      subnet: c.subnet ?? '',
      ...(c.gateway ? { gateway: c.gateway } : {}),
      ...(c.ipRange ? { ipRange: c.ipRange } : {}),
      auxAddresses: { ...(c.auxAddresses ?? {}) },
    }));
  }
  if (req.options) o.options = req.options;
  if (req.labels) o.labels = req.labels;
  return o;
}

/** docker network create, with every IPAM option (driver, options, several pools with range, gateway, aux addresses). */
export async function createNetwork(client: DockerClient, req: NetworkCreateRequest): Promise<{ id: string }> {
  const { id } = await client.createNetwork(networkCreateOptions(req));
  return { id };
}

/** docker network rm. For bridge/host/none Docker answers "… is a pre-defined network and cannot be removed". */
export async function removeNetwork(client: DockerClient, nameOrId: string): Promise<void> {
  await client.removeNetwork(nameOrId);
}

/** docker network connect [--ip] [--ip6] [--alias …] */
export async function connectContainer(client: DockerClient, network: string, container: string, cfg: EndpointConfig = {}): Promise<void> {
  await client.connect(network, container, {
    ...(cfg.ipv4Address ? { ipv4Address: cfg.ipv4Address } : {}),
    ...(cfg.ipv6Address ? { ipv6Address: cfg.ipv6Address } : {}),
    ...(cfg.aliases?.length ? { aliases: cfg.aliases } : {}),
  });
}

export async function disconnectContainer(client: DockerClient, network: string, container: string, force = false): Promise<void> {
  await client.disconnect(network, container, force);
}

/** docker rm -f: a running container is killed first; its endpoints are released. */
export async function removeContainer(client: DockerClient, nameOrId: string): Promise<void> {
  await client.removeContainer(nameOrId, true);
}

export interface RunRequest extends ContainerCreateRequest {
  /** The image must exist locally: nothing is pulled. */
  image: string;
  cmd?: string[];
  labels?: Record<string, string>;
}

export function runContainerOptions(req: RunRequest): RunContainerOptions {
  const o: RunContainerOptions = { name: req.name, image: req.image };
  if (req.cmd) o.cmd = req.cmd;
  if (req.hostname) o.hostname = req.hostname;
  if (req.networkMode) o.networkMode = req.networkMode;
  if (req.endpoint) {
    o.endpoint = {};
    if (req.endpoint.ipv4Address) o.endpoint.ipv4Address = req.endpoint.ipv4Address;
    if (req.endpoint.ipv6Address) o.endpoint.ipv6Address = req.endpoint.ipv6Address;
    if (req.endpoint.aliases?.length) o.endpoint.aliases = req.endpoint.aliases;
    if (req.endpoint.macAddress) o.endpoint.macAddress = req.endpoint.macAddress;
  }
  if (req.ports?.length) o.ports = req.ports;
  if (req.expose?.length) o.expose = req.expose;
  if (req.labels) o.labels = req.labels;
  return o;
}

/** docker run -d from a local image. */
export async function runContainer(client: DockerClient, req: RunRequest): Promise<{ id: string }> {
  const { id } = await client.runContainer(runContainerOptions(req));
  return { id };
}
