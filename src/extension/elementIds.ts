// Ids of the things the tree and the diagram show. One scheme for both, so a selection in one finds the
// same thing in the other, and trace hops can name what they light. Names are URI-encoded: a name with
// a slash cannot break the scheme. No `vscode` import: unit tests use this.

export type ElementKind = 'host' | 'hostIf' | 'network' | 'container' | 'endpoint' | 'link' | 'port' | 'device' | 'service' | 'mesh';

export type ElementRef =
  | { kind: 'host'; host: string }
  | { kind: 'hostIf'; host: string; ifname: string }
  | { kind: 'network'; host: string; network: string }
  | { kind: 'container'; host: string; container: string }
  | { kind: 'endpoint'; host: string; network: string; container: string }
  | { kind: 'link'; host: string; network: string; container: string }
  | { kind: 'port'; host: string; container: string; binding: string }
  | { kind: 'device'; host: string; device: string }
  | { kind: 'service'; host: string; service: string }
  | { kind: 'mesh'; host: string; binding: string };

const PREFIX: Record<ElementKind, string> = { host: 'h', hostIf: 'i', network: 'n', container: 'c', endpoint: 'e', link: 'l', port: 'p', device: 'd', service: 's', mesh: 'm' };
const KIND_OF = Object.fromEntries(Object.entries(PREFIX).map(([k, p]) => [p, k as ElementKind]));

const join = (prefix: string, parts: string[]) => [prefix, ...parts.map(encodeURIComponent)].join('/');

export const ids = {
  host: (host: string) => join('h', [host]),
  hostIf: (host: string, ifname: string) => join('i', [host, ifname]),
  network: (host: string, network: string) => join('n', [host, network]),
  container: (host: string, container: string) => join('c', [host, container]),
  endpoint: (host: string, network: string, container: string) => join('e', [host, network, container]),
  link: (host: string, network: string, container: string) => join('l', [host, network, container]),
  /** `binding` like "0.0.0.0:8080->80/tcp". */
  port: (host: string, container: string, binding: string) => join('p', [host, container, binding]),
  /** A driver's own device on a host (tunl0, the weave router). */
  device: (host: string, device: string) => join('d', [host, device]),
  /** A swarm service, under the manager host that keeps it (services span the nodes). */
  service: (host: string, service: string) => join('s', [host, service]),
  /** A published port of the routing mesh (open on every node), `binding` like "8080/tcp"; `host` the node traced to. */
  mesh: (host: string, binding: string) => join('m', [host, binding]),
  /** Not an element of the tree: a driver's traffic between two devices (ids.device) on two hosts. */
  deviceTunnel: (from: string, to: string, label: string) => ['t', from, to, label].map(encodeURIComponent).join('/'),
};

/** The parts of an id, or undefined for anything that is not one of ours. */
export function parseElementId(id: string): ElementRef | undefined {
  const [prefix, ...encoded] = id.split('/');
  const kind = prefix === undefined ? undefined : KIND_OF[prefix];
  if (!kind) return undefined;
  let parts: string[];
  try {
    parts = encoded.map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const want: Record<ElementKind, number> = { host: 1, hostIf: 2, network: 2, container: 2, endpoint: 3, link: 3, port: 3, device: 2, service: 2, mesh: 2 };
  if (parts.length !== want[kind] || parts.some((p) => p === '')) return undefined;
  const [a, b, c] = parts as [string, string, string];
  switch (kind) {
    case 'host': return { kind, host: a };
    case 'hostIf': return { kind, host: a, ifname: b };
    case 'network': return { kind, host: a, network: b };
    case 'container': return { kind, host: a, container: b };
    case 'endpoint': return { kind, host: a, network: b, container: c };
    case 'link': return { kind, host: a, network: b, container: c };
    case 'port': return { kind, host: a, container: b, binding: c };
    case 'device': return { kind, host: a, device: b };
    case 'service': return { kind, host: a, service: b };
    case 'mesh': return { kind, host: a, binding: b };
  }
}
