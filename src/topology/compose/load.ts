// Reading a Compose project as `docker compose` (v2.26, compose-go v2) reads it: which files (a
// directory's compose.yaml / compose.yml / docker-compose.yml / docker-compose.yaml and its override),
// `.env` and interpolation, `extends`, `include`, merging, de-duplication, `version:` dropped, the
// project name. Pure: the files come through a ComposeReader.
import type { Range, Severity } from '../diagnostics';
import type { RangePart } from '../sourceMap';
import type { YamlPath } from '../spec';
import { interpolate, parseDotEnv, type Lookup } from './interpolate';
import { MergeError, enforceUnicity, mergeNodes, pathText } from './merge';
import { clone, describeNode, get, textOf, type CMap, type CNode } from './nodes';
import { basename, dirname, join } from './paths';
import { parseYamlFile, type ParsedYamlFile } from './yamlNodes';

/** Where the reader gets files: the CLI from disk, the extension from its documents, tests from a map. */
export interface ComposeReader {
  readFile(path: string): string | undefined;
  exists(path: string): boolean;
}

export interface ComposeOptions {
  /** The environment, which wins over `.env` (as the shell's does for docker compose). */
  env?: Record<string, string>;
  /** Active profiles (else COMPOSE_PROFILES). */
  profiles?: string[];
  /** `-p` (else COMPOSE_PROJECT_NAME, `name:`, the directory). */
  projectName?: string;
  /**
   * The absolute path of the project's directory, when the target was given relative to the process's
   * own (`compose.yaml`, `.`, `../app`): Compose names the project after the absolute directory.
   */
  projectDirectory?: string;
}

export interface ComposeProblem {
  file: string;
  /** The YAML path in `file` (range found from it), or a range given directly. */
  path?: YamlPath;
  part?: RangePart;
  range?: Range;
  severity: Severity;
  message: string;
  code: string;
}

export interface ComposeModel {
  workingDir: string;
  /** The files given to compose, in merge order (main, then override). */
  configFiles: string[];
  /** Every YAML file read (also extended and included ones), for ranges. */
  parsed: Map<string, ParsedYamlFile>;
  /** The merged project (after interpolation, extends, include, de-duplication); undefined when unreadable. */
  model: CMap | undefined;
  env: Lookup;
  projectName: string;
  profiles: Set<string>;
  problems: ComposeProblem[];
}

export const DEFAULT_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
export const DEFAULT_OVERRIDE_FILE_NAMES = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

/** True for the names docker compose finds by itself. */
export function isComposeFileName(name: string): boolean {
  return DEFAULT_FILE_NAMES.includes(basename(name)) || DEFAULT_OVERRIDE_FILE_NAMES.includes(basename(name));
}

/** compose-go's NormalizeProjectName: lowercase, only [a-z0-9_-], no leading `_` or `-`. */
export function normalizeProjectName(s: string): string {
  return (s.toLowerCase().match(/[a-z0-9_-]/g) ?? []).join('').replace(/^[_-]+/, '');
}

export class ComposeLoadError extends Error {}

/**
 * The files compose would use for `target` (a Compose file or a directory): a file with one of the
 * default names stands for `docker compose up` in its directory, so the override there is merged too;
 * any other file is used alone (as with `-f`). Throws ComposeLoadError when there is none.
 */
export function findComposeFiles(reader: ComposeReader, target: string): { files: string[]; notes: string[] } {
  const notes: string[] = [];
  const isFile = reader.readFile(target) !== undefined;
  if (isFile && !DEFAULT_FILE_NAMES.includes(basename(target))) return { files: [target], notes };
  const dir = isFile ? dirname(target) : target;
  const main = isFile ? [target] : DEFAULT_FILE_NAMES.map((n) => join(dir, n)).filter((f) => reader.exists(f));
  if (main.length === 0) {
    throw new ComposeLoadError(reader.exists(dir) ? `it is a directory with no Compose file (${DEFAULT_FILE_NAMES.join(', ')})` : 'no such file');
  }
  if (main.length > 1) notes.push(`Found multiple config files with supported names: ${main.join(', ')}`, `Using ${main[0]}`);
  const overrides = DEFAULT_OVERRIDE_FILE_NAMES.map((n) => join(dir, n)).filter((f) => reader.exists(f));
  if (overrides.length > 1) notes.push(`Found multiple override files with supported names: ${overrides.join(', ')}`, `Using ${overrides[0]}`);
  return { files: [main[0]!, ...overrides.slice(0, 1)], notes };
}

