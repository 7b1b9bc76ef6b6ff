// Name resolution as a chosen container sees it, for the diagram's hover: what its DNS server answers
// (`cnm resolve`, `nslookup`), what getaddrinfo picks (/etc/hosts first: links, extra_hosts, its own
// name), and how (the trace's resolve hop says which resolver and which record). Pure: no `vscode`.
import { resolveDns, resolveName, type EngineState } from '../engine';
import type { NameResolution } from '../protocol/messages';
import type { Tracer } from './tracing';

/** A DNS name as a user could type it (RFC 1123 labels, dots, an optional trailing dot). */
export const NAME_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?$/;

/** What `from` (a container on `host`) resolves `name` to; a host or a stopped container says why not. */
export function resolveFrom(state: EngineState, tracer: Tracer, host: string, from: string, name: string): NameResolution {
  if (!NAME_PATTERN.test(name)) return { name, addresses: [], dns: [], how: '', error: `"${name.slice(0, 80)}" is not a name` };
  const h = state.hosts.get(host);
  const c = h ? [...h.containers.values()].find((x) => x.name === from) : undefined;
  if (!h || !c) return { name, addresses: [], dns: [], how: '', error: `name resolution starts in a container: ${from} is ${h && from === host ? 'a host' : 'not a container here'}` };
  const addresses = resolveName(h, c, name, state.swarm);
  const dns = resolveDns(h, c, name, state.swarm);
  let how = '';
  try {
    // The tracer's resolve hop names the resolver and the record that answered (or why none did).
    const t = tracer(state, { host, from, to: name, proto: 'icmp' });
    const hop = t.hops.find((x) => x.action === 'resolve');
    how = hop ? hop.detail : t.verdict === 'unresolved' ? t.reason : '';
  } catch {
    how = '';
  }
  return { name, addresses, dns, how };
}
