// Changes to a topology file's text, made the way a careful person would: the yaml package's Document
// API finds where things are (with offsets), and only the lines that must change are written — every
// other byte, comments and layout included, stays as it was. Each function takes the file text and
// returns the new text (textDiff.ts turns the pair into minimal edits). Pure: no `vscode`, unit-tested.
import { isMap, isScalar, isSeq, parseDocument, stringify, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';

/** A change that cannot be made to this text, with a message for the user. */
export class YamlEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'YamlEditError';
  }
}

export interface NewNetwork {
  name: string;
  driver?: string;
  /** Only written when the file has several hosts and this is not the first. */
  host?: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal?: boolean;
  attachable?: boolean;
  enableIpv6?: boolean;
  driverOpts?: Record<string, string>;
}

export interface EndpointOptions {
  ipv4Address?: string;
  ipv6Address?: string;
  aliases?: string[];
}

export interface NewContainer {
  name: string;
  image: string;
  host?: string;
  /** A network name, or host / none / container:<name>; absent or "bridge": the default bridge. */
  network?: string;
  ports?: string[];
  expose?: string[];
  /** What its processes listen on, when not the default (expose and the published container ports). */
  listen?: string[];
}

// ── the actions ─────────────────────────────────────────────────────────────

export function addNetwork(text: string, net: NewNetwork): string {
  const doc = parse(text);
  const body = networkBody(net);
  const section = topPair(doc, 'networks');
  if (!section) return insertSection(text, doc, 'networks', [[net.name, body]], ['containers', 'services', 'expect']);
  if (findPair(section.value, net.name)) throw new YamlEditError(`The file already has a network named "${net.name}".`);
  return addEntry(text, section, net.name, body, true);
}

export function removeNetwork(text: string, name: string): string {
  const doc = parse(text);
  const section = topPair(doc, 'networks');
  const pair = section && findPair(section.value, name);
  if (!section || !pair) throw new YamlEditError(`The file has no network named "${name}" (predefined networks like bridge cannot be removed).`);
  return removeEntry(text, section.value as YAMLMap, pair);
}

export function addContainer(text: string, c: NewContainer): string {
  const doc = parse(text);
  const body: Body = [['image', c.image]];
  if (c.host) body.push(['host', c.host]);
  if (c.network && c.network !== 'bridge') {
    if (isModeName(c.network)) body.push(['network_mode', c.network]);
    else body.push(['networks', [c.network]]);
  }
  if (c.ports?.length) body.push(['ports', c.ports.map(quoted)]);
  if (c.expose?.length) body.push(['expose', c.expose.map(quoted)]);
  if (c.listen) body.push(['listen', c.listen.map(quoted)]);
  const section = topPair(doc, 'containers');
  if (!section) return insertSection(text, doc, 'containers', [[c.name, body]], ['services', 'expect']);
  if (findPair(section.value, c.name)) throw new YamlEditError(`The file already has a container named "${c.name}".`);
  return addEntry(text, section, c.name, body, true);
}

/**
 * Connect a container to a network: the file says it with the container's `networks` (a container
 * that had none was on the default bridge, and stays on it).
 */
export function connectContainer(text: string, container: string, network: string, opts: EndpointOptions = {}): string {
  const doc = parse(text);
  const entry = containerPair(doc, container);
  const cmap = asMap(entry.value, `container "${container}"`);
  const options = endpointBody(opts);
  const networks = findPair(cmap, 'networks');
  const mode = findPair(cmap, 'network_mode');
  if (!networks) {
    const current = mode ? scalarText(mode.value) : 'bridge';
    if (isModeName(current) && current !== 'bridge') {
      throw new YamlEditError(`"${container}" uses network_mode: ${current}; a container in that mode cannot be connected to other networks.`);
    }
    if (current === network) throw new YamlEditError(`"${container}" is already on "${network}".`);
    const value: Value = options.length ? [[current, null], [network, options]] : [current, network];
    // network_mode: X becomes networks: [X, new] where it stood; otherwise `networks:` is added.
    return mode ? replacePair(text, cmap, mode, 'networks', value) : addEntry(text, entry, 'networks', value);
  }
  const list = networks.value;
  if (isSeq(list)) {
    const names = list.items.map((i) => scalarText(i));
    if (names.includes(network)) throw new YamlEditError(`"${container}" is already on "${network}".`);
    if (!options.length) return appendToSeq(text, networks, network);
    // Options need the map form: the list is rewritten as a map, in the same order.
    return replacePair(text, cmap, networks, 'networks', [...names.map((n): [string, Value] => [n, null]), [network, options]]);
  }
  if (isMap(list) || isNull(list)) {
    if (isMap(list) && findPair(list, network)) throw new YamlEditError(`"${container}" is already on "${network}".`);
    if (isNull(list)) return replacePair(text, cmap, networks, 'networks', options.length ? [[network, options]] : [network]);
    return addEntry(text, networks, network, options.length ? options : null);
  }
  throw new YamlEditError(`The networks of "${container}" are neither a list nor a map; fix them in the editor first.`);
}

