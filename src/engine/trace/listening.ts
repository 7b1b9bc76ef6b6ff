// What a container's processes listen on, from the `expose` lists as written (Docker's ExposedPorts also
// holds every published container port, which nothing need listen on). Plain data in, so the CLI, the
// language server and the tests build the same lookup from a topology file.
import type { ExposedPort } from '../model';
import { parseExpose } from '../ports/portSpec';
import type { ListeningLookup } from './types';

export interface ExposeEntry {
  readonly host: string;
  readonly name: string;
  /** "80", "80/tcp", "8000-8010/udp" */
  readonly expose: readonly string[];
}

export function listeningFromExpose(entries: Iterable<ExposeEntry>): ListeningLookup {
  const byContainer = new Map<string, ExposedPort[]>();
  for (const c of entries) {
    const ports: ExposedPort[] = [];
    for (const e of c.expose) {
      try {
        ports.push(...parseExpose(e));
      } catch {
        // A bad entry is the validator's to report; it opens no port.
      }
    }
    byContainer.set(`${c.host}\0${c.name}`, ports);
  }
  return (host, container) => byContainer.get(`${host}\0${container}`);
}
