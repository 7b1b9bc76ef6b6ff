// DockerClient on dockerode. The only module that touches dockerode: every answer goes through
// validate.ts, every refusal becomes a DockerApiError with Docker's own text.
import { checkManagerListed, parseNodes, parseServices, parseSwarmState, parseTasks } from './swarmAnswers';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Duplex, PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { describeEndpoint, resolveEndpoint, sshDialCommand, type DockerEndpoint } from './connection';
import {
  CancelledError,
  DockerApiError,
  MalformedAnswerError,
  UnreachableError,
  type CallOptions,
  type ConnectOptions,
  type ContainerInfo,
  type DaemonInfo,
  type DockerClient,
  type DockerEvent,
  type EventSubscription,
  type ExecResult,
  type ImageSummary,
  type NetworkCreateOptions,
  type NetworkInfo,
  type RunContainerOptions,
  type SwarmInfo,
} from './types';
import { parseContainerInspect, parseEvent, parseNetworkInspect, parseVersionAnswer } from './validate';
import { portBindingsFromSpecs } from './portSpecs';
import { DockerHttp, transportError, type HttpTarget } from './transport';

/** Connects to ENDPOINT (or DOCKER_HOST / the current context). Does not contact the daemon yet. */
export function connectDocker(
  endpoint?: string | DockerEndpoint,
  opts: { timeoutMs?: number; concurrency?: number; maxResponseBytes?: number } = {},
): DockerClient {
  const ep = typeof endpoint === 'object' ? endpoint : resolveEndpoint(endpoint);
  // Requests in flight while reading a host. Each ssh connection is an ssh session: few at a time
  // (sshd's MaxStartups drops bursts); a TLS connection costs a handshake; a local socket is cheap,
  // and 200 container inspects measured fastest with many in flight (bench/import.bench.ts).
  const concurrency = opts.concurrency ?? (ep.kind === 'ssh' ? 4 : ep.kind === 'unix' ? 64 : 16);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const http = new DockerHttp(httpTarget(ep, concurrency), timeoutMs, opts.maxResponseBytes);
  return new DockerodeClient(() => new (loadDockerode())(dockerodeOptions(ep, timeoutMs)), http, describeEndpoint(ep), concurrency, ep.kind === 'unix');
}

/**
 * Every request but exec's hijacked stream goes through DockerHttp (deadline, cancel, size cap).
 * After a burst of inspects a few connections stay open for the next one; idle ones close. Reading a
 * host is hundreds of inspects; through dockerode each cost noticeably more (measured: 200 container
 * inspects, 64 in flight, median 278 ms through dockerode against 174 ms on a keep-alive agent).
 */
function httpTarget(ep: DockerEndpoint, maxSockets: number): HttpTarget {
  switch (ep.kind) {
    case 'unix':
      return { socketPath: ep.socketPath, agent: new HttpAgent({ keepAlive: true, maxSockets, maxFreeSockets: 8, timeout: 10_000 }), pingAgent: new HttpAgent({ keepAlive: true, maxSockets: 1, timeout: 10_000 }) };
    case 'tcp': {
      if (!ep.tls) return { host: ep.host, port: ep.port, agent: new HttpAgent({ keepAlive: true, maxSockets, maxFreeSockets: 8, timeout: 10_000 }), pingAgent: new HttpAgent({ keepAlive: true, maxSockets: 1, timeout: 10_000 }) };
      const tls = { ...(ep.tls.ca ? { ca: ep.tls.ca } : {}), ...(ep.tls.cert ? { cert: ep.tls.cert } : {}), ...(ep.tls.key ? { key: ep.tls.key } : {}), rejectUnauthorized: ep.tls.verify };
      const agent = (max: number) => new HttpsAgent({ ...tls, keepAlive: true, maxSockets: max, maxFreeSockets: Math.min(max, 8), timeout: 10_000 });
      return { host: ep.host, port: ep.port, https: true, tls, ...(ep.tls.dir ? { tlsDir: ep.tls.dir } : {}), agent: agent(maxSockets), pingAgent: agent(1) };
    }
    case 'ssh': {
      const agent = new SshDialAgent(ep);
      return { host: 'docker', port: 80, agent, streamAgent: agent, pingAgent: agent };
    }
  }
}

/**
 * dockerode (with ssh2, grpc and protobufjs behind it) costs ~100 ms to load and only exec's hijacked
 * stream uses it: it is loaded on the first exec, so reading a host (`cnm inspect --docker`, import)
 * never pays for it.
 */
