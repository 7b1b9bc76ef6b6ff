// Compose files in the language server: only our networking diagnostics, hovers and lenses on top of
// whatever other extension owns the file (no schema, no completion). One analysis reads the whole
// project the open document belongs to (main file, override, extends, include, .env) as `docker
// compose up` would, plays it on the engine, and keeps what falls in this document: diagnostics written
// in another file of the project land on the closest key here, naming their file and line.
import { fileURLToPath } from 'node:url';
import { DiagnosticSeverity, MarkupKind, type CodeLens, type Diagnostic, type Hover } from 'vscode-languageserver';
import { checkExpectations, expectationProblem, listeningFromTopology, type Engine, type InspectContainer, type InspectResult } from '../engine';
import type { Range, TopologyDiagnostic, YamlPath } from '../topology';
import { ComposeLoadError, isComposeFileName, loadCompose, type ComposeReader, type LoadedCompose } from '../topology/compose';
import { isScalar, LineIndex, nodeAt, parseYamlDocument, PathIndex, stringValue, type Document, type LineCounter } from '../topology/yaml';
import { TRACE_COMMAND, type TraceFromArgs } from './codeLens';
import { traceTarget } from './expectations';
import { unknownTarget } from './expectNames';

export interface ComposeAnalysis {
  readonly uri: string;
  readonly version: number;
  readonly file: string;
  readonly lines: LineIndex;
  readonly doc: Document;
  /** undefined when the project could not be read at all (then `diagnostics` says why). */
  readonly loaded: LoadedCompose | undefined;
  readonly diagnostics: Diagnostic[];
}

/** True for a document the server reads as a Compose file (by its name, as Compose finds them). */
export function isComposeUri(uri: string): boolean {
  return isComposeFileName(pathOfUri(uri));
}

export function pathOfUri(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      // fall through: a malformed file URI is read by its path part
    }
  }
  return decodeURIComponent(uri.replace(/^[a-z][a-z0-9+.-]*:(\/\/[^/]*)?/i, ''));
}

const SEVERITY: Record<TopologyDiagnostic['severity'], DiagnosticSeverity> = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, information: DiagnosticSeverity.Information };

/**
 * The project of the document at `uri` with `text`, the other files through `reader` (open documents
 * first, then the disk). An override file is read with the main file beside it, as `docker compose up`
 * in that directory reads both.
 */
export function analyzeCompose(uri: string, version: number, text: string, reader: ComposeReader, env: Record<string, string> = {}): ComposeAnalysis {
  const file = pathOfUri(uri);
  const doc = parseYamlDocument(text);
  // No line counter from this parse: LineIndex counts the lines itself (also \r\n and a lone \r).
  const lines = LineIndex.of({ lineStarts: [] } as unknown as LineCounter, text);
  const own: ComposeReader = { readFile: (p) => (p === file ? text : reader.readFile(p)), exists: (p) => p === file || reader.exists(p) };
  const dir = file.slice(0, Math.max(0, file.lastIndexOf('/'))) || '/';
  const target = /\.override\.ya?ml$/.test(file) ? dir : file;
  let loaded: LoadedCompose | undefined;
  try {
    loaded = loadCompose(own, target, { env });
  } catch (err) {
    if (!(err instanceof ComposeLoadError)) throw err;
    // An override alone (no main file beside it): read it as the project it is.
    loaded = target === file ? undefined : loadCompose(own, file, { env });
  }
  const index = new PathIndex(doc);
  const diagnostics: Diagnostic[] = [];
  if (loaded) {
    const all = [...loaded.diagnostics, ...expectDiagnostics(loaded)];
    for (const d of all) diagnostics.push(placed(d, file, index, lines));
  }
  return { uri, version, file, lines, doc, loaded, diagnostics };
}

/** A project diagnostic in this document: where it is, or (written in another file) on the closest key here. */
function placed(d: TopologyDiagnostic & { file: string }, file: string, index: PathIndex, lines: LineIndex): Diagnostic {
  let range: Range = d.range;
  let message = d.message;
  if (d.file !== file) {
    const where = d.file ? `${d.file.split('/').pop()}:${d.range.start.line + 1}: ` : '';
    message = `${where}${d.message}`;
    range = closestKey(d.path ?? [], index, lines);
  }
  const out: Diagnostic = { range, severity: SEVERITY[d.severity], message, source: 'cnm' };
  if (d.code) out.code = d.code;
  if (d.path) out.data = { path: d.path };
  return out;
}

