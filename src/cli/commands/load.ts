// Reading FILE and building it, shared by the commands that work on a topology file or a Compose project.
import { buildTopology, compareDiagnostics, hasErrors, loadTopology, parseTopology, type LoadedTopology, type TopologyDiagnostic } from '../../topology';
import { ComposeLoadError, isComposeFileName, loadCompose, type ComposeReader, type LoadedCompose } from '../../topology/compose';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors';
import { readTopologyFile, type CliIo } from '../io';

export interface LoadedFile extends LoadedTopology {
  /** Set when FILE is a Compose project. */
  compose?: LoadedCompose;
  /** The file a diagnostic is in (a Compose project spans several). */
  fileOf(d: TopologyDiagnostic, file: string): string;
}

export function loadFile(io: CliIo, file: string): LoadedFile {
  const live = io.loadLive?.(file);
  if (live) return { ...live, fileOf: (_d, f) => f };
  const target = readTarget(io, file);
  if (target.compose) return loadComposeFile(io, file);
  const text = target.text ?? readTopologyFile(io, file);
  if (io.daemonVersion === undefined) return { ...loadTopology(text), fileOf: (_d, f) => f };
  // --daemon-version wins over each host's daemon.version.
  const parsed = parseTopology(text);
  for (const h of parsed.spec.hosts) h.daemon = { ...h.daemon, version: io.daemonVersion };
  const built = buildTopology(parsed.spec, parsed);
  const diagnostics = [...parsed.diagnostics, ...built.diagnostics].sort(compareDiagnostics);
  return { spec: parsed.spec, engine: built.engine, diagnostics, rangeOf: parsed.rangeOf, fileOf: (_d, f) => f };
}

/** A Compose file by its name (compose.yaml, docker-compose.prod.yml…), or a directory. */
export function isComposeTarget(io: CliIo, file: string): boolean {
  return readTarget(io, file).compose;
}

/** Whether FILE is a Compose target, with its text when reading it was how that was found (read once). */
function readTarget(io: CliIo, file: string): { compose: boolean; text?: string } {
  const base = file.replace(/\/+$/, '').split('/').pop() ?? '';
  if (isComposeFileName(base) || (/compose/i.test(base) && /\.ya?ml$/i.test(base) && !/\.cnm\.ya?ml$/i.test(base))) return { compose: true };
  try {
    return { compose: false, text: io.readFile(file) };
  } catch (err) {
    return { compose: (err as NodeJS.ErrnoException).code === 'EISDIR' };
  }
}

function loadComposeFile(io: CliIo, file: string): LoadedFile {
  const reader: ComposeReader = {
    readFile(path) {
      try {
        return io.readFile(path);
      } catch {
        return undefined;
      }
    },
    exists: (path) => (io.exists ? io.exists(path) : reader.readFile(path) !== undefined),
  };
  if (reader.readFile(file) === undefined && !reader.exists(file)) readTopologyFile(io, file); // one clear line
  let compose: LoadedCompose;
  try {
    // The project is named after its directory's absolute path, also for `cnm validate compose.yaml` in it.
    const projectDirectory = resolve(reader.readFile(file) !== undefined ? dirname(file) : file);
    compose = loadCompose(reader, file, { env: envOf(), projectDirectory, ...(io.daemonVersion !== undefined ? { daemonVersion: io.daemonVersion } : {}) });
  } catch (err) {
    if (err instanceof ComposeLoadError) throw new UsageError(`cannot read ${file}: ${err.message}`);
    throw err;
  }
  const main = compose.file;
  // Compose refuses a file whose top level is not a mapping, or an empty one: nothing to work on.
  const fatal = compose.diagnostics.find((d) => d.severity === 'error' && d.file === main && ['Top-level object must be a mapping', 'empty compose file'].includes(d.message));
  if (fatal) throw new UsageError(`cannot read ${file}: ${fatal.message}`);
  return {
    spec: compose.spec,
    engine: compose.engine,
    diagnostics: compose.diagnostics,
    rangeOf: compose.rangeOf,
    compose,
    fileOf: (d, f) => (d as { file?: string }).file ?? f,
  };
}

function envOf(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) out[k] = v;
  return out;
}

/** A container name for SRC: a Compose service's name means its first replica. */
export function sourceName(loaded: LoadedFile, name: string): string {
  const compose = loaded.compose;
  if (!compose || loaded.spec.containers.some((c) => c.name === name)) return name;
  return compose.played.containersOf.get(name)?.[0] ?? name;
}

/** A note on stderr when the file has errors: the output then shows only what could be built. */
export function noteErrors(io: CliIo, file: string, loaded: LoadedTopology): void {
  if (!hasErrors(loaded.diagnostics)) return;
  const n = loaded.diagnostics.filter((d) => d.severity === 'error').length;
  io.err(`cnm: ${file} has ${n} error${n === 1 ? '' : 's'}; this shows only what could be built (see: cnm validate ${file})\n`);
}
