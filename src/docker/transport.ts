// HTTP to the Docker API with the guarantees a long-running client needs: every request has a total
// deadline (not an idle timeout: an API that accepts and trickles or never answers cannot hang a
// caller) and can be cancelled; an answer is capped in size (an enormous body is an error, not a
// full heap) and must be JSON where JSON is expected. The event stream is the one long-lived request:
// its deadline ends when the daemon answers, and its liveness is the watcher's job (events.ts).
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CancelledError, DockerApiError, MalformedAnswerError, UnreachableError, type CallOptions } from './types';

/** Where requests go: a unix socket, or host:port (HTTP or HTTPS), optionally through an agent (ssh). */
export interface HttpTarget {
  socketPath?: string;
  host?: string;
  port?: number;
  https?: boolean;
  /** TLS material and verification (https only). */
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  /** Where the TLS files came from, named in a refused handshake's message. */
  tlsDir?: string;
  /** The agent of ordinary requests (keep-alive pool, or ssh dial-stdio). */
  agent?: HttpAgent;
  /** The agent of the event stream (its own connection); default: a fresh connection. */
  streamAgent?: HttpAgent | false;
  /** The agent of liveness pings: their own connection, never queued behind a burst of inspects. */
  pingAgent?: HttpAgent | false;
}

export interface RequestSpec extends CallOptions {
  method?: 'GET' | 'POST' | 'DELETE' | 'HEAD';
  body?: unknown;
  /** Expect a JSON answer (default); otherwise the text is returned. */
  json?: boolean;
  /** This request's size cap, instead of the client's. */
  maxBytes?: number;
  /** A liveness check: sent on its own connection (pingAgent). */
  liveness?: boolean;
}

