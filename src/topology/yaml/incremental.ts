// Incremental YAML parsing for big topology files. The `yaml` package needs ~0.5 s for a
// 5,000-container file, far too slow to run on every keystroke. A topology file is a map of a few
// sections whose entries are independent blocks, so the text is cut into chunks (each top-level key,
// and each entry of the big sections), every chunk is parsed on its own and cached by its text, and
// the parsed pieces are stitched into one Document with absolute ranges. After a one-character edit
// only the chunk that changed is parsed again.
//
// Anything the chunking cannot represent faithfully (anchors/aliases across chunks, document markers,
// directives, a chunk with a syntax error, a chunk that is not a map entry) falls back to one full
// parse, so the result is always what a whole parse (parseYamlDocument) gives.
import {
  Document,
  LineCounter,
  Pair,
  Scalar,
  YAMLMap,
  YAMLParseError,
  YAMLSeq,
  isCollection,
  isMap,
  isPair,
  isSeq,
  type Node,
  type YAMLError,
} from 'yaml';
import { YAML_PARSE_OPTIONS } from './options';
import { fastParseYaml, newMap, newSeq } from './fast';
import { parseYamlDocument } from './parse';

export interface ParsedYaml {
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** True when the text was parsed in one piece (fallback or small file). */
  whole: boolean;
  /** Chunked parses only: how many chunks were parsed anew (the others were reused). */
  freshChunks?: number;
}

/** Below this size one parse is fast enough and always exact. */
const CHUNKING_THRESHOLD = 32 * 1024;

/** A whole parse reports duplicate keys only with uniqueKeys on; the stitched one must do the same. */
const REPORTS_DUPLICATES = YAML_PARSE_OPTIONS.uniqueKeys !== false;

/** Top-level sections whose entries are parsed one by one. */
const SPLIT_SECTIONS = new Set(['hosts', 'networks', 'containers', 'services', 'expect']);

/** What the stitching reads of a chunk's parse (a whole Document costs more to make than its nodes). */
type ChunkDoc = Pick<Document.Parsed, 'contents' | 'errors' | 'warnings' | 'range'>;

interface ChunkResult {
  text: string;
  /** Absolute offset the node ranges currently refer to. */
  offset: number;
  doc: ChunkDoc;
}

export class IncrementalYamlParser {
  private cache = new Map<string, ChunkResult[]>();
  /** A whole parse whose pieces have not yet been put in the cache (see seed()). */
  private unseeded: { text: string; lineStarts: number[]; doc: Document.Parsed } | undefined;
  /** Chunks parsed anew by the current parse (for freshChunks). */
  private fresh = 0;

  constructor(private readonly threshold = CHUNKING_THRESHOLD) {}

  parse(text: string): ParsedYaml {
    this.seed();
    if (text.length < this.threshold || !chunkable(text)) {
      this.cache.clear();
      return parseWhole(text);
    }
    if (this.cache.size === 0) {
      // First sight of a big file: one parse (the fast reader for plain block YAML, else `yaml`) is
      // faster than thousands of small ones. Its pieces seed the cache later, off the path to the
      // first diagnostics (seed(), or the next parse). The fast reader's line starts are ours (it
      // gives up on \r), so they are not counted twice.
      const fast = fastParseYaml(text);
      const whole: ParsedYaml = fast ? { text, doc: asParsed(fast.document, text), lineCounter: fast.lineCounter, whole: true } : parseWhole(text);
      if (whole.doc.errors.length === 0) this.unseeded = { text, lineStarts: whole.lineCounter.lineStarts, doc: whole.doc };
      return whole;
    }
    const lineStarts = lineStartsOf(text);
    const plan = planChunks(text, lineStarts);
    const next = new Map<string, ChunkResult[]>();
    const stitched = this.parseChunked(text, plan, lineStarts, next);
    this.cache = next;
    return stitched ?? parseWhole(text, lineStarts);
  }

  /**
   * Put the pieces of the last whole parse in the cache, so that the next parse of an edited text
   * reparses only the chunks that changed. Cheap to call again; parse() calls it first. The language
   * server calls it once the first diagnostics are out.
   */
  seed(): void {
    const u = this.unseeded;
    if (!u) return;
    this.unseeded = undefined;
    this.cache = adoptChunks(u.text, planChunks(u.text, u.lineStarts), u.doc);
  }