export function loadComposeModel(reader: ComposeReader, target: string, options: ComposeOptions = {}): ComposeModel {
  const { files, notes } = findComposeFiles(reader, target);
  const workingDir = dirname(files[0]!);
  const problems: ComposeProblem[] = notes.map((message) => ({ file: files[0]!, path: [], part: 'key', severity: 'warning', message, code: 'compose' }));
  const loader = new Loader(reader, problems);
  const given = options.env ?? {};
  const env = loader.environment(workingDir, (n) => (Object.prototype.hasOwnProperty.call(given, n) ? given[n] : undefined));
  const model = loader.project(files, env, []);

  let projectName = options.projectName ?? env('COMPOSE_PROJECT_NAME') ?? '';
  if (projectName === '') projectName = normalizeProjectName(textOf(get(model, 'name')) ?? '');
  if (projectName === '') projectName = normalizeProjectName(basename(options.projectDirectory ?? (workingDir === '.' ? '' : workingDir)));
  const nameNode = get(model, 'name');
  if (projectName === '') problems.push({ file: files[0]!, path: nameNode ? ['name'] : [], part: 'value', severity: 'error', message: 'project name must not be empty', code: 'compose' });
  else if (!/^[a-z0-9][a-z0-9_-]*$/.test(projectName)) {
    problems.push({ file: files[0]!, path: ['name'], severity: 'error', message: `invalid project name "${projectName}": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`, code: 'compose' });
  }
  const profiles = new Set((options.profiles ?? (env('COMPOSE_PROFILES') ?? '').split(',')).map((p) => p.trim()).filter((p) => p !== ''));
  return { workingDir, configFiles: files, parsed: loader.parsed, model, env, projectName, profiles, problems };
}

class Loader {
  readonly parsed = new Map<string, ParsedYamlFile>();

  constructor(
    private readonly reader: ComposeReader,
    private readonly problems: ComposeProblem[],
  ) {}

  /** The environment first, then `envFile` (default: `.env` in `dir`). */
  environment(dir: string, given: Lookup, envFile?: string): Lookup {
    const file = envFile ?? join(dir, '.env');
    const text = this.reader.readFile(file);
    if (text === undefined) {
      if (envFile !== undefined) this.problems.push({ file, path: [], severity: 'error', message: `Couldn't find env file: ${file}`, code: 'compose' });
      return given;
    }
    const { values, errors } = parseDotEnv(text, given);
    for (const e of errors) this.problems.push({ file, range: { start: { line: e.line, character: 0 }, end: { line: e.line, character: 0 } }, severity: 'error', message: `failed to read ${file}: line ${e.line + 1}: ${e.message}`, code: 'compose' });
    return (n) => given(n) ?? values.get(n);
  }

  /** The files of one project merged in order (includes and extends applied per file). */
  project(files: string[], env: Lookup, including: string[]): CMap | undefined {
    let dict: CMap | undefined;
    for (const file of files) {
      const cfg = this.file(file, env);
      if (!cfg) continue;
      this.applyExtends(cfg, file, env, []);
      this.applyIncludes(cfg, file, env, [...including, files[0]!]);
      try {
        dict = (dict ? mergeNodes(dict, cfg) : cfg) as CMap;
      } catch (err) {
        if (!(err instanceof MergeError)) throw err;
        this.problems.push({ file, path: [], severity: 'error', message: err.message, code: 'compose' });
      }
      if (!dict) continue;
      dict = enforceUnicity(dict) as CMap;
      const version = dict.entries.get('version');
      if (version) {
        this.problems.push({ file: version.loc.file, path: ['version'], part: 'key', severity: 'warning', message: `${version.loc.file}: \`version\` is obsolete`, code: 'compose-version' });
        dict.entries.delete('version');
      }
    }
    return dict;
  }

