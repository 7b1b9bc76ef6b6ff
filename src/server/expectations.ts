// Failing `expect` entries as diagnostics, as the user types: every entry ({ from, to, verdict }) is
// traced on the built engine — the same `checkExpectations` and the same listening ports (`listen`, else
// `expose` and published ports) as `cnm check` — and an entry whose trace ends differently is an error on its `verdict`, e.g.
//   b1 → web:80: expected delivered, got dropped: dropped by -A DOCKER-FORWARD … (inter-container
//   communication is off …). Fix: …
// An entry that names a container the file does not have is an error on that name instead (a typo must
// not pass as "unresolved"). An entry whose trace ends `unknown` (a path the engine does not model) is a
// warning that it cannot be checked, never an error claiming a drop. The "Trace ▸" lens of an entry
// opens the same trace.
import { checkExpectations as traceExpectations, expectationProblem, listeningFromTopology, parseDestination, type Engine, type ExpectationResult, type ListeningLookup, type TraceProto } from '../engine';
import type { ExpectSpec, ParsedTopology, TopologyDiagnostic, TopologySpec } from '../topology';
import { expectTargetName } from './expectTarget';
import { unknownTarget } from './expectNames';

export interface ExpectationInput {
  parsed: ParsedTopology;
  engine: Engine;
  /** What building the spec reported: with an error outside `expect:`, the entries are not traced. */
  buildDiagnostics: readonly TopologyDiagnostic[];
}

/** Failing `expect` entries, as diagnostics (errors: `cnm check` exits 1 on them). */
export function checkExpectations(input: ExpectationInput): TopologyDiagnostic[] {
  const { parsed, engine } = input;
  const spec = parsed.spec;
  if (spec.expect.length === 0) return [];
  const out: TopologyDiagnostic[] = [];
  const traceable: ExpectSpec[] = [];
  for (const entry of spec.expect) {
    const unknown = unknownTarget(spec, entry);
    if (unknown) out.push(unknownTargetDiagnostic(parsed, entry, unknown));
    else traceable.push(entry);
  }
  // A file Docker would not build as written gives traces of something else: wait until it builds.
  if (blocksTracing(parsed.diagnostics) || blocksTracing(input.buildDiagnostics)) return out;
  const results = cachedResults(engine, spec, traceable);
  traceable.forEach((entry, i) => {
    const d = diagnosticOf(parsed, entry, results[i]!);
    if (d) out.push(d);
  });
  return out;
}

/**
 * The arguments of the "Trace ▸" lens of an expect entry: `cnm.traceFrom` takes the name or address,
 * the port and the protocol apart ("web:80" is web, port 80, TCP; no port is an ICMP echo, whatever
 * the user's default protocol). A destination that does not parse is passed as written, for the
 * command to refuse with its reason.
 */
export function traceTarget(entry: ExpectSpec): { from: string; to: string; port?: number; proto?: TraceProto } {
  const d = parseDestination(entry.to);
  if ('error' in d) return { from: entry.from, to: entry.to };
  return { from: entry.from, to: d.to, proto: d.proto, ...(d.port !== undefined ? { port: d.port } : {}) };
}

function blocksTracing(diagnostics: readonly TopologyDiagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error' && d.path?.[0] !== 'expect');
}

function diagnosticOf(parsed: ParsedTopology, entry: ExpectSpec, r: ExpectationResult): TopologyDiagnostic | undefined {
  if (r.ok) return undefined;
  const what = `${entry.from} → ${entry.to}`;
  if (r.error !== null || r.result === null) {
    // The entry itself cannot be traced: a bad destination goes on `to`, anything else (the source) on `from`.
    const key = r.error?.startsWith('bad destination') ? 'to' : 'from';
    const path = [...entry.path, key];
    return { range: parsed.rangeOf(path, 'value'), severity: 'error', message: `${what}: ${r.error ?? 'cannot be traced'}`, code: 'expect-input', source: 'cnm', path };
  }
  const t = r.result;
  // Drops name their rule in the reason already; say it once.
  const rule = t.rule && !t.reason.includes(t.rule) ? ` (rule: ${t.rule})` : '';
  const fix = t.fix ? `. Fix: ${t.fix}` : '';
  const path = [...entry.path, 'verdict'];
  if (r.unknown) {
    // The engine cannot prove the entry wrong: a warning, worded as what it cannot know.
    return { range: parsed.rangeOf(path, 'value'), severity: 'warning', message: `${what}: ${expectationProblem(r)}${fix}`, code: 'expect-unknown', source: 'cnm', path };
  }
  return {
    range: parsed.rangeOf(path, 'value'),
    severity: 'error',
    message: `${what}: expected ${entry.verdict}, got ${t.verdict}: ${t.reason}${rule}${fix}`,
    code: 'expect-failed',
    source: 'cnm',
    path,
  };
}

function unknownTargetDiagnostic(parsed: ParsedTopology, entry: ExpectSpec, name: string): TopologyDiagnostic {
  const path = [...entry.path, 'to'];
  return {
    range: nameRange(parsed, path, entry.to) ?? parsed.rangeOf(path, 'value'),
    severity: 'error',
    message: `No container, service or alias named "${name}" in this file: ${entry.from} → ${entry.to} cannot be checked.`,
    code: 'undefined-target',
    source: 'cnm',
    path,
  };
}

/** The range of the name inside the `to` value (`web` of "web:80"), past an opening quote. */
function nameRange(parsed: ParsedTopology, path: (string | number)[], to: string) {
  const target = expectTargetName(to);
  const node: unknown = parsed.document.getIn(path, true);
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  if (!target || !range) return undefined;
  const quote = /^["']/.test(parsed.text.slice(range[0], range[0] + 1)) ? 1 : 0;
  const start = range[0] + quote + target.from;
  if (parsed.text.slice(start, start + target.name.length) !== target.name) return undefined;
  return parsed.source.offsetRange(start, start + target.name.length);
}

// Tracing is cheap per entry but building the tracer's index is not (5,000 containers): the results are
// kept per engine — an edit that reuses the build reuses them — and per set of `listen`, `expose` and `ports` lists. An
// edit re-played in place changes the same engine: every change bumps a host's revision, so the
// revisions are part of the key.
interface EngineResults {
  listenKey: string;
  revisions: string;
  listening: ListeningLookup;
  results: Map<string, ExpectationResult>;
}
const byEngine = new WeakMap<Engine, EngineResults>();

function cachedResults(engine: Engine, spec: TopologySpec, entries: readonly ExpectSpec[]): ExpectationResult[] {
  const listenKey = spec.containers.map((c) => `${c.host}\0${c.name}\0${c.expose.join(',')}\0${c.ports.join(',')}\0${c.listen?.join(',') ?? '-'}`).join('\n');
  const revisions = [...engine.state.hosts.values()].map((h) => h.revision).join(',');
  let cache = byEngine.get(engine);
  if (!cache || cache.listenKey !== listenKey || cache.revisions !== revisions) {
    cache = { listenKey, revisions, listening: listeningFromTopology(spec.containers), results: new Map() };
    byEngine.set(engine, cache);
  }
  const keyOf = (e: ExpectSpec) => `${e.from}\0${e.to}\0${e.verdict}`;
  const missing = entries.filter((e) => !cache.results.has(keyOf(e)));
  if (missing.length > 0) {
    const fresh = traceExpectations(engine.state, missing, { listening: cache.listening });
    missing.forEach((e, i) => cache.results.set(keyOf(e), fresh[i]!));
  }
  return entries.map((e) => cache.results.get(keyOf(e))!);
}
