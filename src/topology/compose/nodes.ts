// The Compose reader's tree: plain values that remember their source (file and YAML path), so every
// value that survives interpolation, `extends`, `include` and override merging can still carry a
// diagnostic to the place it was written.
import type { YamlPath } from '../spec';

export interface Loc {
  file: string;
  path: YamlPath;
}

export type CNode = CScalar | CMap | CSeq;

export interface CScalar {
  kind: 'scalar';
  value: string | number | boolean | null;
  /** A number's source text (YAML reads `1.10` as 1.1). */
  text?: string;
  loc: Loc;
}

export interface CMap {
  kind: 'map';
  entries: Map<string, CNode>;
  loc: Loc;
}

export interface CSeq {
  kind: 'seq';
  items: CNode[];
  loc: Loc;
}

export function scalar(value: CScalar['value'], loc: Loc): CScalar {
  return { kind: 'scalar', value, loc };
}

export function isMapNode(n: CNode | undefined): n is CMap {
  return n?.kind === 'map';
}

export function isSeqNode(n: CNode | undefined): n is CSeq {
  return n?.kind === 'seq';
}

/** A scalar as Compose reads it into a string field (numbers keep their source text). */
export function textOf(n: CNode | undefined): string | undefined {
  if (n?.kind !== 'scalar' || n.value === null) return undefined;
  if (typeof n.value === 'number') return n.text ?? String(n.value);
  return String(n.value);
}

export function get(n: CNode | undefined, key: string): CNode | undefined {
  return n?.kind === 'map' ? n.entries.get(key) : undefined;
}

/** A deep copy (merging mutates maps; a base service used by two `extends` must stay intact). */
export function clone(n: CNode): CNode {
  if (n.kind === 'map') return { kind: 'map', entries: new Map([...n.entries].map(([k, v]) => [k, clone(v)])), loc: n.loc };
  if (n.kind === 'seq') return { kind: 'seq', items: n.items.map(clone), loc: n.loc };
  return { ...n };
}

/** "a list", "a mapping", "a string"… for messages. */
export function describeNode(n: CNode | undefined): string {
  if (!n) return 'nothing';
  if (n.kind === 'map') return 'mapping';
  if (n.kind === 'seq') return 'array';
  if (n.value === null) return 'null';
  return typeof n.value === 'number' ? (Number.isInteger(n.value) ? 'integer' : 'number') : typeof n.value;
}
