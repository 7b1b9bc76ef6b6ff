// Compose projects as a source: read (load.ts), type (project.ts), play as `docker compose up` would
// (play.ts), build on the engine, and put every diagnostic on its file and range.
import { buildTopology } from '../build';
import { compareDiagnostics, ZERO_RANGE, type Range, type TopologyDiagnostic } from '../diagnostics';
import type { Engine } from '../../engine';
import type { RangePart } from '../sourceMap';
import type { TopologySpec, YamlPath } from '../spec';
import { loadComposeModel, type ComposeModel, type ComposeOptions, type ComposeProblem, type ComposeReader } from './load';
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

export { ComposeLoadError, findComposeFiles, isComposeFileName, loadComposeModel, normalizeProjectName, type ComposeOptions, type ComposeReader } from './load';
export { containerName, type PlayedCompose } from './play';
export type { ComposeNetwork, ComposeProject, ComposeService } from './project';
export { interpolate, parseDotEnv } from './interpolate';
export { addComposeNetwork, attachServiceToNetwork, publishServicePort, type AttachOptions, type NewComposeNetwork } from './edit';