/** Docker's answers are at most a few MB on a large host; anything far above is not a Docker answer. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export class DockerHttp {
  constructor(
    private readonly target: HttpTarget,
    readonly timeoutMs: number,
    readonly maxBytes: number = DEFAULT_MAX_RESPONSE_BYTES,
  ) {}

  private options(method: string, path: string, headers: Record<string, string | number>, agent: HttpAgent | false | undefined): RequestOptions {
    const t = this.target;
    // Over TLS the Host header is the host dialled: Node takes the name it checks the daemon's
    // certificate against (and the SNI) from it, so a fixed "docker" would refuse every real certificate.
    const host = t.https && t.host ? `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port ?? 443}` : 'docker';
    const base: RequestOptions = { method, path, headers: { Host: host, ...headers } };
    if (agent !== undefined) base.agent = agent;
    if (t.socketPath) return { ...base, socketPath: t.socketPath };
    return { ...base, host: t.host ?? 'docker', port: t.port ?? 80, ...(t.https && t.tls ? { ...t.tls } : {}) };
  }

  /** What a refused handshake's message names (https only). */
  private tlsContext(): { dir?: string; clientCert: boolean } | undefined {
    const t = this.target;
    if (!t.https) return undefined;
    return { ...(t.tlsDir ? { dir: t.tlsDir } : {}), clientCert: !!t.tls?.cert };
  }

  private send(opts: RequestOptions): ClientRequest {
    return this.target.https ? httpsRequest(opts) : httpRequest(opts);
  }

  /** One request; resolves with the parsed JSON (or text), rejects with a Docker, malformed, unreachable or cancelled error. */
  request(what: string, path: string, spec: RequestSpec = {}): Promise<unknown> {
    const method = spec.method ?? 'GET';
    const timeoutMs = spec.timeoutMs ?? this.timeoutMs;
    const maxBytes = spec.maxBytes ?? this.maxBytes;
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const headers: Record<string, string | number> = { Accept: 'application/json' };
    if (body !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    return new Promise((resolve, reject) => {
      if (spec.signal?.aborted) return reject(new CancelledError(`${what}: cancelled`));
      const agent = spec.liveness && this.target.pingAgent !== undefined ? this.target.pingAgent : this.target.agent;
      const req = this.send(this.options(method, path, headers, agent));
      const guard = deadline(req, what, timeoutMs, spec.signal, reject, this.tlsContext());
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            guard.done();
            req.destroy();
            reject(new MalformedAnswerError(`${what}: the answer is larger than ${mib(maxBytes)} (not a Docker answer?)`));
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e) => guard.fail(e));
        res.on('end', () => {
          if (size > maxBytes) return;
          guard.done();
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          let json: unknown = null;
          let parsed = true;
          try {
            json = text === '' ? null : JSON.parse(text);
          } catch {
            parsed = false;
          }
          if (status >= 400) {
            const msg = parsed && json && typeof (json as { message?: unknown }).message === 'string' ? (json as { message: string }).message : text.trim() || `HTTP ${status} ${res.statusMessage ?? ''}`.trim();
            return reject(new DockerApiError(msg, status));
          }
          if (spec.json === false) return resolve(text);
          if (!parsed) return reject(new MalformedAnswerError(`${what}: the answer is not JSON (${JSON.stringify(text.slice(0, 60))}${text.length > 60 ? '…' : ''})`));
          resolve(json);
        });
      });
      req.on('error', (e) => guard.fail(e));
      req.end(body);
    });
  }

  /**
   * A streamed answer (the event stream): the deadline covers only the daemon's answer (status and
   * headers); after that the stream stays open as long as the daemon keeps it, however quiet.
   */
  stream(what: string, path: string, spec: CallOptions = {}): Promise<IncomingMessage> {
    const timeoutMs = spec.timeoutMs ?? this.timeoutMs;
    return new Promise((resolve, reject) => {
      if (spec.signal?.aborted) return reject(new CancelledError(`${what}: cancelled`));
      const req = this.send(this.options('GET', path, { Accept: 'application/json' }, this.target.streamAgent ?? false));
      const guard = deadline(req, what, timeoutMs, spec.signal, reject, this.tlsContext());
      req.on('response', (res) => {
        guard.done();
        if ((res.statusCode ?? 0) >= 400) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.length < 64 && chunks.push(c));
          res.on('end', () => reject(new DockerApiError(Buffer.concat(chunks).toString('utf8').trim() || `HTTP ${res.statusCode}`, res.statusCode ?? null)));
          return;
        }
        resolve(res);
      });
      req.on('error', (e) => guard.fail(e));
      req.end();
    });
  }
}

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MiB` : `${n} bytes`;
}

/** The request's total deadline and its cancellation; `fail` maps transport errors, once. */
function deadline(req: ClientRequest, what: string, ms: number, signal: AbortSignal | undefined, reject: (e: Error) => void, tls?: { dir?: string; clientCert: boolean }) {
  let finished = false;
  const finish = () => {
    finished = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
  const end = (err: Error) => {
    if (finished) return;
    finish();
    req.destroy();
    reject(err);
  };
  const timer = setTimeout(() => end(new UnreachableError(`${what}: no answer from Docker within ${seconds(ms)}`)), ms);
  const onAbort = () => end(new CancelledError(`${what}: cancelled`));
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    done: finish,
    fail: (e: Error) => {
      if (finished) return;
      finish();
      reject(transportError(e, what, tls));
    },
  };
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

const UNREACHABLE_CODES = ['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH'];

/** OpenSSL's verdicts on the daemon's certificate: not signed by a CA we trust. */
const UNTRUSTED_CODES = ['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE'];

/**
 * A refused TLS handshake in words a user can act on (which side refused, and what to check), with
 * OpenSSL's code kept at the end; undefined when the failure is not about TLS.
 */
export function tlsProblem(code: string, message: string, tlsDir?: string, clientCert = false): string | undefined {
  const ca = tlsDir ? `${tlsDir.replace(/\/+$/, '')}/ca.pem` : 'the CA given (ca.pem)';
  const pair = tlsDir ? `${tlsDir.replace(/\/+$/, '')}/cert.pem and key.pem` : 'cert.pem and key.pem';
  if (UNTRUSTED_CODES.includes(code)) return `TLS: the daemon's certificate is not signed by ${ca}, so it was refused (${code}: ${message})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `TLS: the daemon's certificate is not for this host name or address, so it was refused (${message})`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `TLS: the daemon's certificate is not valid now, so it was refused (${code}: ${message})`;
  const clientAlert = /^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED|DECRYPT_ERROR|HANDSHAKE_FAILURE)$/.test(code);
  if (clientAlert && !clientCert) return `TLS: the daemon requires a client certificate and none was given (${pair} not found) (${code})`;
  if (clientAlert) return `TLS: the daemon refused our client certificate (${pair}: is it signed by the CA the daemon trusts?) (${code})`;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO') return `TLS: the daemon does not answer with TLS on this port (plain HTTP? then leave out DOCKER_TLS_VERIFY and DOCKER_CERT_PATH) (${code}: ${message})`;
  return undefined;
}

/** A transport failure as an UnreachableError naming the request and the system's code. */
export function transportError(e: unknown, what: string, tls?: { dir?: string; clientCert: boolean }): Error {
  if (e instanceof DockerApiError || e instanceof MalformedAnswerError || e instanceof UnreachableError || e instanceof CancelledError) {
    return e instanceof UnreachableError && !e.message.startsWith(what) ? new UnreachableError(`${what}: ${e.message}`) : e;
  }
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? err.code : '';
  const refused = code && tls ? tlsProblem(code, String(err.message), tls.dir, tls.clientCert) : undefined;
  if (refused) return new UnreachableError(`${what}: ${refused}`);
  if (UNREACHABLE_CODES.includes(code)) return new UnreachableError(`${what}: cannot reach Docker (${code}: ${String(err.message)})`);
  if (err?.message === 'socket hang up') return new UnreachableError(`${what}: Docker closed the connection without answering`);
  return new UnreachableError(`${what}: ${e instanceof Error ? e.message : String(e)}`);
}
