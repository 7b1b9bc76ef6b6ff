// A fast reader for the plain subset of YAML that topology files are written in: block maps and lists
// indented with spaces, one-line flow collections ([a, b], {k: v}), plain and one-line quoted scalars,
// comments. It builds the very node objects the `yaml` package builds (Scalar, YAMLMap, YAMLSeq, Pair,
// with the same values and the same ranges), about ten times faster: the `yaml` package needs well
// over a second for a 10,000-container file.
//
// Anything outside that subset — anchors, aliases, tags, block scalars, multi-line scalars, complex
// keys, directives, several documents, tabs, CR line ends, odd numbers (0x…, .inf) — and anything that
// might be a syntax error makes it give up (return undefined), and the caller parses with `yaml`. So
// the result is always what `parseDocument` gives with YAML_PARSE_OPTIONS; test/unit/topology/fastYaml.test.ts
// checks that differentially.
import { Document, LineCounter, Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';
import { YAML_PARSE_OPTIONS } from './options';

export interface FastParse {
  document: Document;
  lineCounter: LineCounter;
}

/** Parse `text`, or undefined when it is not in the subset this reader handles exactly. */
export function fastParseYaml(text: string): FastParse | undefined {
  if (/[\t\r\uFEFF]/.test(text)) return undefined;
  try {
    return new FastYaml(text).parse();
  } catch (err) {
    if (err === GIVE_UP) return undefined;
    throw err;
  }
}

const GIVE_UP = new Error('not in the fast YAML subset');

// The `yaml` node constructors tag every node with Object.defineProperty, which is most of the cost of
// building 200,000 nodes. The same tag on a shared prototype makes identical nodes for isScalar/isMap/
// instanceof, at a fraction of the cost. The tag is read from real nodes, not from yaml's internals.
const TAG = Object.getOwnPropertySymbols(new Scalar(null))[0]!;
function protoOf<T extends object>(cls: { prototype: T }, sample: object): T {
  return Object.create(cls.prototype, { [TAG]: { value: (sample as Record<symbol, unknown>)[TAG] } }) as T;
}
const SCALAR_PROTO = protoOf(Scalar, new Scalar(null));
const MAP_PROTO = protoOf(YAMLMap, new YAMLMap());
const SEQ_PROTO = protoOf(YAMLSeq, new YAMLSeq());
const PAIR_PROTO = protoOf(Pair, new Pair(null));

function newScalar(value: unknown, type: Scalar.Type, range: [number, number, number], source?: string): Scalar {
  const node = Object.create(SCALAR_PROTO) as Scalar;
  node.value = value;
  node.type = type;
  node.range = range;
  if (source !== undefined) (node as { source?: string }).source = source;
  return node;
}

export function newMap(): YAMLMap {
  const node = Object.create(MAP_PROTO) as YAMLMap;
  node.items = [];
  return node;
}

export function newSeq(): YAMLSeq {
  const node = Object.create(SEQ_PROTO) as YAMLSeq;
  node.items = [];
  return node;
}

function newPair(key: Node, value: Node): Pair {
  const pair = Object.create(PAIR_PROTO) as Pair;
  pair.key = key;
  pair.value = value;
  return pair;
}

function giveUp(): never {
  throw GIVE_UP;
}

const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
const BACKSLASH = 92;

/** Characters that may not start a plain scalar in this subset (YAML indicators, plus `?`/`:`/`-` cases handled apart). */
const BAD_PLAIN_START = new Set(['&', '*', '!', '|', '>', '%', '@', '`', '#', ',', ']', '}', '?', ':']);

/** `,` `[` `]` `{` `}`: where a plain scalar in a flow collection stops. */
function isFlowStop(c: number): boolean {
  return c === 44 || c === 91 || c === 93 || c === 123 || c === 125;
}

class FastYaml {
  /** Content lines only (no blank or comment-only lines): offsets of line start, first non-space, and line end. */
  private readonly lineStart: number[] = [];
  private readonly content: number[] = [];
  private readonly lineEnd: number[] = [];
  /** Indentation of each content line; a compact map inside a list item moves it to the key's column. */
  private readonly indent: number[] = [];
  private i = 0;
  /** Set by keyAt: the offset of the key's colon. */
  private colon = 0;
  /** Set by quoted, flowItem and flowCollection: the offset just after what they read. */
  private end = 0;

  constructor(private readonly text: string) {}

  parse(): FastParse {
    const lineCounter = new LineCounter();
    const text = this.text;
    let start = 0;
    // yaml stretches the ranges of collections over comment lines that follow a value in ways that
    // depend on their indentation; only comment runs at column 0 after a non-empty value leave all
    // ranges alone, so any other comment run sends the file to the slow path (as do blank lines
    // after an empty value).
    let afterEmptyValue = false;
    let inCommentRun = false;
    for (;;) {
      lineCounter.addNewLine(start);
      const nl = text.indexOf('\n', start);
      const end = nl < 0 ? text.length : nl;
      let c = start;
      while (c < end && text.charCodeAt(c) === SPACE) c++;
      if (c < end && text.charCodeAt(c) !== HASH) {
        if (c === start && (text.startsWith('---', c) || text.startsWith('...', c) || text[c] === '%')) giveUp();
        this.lineStart.push(start);
        this.content.push(c);
        this.lineEnd.push(end);
        this.indent.push(c - start);
        afterEmptyValue = endsWithEmptyValue(text, c, end);
        inCommentRun = false;
      } else if (c < end && this.content.length > 0 && !inCommentRun) {
        if (c > start || afterEmptyValue) giveUp();
        inCommentRun = true;
      } else if (c === end && afterEmptyValue) {
        giveUp(); // an empty value followed by blank lines: yaml may stretch its range over them
      }
      if (nl < 0) break;
      start = nl + 1;
    }
    const document = new Document(null, YAML_PARSE_OPTIONS);
    if (this.content.length > 0) {
      document.contents = this.blockNode(this.indent[0]!) as never;
      if (this.i < this.content.length) giveUp(); // a line indented less than the root
    }
    return { document, lineCounter };
  }

  private get count(): number {
    return this.content.length;
  }

  private isSeqLine(i: number): boolean {
    const c = this.content[i]!;
    return this.text.charCodeAt(c) === DASH && (c + 1 === this.lineEnd[i] || this.text.charCodeAt(c + 1) === SPACE);
  }

  private blockNode(indent: number): Node {
    if (this.isSeqLine(this.i)) return this.blockSeq(indent);
    if (this.keyAt(this.content[this.i]!, this.lineEnd[this.i]!)) return this.blockMap(indent);
    return giveUp(); // a bare scalar or a flow collection spread over lines
  }

  private blockMap(indent: number): YAMLMap {
    const map = newMap();
    const start = this.content[this.i]!;
    let end = start;
    while (this.i < this.count && this.indent[this.i] === indent) {
      const lineEnd = this.lineEnd[this.i]!;
      const keyNode = this.keyAt(this.content[this.i]!, lineEnd) ?? giveUp();
      const colon = this.colon;
      const p = this.skipSpaces(colon + 1, lineEnd);
      let value: Node;
      if (p === lineEnd || this.text.charCodeAt(p) === HASH) {
        if (p === colon + 1 && p !== lineEnd) giveUp(); // "a:#" is not a comment
        this.i++;
        if (this.i < this.count && this.indent[this.i]! > indent) value = this.blockNode(this.indent[this.i]!);
        else if (this.i < this.count && this.indent[this.i] === indent && this.isSeqLine(this.i)) value = this.blockSeq(indent);
        else value = this.emptyValue(p, lineEnd);
      } else {
        value = this.inlineValue(p, lineEnd);
        this.i++;
        if (this.i < this.count && this.indent[this.i]! > indent) giveUp(); // a continuation line
      }
      map.items.push(newPair(keyNode, value));
      end = nodeEnd(value);
    }
    if (this.i < this.count && this.indent[this.i]! > indent) giveUp();
    map.items = exact(map.items);
    map.range = [start, end, end];
    return map;
  }

  private blockSeq(indent: number): YAMLSeq {
    const seq = newSeq();
    const start = this.content[this.i]!;
    let end = start;
    while (this.i < this.count && this.indent[this.i] === indent && this.isSeqLine(this.i)) {
      const dash = this.content[this.i]!;
      const lineEnd = this.lineEnd[this.i]!;
      const p = this.skipSpaces(dash + 1, lineEnd);
      let item: Node;
      if (p === lineEnd || this.text.charCodeAt(p) === HASH) {
        this.i++;
        if (this.i < this.count && this.indent[this.i]! > indent) item = this.blockNode(this.indent[this.i]!);
        else item = this.emptyValue(p, lineEnd);
      } else if (this.text.charCodeAt(p) === DASH && (p + 1 === lineEnd || this.text.charCodeAt(p + 1) === SPACE)) {
        giveUp(); // "- - a": a list in a list item
      } else if (this.keyAt(p, lineEnd)) {
        // "- key: value": a map whose keys line up with this first key.
        this.content[this.i] = p;
        this.indent[this.i] = p - this.lineStart[this.i]!;
        item = this.blockMap(this.indent[this.i]!);
      } else {
        item = this.inlineValue(p, lineEnd);
        this.i++;
        if (this.i < this.count && this.indent[this.i]! > indent) giveUp();
      }
      seq.items.push(item);
      end = nodeEnd(item);
    }
    if (this.i < this.count && this.indent[this.i]! > indent) giveUp();
    seq.items = exact(seq.items);
    seq.range = [start, end, end];
    return seq;
  }

  /** A block-map key at `p` followed by ": " or ":" at the end of the line (its offset in `colon`), or undefined. */
  private keyAt(p: number, lineEnd: number): Scalar | undefined {
    const text = this.text;
    const ch = text[p]!;
    if (ch === '"' || ch === "'") {
      const node = this.quoted(p, lineEnd);
      const colon = this.end;
      if (text.charCodeAt(colon) !== COLON) return undefined;
      if (colon + 1 !== lineEnd && text.charCodeAt(colon + 1) !== SPACE) giveUp();
      this.colon = colon;
      return node;
    }
    if (ch === '[' || ch === '{' || ch === '-' || BAD_PLAIN_START.has(ch)) return undefined;
    for (let q = p; q < lineEnd; q++) {
      const c = text.charCodeAt(q);
      if (c === HASH && text.charCodeAt(q - 1) === SPACE) return undefined;
      if (c === COLON && (q + 1 === lineEnd || text.charCodeAt(q + 1) === SPACE)) {
        let e = q;
        while (e > p && text.charCodeAt(e - 1) === SPACE) e--;
        const raw = text.slice(p, e);
        if (raw === '<<') giveUp(); // merge keys resolve differently
        this.colon = q;
        return plainScalar(raw, p, e, e);
      }
    }
    return undefined;
  }

  /** A value that starts on the key's (or dash's) line and ends there. */
  private inlineValue(p: number, lineEnd: number): Node {
    const text = this.text;
    const ch = text[p]!;
    let node: Node;
    let after: number;
    if (ch === '[' || ch === '{') {
      node = this.flowCollection(p, lineEnd);
      after = this.end;
    } else if (ch === '"' || ch === "'") {
      node = this.quoted(p, lineEnd);
      after = this.end;
    } else {
      if (BAD_PLAIN_START.has(ch) || (ch === '-' && text.charCodeAt(p + 1) === SPACE)) giveUp();
      let e = lineEnd;
      for (let q = p + 1; q < lineEnd; q++) {
        if (text.charCodeAt(q) === HASH && text.charCodeAt(q - 1) === SPACE) {
          e = q;
          break;
        }
      }
      while (e > p && text.charCodeAt(e - 1) === SPACE) e--;
      const raw = text.slice(p, e);
      if (raw.includes(': ') || raw.endsWith(':')) giveUp();
      const scalar = plainScalar(raw, p, e, lineEnd < text.length ? lineEnd + 1 : lineEnd);
      return scalar;
    }
    const rest = this.skipSpaces(after, lineEnd);
    if (rest !== lineEnd && !(text.charCodeAt(rest) === HASH && rest > after)) giveUp();
    // The node was made just above with its own range array: stretched in place, not copied.
    node.range![2] = lineEnd < text.length ? lineEnd + 1 : lineEnd;
    return node;
  }

  /** A one-line flow collection; `end` is just after its closing bracket. */
  private flowCollection(p: number, lineEnd: number): YAMLMap | YAMLSeq {
    const text = this.text;
    const isSeq = text[p] === '[';
    const close = isSeq ? ']' : '}';
    const node = isSeq ? newSeq() : newMap();
    node.flow = true;
    let q = this.skipSpaces(p + 1, lineEnd);
    while (text[q] !== close) {
      if (q >= lineEnd) giveUp(); // spread over several lines
      if (isSeq) {
        (node as YAMLSeq).items.push(this.flowItem(q, lineEnd, false));
        q = this.end;
      } else {
        const key = this.flowItem(q, lineEnd, true);
        q = this.skipSpaces(this.end, lineEnd);
        if (text.charCodeAt(q) !== COLON) giveUp();
        q = this.skipSpaces(q + 1, lineEnd);
        if (text[q] === ',' || text[q] === '}') giveUp(); // a key without value
        const value = this.flowItem(q, lineEnd, false);
        (node as YAMLMap).items.push(newPair(key, value));
        q = this.end;
      }
      q = this.skipSpaces(q, lineEnd);
      if (text[q] === ',') q = this.skipSpaces(q + 1, lineEnd);
      else if (text[q] !== close) giveUp();
    }
    node.items = exact(node.items as unknown[]) as typeof node.items;
    node.range = [p, q + 1, q + 1];
    this.end = q + 1;
    return node;
  }

  /** One entry of a flow collection (or a key of a flow map); `end` is just after it. */
  private flowItem(p: number, lineEnd: number, isKey: boolean): Node {
    const text = this.text;
    const ch = text[p]!;
    if (ch === '[' || ch === '{') {
      if (isKey) giveUp();
      return this.flowCollection(p, lineEnd);
    }
    if (ch === '"' || ch === "'") return this.quoted(p, lineEnd);
    if (BAD_PLAIN_START.has(ch) || ch === '-' && text.charCodeAt(p + 1) === SPACE) giveUp();
    let q = p;
    for (; q < lineEnd; q++) {
      const c = text.charCodeAt(q);
      if (isFlowStop(c)) break;
      if (c === COLON && (q + 1 === lineEnd || text.charCodeAt(q + 1) === SPACE || isFlowStop(text.charCodeAt(q + 1)))) {
        if (!isKey) giveUp(); // "[a: b]" is a map inside a list
        break;
      }
      if (c === HASH && text.charCodeAt(q - 1) === SPACE) giveUp();
    }
    let e = q;
    while (e > p && text.charCodeAt(e - 1) === SPACE) e--;
    if (e === p) giveUp(); // an empty entry
    const raw = text.slice(p, e);
    if (isKey && raw === '<<') giveUp();
    this.end = e;
    return plainScalar(raw, p, e, e);
  }

  /** A quoted scalar on one line; `end` is just after the closing quote. */
  private quoted(p: number, lineEnd: number): Scalar {
    const text = this.text;
    const quote = text.charCodeAt(p);
    // The value is sliced from the text in runs between escapes (most quoted values have none).
    let value = '';
    let run = p + 1;
    let q = p + 1;
    for (;;) {
      if (q >= lineEnd) giveUp(); // unterminated or multi-line
      const c = text.charCodeAt(q);
      if (c === quote) {
        if (quote === SINGLE_QUOTE && text.charCodeAt(q + 1) === SINGLE_QUOTE) {
          value += text.slice(run, q) + "'";
          q += 2;
          run = q;
          continue;
        }
        break;
      }
      if (c === BACKSLASH && quote === DOUBLE_QUOTE) {
        const esc = ESCAPES[text[q + 1]!];
        if (esc === undefined) giveUp();
        value += text.slice(run, q) + esc;
        q += 2;
        run = q;
        continue;
      }
      q++;
    }
    value = run === p + 1 ? text.slice(run, q) : value + text.slice(run, q);
    this.end = q + 1;
    return newScalar(value, quote === DOUBLE_QUOTE ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE, [p, q + 1, q + 1]);
  }

  /** The null of `key:` or `-` with nothing after it: empty, after the spaces that follow the indicator (at the comment, if any). */
  private emptyValue(p: number, lineEnd: number): Scalar {
    if (p === lineEnd) return newScalar(null, Scalar.PLAIN, [p, p, p], '');
    return newScalar(null, Scalar.PLAIN, [p, p, lineEnd < this.text.length ? lineEnd + 1 : lineEnd], '');
  }

  private skipSpaces(p: number, lineEnd: number): number {
    while (p < lineEnd && this.text.charCodeAt(p) === SPACE) p++;
    return p;
  }
}

/** Does this content line end with a key or dash that has no value on the line ("key:", "-")? Errs on yes. */
function endsWithEmptyValue(text: string, content: number, end: number): boolean {
  let e = end;
  for (let q = content + 1; q < end; q++) {
    if (text.charCodeAt(q) === HASH && text.charCodeAt(q - 1) === SPACE) {
      e = q;
      break;
    }
  }
  while (e > content && text.charCodeAt(e - 1) === SPACE) e--;
  const last = text.charCodeAt(e - 1);
  return last === COLON || (last === DASH && (e - 1 === content || text.charCodeAt(e - 2) === SPACE));
}

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0', ' ': ' ' };

const NULL_RE = /^(?:~|[Nn]ull|NULL)$/;
const TRUE_RE = /^(?:[Tt]rue|TRUE)$/;
const FALSE_RE = /^(?:[Ff]alse|FALSE)$/;
const INT_RE = /^[-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** Numbers whose exact value or representation the fast path does not reproduce. */
const ODD_NUMBER_RE = /^(?:[-+]?0x|[-+]?0o|[-+]?\.(?:inf|Inf|INF)$|\.(?:nan|NaN|NAN)$)/;

/** A plain scalar resolved as the YAML 1.2 core schema does. */
function plainScalar(raw: string, start: number, valueEnd: number, end: number): Scalar {
  let value: unknown = raw;
  const c = raw.charCodeAt(0);
  // Only strings that start like a number or a keyword need the tests.
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70) {
    if (NULL_RE.test(raw)) value = null;
    else if (TRUE_RE.test(raw)) value = true;
    else if (FALSE_RE.test(raw)) value = false;
    else if (ODD_NUMBER_RE.test(raw)) giveUp();
    else if (INT_RE.test(raw)) {
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) giveUp();
      value = n;
    } else if (FLOAT_RE.test(raw)) value = parseFloat(raw);
  }
  return newScalar(value, Scalar.PLAIN, [start, valueEnd, end], raw);
}

/**
 * The items without the room `push` left for more (an array grown by push has space for 17): the tree
 * lives as long as the document, and those empty slots were a fifth of its memory.
 */
function exact<T>(items: T[]): T[] {
  return items.slice();
}

function nodeEnd(node: Node): number {
  return node.range![2];
}