  /** The parse of one chunk at `offset`, reusing the previous parse of the same text. */
  private chunk(text: string, offset: number, next: Map<string, ChunkResult[]>): ChunkResult {
    const reusable = this.cache.get(text);
    let result = reusable?.pop();
    if (result) {
      if (result.offset !== offset) {
        shiftDocument(result.doc, offset - result.offset);
        result.offset = offset;
      }
    } else {
      this.fresh++;
      const doc = parseYamlDocument(text);
      if (offset !== 0) shiftDocument(doc, offset);
      result = { text, offset, doc };
    }
    const list = next.get(text);
    if (list) list.push(result);
    else next.set(text, [result]);
    return result;
  }

  private parseChunked(
    text: string,
    plan: TopLevelChunk[],
    lineStarts: number[],
    next: Map<string, ChunkResult[]>,
  ): ParsedYaml | undefined {
    this.fresh = 0;
    const root = new YAMLMap();
    const seenTop = new Set<string>();
    const errors: YAMLError[] = [];
    const warnings: YAMLError[] = [];
    for (const top of plan) {
      const pair = top.section
        ? this.parseSection(text, top.section, next, errors, warnings)
        : this.parseTopLevel(text, top.start, top.end, next, warnings);
      if (pair === undefined) return undefined;
      if (pair === null) continue; // only comments / blank lines
      const key = keyText(pair);
      if (key !== undefined) {
        if (seenTop.has(key) && REPORTS_DUPLICATES) errors.push(duplicateKeyError(pair));
        seenTop.add(key);
      }
      root.items.push(pair);
    }
    const doc = new Document(null, YAML_PARSE_OPTIONS) as Document.Parsed;
    if (root.items.length > 0) {
      const first = rangeOfPair(root.items[0] as Pair);
      const last = rangeOfPair(root.items[root.items.length - 1] as Pair);
      root.range = [first[0], last[1], last[2]];
      doc.contents = root as unknown as Document.Parsed["contents"];
    } else {
      doc.contents = null as unknown as Document.Parsed['contents'];
    }
    doc.range = [0, text.length, text.length];
    doc.errors = errors as YAMLParseError[];
    doc.warnings = warnings as Document.Parsed['warnings'];
    return { text, doc, lineCounter: counterOf(lineStarts), whole: false, freshChunks: this.fresh };
  }

  /**
   * One top-level key with its value. Returns null for a comment-only chunk and undefined when the
   * chunk cannot be represented (then the caller parses the whole text).
   */
  private parseTopLevel(
    text: string,
    start: number,
    end: number,
    next: Map<string, ChunkResult[]>,
    warnings: YAMLError[],
  ): Pair | null | undefined {
    const chunk = this.chunk(text.slice(start, end), start, next);
    if (chunk.doc.errors.length > 0) return undefined;
    warnings.push(...chunk.doc.warnings);
    const contents = chunk.doc.contents;
    if (contents === null) return null;
    return singleEntry(contents as Node, false) as Pair | undefined;
  }

  /** A section (`containers:` …) whose entries are chunks of their own. */
  private parseSection(
    text: string,
    section: SectionChunks,
    next: Map<string, ChunkResult[]>,
    errors: YAMLError[],
    warnings: YAMLError[],
  ): Pair | undefined {
    const collection = section.sequence ? new YAMLSeq() : new YAMLMap();
    const seen = new Set<string>();
    for (const [s, e] of section.chunks) {
      const chunk = this.chunk(text.slice(s, e), s, next);
      if (chunk.doc.errors.length > 0) return undefined;
      const item = singleEntry(chunk.doc.contents as Node | null, section.sequence);
      if (item === undefined) return undefined;
      if (isPair(item)) {
        const k = keyText(item);
        if (k !== undefined) {
          if (seen.has(k) && REPORTS_DUPLICATES) errors.push(duplicateKeyError(item));
          seen.add(k);
        }
      }
      collection.items.push(item as never);
      warnings.push(...chunk.doc.warnings);
    }
    const firstItem = collection.items[0] as Node | Pair;
    const lastItem = collection.items[collection.items.length - 1] as Node | Pair;
    const from = isPair(firstItem) ? rangeOfPair(firstItem)[0] : (firstItem as Node).range![0];
    const to = isPair(lastItem) ? rangeOfPair(lastItem) : (lastItem as Node).range!;
    collection.range = [from, to[1], to[2]];
    const keyNode = new Scalar(section.key);
    keyNode.type = Scalar.PLAIN;
    keyNode.source = section.key;
    keyNode.range = [section.keyStart, section.keyStart + section.key.length, section.keyStart + section.key.length];
    return new Pair(keyNode, collection);
  }
}

