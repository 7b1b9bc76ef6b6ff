// Apply: a topology file → an ordered list of Docker operations in the file's order (networks, then
// each container run on its first network and connected to the rest), shown for review, then run one
// by one; the first refusal stops the run and says which step failed and why (Docker's text).
import type { EndpointConfig, NetworkCreateRequest } from '../engine';
import type { TopologySpec, YamlPath } from '../topology';
import { connectContainer, createNetwork, runContainer, type DockerClient, type RunRequest, type Snapshot } from '../docker';

export type PlanStep =
  | { op: 'create-network'; name: string; request: NetworkCreateRequest; path: YamlPath; description: string }
  | { op: 'run-container'; name: string; request: RunRequest; path: YamlPath; description: string }
  | { op: 'connect'; network: string; container: string; config: EndpointConfig; path: YamlPath; description: string };

export interface Plan {
  host: string;
  steps: PlanStep[];
  /** What the plan leaves out, and why (already there, services, other hosts). */
  skipped: string[];
}

export interface PlanOptions {
  /** Which of the file's hosts to apply (default: the first). */
  host?: string;
  /** Labels put on every network and container created. */
  labels?: Record<string, string>;
  /** The command for containers (local images such as busybox:local have none). */
  command?: string[];
  /** Replace every container's image (e.g. with a local one, since nothing is pulled). */
  image?: string;
  /** The host as it is now: networks/containers that already exist by name are skipped. */
  current?: Snapshot;
}

export function planApply(spec: TopologySpec, opts: PlanOptions = {}): Plan {
  const host = opts.host ?? spec.hosts[0]?.name ?? 'host1';
  const labels = opts.labels ?? {};
  const steps: PlanStep[] = [];
  const skipped: string[] = [];
  const existsNet = (name: string) => opts.current?.networks.some((n) => n.name === name) ?? false;
  const existsCtr = (name: string) => opts.current?.containers.some((c) => c.name === name) ?? false;

  for (const n of spec.networks) {
    if (n.host !== host) {
      skipped.push(`network ${n.name}: on host ${n.host}, not ${host}`);
      continue;
    }
    if (existsNet(n.name)) {
      skipped.push(`network ${n.name}: already exists on the host`);
      continue;
    }
    const request: NetworkCreateRequest = {
      name: n.name,
      driver: n.driver,
      ipam: { config: n.ipamConfig, ...(n.ipamDriver ? { driver: n.ipamDriver } : {}), ...(n.ipamOptions ? { options: n.ipamOptions } : {}) },
      internal: n.internal,
      attachable: n.attachable,
      ingress: n.ingress,
      enableIpv6: n.enableIpv6,
      options: n.driverOpts,
      labels: { ...n.labels, ...labels },
    };
    steps.push({ op: 'create-network', name: n.name, request, path: n.path, description: describeNetwork(request) });
  }

  for (const c of spec.containers) {
    if (c.host !== host) {
      skipped.push(`container ${c.name}: on host ${c.host}, not ${host}`);
      continue;
    }
    if (existsCtr(c.name)) {
      skipped.push(`container ${c.name}: already exists on the host`);
      continue;
    }
    const [first, ...rest] = c.networkMode !== undefined ? [] : c.networks;
    const networkMode = c.networkMode ?? first?.network;
    const request: RunRequest = { name: c.name, image: opts.image ?? c.image, labels: { ...labels }, ports: c.ports, expose: c.expose };
    if (c.hostname !== undefined) request.hostname = c.hostname;
    if (networkMode !== undefined) request.networkMode = networkMode;
    if (first) request.endpoint = endpointOf(first);
    if (opts.command) request.cmd = opts.command;
    steps.push({ op: 'run-container', name: c.name, request, path: c.path, description: describeRun(request) });
    for (const ep of rest) {
      const config = endpointOf(ep);
      steps.push({ op: 'connect', network: ep.network, container: c.name, config, path: ep.path, description: describeConnect(ep.network, c.name, config) });
    }
  }
  if (spec.services.length > 0) skipped.push(`services (${spec.services.map((s) => s.name).join(', ')}): swarm services are not applied`);
  return { host, steps, skipped };
}

