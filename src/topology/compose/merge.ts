// Merging Compose files as compose-go (v2, what docker compose 2.26 uses) merges them: the override's
// mappings merge into the base key by key, sequences are appended (then de-duplicated where Compose
// de-duplicates: ports, expose, aliases, links, dns…), scalars are replaced, and a few keys follow
// their own rules (override/merge.go, override/uncity.go). Every node keeps where it came from.
import { scalar, textOf, type CMap, type CNode, type CSeq } from './nodes';
import type { YamlPath } from '../spec';

type Merger = (base: CNode, over: CNode, path: string[]) => CNode;

const SPECIAL: [string, Merger][] = [
  ['networks.*.ipam.config', mergeIpamConfig],
  ['networks.*.labels', mergeToSequence],
  ['volumes.*.labels', mergeToSequence],
  ['services.*.annotations', mergeToSequence],
  ['services.*.build', mergeBuild],
  ['services.*.build.args', mergeToSequence],
  ['services.*.build.additional_contexts', mergeToSequence],
  ['services.*.build.extra_hosts', mergeToSequence],
  ['services.*.build.labels', mergeToSequence],
  ['services.*.command', (_b, o) => o],
  ['services.*.depends_on', mergeDependsOn],
  ['services.*.deploy.labels', mergeToSequence],
  ['services.*.dns', mergeToSequence],
  ['services.*.dns_opt', mergeToSequence],
  ['services.*.dns_search', mergeToSequence],
  ['services.*.entrypoint', (_b, o) => o],
  ['services.*.env_file', mergeToSequence],
  ['services.*.environment', mergeToSequence],
  ['services.*.extra_hosts', mergeToSequence],
  ['services.*.healthcheck.test', (_b, o) => o],
  ['services.*.labels', mergeToSequence],
  ['services.*.logging', mergeLogging],
  ['services.*.networks', mergeNetworks],
  ['services.*.sysctls', mergeToSequence],
  ['services.*.tmpfs', mergeToSequence],
  ['services.*.ulimits.*', (b, o) => (o.kind === 'map' && b.kind === 'map' ? mergeMappings(b, o, []) : o)],
];

function matches(path: string[], pattern: string): boolean {
  const parts = pattern.split('.');
  return parts.length === path.length && parts.every((p, i) => p === '*' || p === path[i]);
}

export class MergeError extends Error {}

/** `over` merged into `base` (both may be changed; clone what must stay). */
export function mergeNodes(base: CNode | undefined, over: CNode | undefined, path: string[] = []): CNode | undefined {
  if (base === undefined) return over;
  if (over === undefined) return base;
  for (const [pattern, merger] of SPECIAL) if (matches(path, pattern)) return merger(base, over, path);
  if (over.kind === 'scalar' && over.value === null) return base;
  if (base.kind === 'map') {
    if (over.kind !== 'map') throw new MergeError(`cannot override ${path.join('.')}`);
    return mergeMappings(base, over, path);
  }
  if (base.kind === 'seq') {
    if (over.kind !== 'seq') throw new MergeError(`cannot override ${path.join('.')}`);
    return { kind: 'seq', items: [...base.items, ...over.items], loc: base.loc };
  }
  return over;
}

function mergeMappings(base: CMap, over: CMap, path: string[]): CMap {
  for (const [k, v] of over.entries) {
    const e = base.entries.get(k);
    if (e === undefined || k.startsWith('x-')) {
      base.entries.set(k, v);
      continue;
    }
    base.entries.set(k, mergeNodes(e, v, [...path, k])!);
  }
  return base;
}

function intoMapping(n: CNode, dflt: () => CNode | undefined): CMap {
  if (n.kind === 'map') return n;
  const out: CMap = { kind: 'map', entries: new Map(), loc: n.loc };
  if (n.kind === 'seq') {
    for (const item of n.items) {
      const k = textOf(item);
      if (k !== undefined) out.entries.set(k, dflt() ?? scalar(null, item.loc));
    }
  }
  return out;
}

function intoSequence(n: CNode): CNode[] {
  if (n.kind === 'seq') return n.items;
  if (n.kind === 'map') {
    const items = [...n.entries].map(([k, v]) => {
      const t = v.kind === 'scalar' && v.value !== null ? `${k}=${textOf(v)}` : k;
      return scalar(t, v.loc);
    });
    return items.sort((a, b) => (String(a.value) < String(b.value) ? -1 : String(a.value) > String(b.value) ? 1 : 0));
  }
  return n.value === null ? [] : [n];
}

function mergeToSequence(base: CNode, over: CNode): CNode {
  return { kind: 'seq', items: [...intoSequence(base), ...intoSequence(over)], loc: base.loc };
}

