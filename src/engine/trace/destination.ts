// The destination syntax of `cnm trace --to` and of `expect` entries: NAME|IP[:PORT][/tcp|udp|icmp].
// No port means ICMP echo; a port without a protocol means TCP. IPv6 literals go in brackets.
import type { TraceProto } from './types';

export interface Destination {
  readonly to: string;
  readonly port?: number;
  readonly proto: TraceProto;
  /** 6: `/icmp6`, `/tcp6`, `/udp6` — resolve the name to its IPv6 address (an IPv6 literal implies it). */
  readonly family?: 6;
}

export function parseDestination(text: string): Destination | { error: string } {
  let rest = text.trim();
  if (rest === '') return { error: 'empty destination' };
  let proto: TraceProto | undefined;
  let family: 6 | undefined;
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    let p = rest.slice(slash + 1).toLowerCase();
    if (p.endsWith('6')) {
      family = 6;
      p = p.slice(0, -1);
    }
    if (p !== 'tcp' && p !== 'udp' && p !== 'icmp') return { error: `unknown protocol "${rest.slice(slash + 1)}" (tcp, udp or icmp; tcp6, udp6, icmp6 over IPv6)` };
    proto = p;
    rest = rest.slice(0, slash);
  }
  let host = rest;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracket) {
    host = bracket[1]!;
    portText = bracket[2];
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0 && rest.indexOf(':') === colon) {
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
    }
  }
  if (host === '') return { error: `no name or address in "${text}"` };
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) return { error: `invalid port "${portText}" (1-65535)` };
    const port = Number(portText);
    if (proto === 'icmp') return { error: 'ICMP has no port' };
    return { to: host, port, proto: proto ?? 'tcp', ...(family ? { family } : {}) };
  }
  if (proto === 'tcp' || proto === 'udp') return { error: `${proto.toUpperCase()} needs a port (e.g. ${host}:80/${proto})` };
  return { to: host, proto: 'icmp', ...(family ? { family } : {}) };
}

export function formatDestination(d: Destination): string {
  const host = d.to.includes(':') ? `[${d.to}]` : d.to;
  const six = d.family === 6 && !d.to.includes(':');
  if (d.port === undefined) return six ? `${host}/icmp6` : host;
  return `${host}:${d.port}${d.proto === 'udp' ? (six ? '/udp6' : '/udp') : six ? '/tcp6' : ''}`;
}
