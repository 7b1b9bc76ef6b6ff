// Compose projects as a source: read (load.ts), type (project.ts), play as `docker compose up` would
// (play.ts), build on the engine, and put every diagnostic on its file and range.
import { buildTopology } from '../build';
import { DEFAULT_HOST } from '../schema';
import { compareDiagnostics, ZERO_RANGE, type Range, type TopologyDiagnostic } from '../diagnostics';
import type { Engine } from '../../engine';
import type { RangePart } from '../sourceMap';
import type { TopologySpec, YamlPath } from '../spec';
import { ComposeLoadError, loadComposeModel, type ComposeModel, type ComposeOptions, type ComposeProblem, type ComposeReader } from './load';
import type { Loc } from './nodes';
import { playCompose, type PlayedCompose } from './play';
import { readProject, type ComposeProject } from './project';

export interface ComposeDiagnostic extends TopologyDiagnostic {
  /** The file the diagnostic is in (a project spans its main file, the override, extended and included files). */
  file: string;
}

export interface LoadedCompose {
  spec: TopologySpec;
  engine: Engine;
  /** Every diagnostic, each in its file, in file then document order. */
  diagnostics: ComposeDiagnostic[];
  /** The main file (the one given, or the one found in the directory). */
  file: string;
  /** Range in the main file of a spec path (for entries the builder reports, e.g. x-cnm-expect). */
  rangeOf(path: YamlPath, part?: RangePart): Range;
  /** File and range of a spec path. */
  locate(path: YamlPath, part?: RangePart): { file: string; range: Range };
  project: ComposeProject;
  played: PlayedCompose;
  model: ComposeModel;
}

export interface LoadComposeOptions extends ComposeOptions {
  /** --daemon-version: wins over x-cnm.daemon.version. */
  daemonVersion?: string;
}

/** Reads, plays and builds a Compose project. Throws ComposeLoadError only when no Compose file is found. */
export function loadCompose(reader: ComposeReader, target: string, options: LoadComposeOptions = {}): LoadedCompose {
  const model = loadComposeModel(reader, target, options);
  const project = readProject(model);
  const played = playCompose(project, options.daemonVersion);
  const file = model.configFiles[0]!;

  const locOf = (path: YamlPath): Loc | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const loc = played.locations.get(JSON.stringify(path.slice(0, n)));
      if (loc) return { file: loc.file, path: [...loc.path, ...path.slice(n)] };
    }
    return undefined;
  };
  const rangeIn = (f: string, path: YamlPath, part?: RangePart): Range => model.parsed.get(f)?.rangeOf(path, part) ?? ZERO_RANGE;
  const locate = (path: YamlPath, part?: RangePart) => {
    const loc = locOf(path);
    return loc ? { file: loc.file, range: rangeIn(loc.file, loc.path, part) } : { file, range: ZERO_RANGE };
  };

  const diagnostics: ComposeDiagnostic[] = [];
  const fromProblem = (p: ComposeProblem): ComposeDiagnostic => ({
    range: p.range ?? (p.path ? rangeIn(p.file, p.path, p.part) : ZERO_RANGE),
    severity: p.severity,
    message: p.message,
    code: p.code,
    source: 'cnm',
    file: p.file,
    ...(p.path ? { path: p.path } : {}),
  });
  for (const p of [...model.problems, ...played.problems]) diagnostics.push(fromProblem(p));
  // As for topology files, what can be built is built even when Compose would refuse the project (the
  // errors say so), so the editor keeps its picture while a file is being written.
  const built = buildTopology(played.spec, {
    rangeOf: (path, part) => locate(path, part).range,
  });
  for (const d of built.diagnostics) {
    const where = d.path ? locate(d.path) : { file, range: d.range };
    diagnostics.push({ ...d, file: where.file, range: d.range, ...(d.path ? { path: locOf(d.path)?.path ?? d.path } : {}) });
  }
  diagnostics.sort((a, b) => (a.file === b.file ? compareDiagnostics(a, b) : a.file === file ? -1 : b.file === file ? 1 : a.file < b.file ? -1 : 1));
  return { spec: played.spec, engine: built.engine, diagnostics, file, rangeOf: (path, part) => locate(path, part).range, locate, project, played, model };
}

/**
 * The shell environment as Compose reads it (it wins over `.env`): every variable that is set. The tree
 * (extension host) and the language server (started with the extension host's environment) both read
 * their process's through this, so a `${VAR}` is the same on both.
 */
export function composeEnvironment(vars: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
  return env;
}

/** A Compose project as a source beside topology files: loadTopology's shape, never throws. */
export interface LoadedComposeSource {
  spec: TopologySpec;
  engine: Engine;
  /** Every diagnostic, each in its file (the main file, its override, `.env`, extended and included files). */
  diagnostics: ComposeDiagnostic[];
  rangeOf(path: YamlPath, part?: RangePart): Range;
  /** The main file. */
  file: string;
  /** The whole project, when it could be read (undefined: no Compose file there, or the reader failed). */
  compose?: LoadedCompose;
  /** Every path the reader asked about (read or probed), in the order asked: what a change of would change the project. */
  touched: string[];
}

/**
 * Loads the project of `file` (a Compose file with one of the default names stands for its directory,
 * so the override there is merged in) through `reader`, recording every path it looks at. Where Compose
 * would refuse to start, the reason is a diagnostic in Compose's words; nothing throws.
 */
export function loadComposeSource(reader: ComposeReader, file: string, options: LoadComposeOptions = {}): LoadedComposeSource {
  const touched = new Set<string>();
  const recording: ComposeReader = {
    readFile: (p) => {
      touched.add(p);
      return reader.readFile(p);
    },
    exists: (p) => {
      touched.add(p);
      return reader.exists(p);
    },
  };
  try {
    const compose = loadCompose(recording, file, options);
    return { spec: compose.spec, engine: compose.engine, diagnostics: compose.diagnostics, rangeOf: compose.rangeOf, file: compose.file, compose, touched: [...touched] };
  } catch (err) {
    const message = err instanceof ComposeLoadError ? `cannot read ${file}: ${err.message}` : `reading the Compose project failed: ${err instanceof Error ? err.message : String(err)}`;
    const spec: TopologySpec = { hosts: [{ name: DEFAULT_HOST, interfaces: {}, daemon: {}, path: ['host'] }], networks: [], containers: [], services: [], expect: [] };
    const built = buildTopology(spec);
    return {
      spec, engine: built.engine, file, touched: [...touched], rangeOf: () => ZERO_RANGE,
      diagnostics: [{ range: ZERO_RANGE, severity: 'error', message, code: 'compose', source: 'cnm', file }],
    };
  }
}

export { ComposeLoadError, findComposeFiles, isComposeFileName, loadComposeModel, normalizeProjectName, type ComposeOptions, type ComposeReader } from './load';
export { containerName, type PlayedCompose } from './play';
export { DEFAULT_FILE_NAMES, DEFAULT_OVERRIDE_FILE_NAMES } from './load';
export type { ComposeNetwork, ComposeProject, ComposeService } from './project';
export { interpolate, parseDotEnv } from './interpolate';
export { addComposeNetwork, attachServiceToNetwork, publishServicePort, type AttachOptions, type NewComposeNetwork } from './edit';
