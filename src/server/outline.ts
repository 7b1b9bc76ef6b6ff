// The outline (document symbols: hosts, networks, containers, services and expect entries, each with a
// one-line summary) and folding ranges (every map or list that spans lines).
import { SymbolKind, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver';
import type { InspectContainer, InspectNetwork } from '../engine';
import type { Analysis } from './analysis';
import { getValue, isCollection, isMap, isPair, isSeq, type Node, type Pair, pairsOf, pairSpan, scalarSpan, type Span, stringValue } from '../topology/yaml';

export function documentSymbols(analysis: Analysis): DocumentSymbol[] {
  const root = analysis.yaml.doc.contents;
  const inspect = analysis.inspect();
  const liveNetworks = new Map<string, InspectNetwork>((inspect?.networks ?? []).map((n) => [n.name, n]));
  const liveContainers = new Map<string, InspectContainer>((inspect?.containers ?? []).map((c) => [c.name, c]));
  const spec = analysis.parsed.spec;
  const hosts = new Map(spec.hosts.map((h) => [h.name, h]));
  const specNetworks = new Map(spec.networks.map((n) => [n.name, n]));
  const services = new Map(spec.services.map((x) => [x.name, x]));
  const out: DocumentSymbol[] = [];

  for (const section of pairsOf(root)) {
    const key = stringValue(section.key) ?? '';
    const children: DocumentSymbol[] = [];
    if (key === 'hosts') {
      for (const p of pairsOf(section.value)) {
        const h = hosts.get(stringValue(p.key) ?? '');
        const ifaces = Object.entries(h?.interfaces ?? {}).map(([k, v]) => `${k} ${v}`);
        children.push(symbol(analysis, p, SymbolKind.Module, [h?.swarm ? `swarm ${h.swarm}` : '', ...ifaces].filter(Boolean).join(' · ')));
      }
    } else if (key === 'networks') {
      for (const p of pairsOf(section.value)) {
        const name = stringValue(p.key) ?? '';
        const n = liveNetworks.get(name);
        const s = specNetworks.get(name);
        const driver = n?.driver ?? s?.driver ?? 'bridge';
        children.push(symbol(analysis, p, SymbolKind.Interface, [driver, n?.subnet ?? s?.ipamConfig[0]?.subnet ?? ''].filter(Boolean).join(' · ')));
      }
    } else if (key === 'containers') {
      for (const p of pairsOf(section.value)) {
        const name = stringValue(p.key) ?? '';
        const c = liveContainers.get(name);
        const endpoints = c ? c.endpoints.map((e) => `${e.network}${e.ipv4_address ? ` ${e.ipv4_address}` : ''}`) : [];
        const mode = stringValue(getValue(p.value, 'network_mode'));
        const detail = endpoints.length > 0 ? endpoints.join(', ') : mode ? `network_mode ${mode}` : c ? c.network_mode : '';
        children.push(symbol(analysis, p, SymbolKind.Class, detail));
      }
    } else if (key === 'services') {
      for (const p of pairsOf(section.value)) {
        const s = services.get(stringValue(p.key) ?? '');
        children.push(symbol(analysis, p, SymbolKind.Event, s ? `${s.replicas} × ${s.image || 'task'} · ${s.endpointMode}` : ''));
      }
    } else if (key === 'expect' && isSeq(section.value)) {
      for (const item of section.value.items as (Node | null)[]) {
        if (!isMap(item) || !item.range) continue;
        const from = stringValue(getValue(item, 'from')) ?? '?';
        const to = stringValue(getValue(item, 'to')) ?? '?';
        const verdict = stringValue(getValue(item, 'verdict')) ?? '';
        const span = { start: item.range[0], end: item.range[1] };
        const range = analysis.lines.range(span);
        children.push({ name: `${from} → ${to}`, detail: verdict, kind: SymbolKind.Boolean, range, selectionRange: range });
      }
    }
    const keySpan = scalarSpan(section.key);
    if (!keySpan) continue;
    const range = analysis.lines.range(pairSpan(section));
    const kind = children.length > 0 || ['hosts', 'networks', 'containers', 'services', 'expect'].includes(key) ? SymbolKind.Namespace : SymbolKind.Property;
    const detail = kind === SymbolKind.Namespace ? `${children.length}` : stringValue(section.value) ?? '';
    out.push({ name: key, detail, kind, range, selectionRange: analysis.lines.range(keySpan), children });
  }
  return out;
}

function symbol(analysis: Analysis, p: Pair<Node, Node | null>, kind: SymbolKind, detail: string): DocumentSymbol {
  const name = stringValue(p.key) ?? '';
  const keySpan: Span = scalarSpan(p.key) ?? pairSpan(p);
  return {
    name: name === '' ? '(unnamed)' : name,
    detail,
    kind,
    range: analysis.lines.range(pairSpan(p)),
    selectionRange: analysis.lines.range(keySpan),
  };
}

export function foldingRanges(analysis: Analysis): FoldingRange[] {
  const out: FoldingRange[] = [];
  const lines = analysis.lines;
  const text = analysis.text;
  const add = (start: number, end: number) => {
    // A collection's range ends after its last line break: fold up to the last line with content.
    let e = end;
    while (e > start && (text[e - 1] === '\n' || text[e - 1] === '\r' || text[e - 1] === ' ')) e--;
    const a = lines.position(start).line;
    const b = lines.position(e).line;
    if (b > a) out.push({ startLine: a, endLine: b });
  };
  const walk = (node: Node | null | undefined, keyStart?: number) => {
    if (!isCollection(node) || !node.range) return;
    if (!node.flow) add(keyStart ?? node.range[0], node.range[1]);
    for (const item of node.items) {
      if (isPair(item)) walk(item.value as Node | null, (item.key as Node | null)?.range?.[0]);
      else walk(item as Node, undefined);
    }
  };
  const root = analysis.yaml.doc.contents as Node | null;
  if (isCollection(root)) for (const item of root.items) if (isPair(item)) walk(item.value as Node | null, (item.key as Node | null)?.range?.[0]);
  return out;
}
