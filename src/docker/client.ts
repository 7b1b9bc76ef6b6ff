// DockerClient on dockerode. The only module that touches dockerode: every answer goes through
// validate.ts, every refusal becomes a DockerApiError with Docker's own text.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Duplex, PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { describeEndpoint, resolveEndpoint, sshDialCommand, type DockerEndpoint } from './connection';
import {
  DockerApiError,
  MalformedAnswerError,
  UnreachableError,
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
} from './types';
import { parseContainerInspect, parseEvent, parseNetworkInspect, parseVersionAnswer } from './validate';
import { portBindingsFromSpecs } from './portSpecs';

/** Connects to ENDPOINT (or DOCKER_HOST / the current context). Does not contact the daemon yet. */
export function connectDocker(endpoint?: string | DockerEndpoint, opts: { timeoutMs?: number; concurrency?: number } = {}): DockerClient {
  const ep = typeof endpoint === 'object' ? endpoint : resolveEndpoint(endpoint);
  // Requests in flight while reading a host. Each ssh connection is an ssh session: few at a time
  // (sshd's MaxStartups drops bursts); a TLS connection costs a handshake; a local socket is cheap,
  // and 200 container inspects measured fastest with many in flight (bench/import.bench.ts).
  const concurrency = opts.concurrency ?? (ep.kind === 'ssh' ? 4 : ep.kind === 'unix' ? 64 : 16);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const reader = ep.kind === 'unix' ? new LocalSocketReader(ep.socketPath, timeoutMs, concurrency) : null;
  return new DockerodeClient(new Docker(dockerodeOptions(ep, timeoutMs)), describeEndpoint(ep), concurrency, ep.kind === 'unix', reader);
}

/**
 * GETs of JSON answers straight over the local socket, on one keep-alive agent: every read of a
 * snapshot (version, network list, container list, inspects). Reading a host is hundreds of
 * inspects; through dockerode each costs noticeably more (measured: 200 container inspects, 64 in
 * flight, median 278 ms through dockerode against 174 ms here). Errors look like dockerode's
 * (statusCode + json), so toDockerError reads them the same way.
 */
class LocalSocketReader {
  private readonly agent: HttpAgent;

  constructor(
    private readonly socketPath: string,
    private readonly timeoutMs: number,
    maxSockets: number,
  ) {
    // After a burst of inspects a few connections stay open for the next one; idle ones close.
    this.agent = new HttpAgent({ keepAlive: true, maxSockets, maxFreeSockets: 8, timeout: 10_000 });
  }

  get(path: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ socketPath: this.socketPath, path, method: 'GET', agent: this.agent, headers: { Accept: 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = text === '' ? null : JSON.parse(text);
          } catch {
            if ((res.statusCode ?? 0) < 400) return reject(new MalformedAnswerError(`GET ${path}: the answer is not JSON`));
          }
          if ((res.statusCode ?? 0) >= 400) return reject(Object.assign(new Error(text.trim() || `HTTP ${res.statusCode}`), { statusCode: res.statusCode, json, reason: res.statusMessage }));
          resolve(json);
        });
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end();
    });
  }
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
        this.destroy(new UnreachableError(`ssh ${this.host}: ${this.stderr.trim() || `exited with ${code}`}`));
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

