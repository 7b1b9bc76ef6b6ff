// Every place a network, container, service or host is named: its definition (the key under
// `networks:`, `containers:`, …) and each reference (a container's networks, `network_mode`, including
// the X of `container:X`, `host:` values, services' networks, `expect` from/to). Definition, references,
// rename, highlights and the outline all read this one index.
import { expectTargetName } from './expectTarget';
import { type Document, getValue, isMap, isScalar, isSeq, type Node, nodeSpan, pairSpan, pairsOf, type Scalar, scalarSpan, type Span, stringValue, subSpan } from '../topology/yaml';

export type SymbolKind = 'network' | 'container' | 'service' | 'host';

export interface Occurrence {
  kind: SymbolKind;
  name: string;
  span: Span;
  definition: boolean;
  /** What names it, for messages: "network_mode", "networks of web", … */
  context: string;
}

/** Names that are Docker's own networks, never references to a network of the file. */
export const BUILTIN_NETWORK_NAMES = new Set(['bridge', 'host', 'none', 'default']);

export class SymbolIndex {
  /** Sorted by start offset. */
  readonly occurrences: Occurrence[];
  private readonly definitions = new Map<string, Occurrence>();

  constructor(occurrences: Occurrence[]) {
    this.occurrences = occurrences.sort((a, b) => a.span.start - b.span.start);
    for (const o of this.occurrences) {
      if (o.definition && !this.definitions.has(keyOf(o.kind, o.name))) this.definitions.set(keyOf(o.kind, o.name), o);
    }
  }

  definition(kind: SymbolKind, name: string): Occurrence | undefined {
    return this.definitions.get(keyOf(kind, name));
  }

  names(kind: SymbolKind): string[] {
    return [...this.definitions.values()].filter((o) => o.kind === kind).map((o) => o.name);
  }

  /** The occurrence under the cursor (a range includes its end, so the cursor right after a name counts). */
  at(offset: number): Occurrence | undefined {
    let lo = 0;
    let hi = this.occurrences.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.occurrences[mid]!.span.start <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const o = found >= 0 ? this.occurrences[found] : undefined;
    return o && offset <= o.span.end ? o : undefined;
  }

  /** Every occurrence of the same symbol, the definition first. */
  all(kind: SymbolKind, name: string): Occurrence[] {
    const list = this.occurrences.filter((o) => o.kind === kind && o.name === name);
    return list.sort((a, b) => Number(b.definition) - Number(a.definition) || a.span.start - b.span.start);
  }
}

function keyOf(kind: SymbolKind, name: string): string {
  return `${kind}\0${name}`;
}

/** Build the index from the YAML tree (not the spec: references must keep their exact spans). */
export function buildSymbolIndex(doc: Document, text: string): SymbolIndex {
  return collect(doc, text, () => true);
}

/**
 * The occurrence at `offset` without indexing the whole file: only the entry holding it is read (a hover on a
 * 5,000-container file reads one container instead of all of them). The same answer as buildSymbolIndex().at().
 */
export function symbolAt(doc: Document, text: string, offset: number): Occurrence | undefined {
  return collect(doc, text, (span) => span.start <= offset && offset <= span.end).at(offset);
}

/** The occurrences in the entries whose span `wanted` keeps (an expect item's span is its map's). */
function collect(doc: Document, text: string, wanted: (span: Span) => boolean): SymbolIndex {
  const out: Occurrence[] = [];
  const root = doc.contents;
  const section = (name: string) => getValue(root, name);
  const entries = (name: string) => pairsOf(section(name)).filter((p) => wanted(pairSpan(p)));
  // Every definition's name, for what expect's from/to refer to (read whole: names only).
  const definedNames = (kind: SymbolKind) => new Set(pairsOf(section(`${kind}s`)).map((p) => stringValue(p.key)).filter((n): n is string => n !== undefined));

  const define = (kind: SymbolKind, key: Node | null, context: string) => {
    const name = stringValue(key);
    const span = scalarSpan(key);
    if (name !== undefined && span) out.push({ kind, name, span, definition: true, context });
  };
  const refer = (kind: SymbolKind | 'pending', node: Node | null | undefined, context: string, name = stringValue(node), span = scalarSpan(node)) => {
    if (name === undefined || name === '' || !span) return;
    pending.push({ kind, name, span, context });
  };
  const pending: { kind: SymbolKind | 'pending'; name: string; span: Span; context: string }[] = [];

  for (const p of entries('hosts')) define('host', p.key, 'hosts');
  for (const p of entries('networks')) {
    define('network', p.key, 'networks');
    refer('host', getValue(p.value, 'host'), `host of network ${stringValue(p.key)}`);
  }
  for (const p of entries('containers')) {
    const name = stringValue(p.key) ?? '';
    define('container', p.key, 'containers');
    refer('host', getValue(p.value, 'host'), `host of ${name}`);
    const mode = getValue(p.value, 'network_mode');
    const modeText = stringValue(mode);
    if (modeText !== undefined && isScalar(mode)) {
      if (modeText.startsWith('container:')) {
        const target = modeText.slice('container:'.length);
        const span = subSpan(mode, text, 'container:'.length, target.length);
        if (span) refer('container', mode, `network_mode of ${name}`, target, span);
      } else if (!BUILTIN_NETWORK_NAMES.has(modeText)) {
        refer('network', mode, `network_mode of ${name}`);
      }
    }
    networkRefs(getValue(p.value, 'networks'), `networks of ${name}`, refer);
  }
  for (const p of entries('services')) {
    define('service', p.key, 'services');
    networkRefs(getValue(p.value, 'networks'), `networks of service ${stringValue(p.key) ?? ''}`, refer);
  }
  const expect = section('expect');
  if (isSeq(expect)) {
    for (const item of expect.items as (Node | null)[]) {
      if (!isMap(item) || !wanted(nodeSpan(item) ?? { start: -1, end: -1 })) continue;
      const from = getValue(item, 'from');
      refer('pending', from, 'expect from');
      const to = getValue(item, 'to');
      const target = isScalar(to) ? expectTargetName(String(to.value ?? '')) : undefined;
      if (target && isScalar(to)) {
        const span = subSpan(to as Scalar, text, target.from, target.name.length);
        if (span) refer('pending', to, 'expect to', target.name, span);
      }
    }
  }

  // `from`/`to` name a container, a service or a host: whichever the file defines.
  const definedSets = new Map<SymbolKind, Set<string>>();
  const defined = (kind: SymbolKind) => definedSets.get(kind) ?? definedSets.set(kind, definedNames(kind)).get(kind)!;
  for (const r of pending) {
    let kind: SymbolKind | undefined;
    if (r.kind !== 'pending') kind = r.kind;
    else kind = (['container', 'service', 'host'] as SymbolKind[]).find((k) => defined(k).has(r.name));
    if (!kind) continue; // an alias or an undefined name: nothing to navigate to
    out.push({ kind, name: r.name, span: r.span, definition: false, context: r.context });
  }
  return new SymbolIndex(out);
}

function networkRefs(
  networks: Node | null | undefined,
  context: string,
  refer: (kind: SymbolKind, node: Node | null | undefined, context: string) => void,
): void {
  if (isSeq(networks)) {
    for (const item of networks.items as (Node | null)[]) {
      const name = stringValue(item);
      if (name !== undefined && !BUILTIN_NETWORK_NAMES.has(name)) refer('network', item, context);
    }
  } else if (isMap(networks)) {
    for (const p of pairsOf(networks)) {
      const name = stringValue(p.key);
      if (name !== undefined && !BUILTIN_NETWORK_NAMES.has(name)) refer('network', p.key, context);
    }
  }
}
