// Search in the diagram: a container's name, a network's name or subnet, an address, a MAC, an alias
// or a published port. Returns the ids to light, in drawing order (hosts, then sandboxes, networks, ports).
import type { DiagramSnapshot } from '../src/protocol/diagram';

export interface SearchHit {
  id: string;
  /** What matched, for the count line and screen readers. */
  what: string;
}

export function searchSnapshot(s: DiagramSnapshot, query: string, limit = 500): SearchHit[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits: SearchHit[] = [];
  const has = (v: string | undefined | null) => !!v && v.toLowerCase().includes(q);
  for (const h of s.hosts) {
    for (const sb of h.sandboxes) {
      if (hits.length >= limit) return hits;
      const names = [sb.name, ...sb.sharedBy.map((m) => m.name)];
      const name = names.find(has);
      if (name) {
        hits.push({ id: sb.id, what: `container ${name}` });
        continue;
      }
      const ep = sb.endpoints.find((e) => has(e.ipv4) || has(e.ipv6) || has(e.mac) || e.aliases.some(has));
      if (ep) hits.push({ id: sb.id, what: `${sb.name} ${ep.ifname} ${ep.ipv4 ?? ep.ipv6 ?? ep.mac ?? ''}`.trim() });
    }
    for (const n of h.networks) if (has(n.name) || has(n.subnet) || has(n.gateway) || has(n.device)) hits.push({ id: n.id, what: `network ${n.name}` });
    for (const p of h.ports) if (`${p.hostPort}` === q || has(`${p.hostIp}:${p.hostPort}`)) hits.push({ id: p.id, what: `port ${p.hostPort}/${p.proto}` });
  }
  for (const sv of s.services ?? []) {
    const vip = sv.vips.find((v) => has(v.address));
    if (has(sv.name) || vip) hits.push({ id: sv.id, what: vip ? `service ${sv.name} VIP ${vip.address}` : `service ${sv.name}` });
    for (const p of sv.ports) if (`${p.published}` === q) hits.push({ id: p.id, what: `routing mesh port ${p.published}/${p.proto}` });
  }
  return hits.slice(0, limit);
}

/**
 * The neighbourhood of a selection: a container with its interfaces, links, published ports, the
 * networks it is on and everyone else on them; a network with everyone on it; a host with everything.
 */
export function neighbourhood(s: DiagramSnapshot, id: string): Set<string> {
  const out = new Set<string>([id]);
  for (const h of s.hosts) {
    if (h.id === id) {
      for (const sb of h.sandboxes) out.add(sb.id);
      for (const n of h.networks) out.add(n.id);
      return out;
    }
    const onNetwork = (nets: Set<string>) => {
      for (const n of nets) out.add(n);
      for (const sb of h.sandboxes) for (const e of sb.endpoints) if (nets.has(e.networkId)) out.add(sb.id).add(e.id).add(e.linkId);
    };
    if (h.networks.some((n) => n.id === id)) {
      onNetwork(new Set([id]));
      return out;
    }
    const sb = h.sandboxes.find((x) => x.id === id || x.sharedBy.some((m) => m.id === id) || x.endpoints.some((e) => e.id === id || e.linkId === id))
      ?? h.sandboxes.find((x) => h.ports.some((p) => p.id === id && p.sandboxId === x.id));
    if (sb) {
      out.add(sb.id);
      for (const e of sb.endpoints) out.add(e.id).add(e.linkId);
      for (const p of h.ports) if (p.sandboxId === sb.id) out.add(p.id);
      onNetwork(new Set(sb.endpoints.map((e) => e.networkId)));
      return out;
    }
  }
  return out;
}
