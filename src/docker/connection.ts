// Where the Docker host is: an explicit ENDPOINT, DOCKER_HOST (+ DOCKER_TLS_VERIFY / DOCKER_CERT_PATH),
// or the docker CLI's current context — the same order the docker CLI uses. Pure resolution over an
// injected environment and file reader, so it is testable without a home directory or a daemon.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

export const DEFAULT_UNIX_SOCKET = '/var/run/docker.sock';

export interface TlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
  /** false = DOCKER_TLS_VERIFY unset / context SkipTLSVerify: encrypt but do not check the server. */
  verify: boolean;
  /** The folder the files came from (DOCKER_CERT_PATH, ~/.docker, the context's TLS folder), for messages. */
  dir?: string;
  /** Why the daemon's certificate is not checked (verify false): said to the user, never silent. */
  unverified?: string;
}

export type DockerEndpoint =
  | { kind: 'unix'; socketPath: string; source: EndpointSource }
  | { kind: 'tcp'; host: string; port: number; tls: TlsMaterial | null; source: EndpointSource }
  | { kind: 'ssh'; host: string; user?: string; port?: number; socketPath?: string; source: EndpointSource };

/** Where the endpoint came from, for the status bar and error messages. */
export interface EndpointSource {
  from: 'explicit' | 'DOCKER_HOST' | 'context' | 'default';
  /** The docker context's name when from = context. */
  context?: string;
}

/** What resolution may read: the environment and files (both injectable for tests). */
export interface ConnectionEnv {
  env: Record<string, string | undefined>;
  readFile(path: string): string | null;
  /** ~/.docker, or DOCKER_CONFIG. */
  configDir: string;
}

export function processConnectionEnv(): ConnectionEnv {
  return {
    env: process.env,
    readFile: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return null;
      }
    },
    configDir: process.env.DOCKER_CONFIG || join(homedir(), '.docker'),
  };
}

export class EndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EndpointError';
  }
}

/** Explicit ENDPOINT > DOCKER_HOST > DOCKER_CONTEXT / current context > unix:///var/run/docker.sock. */
export function resolveEndpoint(explicit: string | undefined, cenv: ConnectionEnv = processConnectionEnv()): DockerEndpoint {
  if (explicit !== undefined && explicit !== '') return parseDockerHost(explicit, tlsFromEnv(cenv), { from: 'explicit' });
  const dockerHost = cenv.env.DOCKER_HOST;
  if (dockerHost) return parseDockerHost(dockerHost, tlsFromEnv(cenv), { from: 'DOCKER_HOST' });
  const contextName = cenv.env.DOCKER_CONTEXT || currentContextName(cenv);
  if (contextName && contextName !== 'default') return contextEndpoint(contextName, cenv);
  return { kind: 'unix', socketPath: DEFAULT_UNIX_SOCKET, source: { from: 'default' } };
}

/**
 * DOCKER_TLS_VERIFY / DOCKER_TLS / DOCKER_CERT_PATH, as the docker CLI and its Go client read them:
 * DOCKER_TLS_VERIFY set to anything (even "0" or "false") verifies the daemon; DOCKER_TLS or
 * DOCKER_CERT_PATH alone encrypt without verifying, and the endpoint then says so (tlsWarning).
 */
function tlsFromEnv(cenv: ConnectionEnv): TlsMaterial | null {
  const verify = (cenv.env.DOCKER_TLS_VERIFY ?? '') !== '';
  const certPath = cenv.env.DOCKER_CERT_PATH;
  const tlsOnly = (cenv.env.DOCKER_TLS ?? '') !== '';
  if (!verify && !certPath && !tlsOnly) return null;
  const dir = certPath || cenv.configDir;
  const tls = tlsFromDir(dir, verify, cenv);
  if (!verify) tls.unverified = `DOCKER_TLS_VERIFY is not set${certPath ? ' (DOCKER_CERT_PATH alone encrypts but does not check the daemon)' : ''}`;
  return tls;
}

function tlsFromDir(dir: string, verify: boolean, cenv: ConnectionEnv): TlsMaterial {
  const tls: TlsMaterial = { verify, dir };
  const ca = cenv.readFile(join(dir, 'ca.pem'));
  const cert = cenv.readFile(join(dir, 'cert.pem'));
  const key = cenv.readFile(join(dir, 'key.pem'));
  if (ca !== null) tls.ca = ca;
  if (cert !== null) tls.cert = cert;
  if (key !== null) tls.key = key;
  if (verify && ca === null) throw new EndpointError(`TLS verification is on but ${join(dir, 'ca.pem')} cannot be read`);
  checkPair(tls, dir);
  return tls;
}