/** Disconnect a container from a network. A container left with no network keeps only loopback (network_mode: none). */
export function disconnectContainer(text: string, container: string, network: string): string {
  const doc = parse(text);
  const entry = containerPair(doc, container);
  const cmap = asMap(entry.value, `container "${container}"`);
  const networks = findPair(cmap, 'networks');
  const mode = findPair(cmap, 'network_mode');
  const notOn = () => new YamlEditError(`"${container}" is not connected to "${network}" in this file.`);
  if (!networks) {
    const current = mode ? scalarText(mode.value) : 'bridge';
    if (current !== network) throw notOn();
    if (isModeName(current) && current !== 'bridge') {
      throw new YamlEditError(`"${container}" uses network_mode: ${current}; Docker cannot disconnect it from that network.`);
    }
    return mode ? replacePair(text, cmap, mode, 'network_mode', 'none') : addEntry(text, entry, 'network_mode', 'none');
  }
  const list = networks.value;
  if (isSeq(list)) {
    const index = list.items.findIndex((i) => scalarText(i) === network);
    if (index < 0) throw notOn();
    if (list.items.length === 1) return replacePair(text, cmap, networks, 'network_mode', 'none');
    return removeSeqItem(text, list, index);
  }
  if (isMap(list)) {
    const pair = findPair(list, network);
    if (!pair) throw notOn();
    if (list.items.length === 1) return replacePair(text, cmap, networks, 'network_mode', 'none');
    return removeEntry(text, list, pair);
  }
  throw notOn();
}

/** Removes a container's entry (docker rm -f); what refers to it elsewhere is left for the user to see. */
export function removeContainer(text: string, name: string): string {
  const doc = parse(text);
  const section = topPair(doc, 'containers');
  return removeEntry(text, section!.value as YAMLMap, containerPair(doc, name));
}

/** What in the file still names `container`: its `container:` joiners and the expect entries from or to it. */
export function referencesToContainer(text: string, container: string): { joiners: string[]; expects: number } {
  const doc = parse(text);
  const section = topPair(doc, 'containers');
  const joiners: string[] = [];
  if (section && isMap(section.value)) {
    for (const item of section.value.items) {
      const mode = isMap(item.value) ? findPair(item.value, 'network_mode') : undefined;
      if (mode && scalarText(mode.value) === `container:${container}`) joiners.push(scalarText(item.key));
    }
  }
  const expect = topPair(doc, 'expect')?.value;
  const named = (v: string) => v === container || v.startsWith(`${container}:`) || v.startsWith(`${container}/`);
  const expects = isSeq(expect)
    ? expect.items.filter((e) => isMap(e) && ['from', 'to'].some((k) => named(scalarText(findPair(e, k)?.value)))).length
    : 0;
  return { joiners, expects };
}

/** The containers whose file entry connects them to `network` (by `networks` or `network_mode`). */
export function containersOnNetwork(text: string, network: string): string[] {
  const doc = parse(text);
  const section = topPair(doc, 'containers');
  if (!section || !isMap(section.value)) return [];
  const out: string[] = [];
  for (const item of section.value.items) {
    const name = scalarText(item.key);
    const cmap = item.value;
    if (!isMap(cmap)) {
      if (network === 'bridge') out.push(name);
      continue;
    }
    const networks = findPair(cmap, 'networks');
    const mode = findPair(cmap, 'network_mode');
    const names = !networks ? [mode ? scalarText(mode.value) : 'bridge']
      : isSeq(networks.value) ? networks.value.items.map((i) => scalarText(i))
        : isMap(networks.value) ? networks.value.items.map((p) => scalarText(p.key)) : [];
    if (names.includes(network)) out.push(name);
  }
  return out;
}

// ── YAML values written by the actions ──────────────────────────────────────

/** A small YAML value: a scalar, a list of scalars, or a map as ordered pairs (null = `key:` with nothing). */
type Value = string | boolean | null | string[] | Body;
type Body = [string, Value][];