  /** One file, parsed and interpolated; undefined when it cannot be read or is not a mapping. */
  file(file: string, env: Lookup): CMap | undefined {
    let parsed = this.parsed.get(file);
    if (!parsed) {
      const text = this.reader.readFile(file);
      if (text === undefined) {
        this.problems.push({ file, path: [], severity: 'error', message: `open ${file}: no such file or directory`, code: 'compose' });
        return undefined;
      }
      parsed = parseYamlFile(file, text);
      this.parsed.set(file, parsed);
      for (const p of parsed.problems) this.problems.push({ file, range: p.range, severity: p.severity, message: p.message, code: 'yaml-syntax', ...(p.path ? { path: p.path } : {}) });
    }
    if (parsed.problems.some((p) => p.severity === 'error')) return undefined;
    const root = parsed.root;
    if (!root) {
      this.problems.push({ file, path: [], severity: 'error', message: 'empty compose file', code: 'compose' });
      return undefined;
    }
    if (root.kind !== 'map') {
      this.problems.push({ file, path: [], severity: 'error', message: 'Top-level object must be a mapping', code: 'compose' });
      return undefined;
    }
    return this.interpolateNode(clone(root), env) as CMap;
  }

  private interpolateNode(n: CNode, env: Lookup): CNode {
    if (n.kind === 'map') {
      for (const [k, v] of n.entries) n.entries.set(k, this.interpolateNode(v, env));
      return n;
    }
    if (n.kind === 'seq') {
      n.items = n.items.map((x) => this.interpolateNode(x, env));
      return n;
    }
    if (typeof n.value !== 'string' || !n.value.includes('$')) return n;
    const r = interpolate(n.value, env);
    if (r.error !== undefined) this.problems.push({ file: n.loc.file, path: n.loc.path, severity: 'error', message: `error while interpolating ${pathText(n.loc.path)}: ${r.error}`, code: 'compose-interpolation' });
    for (const v of new Set(r.unset)) this.problems.push({ file: n.loc.file, path: n.loc.path, severity: 'warning', message: `The "${v}" variable is not set. Defaulting to a blank string.`, code: 'compose-interpolation' });
    return { ...n, value: r.value };
  }

  /** `extends:` of every service of this file, resolved (recursively, also from other files). */
  private applyExtends(cfg: CMap, file: string, env: Lookup, chain: string[]): void {
    const services = cfg.entries.get('services');
    if (services?.kind !== 'map') return;
    for (const name of [...services.entries.keys()]) this.extendService(services, name, file, env, chain);
  }

