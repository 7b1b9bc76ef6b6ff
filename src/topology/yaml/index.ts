// The topology format's YAML, in one place: one set of parse options, the parse paths (fast, whole,
// incremental for the language server), offsets ↔ positions and the node helpers. Only src/topology
// imports the `yaml` package (a lint rule): other layers take yaml's node types and guards from here.
export { isAlias, isCollection, isMap, isPair, isScalar, isSeq, visit } from 'yaml';
export type { Document, LineCounter, Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
export { fastParseYaml, type FastParse } from './fast';
export { IncrementalYamlParser, lineStartsOf, parseWhole, type ParsedYaml } from './incremental';
export { LineIndex } from './lines';
export { getPair, getValue, nodeAt, nodeSpan, pairEnd, pairSpan, pairsOf, PathIndex, scalarSpan, stringValue, subSpan, type NodeAt, type PathNodes, type Span } from './nodes';
export { YAML_PARSE_OPTIONS } from './options';
export { parseYaml, parseYamlDocument, yamlMessage } from './parse';