function mergeNetworks(base: CNode, over: CNode, path: string[]): CNode {
  return mergeMappings(intoMapping(base, () => undefined), intoMapping(over, () => undefined), path);
}

function mergeDependsOn(base: CNode, over: CNode, path: string[]): CNode {
  const started = (loc: CNode['loc']) => (): CNode => ({
    kind: 'map',
    entries: new Map<string, CNode>([
      ['condition', scalar('service_started', loc)],
      ['required', scalar(true, loc)],
    ]),
    loc,
  });
  return mergeMappings(intoMapping(base, started(base.loc)), intoMapping(over, started(over.loc)), path);
}

function mergeBuild(base: CNode, over: CNode, path: string[]): CNode {
  const toBuild = (n: CNode): CMap => (n.kind === 'map' ? n : { kind: 'map', entries: new Map([['context', n]]), loc: n.loc });
  return mergeMappings(toBuild(base), toBuild(over), path);
}

function mergeLogging(base: CNode, over: CNode, path: string[]): CNode {
  if (base.kind !== 'map' || over.kind !== 'map') return over;
  const d = over.entries.get('driver');
  const o = base.entries.get('driver');
  if (!d || !o || textOf(d) === textOf(o)) return mergeMappings(base, over, path);
  return over;
}

/** compose-go's mergeIPAMConfig: pools with the same subnet merge, others are added. */
function mergeIpamConfig(base: CNode, over: CNode, path: string[]): CNode {
  if (base.kind !== 'seq' || over.kind !== 'seq') return over;
  const out: CMap[] = [];
  const subnetOf = (m: CMap) => textOf(m.entries.get('subnet'));
  for (const original of base.items) {
    const right = intoMapping(original, () => undefined);
    for (const o of over.items) {
      const left = intoMapping(o, () => undefined);
      if (subnetOf(left) !== subnetOf(right)) {
        if (!out.some((a) => subnetOf(a) === subnetOf(left))) {
          out.push(left);
          continue;
        }
      }
      const merged = mergeMappings(right, left, path);
      const at = out.findIndex((a) => subnetOf(a) === subnetOf(merged));
      if (at >= 0) out[at] = merged;
      else out.push(merged);
    }
  }
  return { kind: 'seq', items: out, loc: base.loc };
}

// ---------------------------------------------------------------- unicity

type Indexer = (n: CNode) => string;

const keyValue: Indexer = (n) => {
  const t = textOf(n) ?? '';
  const eq = t.indexOf('=');
  return eq < 0 ? t : t.slice(0, eq);
};

const UNIQUE: [string, Indexer][] = [
  ['networks.*.labels', keyValue],
  ['networks.*.ipam.options', keyValue],
  ['services.*.annotations', keyValue],
  ['services.*.cap_add', keyValue],
  ['services.*.cap_drop', keyValue],
  ['services.*.deploy.labels', keyValue],
  ['services.*.dns', keyValue],
  ['services.*.dns_opt', keyValue],
  ['services.*.dns_search', keyValue],
  ['services.*.environment', keyValue],
  ['services.*.expose', (n) => textOf(n) ?? ''],
  ['services.*.extra_hosts', keyValue],
  ['services.*.labels', keyValue],
  ['services.*.links', keyValue],
  ['services.*.networks.*.aliases', keyValue],
  ['services.*.networks.*.link_local_ips', keyValue],
  ['services.*.ports', portKey],
  ['services.*.profiles', keyValue],
  ['services.*.sysctls', keyValue],
  ['services.*.tmpfs', keyValue],
];

function portKey(n: CNode): string {
  if (n.kind !== 'map') return textOf(n) ?? '';
  const t = (k: string) => textOf(n.entries.get(k));
  return `${t('host_ip') ?? '0.0.0.0'}:${t('published') ?? ''}:${t('target') ?? ''}/${t('protocol') ?? 'tcp'}`;
}

/** Compose's EnforceUnicity: a later entry with the same key replaces the earlier one, in its place. */
export function enforceUnicity(n: CNode, path: string[] = []): CNode {
  if (n.kind === 'map') {
    for (const [k, v] of n.entries) n.entries.set(k, enforceUnicity(v, [...path, k]));
    return n;
  }
  if (n.kind === 'seq') {
    const rule = UNIQUE.find(([p]) => matches(path, p));
    if (!rule) return n;
    const seq: CNode[] = [];
    const keys = new Map<string, number>();
    for (const item of n.items) {
      const key = rule[1](item);
      const at = keys.get(key);
      if (at !== undefined) seq[at] = item;
      else {
        keys.set(key, seq.length);
        seq.push(item);
      }
    }
    return { ...n, items: seq } satisfies CSeq;
  }
  return n;
}

export function pathText(path: YamlPath): string {
  return path.map(String).join('.');
}