function networkBody(n: NewNetwork): Body {
  const body: Body = [['driver', n.driver ?? 'bridge']];
  if (n.host) body.push(['host', n.host]);
  if (n.subnet) body.push(['subnet', n.subnet]);
  if (n.gateway) body.push(['gateway', n.gateway]);
  if (n.ipRange) body.push(['ip_range', n.ipRange]);
  if (n.internal) body.push(['internal', true]);
  if (n.attachable) body.push(['attachable', true]);
  if (n.enableIpv6) body.push(['enable_ipv6', true]);
  const opts = Object.entries(n.driverOpts ?? {});
  // Driver options are strings for Docker: "false" quoted, or YAML would hand over a boolean.
  if (opts.length) body.push(['driver_opts', opts.map(([k, v]): [string, Value] => [k, quoted(v)])]);
  return body;
}

function endpointBody(o: EndpointOptions): Body {
  const body: Body = [];
  if (o.ipv4Address) body.push(['ipv4_address', o.ipv4Address]);
  if (o.ipv6Address) body.push(['ipv6_address', o.ipv6Address]);
  if (o.aliases?.length) body.push(['aliases', o.aliases]);
  return body;
}

const QUOTE = '\u0000q';
/** Marks a string to be written double-quoted (ports, driver options). */
function quoted(s: string): string {
  return QUOTE + s;
}

function isModeName(mode: string): boolean {
  return mode === 'host' || mode === 'none' || mode === 'bridge' || mode.startsWith('container:');
}

function scalar(v: string | boolean | null): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return String(v);
  if (v.startsWith(QUOTE)) return JSON.stringify(v.slice(QUOTE.length));
  // yaml quotes only what would not read back as the same string.
  return stringify(v, { lineWidth: 0 }).trimEnd();
}

function isBody(v: Value): v is Body {
  return Array.isArray(v) && v.length > 0 && Array.isArray(v[0]);
}

/** `{ a: 1, b: [x] }` / `[x, y]` / a scalar, on one line. */
function flow(v: Value): string {
  if (v === null) return '{}';
  if (isBody(v)) return v.length ? `{ ${v.map(([k, x]) => `${scalar(k)}: ${flow(x)}`).join(', ')} }` : '{}';
  if (Array.isArray(v)) return `[${(v as string[]).map(scalar).join(', ')}]`;
  return scalar(v);
}

/** Block lines of `key: value` at `indent`; a map value goes one level deeper unless it fits a short flow. */
function blockLines(key: string, v: Value, indent: number, step: number, block: boolean): string[] {
  const pad = ' '.repeat(indent);
  if (isBody(v) && (block || !isShortFlow(v))) {
    return [`${pad}${scalar(key)}:`, ...v.flatMap(([k, x]) => blockLines(k, x, indent + step, step, false))];
  }
  return [v === null ? `${pad}${scalar(key)}:` : `${pad}${scalar(key)}: ${flow(v)}`];
}

/** Entry options (ipv4_address, aliases) and driver options read best on one line when they are short. */
function isShortFlow(v: Body): boolean {
  return v.every(([, x]) => !isBody(x)) && flow(v).length <= 60;
}

// ── where things are ────────────────────────────────────────────────────────

function parse(text: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    throw new YamlEditError(`The file has a YAML syntax error (${doc.errors[0]!.message.split('\n')[0]}); fix it in the editor first.`);
  }
  if (doc.contents !== null && !isMap(doc.contents)) throw new YamlEditError('The file is not a YAML map of sections (hosts, networks, containers…).');
  return doc;
}

function topPair(doc: Document, key: string): Pair<Node, Node | null> | undefined {
  return isMap(doc.contents) ? findPair(doc.contents, key) : undefined;
}

function findPair(node: unknown, key: string): Pair<Node, Node | null> | undefined {
  if (!isMap(node)) return undefined;
  return (node as YAMLMap<Node, Node | null>).items.find((p) => scalarText(p.key) === key);
}

function containerPair(doc: Document, name: string): Pair<Node, Node | null> {
  const pair = findPair(topPair(doc, 'containers')?.value, name);
  if (!pair) throw new YamlEditError(`The file has no container named "${name}".`);
  return pair;
}

function asMap(node: unknown, what: string): YAMLMap<Node, Node | null> {
  if (!isMap(node)) throw new YamlEditError(`${what} is not a map in the file; fix it in the editor first.`);
  return node as YAMLMap<Node, Node | null>;
}

