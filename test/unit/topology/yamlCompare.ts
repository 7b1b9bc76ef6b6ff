// Test helper: do two yaml documents have the same tree, values and ranges? Returns the first difference.
import { isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';

export function firstDifference(a: Document, b: Document): string | undefined {
  return compareNodes(a.contents as Node | null, b.contents as Node | null, '$');
}

function compareNodes(a: Node | null, b: Node | null, at: string): string | undefined {
  if (a === null || b === null) return a === b ? undefined : `${at}: one side is null`;
  const kind = (n: Node) => (isMap(n) ? 'map' : isSeq(n) ? 'seq' : isScalar(n) ? 'scalar' : 'other');
  if (kind(a) !== kind(b)) return `${at}: ${kind(a)} vs ${kind(b)}`;
  if (a.range?.[0] !== b.range?.[0] || a.range?.[1] !== b.range?.[1]) return `${at}: range ${JSON.stringify(a.range)} vs ${JSON.stringify(b.range)}`;
  if (isScalar(a) && isScalar(b)) {
    if (!Object.is(a.value, b.value)) return `${at}: value ${String(a.value)} vs ${String(b.value)}`;
    if (a.type !== b.type) return `${at}: type ${a.type} vs ${b.type}`;
    return undefined;
  }
  if (isMap(a) && isMap(b)) {
    if (!!a.flow !== !!b.flow) return `${at}: flow ${a.flow} vs ${b.flow}`;
    if (a.items.length !== b.items.length) return `${at}: ${a.items.length} vs ${b.items.length} pairs`;
    for (let i = 0; i < a.items.length; i++) {
      const pa = a.items[i];
      const pb = b.items[i];
      if (!isPair(pa) || !isPair(pb)) return `${at}[${i}]: not a pair`;
      const d = compareNodes(pa.key as Node, pb.key as Node, `${at}.key${i}`) ?? compareNodes(pa.value as Node | null, pb.value as Node | null, `${at}.${String((pa.key as { value?: unknown }).value)}`);
      if (d) return d;
    }
    return undefined;
  }
  if (isSeq(a) && isSeq(b)) {
    if (!!a.flow !== !!b.flow) return `${at}: flow ${a.flow} vs ${b.flow}`;
    if (a.items.length !== b.items.length) return `${at}: ${a.items.length} vs ${b.items.length} items`;
    for (let i = 0; i < a.items.length; i++) {
      const d = compareNodes(a.items[i] as Node, b.items[i] as Node, `${at}[${i}]`);
      if (d) return d;
    }
  }
  return undefined;
}