function loadDockerode(): typeof Docker {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('dockerode') as typeof Docker;
}

function dockerodeOptions(ep: DockerEndpoint, timeout: number): Docker.DockerOptions {
  switch (ep.kind) {
    case 'unix':
      return { socketPath: ep.socketPath, timeout };
    case 'tcp': {
      if (!ep.tls) return { host: ep.host, port: ep.port, protocol: 'http', timeout };
      const material = { ...(ep.tls.ca ? { ca: ep.tls.ca } : {}), ...(ep.tls.cert ? { cert: ep.tls.cert } : {}), ...(ep.tls.key ? { key: ep.tls.key } : {}) };
      const agent = new HttpsAgent({ ...material, rejectUnauthorized: ep.tls.verify, keepAlive: true });
      return { host: ep.host, port: ep.port, protocol: 'https', timeout, ...material, ...({ agent } as object) };
    }
    case 'ssh':
      // Plain HTTP over the stdin/stdout of `ssh host docker system dial-stdio`.
      return { host: 'docker', port: 80, protocol: 'http', timeout, ...({ agent: new SshDialAgent(ep) } as object) };
  }
}

/** An http.Agent whose connections are `ssh … docker system dial-stdio` processes. */
export class SshDialAgent extends HttpAgent {
  constructor(private readonly ep: Extract<DockerEndpoint, { kind: 'ssh' }>) {
    super({ keepAlive: false });
  }

  override createConnection(): Duplex {
    const { file, args } = sshDialCommand(this.ep);
    return new ChildProcessSocket(file, args, this.ep.host);
  }
}

/**
 * A child's stdin/stdout as the socket of one HTTP connection. The end of the stream waits for the
 * child to exit, so that an ssh failure is reported with ssh's own message rather than "socket hang up".
 */
class ChildProcessSocket extends Duplex {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private gotData = false;

  constructor(file: string, args: string[], private readonly host: string) {
    super();
    this.child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    this.child.stdout.on('data', (d: Buffer) => {
      this.gotData = true;
      if (!this.push(d)) this.child.stdout.pause();
    });
    this.child.stdin.on('error', () => undefined); // EPIPE when ssh died: reported on close below
    this.child.on('error', (err) => this.destroy(new UnreachableError(`cannot run ${file}: ${err.message}`)));
    this.child.on('close', (code) => {
      if (code !== 0 && code !== null && !this.gotData) {
        const said = this.stderr.trim();
        // ssh's own words first; then what to do about a host key it does not know (BatchMode never asks).
        const hint = /Host key verification failed/.test(said) ? ` (check the host's key and add it to known_hosts, e.g. by \`ssh ${this.host}\` once in a terminal)` : '';
        this.destroy(new UnreachableError(`ssh ${this.host}: ${said || `exited with ${code}`}${hint}`));
      } else this.push(null);
    });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.child.stdin.writable) this.child.stdin.write(chunk, () => cb());
    else cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.child.stdin.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.child.exitCode === null) this.child.kill();
    cb(err);
  }

  // http.ClientRequest may call these socket methods.
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

/** A dockerode call bounded by a deadline and the caller's signal (dockerode's own timeout is an idle one). */
async function withDeadline<T>(what: string, ms: number, outer: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (outer?.aborted) throw new CancelledError(`${what}: cancelled`);
  const ac = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(new UnreachableError(`${what}: no answer from Docker within ${Math.round(ms / 1000)} s`));
    }, ms);
    onAbort = () => {
      ac.abort();
      reject(new CancelledError(`${what}: cancelled`));
    };
    outer?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([fn(ac.signal), stop]);
  } catch (err) {
    const e = err as { statusCode?: unknown; json?: { message?: unknown } | null };
    if (typeof e?.statusCode === 'number') throw new DockerApiError(typeof e.json?.message === 'string' ? e.json.message : String((err as Error).message), e.statusCode);
    throw transportError(err, what);
  } finally {
    clearTimeout(timer);
    if (onAbort) outer?.removeEventListener('abort', onAbort);
  }
}

/** Runs at most `limit` promises at once (inspecting 200 objects in parallel would flood the socket). */
async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