/** A client certificate needs its key and the other way round: half a pair would fail in the handshake, later and less clearly. */
function checkPair(tls: TlsMaterial, dir: string): void {
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new EndpointError(`TLS: ${join(dir, tls.cert === undefined ? 'key.pem' : 'cert.pem')} is there but ${join(dir, tls.cert === undefined ? 'cert.pem' : 'key.pem')} cannot be read (the client certificate needs both)`);
  }
}

/** The warning a TLS endpoint that does not check the daemon's certificate must give, or undefined. */
export function tlsWarning(ep: DockerEndpoint): string | undefined {
  if (ep.kind !== 'tcp' || !ep.tls || ep.tls.verify) return undefined;
  return `TLS without verifying the daemon's certificate (${ep.tls.unverified ?? 'verification is off'}): anyone on the way to ${ep.host}:${ep.port} could pose as the daemon; set DOCKER_TLS_VERIFY=1 to check it against ca.pem`;
}

/** unix:///path, tcp://host:port, ssh://[user@]host[:port][/socket], npipe is Windows-only. */
export function parseDockerHost(text: string, tls: TlsMaterial | null, source: EndpointSource): DockerEndpoint {
  const value = text.trim();
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    if (socketPath === '') throw new EndpointError(`invalid Docker endpoint "${text}": no socket path`);
    return { kind: 'unix', socketPath, source };
  }
  if (value.startsWith('/')) return { kind: 'unix', socketPath: value, source };
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `tcp://${value}`);
  } catch {
    throw new EndpointError(`invalid Docker endpoint "${text}": expected unix://PATH, tcp://HOST:PORT or ssh://[USER@]HOST[:PORT]`);
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    if (!url.hostname) throw new EndpointError(`invalid Docker endpoint "${text}": no host`);
    const useTls = tls ?? (url.protocol === 'https:' ? { verify: true } : null);
    const port = url.port ? Number(url.port) : useTls ? 2376 : 2375;
    return { kind: 'tcp', host: stripBrackets(url.hostname), port, tls: useTls, source };
  }
  if (url.protocol === 'ssh:') {
    if (!url.hostname) throw new EndpointError(`invalid Docker endpoint "${text}": no host`);
    const ep: DockerEndpoint = { kind: 'ssh', host: stripBrackets(url.hostname), source };
    if (url.username) ep.user = decodeURIComponent(url.username);
    if (url.port) ep.port = Number(url.port);
    if (url.pathname && url.pathname !== '/') ep.socketPath = url.pathname;
    return ep;
  }
  throw new EndpointError(`unsupported Docker endpoint "${text}": the scheme must be unix, tcp or ssh`);
}

function stripBrackets(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

// ------------------------------------------------------------------ the docker CLI's context store

/** ~/.docker/config.json `currentContext`. */
export function currentContextName(cenv: ConnectionEnv): string | null {
  const text = cenv.readFile(join(cenv.configDir, 'config.json'));
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EndpointError(`${join(cenv.configDir, 'config.json')} is not valid JSON`);
  }
  if (json && typeof json === 'object' && 'currentContext' in json) {
    const c = (json as { currentContext: unknown }).currentContext;
    if (typeof c === 'string' && c !== '') return c;
  }
  return null;
}

/** The store keys each context by the sha256 of its name (docker/cli context/store). */
export function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

/** contexts/meta/<sha>/meta.json → Endpoints.docker; TLS files under contexts/tls/<sha>/docker/. */
export function contextEndpoint(name: string, cenv: ConnectionEnv): DockerEndpoint {
  const dir = contextDirName(name);
  const metaPath = join(cenv.configDir, 'contexts', 'meta', dir, 'meta.json');
  const text = cenv.readFile(metaPath);
  if (text === null) throw new EndpointError(`docker context "${name}" not found (no ${metaPath})`);
  const meta = parseContextMeta(text, name);
  const tlsDir = join(cenv.configDir, 'contexts', 'tls', dir, 'docker');
  const ca = cenv.readFile(join(tlsDir, 'ca.pem'));
  const cert = cenv.readFile(join(tlsDir, 'cert.pem'));
  const key = cenv.readFile(join(tlsDir, 'key.pem'));
  let tls: TlsMaterial | null = null;
  if (ca !== null || cert !== null || key !== null) {
    tls = { verify: !meta.skipTlsVerify, dir: tlsDir };
    if (ca !== null) tls.ca = ca;
    if (cert !== null) tls.cert = cert;
    if (key !== null) tls.key = key;
    checkPair(tls, tlsDir);
  } else if (meta.skipTlsVerify) {
    tls = { verify: false };
  }
  if (tls && meta.skipTlsVerify) tls.unverified = `docker context "${name}" has SkipTLSVerify`;
  return parseDockerHost(meta.host, tls, { from: 'context', context: name });
}

