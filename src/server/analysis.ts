// One analysis of one version of a topology document: the YAML tree (parsed incrementally), the spec
// and the parser's diagnostics, the engine the spec was built on with its diagnostics, the server's own
// warnings, and (lazily) the symbol index and the engine's inspect view. Every feature reads the
// analysis of the version it is asked about.
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { Engine, InspectResult } from '../engine';
import { buildTopologySteps, networksChanged, parseTopologyDocument, recheckBuild, replayContainer, replayNetwork, type BuildResume, type NetworkSpec, type ParsedTopology, type Range, type TopologyDiagnostic, type TopologySpec, type YamlPath } from '../topology';
import { checkExpectations } from './expectations';
import { IncrementalYamlParser, LineIndex, type ParsedYaml } from '../topology/yaml';
import { findSilentSurprises } from './silentSurprises';
import { liveLookup, type LiveLookup } from './liveLookup';
import { buildSymbolIndex, symbolAt, type Occurrence, type SymbolIndex } from './symbolIndex';

/** liveContainer/liveNetwork: one object of inspect() without inspecting everything (liveLookup.ts). */
export interface Analysis extends LiveLookup {
  readonly uri: string;
  readonly version: number;
  readonly text: string;
  readonly lines: LineIndex;
  readonly yaml: ParsedYaml;
  readonly parsed: ParsedTopology;
  /** The engine the spec was built on (undefined only when building failed outright). */
  readonly engine: Engine | undefined;
  /** Everything, in LSP form, every range inside the document. */
  readonly diagnostics: Diagnostic[];
  /** The topology-layer form of the same diagnostics (code actions read their paths). */
  readonly topologyDiagnostics: TopologyDiagnostic[];
  inspect(): InspectResult | undefined;
  symbols(): SymbolIndex;
  /** symbols().at(offset), reading only the entry at `offset` until the whole index is made. */
  symbolAt(offset: number): Occurrence | undefined;
  /** Milliseconds per phase, for the benchmark and the output channel. */
  readonly timings: Record<string, number>;
  /** True for a provisional reading: the engine is the last build's (or none) while this version's builds. */
  readonly building?: boolean;
}

/** A build diagnostic with the part of its path it was put on, so it can be moved when the text moves. */
interface PlacedDiagnostic {
  diagnostic: TopologyDiagnostic;
  part: 'key' | 'value';
}

interface BuildMemo {
  /** The spec the engine was built from. */
  spec: TopologySpec;
  engine: Engine | undefined;
  diagnostics: PlacedDiagnostic[];
  /** engine.inspect(), computed on first use and shared by every analysis that reuses this build. */
  inspect: { value?: InspectResult | undefined; done: boolean };
  /** For re-playing one changed container in place instead of building everything again. */
  resume?: BuildResume;
}

/**
 * What a step of the analysis reports when it pauses: the caller may stop there if the text moved on.
 * `provisional` is this version read without its new engine build (the last build's engine, when it
 * is still whole): hover and completion answer from it while the engine rebuilds.
 */
export type AnalysisStep =
  | { phase: 'parsed'; preliminary: () => Diagnostic[]; provisional: () => Analysis; size: number }
  | { phase: 'building' }
  | { phase: 'built' };

/** Longest stretch of engine building between two pauses (ms): requests wait no longer than that. */
const BUILD_SLICE_MS = 15;

/**
 * Analyses the versions of one document. It keeps the incremental YAML parser and the last build, so an
 * edit that does not change what the engine sees (a comment, an image name, a rename of nothing) does
 * not rebuild the engine.
 */
export class DocumentAnalyzer {
  private readonly parser = new IncrementalYamlParser();
  private lastBuild: BuildMemo | undefined;
  /**
   * The version the parser last read. Reading a text moves the YAML nodes it shares with the last reading
   * (their ranges are shifted in place): an older analysis's tree is only whole until a newer text is read.
   */
  parsedVersion: number | undefined;

  constructor(readonly uri: string) {}

  /** Work that can wait until the first diagnostics are out: readies the YAML cache for the next edit. */
  prepareForEdits(): void {
    this.parser.seed();
  }

