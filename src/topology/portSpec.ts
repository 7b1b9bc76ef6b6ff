// `-p` and `--expose` syntax, checked exactly as Docker's client does (go-connections nat.ParsePortSpec),
// with Docker's own error texts, so the file gets the message `docker run` would print.
import { isIPv4Address, isIPv6Address } from './addresses';

const PROTOCOLS = ['tcp', 'udp', 'sctp'];

/** Returns Docker's error text for a bad `-p` spec, or undefined when the spec is valid. */
export function portSpecError(rawPort: string): string | undefined {
  const [rawIP, hostPort, containerPart] = splitParts(rawPort);
  const [proto, containerPort] = splitProtoPort(containerPart);

  // net.SplitHostPort(rawIP + ":") strips the [] of an IPv6 address.
  let ip = rawIP;
  if (ip.startsWith('[')) {
    if (!ip.endsWith(']')) return `Invalid ip address ${rawIP}: address ${rawIP}:: missing ']' in address`;
    ip = ip.slice(1, -1);
  } else if (ip.includes(':')) {
    return `Invalid ip address ${rawIP}: address ${rawIP}:: too many colons in address`;
  }
  if (ip !== '' && !isIPv4Address(ip) && !isIPv6Address(ip)) return `Invalid ip address: ${ip}`;
  if (containerPort === '') return `No port specified: ${rawPort}<empty>`;

  const container = parsePortRange(containerPort);
  if (!container) return `Invalid containerPort: ${containerPort}`;
  let host: [number, number] = [0, 0];
  if (hostPort.length > 0) {
    const parsed = parsePortRange(hostPort);
    if (!parsed) return `Invalid hostPort: ${hostPort}`;
    host = parsed;
  }
  // A host range with a single container port is the range to allocate from; otherwise the sizes must match.
  if (hostPort !== '' && container[1] - container[0] !== host[1] - host[0] && container[1] !== container[0]) {
    return `Invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`;
  }
  if (!PROTOCOLS.includes(proto.toLowerCase())) return `Invalid proto: ${proto}`;
  return undefined;
}

/** Returns Docker's error text for a bad `--expose` value (port[-port][/proto]), or undefined. */
export function exposeSpecError(raw: string): string | undefined {
  if (raw.includes(':')) return `invalid port format for --expose: ${raw}`;
  const [proto, port] = splitProtoPort(raw);
  if (port === '' || !parsePortRange(port)) {
    return `Invalid range format for --expose: ${raw}, error: strconv.ParseUint: parsing ${JSON.stringify(port)}: invalid syntax`;
  }
  if (!PROTOCOLS.includes(proto.toLowerCase())) return `Invalid proto: ${proto}`;
  return undefined;
}

function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  const containerPort = parts[n - 1]!;
  switch (n) {
    case 1:
      return ['', '', containerPort];
    case 2:
      return ['', parts[0]!, containerPort];
    case 3:
      return [parts[0]!, parts[1]!, containerPort];
    default:
      return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, containerPort];
  }
}

function splitProtoPort(raw: string): [string, string] {
  const parts = raw.split('/');
  if (raw.length === 0 || parts[0]!.length === 0) return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if (parts[1]!.length === 0) return ['tcp', parts[0]!];
  return [parts[1]!, parts[0]!];
}

/** strconv.ParseUint(s, 10, 16) per end of a `a` or `a-b` range; undefined on any error. */
function parsePortRange(s: string): [number, number] | undefined {
  if (s === '') return undefined;
  const parts = s.split('-');
  const start = parseUint16(parts[0]!);
  if (start === undefined) return undefined;
  if (parts.length === 1) return [start, start];
  const end = parseUint16(parts[1]!);
  if (end === undefined || end < start) return undefined;
  return [start, end];
}

function parseUint16(s: string): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 65535 ? n : undefined;
}
