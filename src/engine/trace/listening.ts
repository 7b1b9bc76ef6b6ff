// What a container's processes listen on, from a topology file's lists as written: `listen` when given,
// else `expose` plus the container ports of `ports` (what the engine records as `listening` too). Plain
// data in, so the CLI, the language server and the tests build the same lookup from a topology file.
import type { ExposedPort } from '../model';
import { parseExpose, parseListen, parsePortSpec } from '../ports/portSpec';
import type { ListeningLookup } from './types';

export interface ListenEntry {
  readonly host: string;
  readonly name: string;
  /** "80", "80/tcp", "8000-8010/udp" */
  readonly expose: readonly string[];
  /** `-p` specs: their container ports listen unless `listen` says otherwise. */
  readonly ports?: readonly string[];
  /** Present iff the file says `listen`. */
  readonly listen?: readonly string[];
  /** A live host's container whose sockets could not be read: why (its ports' fate is `unknown`). */
  readonly listenUnknown?: string;
}

/** The ports one entry listens on; a bad entry is the validator's to report and opens no port. */
export function listenPortsOf(c: Omit<ListenEntry, 'host' | 'name'>): ExposedPort[] {
  const out: ExposedPort[] = [];
  const add = (ports: () => readonly ExposedPort[]) => {
    let list: readonly ExposedPort[] = [];
    try {
      list = ports();
    } catch {
      return;
    }
    for (const p of list) if (!out.some((o) => o.port === p.port && o.proto === p.proto && o.bind === p.bind)) out.push(p);
  };
  if (c.listen) {
    for (const l of c.listen) add(() => parseListen(l));
    return out;
  }
  for (const p of c.ports ?? []) add(() => parsePortSpec(p).exposed);
  for (const e of c.expose) add(() => parseExpose(e));
  return out;
}

/** The lookup the tracer asks; an entry's lists are parsed when a trace first asks about it (most never are). */
export function listeningFromTopology(entries: Iterable<ListenEntry>, opts: { live?: boolean } = {}): ListeningLookup {
  const byContainer = new Map<string, ListenEntry>();
  const parsed = new Map<string, ExposedPort[]>();
  const unknown = new Map<string, string>();
  for (const c of entries) {
    byContainer.set(`${c.host}\0${c.name}`, c);
    if (c.listenUnknown !== undefined) unknown.set(`${c.host}\0${c.name}`, c.listenUnknown);
  }
  const lookup = (host: string, container: string) => {
    const key = `${host}\0${container}`;
    let ports = parsed.get(key);
    if (ports === undefined) {
      const entry = byContainer.get(key);
      if (entry === undefined) return undefined;
      parsed.set(key, (ports = listenPortsOf(entry)));
    }
    return ports;
  };
  return Object.assign(lookup, {
    ...(unknown.size > 0 ? { unknown: (host: string, container: string) => unknown.get(`${host}\0${container}`) } : {}),
    ...(opts.live ? { live: true } : {}),
  });
}
