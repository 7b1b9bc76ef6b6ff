// libnetwork's portallocator: one map of taken ports per (host IP string, protocol), so 0.0.0.0, :: and
// 127.0.0.1 are booked separately. A dynamic pick is round-robin over its range: each range remembers the
// last port given and continues after it, so a freed port is not reused until the range wraps.
import { DockerError, INTERNAL, msg } from '../errors';

/** The kernel's default ip_local_port_range, which dockerd reads for its ephemeral range. */
export const EPHEMERAL_BEGIN = 32768;
export const EPHEMERAL_END = 60999;

interface PortRange {
  readonly begin: number;
  readonly end: number;
  last: number;
}

interface PortMap {
  readonly taken: Set<number>;
  readonly ranges: Map<string, PortRange>;
}

export class PortAllocator {
  private readonly maps = new Map<string, PortMap>();
  /** Sockets the port proxies listen on: "proto/port" -> host IPs. The kernel refuses 0.0.0.0:P next to 127.0.0.1:P. */
  private readonly listeners = new Map<string, Set<string>>();

  constructor(readonly begin = EPHEMERAL_BEGIN, readonly end = EPHEMERAL_END) {}

  /** An independent copy (to try another allocation order without touching this one). */
  clone(): PortAllocator {
    const c = new PortAllocator(this.begin, this.end);
    for (const [k, m] of this.maps) {
      c.maps.set(k, { taken: new Set(m.taken), ranges: new Map([...m.ranges].map(([rk, r]) => [rk, { ...r }])) });
    }
    for (const [k, set] of this.listeners) c.listeners.set(k, new Set(set));
    return c;
  }

  private portMap(ip: string, proto: string): PortMap {
    const key = `${ip}/${proto}`;
    let m = this.maps.get(key);
    if (!m) {
      m = { taken: new Set(), ranges: new Map() };
      m.ranges.set(`${this.begin}-${this.end}`, { begin: this.begin, end: this.end, last: this.end });
      this.maps.set(key, m);
    }
    return m;
  }

  /**
   * RequestPortInRange: a single port when start == end > 0, else the next free port of the range
   * (0,0 = the ephemeral range). Throws "Bind for ip:port failed: port is already allocated" /
   * "all ports are allocated".
   */
  request(ip: string, proto: string, start: number, end: number): number {
    const m = this.portMap(ip, proto);
    if (start > 0 && start === end) {
      if (m.taken.has(start)) throw new DockerError(msg.portAllocated(ip, start), INTERNAL);
      m.taken.add(start);
      return start;
    }
    let key: string;
    if (start === 0 && end === 0) {
      key = `${this.begin}-${this.end}`;
    } else {
      key = `${start}-${end}`;
      if (start === end || start === 0 || end === 0 || end < start) {
        throw new DockerError(`invalid port range: ${key}`, INTERNAL);
      }
    }
    let range = m.ranges.get(key);
    if (!range) {
      range = { begin: start, end, last: end };
      m.ranges.set(key, range);
    }
    let port = range.last;
    for (let i = 0; i <= range.end - range.begin; i++) {
      port++;
      if (port > range.end) port = range.begin;
      if (!m.taken.has(port)) {
        m.taken.add(port);
        range.last = port;
        return port;
      }
    }
    throw new DockerError(msg.allPortsAllocated(), INTERNAL);
  }

  release(ip: string, proto: string, port: number): void {
    this.maps.get(`${ip}/${proto}`)?.taken.delete(port);
  }

  isTaken(ip: string, proto: string, port: number): boolean {
    return this.maps.get(`${ip}/${proto}`)?.taken.has(port) ?? false;
  }

  /**
   * Opens the proxy's listening socket; false when the kernel would say "address already in use"
   * (same port and protocol, same address or a wildcard of the same family).
   */
  listen(ip: string, proto: string, port: number): boolean {
    const key = `${proto}/${port}`;
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
    }
    const v6 = ip.includes(':');
    for (const other of set) {
      if (other.includes(':') !== v6) continue;
      if (other === ip || other === '0.0.0.0' || other === '::' || ip === '0.0.0.0' || ip === '::') return false;
    }
    set.add(ip);
    return true;
  }

  closeListener(ip: string, proto: string, port: number): void {
    this.listeners.get(`${proto}/${port}`)?.delete(ip);
  }
}
