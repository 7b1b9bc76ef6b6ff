// The names every running container looks up, in both worlds. Short container ids differ between
// dockerd and the engine (random against deterministic), so a query can name "the short id of X" and
// each side substitutes its own.
import type { TopologySpec } from '../../../src/topology/spec';

export interface NameQuery {
  /** How the query is shown in a diff, e.g. "web", "web.mynet", "<short id of web>". */
  label: string;
  /** The literal name, or … */
  name?: string;
  /** … the 12-hex short id of this container (each side's own). */
  shortIdOf?: string;
}

/** A name no container, alias or network has: it must not resolve anywhere. */
export const UNKNOWN_NAME = 'cnm-no-such-name';

/** The user-defined network a container's network_mode names, if it names one. */
function modeNetwork(mode: string | undefined): string | undefined {
  if (mode === undefined || ['bridge', 'default', 'host', 'none'].includes(mode) || mode.startsWith('container:')) return undefined;
  return mode;
}

export function nameQueries(spec: TopologySpec): NameQuery[] {
  const out = new Map<string, NameQuery>();
  const add = (q: NameQuery) => {
    if (!out.has(q.label)) out.set(q.label, q);
  };
  for (const c of spec.containers) {
    add({ label: c.name, name: c.name });
    if (c.hostname !== undefined) add({ label: c.hostname, name: c.hostname });
    add({ label: `<short id of ${c.name}>`, shortIdOf: c.name });
    const nets = c.networks.map((n) => ({ network: n.network, aliases: n.aliases ?? [] }));
    const m = modeNetwork(c.networkMode);
    if (m !== undefined) nets.push({ network: m, aliases: [] });
    for (const n of nets) {
      add({ label: `${c.name}.${n.network}`, name: `${c.name}.${n.network}` });
      for (const a of n.aliases) {
        add({ label: a, name: a });
        add({ label: `${a}.${n.network}`, name: `${a}.${n.network}` });
      }
    }
  }
  // Look-ups are case-insensitive in Docker's resolver: one upper-cased name shows it.
  const first = spec.containers[0];
  if (first && first.name.toUpperCase() !== first.name) add({ label: first.name.toUpperCase(), name: first.name.toUpperCase() });
  add({ label: UNKNOWN_NAME, name: UNKNOWN_NAME });
  return [...out.values()];
}

export function queryText(q: NameQuery, ids: ReadonlyMap<string, string>): string | undefined {
  if (q.name !== undefined) return q.name;
  const id = ids.get(q.shortIdOf!);
  return id === undefined ? undefined : id.slice(0, 12);
}
