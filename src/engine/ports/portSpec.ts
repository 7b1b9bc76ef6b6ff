// `-p` and `--expose` as the docker CLI parses them (go-connections nat v0.4.0 ParsePortSpec and
// cli/command/container/opts.go), with their exact error texts.
import { DockerError, BAD_REQUEST } from '../errors';
import { parseIp } from '../ip';
import type { ExposedPort, PortSpecBinding, Protocol } from '../model';

/** Go's strconv.ParseUint(s, 10, 16) error text, or null when s is a valid port number. */
function parseUint16Error(s: string): string | null {
  if (s === '' || !/^[0-9]+$/.test(s)) return `strconv.ParseUint: parsing "${s}": invalid syntax`;
  if (Number(s) > 65535) return `strconv.ParseUint: parsing "${s}": value out of range`;
  return null;
}

/** nat.ParsePortRange: "80" or "8000-8010" (only the first two parts of "a-b-c" count). */
export function parsePortRange(ports: string): { start: number; end: number } | { error: string } {
  if (ports === '') return { error: 'Empty string specified for ports.' };
  if (!ports.includes('-')) {
    const err = parseUint16Error(ports);
    return err ? { error: err } : { start: Number(ports), end: Number(ports) };
  }
  const parts = ports.split('-');
  const e1 = parseUint16Error(parts[0]);
  if (e1) return { error: e1 };
  const e2 = parseUint16Error(parts[1]);
  if (e2) return { error: e2 };
  const start = Number(parts[0]), end = Number(parts[1]);
  if (end < start) return { error: `Invalid range specified for the Port: ${ports}` };
  return { start, end };
}

/** nat.SplitProtoPort */
function splitProtoPort(raw: string): [proto: string, port: string] {
  const parts = raw.split('/');
  if (raw.length === 0 || parts[0].length === 0) return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if (parts[1].length === 0) return ['tcp', parts[0]];
  return [parts[1], parts[0]];
}

function splitParts(raw: string): [ip: string, hostPort: string, containerPort: string] {
  const parts = raw.split(':');
  const n = parts.length;
  if (n === 1) return ['', '', parts[0]];
  if (n === 2) return ['', parts[0], parts[1]];
  if (n === 3) return [parts[0], parts[1], parts[2]];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2], parts[n - 1]];
}

/** Go's net.SplitHostPort, returning the host or Go's AddrError text. */
function splitHostPort(hostport: string): { host: string } | { error: string } {
  const err = (why: string) => ({ error: `address ${hostport}: ${why}` });
  const i = hostport.lastIndexOf(':');
  if (i < 0) return err('missing port in address');
  let host: string;
  let j = 0, k = 0;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0) return err("missing ']' in address");
    if (end + 1 === hostport.length) return err('missing port in address');
    if (end + 1 !== i) return hostport[end + 1] === ':' ? err('too many colons in address') : err('missing port in address');
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return err('too many colons in address');
  }
  if (hostport.slice(j).includes('[')) return err("unexpected '[' in address");
  if (hostport.slice(k).includes(']')) return err("unexpected ']' in address");
  return { host };
}

export interface ParsedPortSpec {
  readonly exposed: ExposedPort[];
  readonly bindings: PortSpecBinding[];
}

/** nat.ParsePortSpec for one `-p` value; throws DockerError with the CLI's text. */
export function parsePortSpec(raw: string, index?: number): ParsedPortSpec {
  const fail = (text: string) => new DockerError(text, BAD_REQUEST, { field: 'ports', index });
  const [rawIp, hostPortText, containerPart] = splitParts(raw);
  const [proto, containerPort] = splitProtoPort(containerPart);
  const hp = splitHostPort(rawIp + ':');
  if ('error' in hp) throw fail(`Invalid ip address ${rawIp}: ${hp.error}`);
  const ip = hp.host;
  if (ip !== '' && !parseIp(ip)) throw fail(`Invalid ip address: ${ip}`);
  if (containerPort === '') throw fail(`No port specified: ${raw}<empty>`);
  const c = parsePortRange(containerPort);
  if ('error' in c) throw fail(`Invalid containerPort: ${containerPort}`);
  let h = { start: 0, end: 0 };
  if (hostPortText.length > 0) {
    const parsed = parsePortRange(hostPortText);
    if ('error' in parsed) throw fail(`Invalid hostPort: ${hostPortText}`);
    h = parsed;
  }
  if (hostPortText !== '' && c.end - c.start !== h.end - h.start && c.end !== c.start) {
    throw fail(`Invalid ranges specified for container and host Ports: ${containerPort} and ${hostPortText}`);
  }
  const lproto = proto.toLowerCase();
  if (lproto !== 'tcp' && lproto !== 'udp' && lproto !== 'sctp') throw fail(`Invalid proto: ${proto}`);
  const exposed: ExposedPort[] = [];
  const bindings: PortSpecBinding[] = [];
  for (let i = 0; i <= c.end - c.start; i++) {
    const cport = c.start + i;
    let hs = 0, he = 0;
    if (hostPortText.length > 0) {
      hs = h.start + i;
      he = hs;
      // A single container port with a host range: the range is where a port is picked from.
      if (c.start === c.end && h.start !== h.end) {
        hs = h.start;
        he = h.end;
      }
    }
    exposed.push({ port: cport, proto: lproto });
    bindings.push({ containerPort: cport, proto: lproto as Protocol, hostIp: ip, hostPortStart: hs, hostPortEnd: he, specIndex: index });
  }
  return { exposed, bindings };
}

