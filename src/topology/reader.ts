// Walking the YAML tree with positions: typed reads that report a positioned diagnostic instead of throwing.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Scalar } from 'yaml';
import type { Severity, TopologyDiagnostic } from './diagnostics';
import type { SourceMap } from './sourceMap';
import type { YamlPath } from './spec';
import { didYouMean } from './suggest';

/** One key of a map, with its value (aliases resolved). */
export interface Field {
  key: string;
  keyNode: Node;
  value: Node | null;
  path: YamlPath;
}

/** One item of a list. */
export interface Item {
  index: number;
  node: Node | null;
  path: YamlPath;
}

/** Something a diagnostic can point at: a field (its value, or its key when the value is missing) or a node. */
export type Target = Field | Item | Node | null | undefined;

export class ParseContext {
  readonly diagnostics: TopologyDiagnostic[] = [];

  constructor(
    readonly doc: Document,
    readonly source: SourceMap,
  ) {}

  report(severity: Severity, target: Target, message: string, code: string, path?: YamlPath): void {
    const node = nodeOf(target);
    const range = this.source.nodeRange(node) ?? this.source.offsetRange(0, 0);
    const where = path ?? (target && 'path' in target ? target.path : undefined);
    this.diagnostics.push({ range, severity, message, code, source: 'cnm', ...(where ? { path: where } : {}) });
  }

  error(target: Target, message: string, code: string, path?: YamlPath): void {
    this.report('error', target, message, code, path);
  }

  warning(target: Target, message: string, code: string, path?: YamlPath): void {
    this.report('warning', target, message, code, path);
  }

  /** Put a diagnostic on the key of a field (e.g. "unknown key", "defined twice"). */
  errorOnKey(field: Field, message: string, code: string): void {
    this.error(field.keyNode, message, code, field.path);
  }

  resolve(node: unknown): Node | null {
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return (node as Node | null | undefined) ?? null;
  }

  /**
   * The fields of a map in file order. Unknown keys (unless `x-…` extension keys), duplicate keys and
   * non-scalar keys are reported; `<<` merge keys bring in the fields of the merged maps.
   * `known` = undefined means any key is allowed (e.g. the names under `networks:`).
   */
  fields(target: Field | Item | null, what: string, known?: readonly string[]): Field[] | undefined {
    const node = this.resolve(target ? valueOf(target) : null);
    if (node === null || isNullScalar(node)) return []; // `key:` with nothing under it is an empty map
    if (!isMap(node)) {
      this.error(target, `${capitalize(what)} must be a map (key: value), not ${describe(node)}.`, 'type');
      return undefined;
    }
    const base = target?.path ?? [];
    const seen = new SeenKeys(node.items);
    const out: Field[] = [];
    let merged: Field[] | undefined; // made only for a map with a merge key
    for (let i = 0; i < node.items.length; i++) {
      const item = node.items[i];
      if (!isPair(item)) continue;
      const keyNode = item.key as Node | null;
      if (isMergeKey(keyNode)) {
        (merged ??= []).push(...this.mergedFields(item.value as Node | null, base, what, known));
        continue;
      }
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
        this.error(keyNode ?? (item.value as Node), `Keys in ${what} must be plain names.`, 'type', base);
        continue;
      }
      const key = String(keyNode.value);
      const path = base.concat(key); // exact size: a path is kept in the spec (push would leave room for 17)
      const field: Field = { key, keyNode, value: this.resolve(item.value), path };
      const first = seen.get(key);
      if (first) {
        const line = (this.source.nodeRange(first)?.start.line ?? 0) + 1;
        this.errorOnKey(field, `Duplicate key "${key}" in ${what} (first defined on line ${line}); this one is ignored.`, 'duplicate-key');
        continue;
      }
      seen.seeItem(i, key, keyNode);
      if (known && !known.includes(key) && !key.startsWith('x-')) {
        const hint = didYouMean(key, known);
        this.errorOnKey(field, `Unknown key "${key}" in ${what}.${hint || ` Allowed: ${known.join(', ')}.`}`, 'unknown-key');
        continue;
      }
      out.push(field);
    }
    // Explicit keys win over merged ones, as in YAML's merge-key semantics.
    for (const f of merged ?? []) {
      if (!seen.has(f.key)) {
        seen.add(f.key, f.keyNode);
        out.push(f);
      }
    }
    return out;
  }

  private mergedFields(value: Node | null, base: YamlPath, what: string, known?: readonly string[]): Field[] {
    const sources = isSeq(value) ? (value.items as Node[]) : [value];
    const out: Field[] = [];
    for (const src of sources) {
      const map = this.resolve(src);
      if (!isMap(map)) {
        this.error(src, 'A merge key (<<) takes an alias of a map, e.g. <<: *defaults.', 'type', base);
        continue;
      }
      const fields = this.fields({ key: '<<', keyNode: map, value: map, path: base }, what, known) ?? [];
      out.push(...fields);
    }
    return out;
  }

  /** The items of a list. A scalar where a list is expected is reported. */
  items(target: Field | Item | null, what: string): Item[] | undefined {
    const node = this.resolve(target ? valueOf(target) : null);
    if (node === null || isNullScalar(node)) return [];
    if (!isSeq(node)) {
      this.error(target, `${capitalize(what)} must be a list, not ${describe(node)}.`, 'type');
      return undefined;
    }
    const base = target?.path ?? [];
    const out: Item[] = [];
    for (let index = 0; index < node.items.length; index++) {
      const path = base.concat(index);
      out.push({ index, node: this.resolve(node.items[index]), path });
    }
    return out;
  }

  /**
   * A string value. Numbers are read as written ("20.10" stays "20.10", not 20.1); booleans only when
   * `allowBool` (driver options such as enable_icc: false).
   */
  string(target: Field | Item, what: string, opts: { allowBool?: boolean } = {}): string | undefined {
    const node = valueOf(target);
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'bigint') return this.source.sourceText(node);
      if (typeof v === 'boolean' && opts.allowBool) return String(v);
    }
    this.error(target, `${capitalize(what)} must be a string, not ${describe(node)}.`, 'type');
    return undefined;
  }

  bool(target: Field | Item, what: string): boolean | undefined {
    const node = valueOf(target);
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.error(target, `${capitalize(what)} must be true or false, not ${describe(node)}.`, 'type');
    return undefined;
  }

  int(target: Field | Item, what: string, min: number, max: number): number | undefined {
    const node = valueOf(target);
    if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value)) {
      if (node.value >= min && node.value <= max) return node.value;
      this.error(target, `${capitalize(what)} must be between ${min} and ${max}.`, 'range');
      return undefined;
    }
    this.error(target, `${capitalize(what)} must be a whole number, not ${describe(node)}.`, 'type');
    return undefined;
  }

  /** A map of string values (driver_opts, labels, aux_addresses, interfaces). */
  stringMap(target: Field, what: string): { values: Record<string, string>; fields: Field[] } {
    const values: Record<string, string> = {};
    const fields = this.fields(target, what) ?? [];
    const kept: Field[] = [];
    for (const f of fields) {
      const v = this.string(f, `${what} "${f.key}"`, { allowBool: true });
      if (v !== undefined) {
        values[f.key] = v;
        kept.push(f);
      }
    }
    return { values, fields: kept };
  }

  /** A list of strings (numbers read as written). */
  stringList(target: Field, what: string): { value: string; item: Item }[] {
    const out: { value: string; item: Item }[] = [];
    for (const item of this.items(target, what) ?? []) {
      const v = this.string(item, `each entry of ${what}`);
      if (v !== undefined) out.push({ value: v, item });
    }
    return out;
  }

  /** One of a fixed set of strings. */
  oneOf<T extends string>(target: Field | Item, what: string, allowed: readonly T[]): T | undefined {
    const v = this.string(target, what);
    if (v === undefined) return undefined;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    this.error(target, `${capitalize(what)} must be one of ${allowed.join(', ')}, not "${v}".${didYouMean(v, allowed)}`, 'value');
    return undefined;
  }
}

