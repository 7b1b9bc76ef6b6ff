// Port publishing as the bridge driver does it (drivers/bridge/port_mapping.go): each binding without a
// host IP becomes an IPv4 binding on the default host IP and, if IPv6 can listen, an IPv6 one on ::
// (proxied to the container's IPv4 address when it has no IPv6 and the userland proxy is on).
import { DockerError, INTERNAL, msg } from '../errors';
import { formatAddr, parseIp } from '../ip';
import type { PortBindingState, PortSpecBinding } from '../model';
import type { PortAllocator } from './allocator';

/** The `ports` binding each allocated binding came from (to match one binding across allocation orders). */
export const bindingSource = new WeakMap<PortBindingState, PortSpecBinding>();

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
      try {
        publishOne(b, o, def, out);
      } catch (e) {
        if (e instanceof DockerError && !(e instanceof PortBindingError)) throw new PortBindingError(e, b);
        throw e;
      }
    }
  } catch (e) {
    releasePorts(o.allocator, out);
    throw e;
  }
  return out;
}

function publishOne(b: PortSpecBinding, o: PublishOptions, def: { text: string; v4: boolean }, out: PortBindingState[]): void {
  const given = b.hostIp === '' ? null : canonicalIp(b.hostIp);
  const v4Ip = o.containerV4 && (given ? given.v4 : def.v4) ? (given ? given.text : def.text) : null;
  // IPv6 (IsV6Listenable is assumed true); without a container IPv6 the proxy forwards to its IPv4.
  const v6Container = o.containerV6 ?? (o.userlandProxy ? o.containerV4 : null);
  let v6Ip: string | null = null;
  if (v6Container) {
    if (given) v6Ip = given.v4 ? null : given.text;
    else if (def.text === '0.0.0.0') v6Ip = '::';
    else v6Ip = def.v4 ? null : def.text;
  }
  if (o.sameEphemeralPort && b.hostPortStart === 0 && v4Ip && v6Ip) {
    out.push(...allocatePair(o, b, v4Ip, o.containerV4!, v6Ip, v6Container!));
    return;
  }
  if (v4Ip) out.push(allocatePort(o, b, v4Ip, o.containerV4!, b.hostPortStart, b.hostPortEnd));
  if (v6Ip) out.push(allocatePort(o, b, v6Ip, v6Container!, b.hostPortStart, b.hostPortEnd));
}

/** The binding a publishing error is about, so the caller can point at the right `ports` entry. */
export class PortBindingError extends DockerError {
  constructor(inner: DockerError, readonly binding: PortSpecBinding) {
    super(inner.message, inner.status, inner.hint);
  }
}

/** 27+: one ephemeral port free for both the IPv4 and the IPv6 binding. */
function allocatePair(o: PublishOptions, b: PortSpecBinding, v4Ip: string, v4Container: string, v6Ip: string, v6Container: string): PortBindingState[] {
  const held: PortBindingState[] = [];
  try {
    for (let attempt = 0; attempt <= o.allocator.end - o.allocator.begin; attempt++) {
      const v4 = allocatePort(o, b, v4Ip, v4Container, 0, 0);
      try {
        const v6 = allocatePort(o, b, v6Ip, v6Container, v4.hostPort, v4.hostPort);
        return [v4, v6];
      } catch {
        held.push(v4);
      }
    }
    throw new DockerError(msg.allPortsAllocated(), INTERNAL);
  } finally {
    releasePorts(o.allocator, held);
  }
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
      const state: PortBindingState = { containerPort: b.containerPort, proto: b.proto, hostIp, hostPort: port, containerIp };
      bindingSource.set(state, b);
      return state;
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