/** The key of the longest prefix of `path` this document has (the first line when none). */
function closestKey(path: YamlPath, index: PathIndex, lines: LineIndex): Range {
  for (let n = path.length; n > 0; n--) {
    const at = index.locate(path.slice(0, n));
    const r = at.complete ? at.key?.range : undefined;
    if (r) return lines.range({ start: r[0], end: r[1] });
  }
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

/**
 * Failing `x-cnm-expect` entries, traced as `cnm check` traces them (same engine call, same listening
 * ports), each on its entry. A project Compose would refuse is not traced: its traces would be of
 * something else.
 */
function expectDiagnostics(loaded: LoadedCompose): (TopologyDiagnostic & { file: string })[] {
  const { spec, project } = loaded;
  if (spec.expect.length === 0) return [];
  const out: (TopologyDiagnostic & { file: string })[] = [];
  const at = (i: number, key: string) => loaded.locate([...spec.expect[i]!.path, key], 'value');
  const traceable: number[] = [];
  spec.expect.forEach((e, i) => {
    const name = unknownTarget(spec, e);
    const written = project.expect[i]!;
    if (name === undefined) return void traceable.push(i);
    const w = at(i, 'to');
    out.push({ ...w, severity: 'error', message: `No service, container or alias named "${name}" in this project: ${written.from} → ${written.to} cannot be checked.`, code: 'undefined-target', source: 'cnm', path: [...written.loc.path, 'to'] });
  });
  if (loaded.diagnostics.some((d) => d.severity === 'error')) return out;
  const entries = traceable.map((i) => spec.expect[i]!);
  const results = checkExpectations(loaded.engine.state, entries, { listening: listeningFromTopology(spec.containers) });
  results.forEach((r, k) => {
    const i = traceable[k]!;
    const written = project.expect[i]!;
    const what = `${written.from} → ${written.to}`;
    if (r.ok) return;
    if (r.error !== null || r.result === null) {
      const key = r.error?.startsWith('bad destination') ? 'to' : 'from';
      out.push({ ...at(i, key), severity: 'error', message: `${what}: ${r.error ?? 'cannot be traced'}`, code: 'expect-input', source: 'cnm', path: [...written.loc.path, key] });
      return;
    }
    const t = r.result;
    const rule = t.rule && !t.reason.includes(t.rule) ? ` (rule: ${t.rule})` : '';
    const fix = t.fix ? `. Fix: ${t.fix}` : '';
    const path = [...written.loc.path, 'verdict'];
    if (r.unknown) out.push({ ...at(i, 'verdict'), severity: 'warning', message: `${what}: ${expectationProblem(r)}${fix}`, code: 'expect-unknown', source: 'cnm', path });
    else out.push({ ...at(i, 'verdict'), severity: 'error', message: `${what}: expected ${written.verdict}, got ${t.verdict}: ${t.reason}${rule}${fix}`, code: 'expect-failed', source: 'cnm', path });
  });
  return out;
}

// ---- hover

export function composeHover(a: ComposeAnalysis, offset: number): Hover | null {
  const loaded = a.loaded;
  if (!loaded) return null;
  const at = nodeAt(a.doc, offset);
  if (!at) return null;
  const { path } = at;
  const span = at.node?.range ? { start: at.node.range[0], end: at.node.range[1] } : undefined;
  const md = (value: string): Hover => ({ contents: { kind: MarkupKind.Markdown, value }, ...(span ? { range: a.lines.range(span) } : {}) });
  if (path[0] === 'services' && path.length === 2 && at.onKey) {
    const text = serviceHover(loaded, String(path[1]));
    return text ? md(text) : null;
  }
  if (path[0] === 'networks' && path.length === 2 && at.onKey) {
    const text = networkHover(loaded, String(path[1]));
    return text ? md(text) : null;
  }
  // A network named in a service's `networks:` (a list item, or a key of the map form).
  if (path[0] === 'services' && path[2] === 'networks' && path.length === 4) {
    const key = at.onKey ? String(path[3]) : isScalar(at.node) && typeof path[3] === 'number' ? stringValue(at.node) : undefined;
    const text = key !== undefined ? networkHover(loaded, key) : undefined;
    return text ? md(text) : null;
  }
  return null;
}

interface Views {
  inspect: InspectResult;
  byName: Map<string, InspectContainer>;
}
const views = new WeakMap<Engine, Views>();
function viewsOf(engine: Engine): Views {
  let v = views.get(engine);
  if (!v) {
    const inspect = engine.inspect();
    v = { inspect, byName: new Map(inspect.containers.map((c) => [c.name, c])) };
    views.set(engine, v);
  }
  return v;
}

/** The names the embedded DNS answers for a container on a network (Docker's records, not the config). */
function dnsNamesOf(engine: Engine, container: string, network: string): string[] {
  for (const host of engine.state.hosts.values()) {
    const c = host.containers.get(container) ?? [...host.containers.values()].find((x) => x.name === container);
    const n = [...host.networks.values()].find((x) => x.name === network);
    if (!c || !n) continue;
    for (const ep of n.endpoints.values()) if (ep.containerId === c.id) return [...new Set(ep.dnsNames)];
  }
  return [];
}

function serviceHover(loaded: LoadedCompose, name: string): string | undefined {
  const s = loaded.project.services.find((x) => x.name === name);
  if (!s) return undefined;
  const lines = [`**service \`${name}\`** of project \`${loaded.project.name}\``];
  if (!s.enabled) {
    lines.push('', `Not started by \`docker compose up\`: its profiles (${s.profiles.map((p) => `\`${p}\``).join(', ')}) are not active.`);
    return lines.join('\n');
  }
  const names = loaded.played.containersOf.get(name) ?? [];
  const { byName } = viewsOf(loaded.engine);
  lines.push('', `Containers: ${names.map((n) => `\`${n}\``).join(', ') || 'none'}`);
  if (s.networkMode) lines.push('', `network_mode \`${s.networkMode.value}\``);
  for (const cname of names) {
    const c = byName.get(cname);
    if (!c) {
      lines.push('', `\`${cname}\`: not created (see the errors)`);
      continue;
    }
    lines.push('', `**\`${cname}\`**`);
    if (c.endpoints.length > 0) {
      lines.push('', '| network | address | DNS names |', '|---|---|---|');
      for (const ep of c.endpoints) {
        const racing = loaded.played.racing.get(ep.network)?.has(cname) ? ' (depends on start order)' : '';
        const addr = [ep.ipv4_address ? `${ep.ipv4_address}/${ep.ipv4_prefix}` : '', ep.ipv6_address ?? ''].filter(Boolean).join(', ') || (ep.address_unknown ? 'unknown (external network)' : '—');
        const dns = dnsNamesOf(loaded.engine, cname, ep.network);
        lines.push(`| \`${ep.network}\` | ${addr}${racing} | ${dns.map((d) => `\`${d}\``).join(', ') || '—'} |`);
      }
    } else if (!s.networkMode) lines.push('', 'No network: no address.');
    if (c.ports.length > 0) {
      lines.push('', `Published: ${c.ports.map((p) => `${p.host_ip.includes(':') ? `[${p.host_ip}]` : p.host_ip}:${p.host_port} → ${p.container_port}/${p.protocol}`).join(', ')}`);
    }
  }
  const external = s.networks.map((n) => loaded.project.networks.get(n.key)).filter((n) => n?.external);
  for (const n of external) lines.push('', `On external network \`${n!.name}\`: its addresses there are unknown.`);
  return lines.join('\n');
}