// Swarm objects too: a manager reports service and node changes (a task's container is a container event
// on its own node only), so a service scaled or a node drained refreshes the picture.
const FOLLOWED_EVENTS = { type: ['network', 'container', 'service', 'node'], event: ['create', 'destroy', 'connect', 'disconnect', 'start', 'die', 'rename', 'exec_start', 'update', 'remove'] };

class DockerodeClient implements DockerClient {
  constructor(
    /** Only for exec's hijacked stream (attach and demultiplex): made on the first exec. */
    private readonly makeDocker: () => Docker,
    private readonly http: DockerHttp,
    readonly description: string,
    private readonly concurrency: number,
    readonly local: boolean,
  ) {}

  private dockerode: Docker | undefined;

  private get docker(): Docker {
    return (this.dockerode ??= this.makeDocker());
  }

  private get(what: string, path: string, o?: CallOptions): Promise<unknown> {
    return this.http.request(what, path, { ...o });
  }

  private post(what: string, path: string, body: unknown, o?: CallOptions): Promise<unknown> {
    return this.http.request(what, path, { ...o, method: 'POST', ...(body === undefined ? {} : { body }) });
  }

  async ping(o?: CallOptions): Promise<void> {
    // "OK": a few bytes; anything long is not a Docker daemon's answer.
    const answer = await this.http.request('ping', '/_ping', { ...o, json: false, maxBytes: 4096, liveness: true });
    if (typeof answer !== 'string' || answer.trim() !== 'OK') throw new MalformedAnswerError(`ping: expected "OK", got ${JSON.stringify(String(answer).slice(0, 60))}`);
  }

  async daemon(o?: CallOptions): Promise<DaemonInfo> {
    return parseVersionAnswer(await this.get('docker version', '/version', o));
  }

  async swarm(o?: CallOptions): Promise<SwarmInfo> {
    const state = parseSwarmState(await this.get('docker info', '/info', o));
    if (state.localState !== 'active' || !state.manager) return { ...state, nodes: [], services: [], tasks: [] };
    // Tasks still meant to run (docker service ps without the history of replaced ones).
    const filter = encodeURIComponent(JSON.stringify({ 'desired-state': ['running'] }));
    const [nodes, services, tasks] = await Promise.all([
      this.get('node ls', '/nodes', o).then(parseNodes),
      this.get('service ls', '/services', o).then(parseServices),
      this.get('service ps', `/tasks?filters=${filter}`, o).then(parseTasks),
    ]);
    checkManagerListed(state.nodeId, nodes);
    return { ...state, nodes, services, tasks };
  }

  async networks(o?: CallOptions): Promise<NetworkInfo[]> {
    // The list carries everything `network inspect` does except the members (which the containers'
    // own inspect gives; see snapshot.ts): one request instead of one per network, the costliest ones.
    const list: unknown = await this.get('network ls', '/networks', o);
    if (!Array.isArray(list)) throw new MalformedAnswerError(`network ls: expected a list, got ${typeof list}`);
    return list.map((n) => parseNetworkInspect(n));
  }

  async images(o?: CallOptions): Promise<ImageSummary[]> {
    const list: unknown = await this.get('image ls', '/images/json', o);
    if (!Array.isArray(list)) throw new MalformedAnswerError(`image ls: expected a list, got ${typeof list}`);
    return list.map((raw, i) => {
      const e = raw as { Id?: unknown; RepoTags?: unknown; Created?: unknown; Size?: unknown } | null;
      if (typeof e?.Id !== 'string') throw new MalformedAnswerError(`image ls: entry ${i} has no Id`);
      // Docker lists an untagged image as "<none>:<none>" (or RepoTags null).
      const tags = Array.isArray(e.RepoTags) ? e.RepoTags.filter((t): t is string => typeof t === 'string' && t !== '<none>:<none>') : [];
      return { id: e.Id, tags, created: typeof e.Created === 'number' ? e.Created : 0, size: typeof e.Size === 'number' ? e.Size : 0 };
    });
  }

  async containers(o?: CallOptions): Promise<ContainerInfo[]> {
    const list: unknown = await this.get('ps', '/containers/json?all=1', o);
    if (!Array.isArray(list)) throw new MalformedAnswerError(`ps: expected a list, got ${typeof list}`);
    const ids = list.map((c, i) => {
      const id = (c as { Id?: unknown } | null)?.Id;
      if (typeof id !== 'string') throw new MalformedAnswerError(`ps: entry ${i} has no Id`);
      return id;
    });
    const found = await mapLimit(ids, this.concurrency, (id) => this.inspectContainer(id, o).catch((e) => (e instanceof DockerApiError && e.status === 404 ? null : Promise.reject(e))));
    return found.filter((c): c is ContainerInfo => c !== null);
  }

