// The one place the Compose reader touches the `yaml` package: a file's text becomes a tree of plain
// nodes (CNode), each knowing where it came from (file and YAML path), plus the file's syntax errors.
// Parsed with the options every topology parse uses (YAML_PARSE_OPTIONS), so both read YAML alike.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Range } from '../diagnostics';
import { SourceMap, type RangePart } from '../sourceMap';
import type { YamlPath } from '../spec';
import { parseYamlDocument, yamlMessage } from '../yaml/parse';
import type { CNode, Loc } from './nodes';

export interface YamlProblem {
  range: Range;
  message: string;
  severity: 'error' | 'warning';
  path?: YamlPath;
}

export interface ParsedYamlFile {
  file: string;
  /** undefined: an empty document. */
  root: CNode | undefined;
  problems: YamlProblem[];
  rangeOf(path: YamlPath, part?: RangePart): Range;
}

export function parseYamlFile(file: string, text: string): ParsedYamlFile {
  const doc = parseYamlDocument(text);
  const source = new SourceMap(text, doc);
  const problems: YamlProblem[] = [];
  for (const e of doc.errors) {
    if (e.code === 'DUPLICATE_KEY') continue; // reported by the conversion, as Compose words it
    problems.push({ range: source.offsetRange(e.pos[0], e.pos[1]), message: yamlMessage(e.message), severity: 'error' });
  }
  const converter = new Converter(file, doc, source, problems);
  const root = doc.errors.length > 0 ? undefined : converter.node(doc.contents as Node | null, []);
  return { file, root: root && !(root.kind === 'scalar' && root.value === null) ? root : undefined, problems, rangeOf: (p, part) => source.rangeOf(p, part) };
}

class Converter {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly source: SourceMap,
    private readonly problems: YamlProblem[],
  ) {}

  node(n: Node | null | undefined, path: YamlPath, depth = 0): CNode {
    const loc: Loc = { file: this.file, path };
    if (depth > 64) return { kind: 'scalar', value: null, loc };
    if (isAlias(n)) return this.node(n.resolve(this.doc) as Node | undefined, path, depth + 1);
    if (isMap(n)) {
      const entries = new Map<string, CNode>();
      const merged: Node[] = [];
      for (const item of n.items) {
        if (!isPair(item)) continue;
        const keyNode = item.key as Node | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        if (key === '<<' && isScalar(keyNode) && keyNode.type === 'PLAIN') {
          // YAML merge keys: the merged maps give what the map does not say itself.
          const v = item.value as Node | null;
          if (isSeq(v)) merged.push(...(v.items as Node[]));
          else if (v) merged.push(v);
          continue;
        }
        if (entries.has(key)) {
          const r = this.source.nodeRange(keyNode);
          const first = this.source.rangeOf([...path, key], 'key');
          this.problems.push({ range: r ?? this.source.offsetRange(0, 0), message: `mapping key "${key}" already defined at line ${first.start.line + 1}`, severity: 'error', path: [...path, key] });
          continue;
        }
        entries.set(key, this.node(item.value as Node | null, [...path, key], depth + 1));
      }
      for (const m of merged) {
        const src = this.node(m, path, depth + 1);
        if (src.kind !== 'map') continue;
        for (const [k, v] of src.entries) if (!entries.has(k)) entries.set(k, v);
      }
      return { kind: 'map', entries, loc };
    }
    if (isSeq(n)) return { kind: 'seq', items: n.items.map((x, i) => this.node(x as Node | null, [...path, i], depth + 1)), loc };
    if (isScalar(n)) {
      const v = n.value;
      const value = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : typeof v === 'bigint' ? Number(v) : null;
      const out: CNode = { kind: 'scalar', value, loc };
      // Compose reads `1.10` as the text it is when a string is wanted (e.g. a version); keep the source.
      if (typeof value === 'number') out.text = this.source.sourceText(n);
      return out;
    }
    return { kind: 'scalar', value: null, loc };
  }
}