  private extendService(services: CMap, name: string, file: string, env: Lookup, chain: string[]): void {
    const service = services.entries.get(name);
    if (service?.kind !== 'map') return;
    const ext = service.entries.get('extends');
    if (!ext) return;
    const ref = ext.kind === 'map' ? textOf(ext.entries.get('service')) : textOf(ext);
    const fromFile = ext.kind === 'map' ? textOf(ext.entries.get('file')) : undefined;
    const at = `${file}#${name}`;
    if (chain.includes(at)) {
      this.problems.push({ file: ext.loc.file, path: ext.loc.path, severity: 'error', message: `Circular reference with extends: ${[...chain, at].map((c) => c.split('#')[1]).join(' -> ')}`, code: 'compose' });
      service.entries.delete('extends');
      return;
    }
    if (ref === undefined) {
      this.problems.push({ file: ext.loc.file, path: ext.loc.path, severity: 'error', message: `services.${name}.extends.service is required`, code: 'compose' });
      service.entries.delete('extends');
      return;
    }
    let baseServices: CMap | undefined = services;
    let baseFile = file;
    if (fromFile !== undefined) {
      baseFile = join(dirname(file), fromFile);
      const other = this.file(baseFile, env);
      const s = other?.entries.get('services');
      baseServices = s?.kind === 'map' ? s : undefined;
      if (!other) {
        service.entries.delete('extends');
        return;
      }
    }
    if (baseServices !== services || baseFile !== file) {
      // Another file's service, extended in turn within that file.
      if (baseServices) this.extendService(baseServices, ref, baseFile, env, [...chain, at]);
    } else this.extendService(services, ref, file, env, [...chain, at]);
    const base = baseServices?.entries.get(ref);
    if (base?.kind !== 'map') {
      this.problems.push({ file: ext.loc.file, path: ext.loc.path, severity: 'error', message: `cannot extend service "${name}" in ${baseFile}: service "${ref}" not found`, code: 'compose' });
      service.entries.delete('extends');
      return;
    }
    const own: CMap = { kind: 'map', entries: new Map([...service.entries].filter(([k]) => k !== 'extends')), loc: service.loc };
    const copy = clone(base) as CMap;
    copy.entries.delete('extends');
    try {
      services.entries.set(name, mergeNodes(copy, own, ['services', name])!);
    } catch (err) {
      if (!(err instanceof MergeError)) throw err;
      this.problems.push({ file: ext.loc.file, path: ext.loc.path, severity: 'error', message: err.message, code: 'compose' });
    }
  }

  /** `include:`: each entry is its own project (own directory and .env), its resources added to this one. */
  private applyIncludes(cfg: CMap, file: string, env: Lookup, including: string[]): void {
    const include = cfg.entries.get('include');
    if (!include) return;
    cfg.entries.delete('include');
    const items = include.kind === 'seq' ? include.items : [include];
    for (const item of items) {
      const pathNode = item.kind === 'map' ? item.entries.get('path') : item;
      const paths = (pathNode?.kind === 'seq' ? pathNode.items : pathNode ? [pathNode] : []).map(textOf).filter((p): p is string => p !== undefined);
      if (paths.length === 0) {
        this.problems.push({ file: item.loc.file, path: item.loc.path, severity: 'error', message: `include: ${describeNode(item)} has no path`, code: 'compose' });
        continue;
      }
      const files = paths.map((p) => join(dirname(file), p));
      if (including.includes(files[0]!)) {
        this.problems.push({ file: item.loc.file, path: item.loc.path, severity: 'error', message: `include cycle detected:\n${including[0]}\n include ${[...including.slice(1), files[0]].join('\n include ')}`, code: 'compose' });
        continue;
      }
      const projectDir = item.kind === 'map' && textOf(item.entries.get('project_directory')) !== undefined ? join(dirname(file), textOf(item.entries.get('project_directory'))!) : dirname(files[0]!);
      const envFileNode = item.kind === 'map' ? item.entries.get('env_file') : undefined;
      const envFile = textOf(envFileNode?.kind === 'seq' ? envFileNode.items[0] : envFileNode);
      const incEnv = this.environment(projectDir, env, envFile !== undefined ? join(dirname(file), envFile) : undefined);
      const imported = this.project(files, incEnv, including);
      if (!imported) continue;
      for (const section of ['services', 'networks', 'volumes', 'secrets', 'configs']) {
        const from = imported.entries.get(section);
        if (from?.kind !== 'map') continue;
        let into = cfg.entries.get(section);
        if (into?.kind !== 'map') {
          into = { kind: 'map', entries: new Map(), loc: from.loc };
          cfg.entries.set(section, into);
        }
        for (const [k, v] of from.entries) {
          if (into.entries.has(k)) {
            this.problems.push({ file: item.loc.file, path: item.loc.path, severity: 'error', message: `imported compose file ${files[0]} defines conflicting ${section.replace(/s$/, '')} ${k}`, code: 'compose' });
            continue;
          }
          into.entries.set(k, v);
        }
      }
    }
  }
}