/**
 * A `listen` entry (not Docker's): "8081", "53/udp", "8000-8010/tcp". Like --expose, but only tcp and udp,
 * the protocols a trace carries; throws a DockerError pointing at the entry.
 */
export function parseListen(raw: string, index?: number): ExposedPort[] {
  const error = listenSpecError(raw);
  if (error) throw new DockerError(error, BAD_REQUEST, { field: 'listen', index });
  const { bind, rest } = splitListenAddress(raw)!;
  const [proto, port] = splitProtoPort(rest);
  const r = parsePortRange(port) as { start: number; end: number };
  const out: ExposedPort[] = [];
  for (let p = r.start; p <= r.end; p++) out.push({ port: p, proto: proto.toLowerCase(), ...(bind !== undefined ? { bind } : {}) });
  return out;
}

/** "127.0.0.1:80/tcp" → bind 127.0.0.1; "[::1]:80" → bind ::1; "80" → no bind (every address). null: a malformed address. */
function splitListenAddress(raw: string): { bind?: string; rest: string } | null {
  const v6 = /^\[([0-9A-Fa-f:.]+)\]:(.*)$/.exec(raw);
  if (v6) return v6[1]!.includes(':') ? { bind: v6[1]!.toLowerCase(), rest: v6[2]! } : null;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):(.*)$/.exec(raw);
  if (v4) return v4[1]!.split('.').every((b) => Number(b) <= 255) ? { bind: v4[1]!, rest: v4[2]! } : null;
  if (raw.includes(':')) return null;
  return { rest: raw };
}

/** Why a `listen` entry is not [ADDRESS:]PORT[-PORT][/tcp|/udp], or undefined when it is. */
export function listenSpecError(raw: string): string | undefined {
  const form = 'a port or a range, with /tcp (the default) or /udp, optionally after the address it is bound to: "8081", "53/udp", "8000-8010", "127.0.0.1:6379"';
  const split = splitListenAddress(raw);
  if (!split) return `invalid listen entry ${JSON.stringify(raw)}: ${form}`;
  const m = /^(\d+)(?:-(\d+))?(?:\/([A-Za-z]*))?$/.exec(split.rest);
  if (!m) return `invalid listen entry ${JSON.stringify(raw)}: ${form}`;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start < 1 || end > 65535 || end < start) return `invalid listen entry ${JSON.stringify(raw)}: ports are 1 to 65535, a range low-high`;
  const proto = (m[3] ?? 'tcp').toLowerCase() || 'tcp';
  if (proto !== 'tcp' && proto !== 'udp') return `invalid listen entry ${JSON.stringify(raw)}: the protocol is tcp or udp, not ${m[3]}`;
  return undefined;
}

/** `--expose` (docker CLI opts.go): "80", "80/udp", "8000-8010/tcp"; the protocol is not checked. */
export function parseExpose(raw: string, index?: number): ExposedPort[] {
  const fail = (text: string) => new DockerError(text, BAD_REQUEST, { field: 'expose', index });
  if (raw.includes(':')) throw fail(`invalid port format for --expose: ${raw}`);
  const [proto, port] = splitProtoPort(raw);
  const r = parsePortRange(port);
  if ('error' in r) throw fail(`invalid range format for --expose: ${raw}, error: ${r.error}`);
  const out: ExposedPort[] = [];
  for (let p = r.start; p <= r.end; p++) out.push({ port: p, proto });
  return out;
}
