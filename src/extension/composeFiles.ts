// Compose projects as sources of the workspace: which found files are projects (one per folder, the
// name `docker compose` would pick there; an override file is never a project of its own), and a
// project loaded from files read asynchronously (the Compose reader asks synchronously: what it asks
// for and is not read yet is read, and the project loaded again, until it asks for nothing new). What
// it asked for is what the project depends on. Pure: no `vscode`; paths are POSIX (a URI's path).
import { DEFAULT_FILE_NAMES, loadComposeSource, type ComposeReader, type LoadComposeOptions, type LoadedComposeSource } from '../topology/compose';

/** A file as read: its text, or only whether it exists (a folder, or a file that could not be read). */
export interface FileProbe {
  exists: boolean;
  text?: string;
}

/** The names of Compose files that make a project, in the order `docker compose` looks for them. */
export const COMPOSE_FILE_NAMES: readonly string[] = DEFAULT_FILE_NAMES;

/** The glob of Compose projects' main files. */
export const COMPOSE_GLOB = `**/{${COMPOSE_FILE_NAMES.join(',')}}`;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function dirName(path: string): string {
  return path.slice(0, Math.max(0, path.lastIndexOf('/')));
}

/** True for a path whose name is one `docker compose` finds by itself (compose.yaml, docker-compose.yml, …; not an override). */
export function isComposePath(path: string): boolean {
  return COMPOSE_FILE_NAMES.includes(baseName(path));
}

/**
 * The projects among found Compose files: per folder the one `docker compose` would use (compose.yaml
 * before compose.yml before docker-compose.yml before docker-compose.yaml); the others are not projects.
 */
export function composeProjects(paths: readonly string[]): string[] {
  const byDir = new Map<string, string>();
  const rank = (p: string) => COMPOSE_FILE_NAMES.indexOf(baseName(p));
  for (const p of paths) {
    if (!isComposePath(p)) continue;
    const have = byDir.get(dirName(p));
    if (have === undefined || rank(p) < rank(have)) byDir.set(dirName(p), p);
  }
  return [...byDir.values()];
}

export interface ComposeLoad {
  loaded: LoadedComposeSource;
  /** Every file the project was read from or looked for, with what was found (the last round's). */
  files: Map<string, FileProbe>;
  /** A key that changes when any of those files changes (to skip a reload that would change nothing). */
  fingerprint: string;
}

/** The most rounds of reading: each round follows one more level of `include` / `extends` files. */
const MAX_ROUNDS = 12;

/** Loads the project of `main`, reading the files it needs through `read` (never throws). */
export async function loadComposeFiles(main: string, read: (path: string) => Promise<FileProbe>, options: LoadComposeOptions = {}): Promise<ComposeLoad> {
  const cache = new Map<string, FileProbe>();
  let loaded: LoadedComposeSource | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const missing = new Set<string>();
    const reader: ComposeReader = {
      readFile: (p) => {
        const f = cache.get(p);
        if (!f) missing.add(p);
        return f?.text;
      },
      exists: (p) => {
        const f = cache.get(p);
        if (!f) missing.add(p);
        return f?.exists ?? false;
      },
    };
    loaded = loadComposeSource(reader, main, options);
    if (missing.size === 0) break;
    const probes = await Promise.all([...missing].map(async (p) => [p, await read(p).catch(() => ({ exists: false }))] as const));
    for (const [p, probe] of probes) cache.set(p, probe);
  }
  const files = new Map(loaded!.touched.map((p) => [p, cache.get(p) ?? { exists: false }]));
  const fingerprint = JSON.stringify([...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, f]) => [p, f.exists, f.text ?? null]));
  return { loaded: loaded!, files, fingerprint };
}