function endpointOf(ep: EndpointConfig): EndpointConfig {
  const cfg: EndpointConfig = {};
  if (ep.ipv4Address) cfg.ipv4Address = ep.ipv4Address;
  if (ep.ipv6Address) cfg.ipv6Address = ep.ipv6Address;
  if (ep.aliases?.length) cfg.aliases = [...ep.aliases];
  if (ep.macAddress) cfg.macAddress = ep.macAddress;
  return cfg;
}

/** As the equivalent docker CLI command, for the review. */
function describeNetwork(r: NetworkCreateRequest): string {
  const a = ['docker network create'];
  if (r.driver && r.driver !== 'bridge') a.push(`--driver ${r.driver}`);
  for (const c of r.ipam?.config ?? []) {
    if (c.subnet) a.push(`--subnet ${c.subnet}`);
    if (c.ipRange) a.push(`--ip-range ${c.ipRange}`);
    if (c.gateway) a.push(`--gateway ${c.gateway}`);
    for (const [k, v] of Object.entries(c.auxAddresses ?? {})) a.push(`--aux-address ${k}=${v}`);
  }
  if (r.internal) a.push('--internal');
  if (r.attachable) a.push('--attachable');
  if (r.enableIpv6) a.push('--ipv6');
  for (const [k, v] of Object.entries(r.options ?? {})) a.push(`-o ${k}=${v}`);
  a.push(r.name);
  return a.join(' ');
}

function describeRun(r: RunRequest): string {
  const a = ['docker run -d', `--name ${r.name}`];
  if (r.networkMode) a.push(`--network ${r.networkMode}`);
  if (r.endpoint?.ipv4Address) a.push(`--ip ${r.endpoint.ipv4Address}`);
  if (r.endpoint?.ipv6Address) a.push(`--ip6 ${r.endpoint.ipv6Address}`);
  for (const al of r.endpoint?.aliases ?? []) a.push(`--network-alias ${al}`);
  if (r.endpoint?.macAddress) a.push(`--mac-address ${r.endpoint.macAddress}`);
  if (r.hostname) a.push(`--hostname ${r.hostname}`);
  for (const p of r.ports ?? []) a.push(`-p ${p}`);
  for (const e of r.expose ?? []) a.push(`--expose ${e}`);
  a.push(r.image, ...(r.cmd ?? []));
  return a.join(' ');
}

function describeConnect(network: string, container: string, c: EndpointConfig): string {
  const a = ['docker network connect'];
  if (c.ipv4Address) a.push(`--ip ${c.ipv4Address}`);
  if (c.ipv6Address) a.push(`--ip6 ${c.ipv6Address}`);
  for (const al of c.aliases ?? []) a.push(`--alias ${al}`);
  a.push(network, container);
  return a.join(' ');
}

export interface ApplyProgress {
  index: number;
  total: number;
  step: PlanStep;
  state: 'running' | 'done' | 'failed';
  error?: string;
}

export interface ApplyResult {
  /** Steps that succeeded, in order. */
  done: number;
  /** The step that failed (nothing after it was run). */
  failed: { index: number; step: PlanStep; error: string } | null;
}

/** Runs the plan in order; stops at the first error. Never throws for a Docker refusal. */
export async function applyPlan(client: DockerClient, plan: Plan, onProgress?: (p: ApplyProgress) => void, signal?: { cancelled: boolean }): Promise<ApplyResult> {
  let done = 0;
  for (const [index, step] of plan.steps.entries()) {
    if (signal?.cancelled) return { done, failed: { index, step, error: 'cancelled' } };
    onProgress?.({ index, total: plan.steps.length, step, state: 'running' });
    try {
      if (step.op === 'create-network') await createNetwork(client, step.request);
      else if (step.op === 'run-container') await runContainer(client, step.request);
      else await connectContainer(client, step.network, step.container, step.config);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      onProgress?.({ index, total: plan.steps.length, step, state: 'failed', error });
      return { done, failed: { index, step, error } };
    }
    done++;
    onProgress?.({ index, total: plan.steps.length, step, state: 'done' });
  }
  return { done, failed: null };
}
