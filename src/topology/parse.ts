// parseTopology: topology text → TopologySpec + positioned diagnostics. Never throws: YAML syntax errors,
// unknown keys, wrong types, malformed addresses and ports, and dangling references all become diagnostics.
import { isMap, type Document, type Node } from 'yaml';
import { compareDiagnostics, type Range, type TopologyDiagnostic } from './diagnostics';
import { ParseContext, describe, type Field, type Item } from './reader';
import { checkReferences } from './references';
import { DEFAULT_HOST, TOP_LEVEL_KEYS } from './schema';
import { parseContainers } from './sections/containers';
import { parseExpect } from './sections/expect';
import { parseHosts } from './sections/hosts';
import { parseNetworks } from './sections/networks';
import { parsePolicies } from './sections/policies';
import { parseServices } from './sections/services';
import { SourceMap, type RangePart } from './sourceMap';
import type { TopologySpec, YamlPath } from './spec';
import { parseYaml, yamlMessage } from './yaml/parse';

export interface ParsedTopology {
  spec: TopologySpec;
  diagnostics: TopologyDiagnostic[];
  /** Range of the key or the value at a YAML path (the closest existing node when the path is gone). */
  rangeOf(path: YamlPath, part?: RangePart): Range;
  /**
   * The YAML node tree with source ranges. It may come from the fast reader, which keeps no comments:
   * to edit the file and keep its comments, use src/topology/edit (it parses with parseYamlDocument).
   */
  document: Document;
  source: SourceMap;
  text: string;
}

export function parseTopology(text: string): ParsedTopology {
  // Plain block YAML (nearly every topology file) takes the fast path; anything else, and every file
  // with a syntax error, goes through the `yaml` package. Both give the same nodes and ranges.
  return parseTopologyDocument(text, parseYaml(text));
}

/**
 * The same from a document parsed elsewhere (the language server parses big files incrementally).
 * Its node ranges must be offsets into `text`; `lineStarts`, when given, the offset after every \n
 * of it (and 0), as the incremental parser has them.
 */
export function parseTopologyDocument(text: string, document: Document, lineStarts?: readonly number[]): ParsedTopology {
  const source = new SourceMap(text, document, lineStarts);
  const ctx = new ParseContext(document, source);

  for (const e of document.errors) {
    if (e.code === 'DUPLICATE_KEY') continue; // reported below, with where the first one is
    ctx.diagnostics.push({ range: source.offsetRange(e.pos[0], e.pos[1]), severity: 'error', message: yamlMessage(e.message), code: 'yaml-syntax', source: 'cnm' });
  }
  for (const w of document.warnings) {
    ctx.diagnostics.push({ range: source.offsetRange(w.pos[0], w.pos[1]), severity: 'warning', message: yamlMessage(w.message), code: 'yaml-syntax', source: 'cnm' });
  }

  let spec: TopologySpec;
  try {
    spec = readTopology(ctx);
    ctx.diagnostics.push(...checkReferences(spec, source));
  } catch (err) {
    // A bug here must not take the language server or the CLI down: report it on the first line.
    spec = { hosts: [{ name: DEFAULT_HOST, interfaces: {}, daemon: {}, path: [] }], networks: [], containers: [], services: [], expect: [] };
    ctx.diagnostics.push({ range: source.offsetRange(0, 0), severity: 'error', message: `Internal error while reading the file: ${String(err)}`, code: 'internal', source: 'cnm' });
  }
  ctx.diagnostics.sort(compareDiagnostics);
  return { spec, diagnostics: ctx.diagnostics, rangeOf: (path, part) => source.rangeOf(path, part), document, source, text };
}

function readTopology(ctx: ParseContext): TopologySpec {
  const contents = ctx.resolve(ctx.doc.contents);
  if (contents !== null && !isMap(contents) && !(isNullScalar(contents))) {
    ctx.error(contents, `A topology file is a map with the keys ${TOP_LEVEL_KEYS.join(', ')}; this document is ${describe(contents)}.`, 'type');
  }
  const root: Item = { index: 0, node: isMap(contents) ? contents : null, path: [] };
  const sections = new Map<string, Field>();
  for (const f of ctx.fields(root, 'the topology', TOP_LEVEL_KEYS) ?? []) sections.set(f.key, f);

  const spec: TopologySpec = { hosts: [], networks: [], containers: [], services: [], expect: [] };
  const name = sections.get('name');
  if (name) {
    const n = ctx.string(name, 'name');
    if (n !== undefined) spec.name = n;
  }
  spec.hosts = parseHosts(ctx, sections.get('hosts'));
  const defaultHost = spec.hosts[0]!.name;
  spec.networks = parseNetworks(ctx, sections.get('networks'), defaultHost);
  spec.containers = parseContainers(ctx, sections.get('containers'), defaultHost);
  spec.services = parseServices(ctx, sections.get('services'));
  const policies = sections.get('policies');
  if (policies) spec.policies = parsePolicies(ctx, policies);
  spec.expect = parseExpect(ctx, sections.get('expect'));
  return spec;
}

function isNullScalar(node: Node): boolean {
  return 'value' in node && (node as { value: unknown }).value === null;
}

