// Port publishing as the bridge driver does it (drivers/bridge/port_mapping.go): each binding without a
// host IP becomes an IPv4 binding on the default host IP and, if IPv6 can listen, an IPv6 one on ::
// (proxied to the container's IPv4 address when it has no IPv6 and the userland proxy is on).
import { DockerError, INTERNAL, msg } from '../errors';
import { formatAddr, parseIp } from '../ip';
import type { PortBindingState, PortSpecBinding } from '../model';
import type { PortAllocator } from './allocator';

/** portmapper retries a dynamic port this many times (maxAllocatePortAttempts). */
const MAX_ALLOCATE_ATTEMPTS = 10;

export interface PublishOptions {
  readonly allocator: PortAllocator;
  readonly containerV4: string | null;
  readonly containerV6: string | null;
  /** host_binding_ipv4 of the network, or 0.0.0.0. */
  readonly defaultHostIp: string;
  readonly userlandProxy: boolean;
  /** 27+: the IPv6 binding gets the same ephemeral port as the IPv4 one. */
  readonly sameEphemeralPort: boolean;
}

function canonicalIp(text: string): { text: string; v4: boolean } | null {
  const a = parseIp(text);
  return a ? { text: formatAddr(a), v4: a.family === 4 } : null;
}

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** allocatePortsInternal: all bindings or none (a failure releases what was taken, then throws). */
export function allocatePorts(bindings: readonly PortSpecBinding[], o: PublishOptions): PortBindingState[] {
  const out: PortBindingState[] = [];
  const def = canonicalIp(o.defaultHostIp) ?? { text: '0.0.0.0', v4: true };
  try {
    for (const b of bindings) {
      const given = b.hostIp === '' ? null : canonicalIp(b.hostIp);
      let v4Port: number | null = null;
      // IPv4
      if (o.containerV4 && (given ? given.v4 : def.v4)) {
        const hostIp = given ? given.text : def.text;
        const got = allocatePort(o, b, hostIp, o.containerV4, b.hostPortStart, b.hostPortEnd);
        out.push(got);
        if (b.hostPortStart === 0) v4Port = got.hostPort;
      }
      // IPv6 (IsV6Listenable is assumed true)
      const containerIp = o.containerV6 ?? (o.userlandProxy ? o.containerV4 : null);
      if (!containerIp) continue;
      let hostIp: string | null;
      if (given) hostIp = given.v4 ? null : given.text;
      else if (def.text === '0.0.0.0') hostIp = '::';
      else hostIp = def.v4 ? null : def.text;
      if (hostIp === null) continue;
      let start = b.hostPortStart, end = b.hostPortEnd;
      if (o.sameEphemeralPort && v4Port !== null) start = end = v4Port;
      out.push(allocatePort(o, b, hostIp, containerIp, start, end));
    }
  } catch (e) {
    releasePorts(o.allocator, out);
    throw e;
  }
  return out;
}

function allocatePort(o: PublishOptions, b: PortSpecBinding, hostIp: string, containerIp: string, start: number, endIn: number): PortBindingState {
  const end = endIn === 0 ? start : endIn;
  let lastError: DockerError | null = null;
  for (let attempt = 0; attempt < MAX_ALLOCATE_ATTEMPTS; attempt++) {
    try {
      const port = o.allocator.request(hostIp, b.proto, start, end);
      // The userland proxy (or, without it, a dummy listener) binds the host socket.
      if (!o.allocator.listen(hostIp, b.proto, port)) {
        o.allocator.release(hostIp, b.proto, port);
        const net = `${b.proto}${o.userlandProxy ? (hostIp.includes(':') ? '6' : '4') : ''}`;
        const text = o.userlandProxy ? msg.userlandProxy(net, joinHostPort(hostIp, port)) : msg.bindInUse(net, joinHostPort(hostIp, port));
        throw new DockerError(text, INTERNAL);
      }
      return { containerPort: b.containerPort, proto: b.proto, hostIp, hostPort: port, containerIp };
    } catch (e) {
      if (!(e instanceof DockerError)) throw e;
      lastError = e;
      // No point retrying an explicitly chosen port.
      if (start !== 0) break;
    }
  }
  throw lastError!;
}

export function releasePorts(allocator: PortAllocator, bindings: readonly PortBindingState[]): void {
  for (const b of bindings) {
    allocator.closeListener(b.hostIp, b.proto, b.hostPort);
    allocator.release(b.hostIp, b.proto, b.hostPort);
  }
}