function networkHover(loaded: LoadedCompose, key: string): string | undefined {
  const n = loaded.project.networks.get(key);
  if (!n) {
    return loaded.played.networkNames.has(key) ? undefined : `**network \`${key}\`**\n\nNo service of this project uses it, so \`docker compose up\` does not create it.`;
  }
  const lines = [`**network \`${key}\`** → Docker's \`${n.name}\``];
  const { inspect, byName } = viewsOf(loaded.engine);
  if (n.external && !n.known) {
    lines.push('', 'External: it exists outside this project; its subnet and the addresses on it are unknown here, so names and traces that depend on them say unknown.');
    const members = [...byName.values()].filter((c) => c.endpoints.some((e) => e.network === n.name)).map((c) => `\`${c.name}\``);
    if (members.length) lines.push('', `Members (addresses unknown): ${members.join(', ')}`);
    return lines.join('\n');
  }
  const net = inspect.networks.find((x) => x.name === n.name);
  if (!net) {
    lines.push('', 'Not created (see the errors).');
    return lines.join('\n');
  }
  const racing = loaded.played.racingSubnets.has(n.name) ? ' (depends on which network Compose creates first)' : '';
  lines.push('', `Driver \`${net.driver}\`, subnet ${net.subnet ?? '—'}${racing}, gateway ${net.gateway ?? '—'}${net.ipv6_subnet ? `, IPv6 ${net.ipv6_subnet}` : ''}${net.internal ? ', internal' : ''}`);
  const members: string[] = [];
  for (const c of byName.values()) {
    const ep = c.endpoints.find((e) => e.network === n.name);
    if (ep) members.push(`| \`${c.name}\` | ${ep.ipv4_address ?? '—'}${ep.ipv6_address ? `, ${ep.ipv6_address}` : ''} |`);
  }
  if (members.length > 0) lines.push('', '| member | address |', '|---|---|', ...members);
  else lines.push('', 'No members.');
  return lines.join('\n');
}

// ---- lenses

/** "Trace ▸" above every started service written in this document, and above every x-cnm-expect entry here. */
export function composeLenses(a: ComposeAnalysis): CodeLens[] {
  const loaded = a.loaded;
  if (!loaded) return [];
  const index = new PathIndex(a.doc);
  const out: CodeLens[] = [];
  const keyRange = (path: YamlPath) => {
    const r = index.locate(path).key?.range;
    return r ? a.lines.range({ start: r[0], end: r[0] }) : undefined;
  };
  for (const s of loaded.project.services) {
    const first = loaded.played.containersOf.get(s.name)?.[0];
    const range = s.loc.file === a.file && first ? keyRange(s.loc.path) : undefined;
    if (!range || !first) continue;
    const args: TraceFromArgs = { uri: a.uri, from: first, interactive: true };
    out.push({ range, command: { title: 'Trace ▸', command: TRACE_COMMAND, arguments: [args] } });
  }
  loaded.spec.expect.forEach((entry, i) => {
    const written = loaded.project.expect[i]!;
    const range = written.loc.file === a.file ? keyRange(written.loc.path) : undefined;
    if (!range) return;
    const args: TraceFromArgs = { uri: a.uri, ...traceTarget(entry), interactive: true };
    out.push({ range, command: { title: `Trace ▸ ${written.from} → ${written.to}`, command: TRACE_COMMAND, arguments: [args] } });
  });
  return out;
}
