// Drift in what only the host's kernel knows, once it was read (observeHost): a container listening on a
// port its file does not declare, or not listening where its `listen:` says; and rules in the host's
// iptables/ip6tables DOCKER-USER chain, which the engine never writes (dockerd leaves that chain to the
// user: only its final RETURN is dockerd's). Nothing is said where nothing was read.
import { dockerdWrote, IptablesSaveError, listenPortsOf, parseIptablesSave } from '../engine';
import type { ContainerInfo, SaveReading, Snapshot } from '../docker';
import type { ContainerSpec } from '../topology';
import type { DriftItem } from './drift';

/** dockerd's embedded DNS resolver listens in every container of a user network: not the container's. */
const DOCKER_DNS = '127.0.0.11';

const bracket = (a: string) => (a.includes(':') ? `[${a}]` : a);

export function listenerDrift(cspec: ContainerSpec, live: ContainerInfo, snapshot: Snapshot): DriftItem[] {
  const r = snapshot.listeners?.[live.id];
  if (!r || r.state !== 'read') return [];
  const declared = listenPortsOf(cspec);
  const sockets = r.sockets.filter((s) => s.address !== DOCKER_DNS);
  const items: DriftItem[] = [];
  const said = new Set<string>();
  for (const s of sockets) {
    const key = `${s.port}/${s.proto}`;
    if (said.has(key) || declared.some((d) => d.port === s.port && d.proto === s.proto)) continue;
    said.add(key);
    const where = sockets.filter((o) => o.port === s.port && o.proto === s.proto).map((o) => bracket(o.address)).join(', ');
    items.push({
      kind: 'extra', object: 'container', container: cspec.name, field: 'listen', live: key,
      message: `container "${cspec.name}" listens on ${key} (${where}) on the host, which the file does not declare (listen or expose)`,
      path: cspec.listen ? [...cspec.path, 'listen'] : cspec.path,
    });
  }
  if (cspec.listen) {
    for (const d of declared) {
      if (sockets.some((s) => s.port === d.port && s.proto === d.proto)) continue;
      items.push({
        kind: 'missing', object: 'container', container: cspec.name, field: 'listen', file: `${d.port}/${d.proto}`,
        message: `container "${cspec.name}" does not listen on ${d.port}/${d.proto} on the host, though its listen says so`,
        path: [...cspec.path, 'listen'],
      });
    }
  }
  return items;
}

/** DOCKER-USER entries of the host's iptables-save and ip6tables-save, one item each. */
export function ruleDrift(snapshot: Snapshot): DriftItem[] {
  const host = snapshot.host;
  if (!host || 'unread' in host) return [];
  const items: DriftItem[] = [];
  const of = (reading: SaveReading, tool: string) => {
    if ('error' in reading) return;
    let rules;
    try {
      rules = parseIptablesSave(reading.text, 'host', { host: 'host', layout: 'legacy', tables: new Map() });
    } catch (err) {
      if (err instanceof IptablesSaveError) return;
      throw err;
    }
    for (const t of rules.tables.values()) {
      for (const r of t.chains.get('DOCKER-USER')?.rules ?? []) {
        if (dockerdWrote(r)) continue;
        items.push({ kind: 'extra', object: 'rule', field: tool, live: r.text ?? null, message: `the host's ${tool} has a rule the file's engine would not write: ${r.text}${t.name === 'filter' ? '' : ` (table ${t.name})`}`, path: [] });
      }
    }
  };
  of(host.iptables, 'iptables');
  of(host.ip6tables, 'ip6tables');
  return items;
}