/** Docker's answer to a refused request: its `message`, else the transport's error. */
export function toDockerError(err: unknown, what: string): Error {
  if (err instanceof DockerApiError || err instanceof MalformedAnswerError || err instanceof UnreachableError) return err;
  const e = err as { statusCode?: unknown; json?: unknown; message?: unknown; code?: unknown; reason?: unknown };
  if (typeof e?.statusCode === 'number') {
    const json = e.json as { message?: unknown } | null | undefined;
    const msg = json && typeof json.message === 'string' ? json.message : typeof e.reason === 'string' ? e.reason : String(e.message);
    return new DockerApiError(msg, e.statusCode);
  }
  const code = typeof e?.code === 'string' ? e.code : '';
  if (['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE'].includes(code)) {
    return new UnreachableError(`${what}: cannot reach Docker (${code}: ${String(e.message)})`);
  }
  return new UnreachableError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toDockerError(err, what);
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

const FOLLOWED_EVENTS = { type: ['network', 'container'] as ('network' | 'container')[], event: ['create', 'destroy', 'connect', 'disconnect', 'start', 'die', 'rename'] };

class DockerodeClient implements DockerClient {
  constructor(
    private readonly docker: Docker,
    readonly description: string,
    private readonly concurrency: number,
    readonly local: boolean,
    /** The local socket's fast path for the reads of a snapshot (null: dockerode for everything). */
    private readonly reader: LocalSocketReader | null = null,
  ) {}

  async ping(): Promise<void> {
    await call('ping', () => this.docker.ping());
  }

  async daemon(): Promise<DaemonInfo> {
    return parseVersionAnswer(await call('docker version', () => (this.reader ? this.reader.get('/version') : this.docker.version())));
  }

  async networks(): Promise<NetworkInfo[]> {
    // The list carries everything `network inspect` does except the members (which the containers'
    // own inspect gives; see snapshot.ts): one request instead of one per network, the costliest ones.
    const list: unknown = await call('network ls', () => (this.reader ? this.reader.get('/networks') : this.docker.listNetworks()));
    if (!Array.isArray(list)) throw new MalformedAnswerError(`network ls: expected a list, got ${typeof list}`);
    return list.map((n) => parseNetworkInspect(n));
  }

  async images(): Promise<ImageSummary[]> {
    const list: unknown = await call('image ls', () => this.docker.listImages());
    if (!Array.isArray(list)) throw new MalformedAnswerError(`image ls: expected a list, got ${typeof list}`);
    return list.map((raw, i) => {
      const o = raw as { Id?: unknown; RepoTags?: unknown; Created?: unknown; Size?: unknown } | null;
      if (typeof o?.Id !== 'string') throw new MalformedAnswerError(`image ls: entry ${i} has no Id`);
      // Docker lists an untagged image as "<none>:<none>" (or RepoTags null).
      const tags = Array.isArray(o.RepoTags) ? o.RepoTags.filter((t): t is string => typeof t === 'string' && t !== '<none>:<none>') : [];
      return { id: o.Id, tags, created: typeof o.Created === 'number' ? o.Created : 0, size: typeof o.Size === 'number' ? o.Size : 0 };
    });
  }

  async containers(): Promise<ContainerInfo[]> {
    const list: unknown = await call('ps', () => (this.reader ? this.reader.get('/containers/json?all=1') : this.docker.listContainers({ all: true })));
    if (!Array.isArray(list)) throw new MalformedAnswerError(`ps: expected a list, got ${typeof list}`);
    const ids = list.map((c, i) => {
      const id = (c as { Id?: unknown } | null)?.Id;
      if (typeof id !== 'string') throw new MalformedAnswerError(`ps: entry ${i} has no Id`);
      return id;
    });
    const found = await mapLimit(ids, this.concurrency, (id) => this.inspectContainer(id).catch((e) => (e instanceof DockerApiError && e.status === 404 ? null : Promise.reject(e))));
    return found.filter((c): c is ContainerInfo => c !== null);
  }

  async inspectNetwork(nameOrId: string): Promise<NetworkInfo> {
    return parseNetworkInspect(await call(`network inspect ${nameOrId}`, () => this.docker.getNetwork(nameOrId).inspect()));
  }

  async inspectContainer(nameOrId: string): Promise<ContainerInfo> {
    const reader = this.reader;
    return parseContainerInspect(
      await call(`inspect ${nameOrId}`, () => (reader ? reader.get(`/containers/${encodeURIComponent(nameOrId)}/json`) : this.docker.getContainer(nameOrId).inspect())),
    );
  }

  async events(onEvent: (e: DockerEvent) => void, onEnd: (err: Error | null) => void): Promise<EventSubscription> {
    const stream = await call('events', () => this.docker.getEvents({ filters: FOLLOWED_EVENTS }));
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
    stream.on('error', (err: Error) => end(toDockerError(err, 'events')));
    stream.on('end', () => end(null));
    stream.on('close', () => end(null));
    return {
      close: () => {
        ended = true;
        (stream as unknown as { destroy?: () => void }).destroy?.();
      },
    };
  }

  async createNetwork(o: NetworkCreateOptions): Promise<{ id: string; warning: string | null }> {
    const body = {
      Name: o.name,
      CheckDuplicate: true,
      Driver: o.driver ?? 'bridge',
      Internal: o.internal ?? false,
      Attachable: o.attachable ?? false,
      Ingress: o.ingress ?? false,
      EnableIPv6: o.enableIpv6 ?? false,
      IPAM: {
        Driver: o.ipamDriver ?? 'default',
        Options: o.ipamOptions ?? {},
        Config: (o.ipamConfig ?? []).map((c) => ({
          Subnet: c.subnet,
          ...(c.gateway ? { Gateway: c.gateway } : {}),
          ...(c.ipRange ? { IPRange: c.ipRange } : {}),
          ...(Object.keys(c.auxAddresses).length > 0 ? { AuxiliaryAddresses: c.auxAddresses } : {}),
        })),
      },
      Options: o.options ?? {},
      Labels: o.labels ?? {},
    };
    const net = await call(`network create ${o.name}`, () => this.docker.createNetwork(body));
    // dockerode returns a Network object; the create answer's warning is not kept by it.
    const id = (net as { id?: unknown }).id;
    if (typeof id !== 'string') throw new MalformedAnswerError(`network create ${o.name}: no Id in the answer`);
    return { id, warning: null };
  }

  async removeNetwork(nameOrId: string): Promise<void> {
    await call(`network rm ${nameOrId}`, () => this.docker.getNetwork(nameOrId).remove());
  }

  async connect(network: string, container: string, o: ConnectOptions = {}): Promise<void> {
    const ipam = { ...(o.ipv4Address ? { IPv4Address: o.ipv4Address } : {}), ...(o.ipv6Address ? { IPv6Address: o.ipv6Address } : {}) };
    const endpoint = { ...(Object.keys(ipam).length > 0 ? { IPAMConfig: ipam } : {}), ...(o.aliases?.length ? { Aliases: o.aliases } : {}) };
    await call(`network connect ${network} ${container}`, () => this.docker.getNetwork(network).connect({ Container: container, EndpointConfig: endpoint }));
  }

  async disconnect(network: string, container: string, force = false): Promise<void> {
    await call(`network disconnect ${network} ${container}`, () => this.docker.getNetwork(network).disconnect({ Container: container, Force: force }));
  }

  async runContainer(o: RunContainerOptions): Promise<{ id: string; warnings: string[] }> {
    const { exposed, bindings } = portBindingsFromSpecs(o.ports ?? [], o.expose ?? []);
    const mode = o.networkMode ?? 'default';
    const ep = o.endpoint ?? {};
    const ipam = { ...(ep.ipv4Address ? { IPv4Address: ep.ipv4Address } : {}), ...(ep.ipv6Address ? { IPv6Address: ep.ipv6Address } : {}) };
    const endpointConfig = { ...(Object.keys(ipam).length > 0 ? { IPAMConfig: ipam } : {}), ...(ep.aliases?.length ? { Aliases: ep.aliases } : {}) };
    const isNetworkName = !['default', 'bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:');
    const createBody: Docker.ContainerCreateOptions = {
      name: o.name,
      Image: o.image,
      ...(o.cmd ? { Cmd: o.cmd } : {}),
      ...(o.hostname ? { Hostname: o.hostname } : {}),
      ...(ep.macAddress ? { MacAddress: ep.macAddress } : {}),
      ExposedPorts: exposed,
      Labels: o.labels ?? {},
      HostConfig: { NetworkMode: mode, PortBindings: bindings },
      ...(Object.keys(endpointConfig).length > 0 ? { NetworkingConfig: { EndpointsConfig: { [isNetworkName ? mode : mode === 'default' ? 'bridge' : mode]: endpointConfig } } } : {}),
    };
    const container = await call(`create ${o.name}`, () => this.docker.createContainer(createBody));
    await call(`start ${o.name}`, () => container.start());
    return { id: container.id, warnings: [] };
  }

  async removeContainer(nameOrId: string, force = false): Promise<void> {
    await call(`rm ${nameOrId}`, () => this.docker.getContainer(nameOrId).remove({ force }));
  }

  async exec(container: string, argv: string[], opts: { timeoutMs?: number } = {}): Promise<ExecResult> {
    const what = `exec ${container} ${argv[0] ?? ''}`;
    const exec = await call(what, () => this.docker.getContainer(container).exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false }));
    const stream = await call(what, () => exec.start({ hijack: true, stdin: false }));
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
      const info = (await call(what, () => exec.inspect())) as { ExitCode?: unknown; Running?: unknown };
      if (info.Running !== true && typeof info.ExitCode === 'number') return { exitCode: info.ExitCode, stdout, stderr, timedOut: false };
      if (attempt >= 20) return { exitCode: null, stdout, stderr, timedOut: false };
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