/** The one map entry / list item a section chunk holds, or undefined when it holds something else. */
function singleEntry(contents: Node | null, sequence: boolean): Pair | Node | undefined {
  if (sequence) {
    if (!isSeq(contents) || contents.flow || contents.items.length !== 1) return undefined;
    return contents.items[0] as Node;
  }
  if (!isMap(contents) || contents.flow || contents.items.length !== 1) return undefined;
  const pair = contents.items[0] as Pair;
  // An empty key (`:` alone) is placed differently by a whole parse; let the whole parse handle it.
  return keyText(pair) === undefined ? undefined : pair;
}

interface SectionChunks {
  key: string;
  keyStart: number;
  sequence: boolean;
  chunks: [number, number][];
}

interface TopLevelChunk {
  start: number;
  end: number;
  section?: SectionChunks;
}

/** How the text is cut: top-level blocks, and the entries of the big sections. */
function planChunks(text: string, lineStarts: number[]): TopLevelChunk[] {
  return topLevelChunks(text, lineStarts).map(([start, end]) => {
    const header = /^([A-Za-z_][\w.-]*)[ \t]*:[ \t]*(?:#[^\n]*)?\r?\n/.exec(text.slice(start, Math.min(end, start + 200)));
    if (!header || !SPLIT_SECTIONS.has(header[1]!)) return { start, end };
    const entries = sectionEntries(text, start + header[0].length, end, lineStarts);
    if (!entries || entries.chunks.length === 0) return { start, end };
    return { start, end, section: { key: header[1]!, keyStart: start, ...entries } };
  });
}

/**
 * Seed the cache from a whole parse: the node of each chunk is taken from the whole document, as if
 * the chunk had been parsed alone (ranges are absolute in both).
 */
function adoptChunks(text: string, plan: TopLevelChunk[], whole: Document.Parsed): Map<string, ChunkResult[]> {
  const cache = new Map<string, ChunkResult[]>();
  const root = whole.contents;
  if (!isMap(root)) return cache;
  const add = (start: number, end: number, item: Pair | Node, sequence: boolean) => {
    const holder = sequence ? newSeq() : newMap();
    holder.items.push(item as never);
    const r = isPair(item) ? rangeOfPair(item) : (item as Node).range!;
    holder.range = [r[0], r[1], r[2]];
    // As a chunk's own parse would give it (no errors: the whole parse had none).
    const doc: ChunkDoc = { contents: holder as unknown as Document.Parsed['contents'], errors: [], warnings: [], range: [start, end, end] };
    const slice = text.slice(start, end);
    const list = cache.get(slice);
    const result = { text: slice, offset: start, doc };
    if (list) list.push(result);
    else cache.set(slice, [result]);
  };
  const pairs = root.items as Pair[];
  let p = 0;
  for (const top of plan) {
    const pair = pairs[p];
    const keyStart = (pair?.key as Node | null)?.range?.[0];
    if (!pair || keyStart === undefined || keyStart < top.start || keyStart >= top.end) continue; // comment-only chunk
    p++;
    if (!top.section) {
      add(top.start, top.end, pair, false);
      continue;
    }
    const value = pair.value as Node | null;
    const items = (isMap(value) || isSeq(value)) && !value.flow ? (value.items as (Pair | Node)[]) : [];
    if (items.length !== top.section.chunks.length) continue;
    top.section.chunks.forEach(([s, e], i) => add(s, e, items[i]!, top.section!.sequence));
  }
  return cache;
}

/** The fast reader's document with what a parsed one has besides its nodes (no errors: it gives up on any). */
function asParsed(doc: Document, text: string): Document.Parsed {
  const parsed = doc as Document.Parsed;
  parsed.range = [0, text.length, text.length];
  return parsed;
}

/** Parse in one piece, exactly as the topology layer would. */
export function parseWhole(text: string, lineStarts = lineStartsOf(text)): ParsedYaml {
  const doc = parseYamlDocument(text);
  // Our own line starts: yaml's LineCounter misses the lines inside a token (e.g. an unclosed quote).
  return { text, doc, lineCounter: counterOf(lineStarts), whole: true };
}

export function lineStartsOf(text: string): number[] {
  const starts = [0];
  let i = text.indexOf('\n');
  while (i !== -1) {
    starts.push(i + 1);
    i = text.indexOf('\n', i + 1);
  }
  return starts;
}

function counterOf(lineStarts: number[]): LineCounter {
  const lc = new LineCounter();
  lc.lineStarts = lineStarts; // what addNewLine would push, one by one
  return lc;
}

/** Anchors, aliases, tags that may refer across chunks, directives and document markers: parse whole. */
function chunkable(text: string): boolean {
  if (/^(?:---|\.\.\.|%)/m.test(text)) return false;
  if (/(?:^|[\s[{,])[&*][^\s,[\]{}]/.test(text)) return false;
  if (text.includes('\t')) return false;
  return true;
}

/** [start, end) of each top-level key's block: a new block starts at every column-0 line that is not a comment or a list item. */
function topLevelChunks(text: string, lineStarts: number[]): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (let i = 1; i < lineStarts.length; i++) {
    const ls = lineStarts[i]!;
    if (ls >= text.length) break;
    if (startsTopLevelBlock(text, ls)) {
      out.push([start, ls]);
      start = ls;
    }
  }
  out.push([start, text.length]);
  return out;
}

function startsTopLevelBlock(text: string, ls: number): boolean {
  const c = text.charCodeAt(ls);
  // space, newline, carriage return, '#'
  if (c === 32 || c === 10 || c === 13 || c === 35) return false;
  if (c === 45 /* - */) {
    const n = text.charCodeAt(ls + 1);
    if (Number.isNaN(n) || n === 32 || n === 10 || n === 13) return false;
  }
  return true;
}

/**
 * The entries of a section body: each starts at a line indented exactly like the first entry. Returns
 * undefined when the body has a shape the chunking does not handle (less-indented content, mixed
 * list/map entries).
 */
function sectionEntries(
  text: string,
  bodyStart: number,
  end: number,
  lineStarts: number[],
): { sequence: boolean; chunks: [number, number][] } | undefined {
  let indent = -1;
  let sequence = false;
  const starts: number[] = [];
  let line = lowerBound(lineStarts, bodyStart);
  for (; line < lineStarts.length; line++) {
    const ls = lineStarts[line]!;
    if (ls >= end) break;
    let i = ls;
    while (i < end && text.charCodeAt(i) === 32) i++;
    const c = text.charCodeAt(i);
    if (i >= end || c === 10 || c === 13 || c === 35) continue; // blank or comment line
    const col = i - ls;
    const isItem = c === 45 && (i + 1 >= end || [32, 10, 13].includes(text.charCodeAt(i + 1)));
    if (indent === -1) {
      indent = col;
      sequence = isItem;
      starts.push(ls);
      continue;
    }
    if (col < indent) return undefined;
    if (col === indent) {
      if (isItem !== sequence) return undefined;
      starts.push(ls);
    }
  }
  if (indent <= 0 && !sequence) return undefined; // a map body must be indented
  if (starts.length === 0) return undefined;
  // Leading comments and blank lines belong to the first entry.
  starts[0] = bodyStart;
  const chunks: [number, number][] = [];
  for (let k = 0; k < starts.length; k++) chunks.push([starts[k]!, k + 1 < starts.length ? starts[k + 1]! : end]);
  return { sequence, chunks };
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function keyText(pair: Pair): string | undefined {
  const k = pair.key as Node | null;
  return k instanceof Scalar && (typeof k.value === 'string' || typeof k.value === 'number') ? String(k.value) : undefined;
}

function rangeOfPair(pair: Pair): [number, number, number] {
  const k = (pair.key as Node | null)?.range;
  const v = (pair.value as Node | null)?.range;
  const start = k ? k[0] : v ? v[0] : 0;
  const endR = v ?? k ?? [start, start, start];
  return [start, Math.max(endR[1], k ? k[1] : 0), Math.max(endR[2], k ? k[2] : 0)];
}

function duplicateKeyError(pair: Pair): YAMLParseError {
  const start = (pair.key as Node | null)?.range?.[0] ?? 0;
  return new YAMLParseError([start, start + 1], 'DUPLICATE_KEY', 'Map keys must be unique');
}

/** Move every range of a parsed chunk by `delta` characters. */
function shiftDocument(doc: ChunkDoc, delta: number): void {
  shiftNode(doc.contents as Node | null, delta);
  if (doc.range) doc.range = [doc.range[0] + delta, doc.range[1] + delta, doc.range[2] + delta];
  for (const e of doc.errors) e.pos = [e.pos[0] + delta, e.pos[1] + delta];
  for (const w of doc.warnings) w.pos = [w.pos[0] + delta, w.pos[1] + delta];
}

function shiftNode(node: Node | null | undefined, delta: number): void {
  if (!node) return;
  const r = node.range;
  if (r) {
    r[0] += delta;
    r[1] += delta;
    r[2] += delta;
  }
  if (isCollection(node)) {
    for (const item of node.items) {
      if (isPair(item)) {
        shiftNode(item.key as Node | null, delta);
        shiftNode(item.value as Node | null, delta);
      } else shiftNode(item as Node, delta);
    }
  }
}