/**
 * The keys a map has shown so far, with the node of each (the first of duplicates). Most maps of a
 * topology have a handful of keys: those are looked up among the map's earlier pairs, and only a big
 * map (`containers:`) gets a Map — one Map per small map was most of what reading a 10,000-container
 * file allocated.
 */
class SeenKeys {
  private index: Map<string, Node> | undefined;
  /** How many of `items` have been seen (small maps). */
  private upTo = 0;

  constructor(private readonly items: readonly unknown[]) {
    if (items.length > 16) this.index = new Map();
  }

  get(key: string): Node | undefined {
    if (this.index) return this.index.get(key);
    for (let i = 0; i < this.upTo; i++) {
      const item = this.items[i];
      if (!isPair(item) || !isPlainKey(item.key)) continue;
      if (String(item.key.value) === key) return item.key;
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Item `i` of the map, a plain key not seen before, has been read. */
  seeItem(i: number, key: string, node: Node): void {
    if (this.index) this.index.set(key, node);
    else this.upTo = i + 1;
  }

  /** A key that is not one of the map's own pairs (a merged one). */
  add(key: string, node: Node): void {
    if (!this.index) {
      const index = new Map<string, Node>();
      for (let i = this.upTo - 1; i >= 0; i--) {
        const item = this.items[i];
        if (isPair(item) && isPlainKey(item.key)) index.set(String(item.key.value), item.key);
      }
      this.index = index;
    }
    this.index.set(key, node);
  }
}

/** A key `fields` reads as a name: a scalar that is not null and not an object. */
function isPlainKey(node: unknown): node is Scalar {
  return isScalar(node) && node.value !== null && typeof node.value !== 'object';
}

export function valueOf(target: Field | Item): Node | null {
  return 'key' in target ? target.value : target.node;
}

function nodeOf(target: Target): Node | null | undefined {
  if (!target) return undefined;
  if ('keyNode' in target) {
    const v = target.value;
    return v && !isEmptyNull(v) ? v : target.keyNode;
  }
  if ('path' in target && 'index' in target) return target.node;
  return target as Node;
}

function isNullScalar(node: Node): boolean {
  return isScalar(node) && node.value === null;
}

function isEmptyNull(node: Node): boolean {
  return isScalar(node) && node.value === null && !!node.range && node.range[0] === node.range[1];
}

function isMergeKey(node: Node | null): boolean {
  return isScalar(node) && (typeof node.value === 'symbol' || (node as Scalar).value === '<<');
}

/** How a node reads to a user: "a list", "a map", "the number 3", … */
export function describe(node: Node | null | undefined): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'nothing (null)';
    if (typeof v === 'boolean') return `the boolean ${v}`;
    if (typeof v === 'number' || typeof v === 'bigint') return `the number ${String(v)}`;
    if (typeof v === 'string') return `the string "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  }
  return 'a value of another kind';
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
