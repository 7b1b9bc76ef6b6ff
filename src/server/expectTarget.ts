// The destination of an `expect` entry or a trace: NAME|IP[:PORT][/tcp|udp|icmp|sctp].
import { parseAddress } from './addressPlanner';

export interface ExpectTarget {
  address?: string;
  name?: string;
  port?: number;
  proto: string;
}

/** NAME|IP[:PORT][/proto] */
export function parseExpectTarget(to: string): ExpectTarget | undefined {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([^:/]+))(?::(\d+))?(?:\/(tcp|udp|icmp|sctp))?$/i.exec(to.trim());
  if (!m) return undefined;
  const host = m[1] ?? m[2]!;
  const port = m[3] === undefined ? undefined : Number(m[3]);
  const proto = (m[4] ?? (port === undefined ? 'icmp' : 'tcp')).toLowerCase();
  return parseAddress(host) ? { address: host, ...(port !== undefined ? { port } : {}), proto } : { name: host, ...(port !== undefined ? { port } : {}), proto };
}

/** The name in an expect target NAME|IP[:PORT][/proto] and where it starts, or undefined for an address. */
export function expectTargetName(to: string): { name: string; from: number } | undefined {
  const m = /^([A-Za-z0-9][A-Za-z0-9_.-]*)(?::\d+)?(?:\/(?:tcp|udp|icmp|sctp))?$/i.exec(to.trim());
  if (!m) return undefined;
  const name = m[1]!;
  if (/^\d+(\.\d+){3}$/.test(name)) return undefined; // an IPv4 address
  return { name, from: to.indexOf(name) };
}