  async inspectNetwork(nameOrId: string, o?: CallOptions): Promise<NetworkInfo> {
    return parseNetworkInspect(await this.get(`network inspect ${nameOrId}`, `/networks/${encodeURIComponent(nameOrId)}`, o));
  }

  async inspectContainer(nameOrId: string, o?: CallOptions): Promise<ContainerInfo> {
    return parseContainerInspect(await this.get(`inspect ${nameOrId}`, `/containers/${encodeURIComponent(nameOrId)}/json`, o));
  }

  async events(onEvent: (e: DockerEvent) => void, onEnd: (err: Error | null) => void, o?: CallOptions): Promise<EventSubscription> {
    // No idle timeout: a quiet daemon sends nothing for hours. Its liveness is the watcher's ping.
    const stream = await this.http.stream('events', `/events?filters=${encodeURIComponent(JSON.stringify(FOLLOWED_EVENTS))}`, o);
    let buffer = '';
    let ended = false;
    const end = (err: Error | null) => {
      if (ended) return;
      ended = true;
      onEnd(err);
    };
    stream.on('data', (chunk: Buffer | string) => {
      buffer += chunk.toString();
      let nl: number;
      // The stream is JSON objects separated by newlines; a chunk may hold several or half of one.
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line === '') continue;
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch {
          continue; // one garbled line must not end the subscription
        }
        const e = parseEvent(json);
        if (e) onEvent(e);
      }
      if (buffer.length > 1_000_000) buffer = ''; // a runaway line without newline
    });
    stream.on('error', (err: Error) => end(transportError(err, 'events')));
    stream.on('end', () => end(null));
    stream.on('close', () => end(null));
    return {
      close: () => {
        ended = true;
        stream.destroy();
      },
    };
  }

  async createNetwork(n: NetworkCreateOptions, o?: CallOptions): Promise<{ id: string; warning: string | null }> {
    const body = {
      Name: n.name,
      CheckDuplicate: true,
      Driver: n.driver ?? 'bridge',
      Internal: n.internal ?? false,
      Attachable: n.attachable ?? false,
      Ingress: n.ingress ?? false,
      EnableIPv6: n.enableIpv6 ?? false,
      IPAM: {
        Driver: n.ipamDriver ?? 'default',
        Options: n.ipamOptions ?? {},
        Config: (n.ipamConfig ?? []).map((c) => ({
          Subnet: c.subnet,
          ...(c.gateway ? { Gateway: c.gateway } : {}),
          ...(c.ipRange ? { IPRange: c.ipRange } : {}),
          ...(Object.keys(c.auxAddresses).length > 0 ? { AuxiliaryAddresses: c.auxAddresses } : {}),
        })),
      },
      Options: n.options ?? {},
      Labels: n.labels ?? {},
    };
    const answer = (await this.post(`network create ${n.name}`, '/networks/create', body, o)) as { Id?: unknown; Warning?: unknown } | null;
    if (typeof answer?.Id !== 'string') throw new MalformedAnswerError(`network create ${n.name}: no Id in the answer`);
    return { id: answer.Id, warning: typeof answer.Warning === 'string' && answer.Warning !== '' ? answer.Warning : null };
  }

  async removeNetwork(nameOrId: string, o?: CallOptions): Promise<void> {
    await this.http.request(`network rm ${nameOrId}`, `/networks/${encodeURIComponent(nameOrId)}`, { ...o, method: 'DELETE' });
  }

  async connect(network: string, container: string, c: ConnectOptions = {}, o?: CallOptions): Promise<void> {
    const ipam = { ...(c.ipv4Address ? { IPv4Address: c.ipv4Address } : {}), ...(c.ipv6Address ? { IPv6Address: c.ipv6Address } : {}) };
    const endpoint = { ...(Object.keys(ipam).length > 0 ? { IPAMConfig: ipam } : {}), ...(c.aliases?.length ? { Aliases: c.aliases } : {}) };
    await this.post(`network connect ${network} ${container}`, `/networks/${encodeURIComponent(network)}/connect`, { Container: container, EndpointConfig: endpoint }, o);
  }

  async disconnect(network: string, container: string, force = false, o?: CallOptions): Promise<void> {
    await this.post(`network disconnect ${network} ${container}`, `/networks/${encodeURIComponent(network)}/disconnect`, { Container: container, Force: force }, o);
  }

  async runContainer(r: RunContainerOptions, o?: CallOptions): Promise<{ id: string; warnings: string[] }> {
    const { exposed, bindings } = portBindingsFromSpecs(r.ports ?? [], r.expose ?? []);
    const mode = r.networkMode ?? 'default';
    const ep = r.endpoint ?? {};
    const ipam = { ...(ep.ipv4Address ? { IPv4Address: ep.ipv4Address } : {}), ...(ep.ipv6Address ? { IPv6Address: ep.ipv6Address } : {}) };
    const endpointConfig = { ...(Object.keys(ipam).length > 0 ? { IPAMConfig: ipam } : {}), ...(ep.aliases?.length ? { Aliases: ep.aliases } : {}) };
    const isNetworkName = !['default', 'bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:');
    const createBody = {
      Image: r.image,
      ...(r.cmd ? { Cmd: r.cmd } : {}),
      ...(r.hostname ? { Hostname: r.hostname } : {}),
      ...(ep.macAddress ? { MacAddress: ep.macAddress } : {}),
      ExposedPorts: exposed,
      Labels: r.labels ?? {},
      HostConfig: { NetworkMode: mode, PortBindings: bindings },
      ...(Object.keys(endpointConfig).length > 0 ? { NetworkingConfig: { EndpointsConfig: { [isNetworkName ? mode : mode === 'default' ? 'bridge' : mode]: endpointConfig } } } : {}),
    };
    const created = (await this.post(`create ${r.name}`, `/containers/create?name=${encodeURIComponent(r.name)}`, createBody, o)) as { Id?: unknown; Warnings?: unknown } | null;
    if (typeof created?.Id !== 'string') throw new MalformedAnswerError(`create ${r.name}: no Id in the answer`);
    await this.post(`start ${r.name}`, `/containers/${encodeURIComponent(created.Id)}/start`, undefined, o);
    const warnings = Array.isArray(created.Warnings) ? created.Warnings.filter((w): w is string => typeof w === 'string') : [];
    return { id: created.Id, warnings };
  }

  async removeContainer(nameOrId: string, force = false, o?: CallOptions): Promise<void> {
    await this.http.request(`rm ${nameOrId}`, `/containers/${encodeURIComponent(nameOrId)}${force ? '?force=1' : ''}`, { ...o, method: 'DELETE' });
  }

  async exec(container: string, argv: string[], opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ExecResult> {
    const what = `exec ${container} ${argv[0] ?? ''}`;
    const o: CallOptions = opts.signal ? { signal: opts.signal } : {};
    const created = (await this.post(what, `/containers/${encodeURIComponent(container)}/exec`, { Cmd: argv, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false }, o)) as { Id?: unknown } | null;
    if (typeof created?.Id !== 'string') throw new MalformedAnswerError(`${what}: no exec Id in the answer`);
    const execId = created.Id;
    const exec = this.docker.getExec(execId);
    // The attach is a hijacked connection (dockerode's): its own deadline, since it may never answer.
    const stream = await withDeadline(what, this.http.timeoutMs, opts.signal, (signal) => exec.start({ hijack: true, stdin: false, abortSignal: signal }));
    const out = new PassThrough(), err = new PassThrough();
    let stdout = '', stderr = '';
    out.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-64_000)));
    err.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-64_000)));
    this.docker.modem.demuxStream(stream, out, err);
    // The command's own time bound (ping -W, nc -w) ends it; this one guards against a hung exec.
    const timedOut = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        resolve(true);
      }, opts.timeoutMs ?? 15_000);
      const done = () => {
        clearTimeout(timer);
        resolve(false);
      };
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', done);
    });
    if (timedOut) return { exitCode: null, stdout, stderr, timedOut };
    // The stream may end a moment before dockerd records the exit code.
    for (let attempt = 0; ; attempt++) {
      const info = (await this.get(what, `/exec/${encodeURIComponent(execId)}/json`, o)) as { ExitCode?: unknown; Running?: unknown } | null;
      if (info?.Running !== true && typeof info?.ExitCode === 'number') return { exitCode: info.ExitCode, stdout, stderr, timedOut: false };
      if (attempt >= 20) return { exitCode: null, stdout, stderr, timedOut: false };
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