  /** Run to the end at once. */
  analyzeNow(version: number, text: string): Analysis {
    const steps = this.steps(version, text);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /**
   * The analysis as a sequence of steps: the caller can yield to the event loop between them and drop a
   * run whose version is stale.
   */
  *steps(version: number, text: string): Generator<AnalysisStep, Analysis, void> {
    const timings: Record<string, number> = {};
    // CPU time too: on a busy machine it says what the analysis costs better than wall time does.
    const cpuAtStart = process.cpuUsage();
    let cpuPaused = 0;
    let t = performance.now();
    const lap = (name: string) => {
      const now = performance.now();
      timings[name] = now - t;
      t = now;
    };

    const yaml = this.parser.parse(text);
    this.parsedVersion = version;
    lap('yaml');
    const lines = LineIndex.of(yaml.lineCounter, text);
    const parsed = readSpec(text, yaml);
    lap('spec');

    const memo = this.lastBuild;
    const reusable = memo !== undefined && sameForEngine(memo.spec, parsed.spec);
    lap('compare');
    let build: BuildMemo;
    if (memo && reusable) {
      build = { ...memo, diagnostics: memo.diagnostics.map((d) => movePlaced(d, parsed)) }; // same inspect cache
      lap('reuse');
    } else {
      // While the engine rebuilds: the parser's diagnostics now, and the last build's where they still apply
      // (made once: for the early publish and for the provisional reading that requests get meanwhile).
      let early: { topology: TopologyDiagnostic[]; lsp: Diagnostic[] } | undefined;
      const preliminary = () => {
        if (!early) {
          const topology = mergeDiagnostics(parsed.diagnostics, (memo?.diagnostics ?? []).filter((d) => parsed.source.has(d.diagnostic.path ?? [])).map((d) => movePlaced(d, parsed).diagnostic));
          early = { topology, lsp: toLsp(topology, lines) };
        }
        return early;
      };
      // The last build's engine, for the provisional analysis, until a re-play starts changing it.
      let lastEngine = memo?.engine;
      let pausedAt = process.cpuUsage();
      yield {
        phase: 'parsed',
        size: parsed.spec.containers.length + parsed.spec.networks.length,
        preliminary: () => preliminary().lsp,
        provisional: () => {
          const { topology: topologyDiagnostics, lsp } = preliminary();
          const engine = lastEngine;
          let inspected: { value: InspectResult | undefined } | undefined;
          let symbolCache: SymbolIndex | undefined;
          return {
            uri: this.uri, version, text, lines, yaml, parsed, engine,
            diagnostics: lsp,
            topologyDiagnostics,
            inspect: () => (inspected ??= { value: engine === memo?.engine && memo ? memoInspect(memo) : safely(() => engine?.inspect(), undefined) }).value,
            ...liveLookup(engine, () => (inspected ? inspected.value : engine === memo?.engine && memo?.inspect.done ? memo.inspect.value : null)),
            symbols: () => (symbolCache ??= buildSymbolIndex(yaml.doc, text)),
            symbolAt: (offset) => (symbolCache ? symbolCache.at(offset) : symbolAt(yaml.doc, text, offset)),
            timings: {},
            building: true,
          };
        },
      };
      cpuPaused += cpuMs(process.cpuUsage(pausedAt));
      t = performance.now();
      const resumeBefore = memo?.resume;
      const replayed = memo ? replayIfOneContainer(memo, parsed) : undefined;
      if (replayed) build = replayed;
      else {
        // A re-play that gave up may have changed the last build's engine (labels, containers): it is not
        // kept for the next run while this build runs (the build may be dropped half way), and not shown
        // by the provisional reading when the re-play went further than relabelling.
        if (memo && memo.resume !== resumeBefore) lastEngine = undefined;
        this.lastBuild = undefined;
        const steps = safeBuildSteps(parsed);
        let sliceStart = performance.now();
        for (;;) {
          const r = steps.next();
          if (r.done) {
            build = r.value;
            break;
          }
          if (performance.now() - sliceStart < BUILD_SLICE_MS) continue;
          pausedAt = process.cpuUsage();
          const pausedWall = performance.now();
          yield { phase: 'building' };
          cpuPaused += cpuMs(process.cpuUsage(pausedAt));
          t += performance.now() - pausedWall; // the build's own time, without the pauses
          sliceStart = performance.now();
        }
      }
      lap(replayed ? 'replay' : 'build');
      // Recorded before pausing: a replay changed the last build's engine in place, so the memo must
      // describe it even when this run is dropped at the pause.
      this.lastBuild = build;
      pausedAt = process.cpuUsage();
      yield { phase: 'built' };
      cpuPaused += cpuMs(process.cpuUsage(pausedAt));
      t = performance.now();
    }
    this.lastBuild = build;

    const inspect = () => memoInspect(build);
    const extra: TopologyDiagnostic[] = [];
    extra.push(...safely(() => findSilentSurprises({ spec: parsed.spec, inspect, rangeOf: parsed.rangeOf, ...(build.engine ? { drivers: build.engine.drivers.descriptors() } : {}) }), []));
    if (build.engine) {
      const engine = build.engine;
      extra.push(...safely(() => checkExpectations({ parsed, engine, buildDiagnostics: build.diagnostics.map((d) => d.diagnostic) }), []));
    }
    lap('surprises');
    const topologyDiagnostics = mergeDiagnostics(parsed.diagnostics, [...build.diagnostics.map((d) => d.diagnostic), ...extra]);
    const diagnostics = toLsp(topologyDiagnostics, lines);
    lap('publish');
    timings['cpu'] = cpuMs(process.cpuUsage(cpuAtStart)) - cpuPaused;

    let symbolCache: SymbolIndex | undefined;
    return {
      uri: this.uri,
      version,
      text,
      lines,
      yaml,
      parsed,
      engine: build.engine,
      diagnostics,
      topologyDiagnostics,
      inspect,
      ...liveLookup(build.engine, () => (build.inspect.done ? build.inspect.value : null)),
      symbols: () => (symbolCache ??= buildSymbolIndex(yaml.doc, text)),
      symbolAt: (offset) => (symbolCache ? symbolCache.at(offset) : symbolAt(yaml.doc, text, offset)),
      timings,
    };
  }
}

function cpuMs(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1000;
}

function safely<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

/** The topology layer reads the (possibly stitched) YAML tree: it never throws, every problem is a diagnostic. */
function readSpec(text: string, yaml: ParsedYaml): ParsedTopology {
  // The parser's line starts count \n only, as the source map's do: they are not counted again.
  return parseTopologyDocument(text, yaml.doc, yaml.lineCounter.lineStarts);
}

/**
 * When the new spec differs from the last build's in one container only, that container is re-played in
 * place on the last build's engine (typing in a big file touches one container at a time): everything
 * else keeps its diagnostics, moved with the text. Undefined when that does not apply or the change
 * reaches further (then the last engine is spoilt and the caller builds afresh).
 */
function replayIfOneContainer(memo: BuildMemo, parsed: ParsedTopology): BuildMemo | undefined {
  const before = memo.spec;
  const after = parsed.spec;
  if (!memo.engine || !memo.resume || memo.diagnostics.length < memo.resume.surprisesStart) return undefined;
  if (before.containers.length !== after.containers.length || after.services.length > 0 || before.services.length > 0) return undefined;
  if (!sameForEngine(before.hosts, after.hosts)) return undefined;
  const networkEdits = editedNetworks(before.networks, after.networks);
  if (!networkEdits) return undefined;
  const { relabelled, replayed: networksReplayed } = networkEdits;
  if (networksReplayed.length > 1) return undefined;
  let changed = -1;
  for (let i = 0; i < after.containers.length; i++) {
    if (sameForEngine(before.containers[i], after.containers[i])) continue;
    if (changed >= 0) return undefined;
    changed = i;
  }
  // One network re-played with its containers; a container edited too: build afresh.
  if (networksReplayed.length === 1 && changed >= 0) return undefined;
  if (relabelled.length > 0) {
    // Labels and a local network's `attachable` are only recorded: set them on the network as built.
    const resume = memo.resume;
    memo.resume = undefined; // until every network took its new labels
    for (const n of relabelled) if (!safely(() => memo.engine!.relabelNetwork(n.host, n.name, n.labels, n.attachable), false)) return undefined;
    memo.resume = resume;
    memo.inspect = { done: false };
  }
  if (networksReplayed.length === 1) return replayOneNetwork(memo, parsed, networksReplayed[0]!);
  if (changed < 0) {
    // Only what the build does not play changed (`expect`, the name, labels): same engine, the checks again.
    const engine = memo.engine;
    const surprises = recheckBuild(engine, after, parsed).map((d) => placed(d, parsed));
    const diagnostics = [...memo.diagnostics.slice(0, memo.resume.surprisesStart).map((d) => movePlaced(d, parsed)), ...surprises];
    return { spec: after, engine, diagnostics, inspect: memo.inspect, resume: memo.resume };
  }
  const was = before.containers[changed];
  const now = after.containers[changed];
  if (!was || !now || was.name !== now.name || was.host !== now.host) return undefined;
  const resume = memo.resume;
  memo.resume = undefined; // whatever happens next, the old engine no longer matches its spec
  let r: ReturnType<typeof replayContainer>;
  try {
    r = replayContainer({ engine: memo.engine, diagnostics: [], resume }, after, parsed, changed, networksChanged(was, now));
  } catch {
    r = undefined;
  }
  if (!r) return undefined;
  const start = resume.containerStart;
  const moved = (from: number, to: number) => memo.diagnostics.slice(from, to).map((d) => movePlaced(d, parsed));
  const diagnostics = moved(0, start[0]);
  for (let i = 0; i + 1 < start.length; i++) {
    const again = r.containers.get(i);
    diagnostics.push(...(again ? again.map((d) => placed(d, parsed)) : moved(start[i]!, start[i + 1])));
  }
  diagnostics.push(...moved(start[start.length - 1]!, resume.surprisesStart), ...r.surprises.map((d) => placed(d, parsed)));
  return { spec: after, engine: r.engine, diagnostics, inspect: { done: false }, resume: r.resume };
}

/**
 * The networks whose definitions changed: those in nothing any operation reads but labels and
 * `attachable` (`relabelled`), and the indexes of the others (`replayed`). Undefined when networks were
 * added, removed or renamed.
 */
function editedNetworks(before: readonly NetworkSpec[], after: readonly NetworkSpec[]): { relabelled: NetworkSpec[]; replayed: number[] } | undefined {
  if (before.length !== after.length) return undefined;
  const relabelled: NetworkSpec[] = [];
  const replayed: number[] = [];
  for (let i = 0; i < after.length; i++) {
    const was = before[i]!, now = after[i]!;
    if (sameForEngine(was, now)) continue;
    if (was.name !== now.name || was.host !== now.host) return undefined;
    if (sameForEngine({ ...was, labels: undefined, attachable: undefined }, { ...now, labels: undefined, attachable: undefined })) relabelled.push(now);
    else replayed.push(i);
  }
  return { relabelled, replayed };
}

/** The network at `index` (nothing else but labels changed) re-played in place with the containers on it (replayNetwork). */
function replayOneNetwork(memo: BuildMemo, parsed: ParsedTopology, index: number): BuildMemo | undefined {
  const resume = memo.resume;
  const was = memo.spec.networks[index];
  if (!memo.engine || !resume || !was) return undefined;
  memo.resume = undefined; // whatever happens next, the old engine no longer matches its spec
  let r: ReturnType<typeof replayNetwork>;
  try {
    r = replayNetwork({ engine: memo.engine, diagnostics: [], resume }, was, parsed.spec, parsed, index);
  } catch {
    r = undefined;
  }
  if (!r) return undefined;
  const moved = (from: number, to: number) => memo.diagnostics.slice(from, to).map((d) => movePlaced(d, parsed));
  const nets = resume.networkStart;
  const start = resume.containerStart;
  const diagnostics = [...moved(0, nets[index]!), ...r.network.map((d) => placed(d, parsed)), ...moved(nets[index + 1]!, start[0]!)];
  for (let i = 0; i + 1 < start.length; i++) {
    const again = r.containers.get(i);
    diagnostics.push(...(again ? again.map((d) => placed(d, parsed)) : moved(start[i]!, start[i + 1])));
  }
  diagnostics.push(...moved(start[start.length - 1]!, resume.surprisesStart), ...r.surprises.map((d) => placed(d, parsed)));
  return { spec: parsed.spec, engine: r.engine, diagnostics, inspect: { done: false }, resume: r.resume };
}

/** engine.inspect() of a build, computed once. */
function memoInspect(build: BuildMemo): InspectResult | undefined {
  if (!build.inspect.done) build.inspect = { value: safely(() => build.engine?.inspect(), undefined), done: true };
  return build.inspect.value;
}

/** A fresh build in steps (buildTopologySteps); a failure becomes a diagnostic on the first line. */
function* safeBuildSteps(parsed: ParsedTopology): Generator<void, BuildMemo, void> {
  try {
    const built = yield* buildTopologySteps(parsed.spec, parsed);
    return {
      spec: parsed.spec,
      engine: built.engine,
      diagnostics: built.diagnostics.map((d) => placed(d, parsed)),
      inspect: { done: false },
      ...(built.resume ? { resume: built.resume } : {}),
    };
  } catch (err) {
    const diagnostic: TopologyDiagnostic = {
      range: parsed.source.offsetRange(0, 0),
      severity: 'error',
      message: `Internal error while building the topology: ${err instanceof Error ? err.message : String(err)}`,
      code: 'internal',
      source: 'cnm',
    };
    return { spec: parsed.spec, engine: undefined, diagnostics: [{ diagnostic, part: 'key' }], inspect: { done: true } };
  }
}

function placed(d: TopologyDiagnostic, parsed: ParsedTopology): PlacedDiagnostic {
  if (!d.path) return { diagnostic: d, part: 'key' };
  const key = parsed.rangeOf(d.path, 'key');
  return { diagnostic: d, part: sameRange(key, d.range) ? 'key' : 'value' };
}

function movePlaced(p: PlacedDiagnostic, parsed: ParsedTopology): PlacedDiagnostic {
  if (!p.diagnostic.path) return p;
  return { part: p.part, diagnostic: { ...p.diagnostic, range: parsed.rangeOf(p.diagnostic.path, p.part) } };
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/**
 * True when two specs build the same engine: equal but for YAML paths and images. Then the last build
 * is reused and only its diagnostics move with the text. (A hand-written walk: JSON.stringify with a
 * replacer costs ~30 ms on 5,000 containers.)
 */
export function sameForEngine(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameForEngine(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let count = 0;
  for (const key in ra) {
    if (key === 'path' || key === 'image') continue;
    if (ra[key] === undefined) continue;
    count++;
    if (!sameForEngine(ra[key], rb[key])) return false;
  }
  for (const key in rb) if (key !== 'path' && key !== 'image' && rb[key] !== undefined) count--;
  return count === 0;
}

/** The parser's diagnostics first; a later one on the same range with the same message, or an error on a range the parser already flagged, is dropped. */
export function mergeDiagnostics(first: readonly TopologyDiagnostic[], rest: readonly TopologyDiagnostic[]): TopologyDiagnostic[] {
  const key = (d: TopologyDiagnostic) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`;
  const seen = new Set<string>();
  const errorRanges = new Set<string>();
  const out: TopologyDiagnostic[] = [];
  for (const d of first) {
    const id = `${key(d)}|${d.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (d.severity === 'error') errorRanges.add(key(d));
    out.push(d);
  }
  // A code the topology layer already reported at a place is not repeated by the server's own checks.
  const codesAt = new Set(out.map((d) => `${key(d)}|${d.code ?? ''}`));
  for (const d of rest) {
    const id = `${key(d)}|${d.message}`;
    if (seen.has(id) || codesAt.has(`${key(d)}|${d.code ?? ''}`)) continue;
    if (d.severity === 'error' && errorRanges.has(key(d))) continue;
    seen.add(id);
    codesAt.add(`${key(d)}|${d.code ?? ''}`);
    if (d.severity === 'error') errorRanges.add(key(d));
    out.push(d);
  }
  return out.sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || rank(a.severity) - rank(b.severity),
  );
}

function rank(s: TopologyDiagnostic['severity']): number {
  return s === 'error' ? 0 : s === 'warning' ? 1 : 2;
}

const SEVERITY: Record<TopologyDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
};

/** LSP diagnostics, each range clamped into the document (a stale path must never point past the end). */
export function toLsp(diagnostics: readonly TopologyDiagnostic[], lines: LineIndex): Diagnostic[] {
  return diagnostics.map((d) => {
    const start = lines.offset(d.range.start);
    const end = Math.max(start, lines.offset(d.range.end));
    const out: Diagnostic = {
      range: lines.range({ start, end }),
      severity: SEVERITY[d.severity],
      message: d.message,
      source: 'cnm',
    };
    if (d.code) out.code = d.code;
    if (d.path) out.data = { path: d.path };
    return out;
  });
}

export type { YamlPath };