export interface ContextMeta {
  name: string;
  host: string;
  skipTlsVerify: boolean;
}

/** Validates meta.json: {"Name": "...", "Endpoints": {"docker": {"Host": "...", "SkipTLSVerify": false}}}. */
export function parseContextMeta(text: string, expectedName: string): ContextMeta {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EndpointError(`docker context "${expectedName}": meta.json is not valid JSON`);
  }
  const o = json as { Name?: unknown; Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
  const docker = o && typeof o === 'object' && o.Endpoints && typeof o.Endpoints === 'object' ? o.Endpoints.docker : undefined;
  if (!docker || typeof docker !== 'object' || typeof docker.Host !== 'string' || docker.Host === '') {
    throw new EndpointError(`docker context "${expectedName}" has no docker endpoint (Endpoints.docker.Host)`);
  }
  return {
    name: typeof o.Name === 'string' ? o.Name : expectedName,
    host: docker.Host,
    skipTlsVerify: docker.SkipTLSVerify === true,
  };
}

/** One line for the status bar / messages: "unix:///var/run/docker.sock (context prod)". */
export function describeEndpoint(ep: DockerEndpoint): string {
  const where =
    ep.kind === 'unix'
      ? `unix://${ep.socketPath}`
      : ep.kind === 'tcp'
        ? `tcp://${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}${ep.tls ? (ep.tls.verify ? ' (TLS)' : ' (TLS, daemon not verified)') : ''}`
        : `ssh://${ep.user ? `${ep.user}@` : ''}${ep.host}${ep.port ? `:${ep.port}` : ''}`;
  const from = ep.source.from === 'context' ? ` (context ${ep.source.context})` : ep.source.from === 'DOCKER_HOST' ? ' (DOCKER_HOST)' : '';
  return where + from;
}

/**
 * The command run for an ssh endpoint: `ssh [-l user] [-p port] -- host docker system dial-stdio`, as
 * the docker CLI does (connhelper/ssh), but never prompting. The remote docker CLI relays stdin/stdout to its daemon, so
 * no ssh-agent or socket forwarding is needed. `--host` selects a non-default remote socket.
 */
export function sshDialCommand(ep: Extract<DockerEndpoint, { kind: 'ssh' }>): { file: string; args: string[] } {
  // BatchMode: never a prompt (host key, password) that nobody can answer: several sessions run at
  // once and the extension has no terminal, so an unknown host key is refused with ssh's own message.
  const args: string[] = ['-o', 'ConnectTimeout=30', '-o', 'BatchMode=yes', '-T'];
  if (ep.user) args.push('-l', ep.user);
  if (ep.port) args.push('-p', String(ep.port));
  args.push('--', ep.host, 'docker');
  if (ep.socketPath) args.push(`--host=unix://${ep.socketPath}`);
  args.push('system', 'dial-stdio');
  return { file: 'ssh', args };
}

/**
 * A swarm node's daemon as a setting or `--docker-node` names it: an endpoint (unix://, tcp://, ssh://,
 * or a socket path) as in DOCKER_HOST, else the name of a docker context.
 */
export function resolveNodeEndpoint(text: string, cenv: ConnectionEnv = processConnectionEnv()): DockerEndpoint {
  const t = text.trim();
  if (t === '') throw new EndpointError('a swarm node endpoint is empty');
  if (t.startsWith('/')) return parseDockerHost(`unix://${t}`, null, { from: 'explicit' });
  if (/^[a-z]+:\/\//.test(t)) return parseDockerHost(t, tlsFromEnv(cenv), { from: 'explicit' });
  return contextEndpoint(t, cenv);
}
