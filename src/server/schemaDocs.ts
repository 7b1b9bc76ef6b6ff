// The JSON Schema of the topology format (schemas/cnm-topology.schema.json) as documentation: what a
// key means (hover), which keys a map takes and which values a key takes (completion). Validation is
// the topology parser's job; the schema and the parser are kept in step by test/lsp/schema.test.ts.
import rawSchema from '../../schemas/cnm-topology.schema.json';
import type { YamlPath } from '../topology';

export interface SchemaNode {
  description?: string;
  type?: string | string[];
  enum?: unknown[];
  examples?: unknown[];
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  allOf?: SchemaNode[];
  $ref?: string;
  definitions?: Record<string, SchemaNode>;
  required?: string[];
}

export const topologySchema = rawSchema as unknown as SchemaNode;

function deref(node: SchemaNode): SchemaNode {
  let n = node;
  for (let guard = 0; n.$ref && guard < 10; guard++) {
    const name = n.$ref.replace('#/definitions/', '');
    n = topologySchema.definitions?.[name] ?? {};
  }
  return n;
}

/** A schema node with $ref and allOf folded in (descriptions of the outer node win). */
export function flatten(node: SchemaNode | undefined): SchemaNode {
  if (!node) return {};
  const base = deref(node);
  if (!base.allOf && base === node) return node;
  const out: SchemaNode = { ...base };
  delete out.allOf;
  for (const part of base.allOf ?? []) {
    const f = flatten(part);
    for (const [k, v] of Object.entries(f)) if ((out as Record<string, unknown>)[k] === undefined) (out as Record<string, unknown>)[k] = v;
  }
  if (node.description) out.description = node.description;
  return out;
}

/** The alternatives of a node (oneOf/anyOf), or the node itself. */
function alternatives(node: SchemaNode): SchemaNode[] {
  const n = flatten(node);
  const alts = n.oneOf ?? n.anyOf;
  return alts ? alts.map(flatten) : [n];
}

function childOf(node: SchemaNode, segment: string | number): SchemaNode | undefined {
  for (const alt of alternatives(node)) {
    if (typeof segment === 'number') {
      if (alt.items) return flatten(alt.items);
      continue;
    }
    const prop = alt.properties?.[segment];
    if (prop) return flatten(prop);
    for (const [pattern, sub] of Object.entries(alt.patternProperties ?? {})) if (new RegExp(pattern).test(segment)) return flatten(sub);
    if (alt.additionalProperties && typeof alt.additionalProperties === 'object') return flatten(alt.additionalProperties);
  }
  return undefined;
}

/** The schema of the value at `path`, or undefined when the path leaves the format. */
export function schemaAt(path: YamlPath): SchemaNode | undefined {
  let node: SchemaNode | undefined = flatten(topologySchema);
  for (const segment of path) {
    if (!node) return undefined;
    node = childOf(node, segment);
  }
  return node;
}

/** The fixed keys a map at `path` takes, with their descriptions (not the free names under `networks:` …). */
export function keysAt(path: YamlPath): { key: string; schema: SchemaNode }[] {
  const node = schemaAt(path);
  if (!node) return [];
  const out: { key: string; schema: SchemaNode }[] = [];
  for (const alt of alternatives(node)) {
    for (const [key, sub] of Object.entries(alt.properties ?? {})) {
      if (!out.some((o) => o.key === key)) out.push({ key, schema: flatten(sub) });
    }
  }
  return out;
}

/** Values a key accepts, when the schema lists them (enums, booleans, examples). */
export function valuesAt(path: YamlPath): string[] {
  const node = schemaAt(path);
  if (!node) return [];
  const out = new Set<string>();
  for (const alt of alternatives(node)) {
    for (const v of alt.enum ?? []) if (typeof v === 'string' || typeof v === 'boolean') out.add(String(v));
    for (const v of alt.examples ?? []) if (typeof v === 'string') out.add(v);
    const types = Array.isArray(alt.type) ? alt.type : alt.type ? [alt.type] : [];
    if (types.includes('boolean') && !alt.enum) {
      out.add('true');
      out.add('false');
    }
  }
  return [...out];
}

/** The description of a node, for hovers. */
export function describeAt(path: YamlPath): string | undefined {
  return schemaAt(path)?.description;
}

/** True when the value at `path` is a map or a list (completion then inserts a new line, not a value). */
export function isContainerValue(node: SchemaNode | undefined): boolean {
  if (!node) return false;
  return alternatives(node).every((alt) => {
    const types = Array.isArray(alt.type) ? alt.type : alt.type ? [alt.type] : [];
    return types.length > 0 && types.every((t) => t === 'object' || t === 'array' || t === 'null') && types.some((t) => t !== 'null');
  });
}