function scalarText(node: unknown): string {
  return isScalar(node) ? String(node.value) : '';
}

function isNull(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

function isFlow(node: unknown): boolean {
  return (isMap(node) || isSeq(node)) && (node as YAMLMap | YAMLSeq).flow === true;
}

const lineStart = (text: string, offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
const column = (text: string, offset: number) => offset - lineStart(text, offset);
/** The offset just after the line break of the line holding `offset` (or the end of the text). */
function nextLineStart(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i + 1;
}

function range(node: Node | null | undefined): [number, number, number] {
  const r = node?.range;
  if (!r) throw new YamlEditError('Internal error: a YAML node without a position.');
  return r;
}

/** Where a block-map pair ends: after its last line, trailing comment included. */
function pairEnd(text: string, pair: Pair<Node, Node | null>): number {
  const keyEnd = range(pair.key)[1];
  const value = pair.value && pair.value.range ? pair.value.range[1] : keyEnd;
  const end = Math.max(keyEnd, value);
  return end > 0 && text[end - 1] === '\n' ? end : nextLineStart(text, end);
}

/** The indentation step the file uses (2 unless its first nested map says otherwise). */
function indentStep(text: string, doc?: Document): number {
  const m = doc ? doc.contents : undefined;
  if (isMap(m)) {
    for (const p of (m as YAMLMap<Node, Node | null>).items) {
      const v = p.value;
      if (isMap(v) && !v.flow && v.items[0]) {
        const step = column(text, range(v.items[0].key as Node)[0]) - column(text, range(p.key)[0]);
        if (step > 0 && step <= 8) return step;
      }
    }
  }
  return 2;
}

/** Inserts `lines` at `offset` (a line start), adding a line break first when the text does not end with one. */
function insertLines(text: string, offset: number, lines: string[]): string {
  const before = text.slice(0, offset);
  const glue = before.length > 0 && !before.endsWith('\n') ? '\n' : '';
  return `${before}${glue}${lines.join('\n')}\n${text.slice(offset)}`;
}

// ── edits ───────────────────────────────────────────────────────────────────

/** Adds `key: value` to the map that is `owner`'s value (block or flow), after its last entry. */
function addEntry(text: string, owner: Pair<Node, Node | null>, key: string, value: Value, block = false): string {
  const map = owner.value;
  const ownerCol = column(text, range(owner.key)[0]);
  if (isNull(map)) {
    // `networks:` with nothing under it: the entries go on the following lines.
    const step = indentStep(text);
    const at = pairEnd(text, owner);
    return insertLines(text, at, blockLines(key, value, ownerCol + step, step, block));
  }
  if (!isMap(map)) throw new YamlEditError(`"${scalarText(owner.key)}" is not a map in the file; fix it in the editor first.`);
  if (isFlow(map)) return insertInFlow(text, map as YAMLMap, `${scalar(key)}: ${flow(value)}`);
  const items = (map as YAMLMap<Node, Node | null>).items;
  const last = items[items.length - 1]!;
  const col = column(text, range(last.key)[0]);
  const step = childStep(text, items) ?? indentStep(text);
  return insertLines(text, pairEnd(text, last), blockLines(key, value, col, step, block));
}

/** How much deeper the children of these entries are indented, from the first block-map child found. */
function childStep(text: string, items: Pair<Node, Node | null>[]): number | undefined {
  for (const p of items) {
    if (isMap(p.value) && !p.value.flow && p.value.items[0]) {
      const step = column(text, range(p.value.items[0].key as Node)[0]) - column(text, range(p.key)[0]);
      if (step > 0) return step;
    }
  }
  return undefined;
}

/** Inserts `entry` before the closing bracket of a flow collection. */
function insertInFlow(text: string, node: YAMLMap | YAMLSeq, entry: string): string {
  const [start, end] = range(node as Node);
  const close = text.lastIndexOf(isSeq(node) ? ']' : '}', end - 1);
  if (close < start) throw new YamlEditError('Internal error: a flow collection without its closing bracket.');
  let before = close;
  while (before > start + 1 && /\s/.test(text[before - 1]!)) before--;
  const empty = node.items.length === 0;
  const pad = isSeq(node) ? '' : ' ';
  const insert = empty ? `${pad}${entry}${pad}` : `, ${entry}`;
  const tail = empty ? text.slice(close) : text.slice(before);
  return text.slice(0, empty ? start + 1 : before) + insert + tail;
}

function appendToSeq(text: string, owner: Pair<Node, Node | null>, item: string): string {
  const seq = owner.value as YAMLSeq<Node>;
  if (isFlow(seq)) return insertInFlow(text, seq, scalar(item));
  const last = seq.items[seq.items.length - 1]!;
  const [s, e] = range(last);
  const dash = text.lastIndexOf('-', s);
  const col = column(text, dash >= 0 && dash >= lineStart(text, s) ? dash : s);
  const at = text[e - 1] === '\n' ? e : nextLineStart(text, e);
  return insertLines(text, at, [`${' '.repeat(col)}- ${scalar(item)}`]);
}

/** Removes one entry of a map (its lines in block style; the entry and a comma in flow style). */
function removeEntry(text: string, map: YAMLMap, pair: Pair<Node, Node | null>): string {
  const keyStart = range(pair.key)[0];
  if (!isFlow(map)) {
    const from = lineStart(text, keyStart);
    const to = pairEnd(text, pair);
    // The last entry leaves `networks:` with nothing under it, which reads as an empty map.
    return text.slice(0, from) + text.slice(to);
  }
  const end = pair.value?.range ? pair.value.range[1] : range(pair.key)[1];
  return removeFlowRange(text, keyStart, end);
}

function removeSeqItem(text: string, seq: YAMLSeq, index: number): string {
  const item = seq.items[index] as Node;
  const [s, e] = range(item);
  if (isFlow(seq)) return removeFlowRange(text, s, e);
  const from = lineStart(text, s);
  const to = text[e - 1] === '\n' ? e : nextLineStart(text, e);
  return text.slice(0, from) + text.slice(to);
}

/** Removes [start, end) of a flow collection with the comma that separates it from its neighbour. */
function removeFlowRange(text: string, start: number, end: number): string {
  let to = end;
  while (/[ \t]/.test(text[to] ?? '')) to++;
  if (text[to] === ',') {
    to++;
    while (/[ \t]/.test(text[to] ?? '')) to++;
    return text.slice(0, start) + text.slice(to);
  }
  let from = start;
  while (from > 0 && /[ \t]/.test(text[from - 1]!)) from--;
  if (text[from - 1] === ',') from--;
  return text.slice(0, from) + text.slice(end);
}

/** Replaces a whole `key: value` pair of `map` by `newKey: value`, where it stood. */
function replacePair(text: string, map: YAMLMap<Node, Node | null>, pair: Pair<Node, Node | null>, newKey: string, value: Value): string {
  const keyStart = range(pair.key)[0];
  if (isFlow(map)) {
    const end = pair.value?.range ? pair.value.range[1] : range(pair.key)[1];
    return text.slice(0, keyStart) + `${scalar(newKey)}: ${flow(value)}` + text.slice(end);
  }
  const from = lineStart(text, keyStart);
  const col = keyStart - from;
  const to = pairEnd(text, pair);
  const step = indentStep(text);
  // A one-line pair that keeps its key keeps the comment at its end; a new key makes that comment stale.
  const oldLine = text.slice(from, to).replace(/\n$/, '');
  const sameKey = scalarText(pair.key) === newKey;
  const comment = sameKey && !oldLine.includes('\n') ? trailingComment(oldLine) : '';
  const lines = blockLines(newKey, value, col, step, false);
  if (comment && lines.length === 1) lines[0] += `  ${comment}`;
  return text.slice(0, from) + lines.join('\n') + '\n' + text.slice(to);
}

/** The `# …` comment at the end of one line of YAML, ignoring `#` inside quotes. */
function trailingComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(i);
  }
  return '';
}

/** Adds a top-level section (`networks:` …) before the first of `before` that exists, else at the end. */
function insertSection(text: string, doc: Document, key: string, entries: [string, Value][], before: string[]): string {
  const step = indentStep(text, doc);
  const lines = [`${key}:`, ...entries.flatMap(([k, v]) => blockLines(k, v, step, step, true))];
  for (const next of before) {
    const pair = topPair(doc, next);
    if (!pair) continue;
    // Above the section and the comment lines that introduce it.
    let at = lineStart(text, range(pair.key)[0]);
    while (at > 0) {
      const prev = lineStart(text, at - 1);
      if (!/^\s*#/.test(text.slice(prev, at))) break;
      at = prev;
    }
    return insertLines(text, at, [...lines, '']);
  }
  const trimmed = text.replace(/\s*$/, '');
  return trimmed.length ? `${trimmed}\n\n${lines.join('\n')}\n` : `${lines.join('\n')}\n`;
}
