// Calico policies in the topology file's small syntax, and the calico selector language they use (a
// subset: all(), has(k), !has(k), k == 'v', k != 'v', joined by && or ||), as libcalico-go/lib/selector
// parses it. A policy selects the endpoints it applies to; each ingress/egress rule allows or denies
// traffic by the other side's selector, protocol and destination port.
import { DockerError } from '../../errors';
import { sha256Bytes } from '../../sha256';

export type PolicyAction = 'allow' | 'deny';

export interface CalicoRule {
  readonly action: PolicyAction;
  readonly protocol?: 'tcp' | 'udp' | 'icmp';
  /** The peer's selector: the source for ingress rules, the destination for egress rules (either may be given). */
  readonly source?: string;
  readonly destination?: string;
  /** Destination port. */
  readonly port?: number;
}

export interface CalicoPolicy {
  readonly name: string;
  /** The endpoints it applies to (default all()). */
  readonly selector: string;
  /** Lower first (calico's order; default 1000), then by name. */
  readonly order: number;
  /** Present when the policy has ingress (resp. egress) rules: it then decides that direction. */
  readonly ingress?: readonly CalicoRule[];
  readonly egress?: readonly CalicoRule[];
  /** The calico network it was written under; undefined for a top-level policy (every calico network). */
  readonly network?: string;
}

type Term = { kind: 'all' } | { kind: 'has'; key: string; negate: boolean } | { kind: 'eq'; key: string; value: string; negate: boolean };
/** Disjunction of conjunctions. */
export type Selector = Term[][];

const TERM = /^\s*(?:(all\(\))|(!?)\s*has\(\s*([\w./-]+)\s*\)|([\w./-]+)\s*(==|!=)\s*(?:'([^']*)'|"([^"]*)"|([\w./-]+)))\s*$/;

/** Parses a selector; throws DockerError with calico's words when it cannot. */
export function parseSelector(text: string): Selector {
  const src = text.trim() === '' ? 'all()' : text;
  return src.split('||').map((alt) =>
    alt.split('&&').map((part): Term => {
      const m = TERM.exec(part);
      if (!m) throw new DockerError(`calico: cannot parse selector "${text}": "${part.trim()}" is not all(), has(key), !has(key), key == 'value' or key != 'value'`, 400);
      if (m[1]) return { kind: 'all' };
      if (m[3]) return { kind: 'has', key: m[3], negate: m[2] === '!' };
      return { kind: 'eq', key: m[4]!, value: m[6] ?? m[7] ?? m[8] ?? '', negate: m[5] === '!=' };
    }),
  );
}

export function selects(sel: Selector, labels: Readonly<Record<string, string>>): boolean {
  return sel.some((and) =>
    and.every((t) => {
      if (t.kind === 'all') return true;
      if (t.kind === 'has') return (t.key in labels) !== t.negate;
      return (labels[t.key] === t.value) !== t.negate;
    }),
  );
}

function base64url(bytes: Uint8Array): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += abc[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

/** libcalico-go/lib/hash/unique_id.go GetLengthLimitedID: prefix + suffix, or "_" + a hash when too long. */
export function lengthLimitedId(prefix: string, suffix: string, maxLength: number): string {
  const total = prefix.length + suffix.length;
  if (total > maxLength || (total === maxLength && suffix.startsWith('_'))) {
    return prefix + '_' + base64url(sha256Bytes(suffix)).slice(0, maxLength - 1 - prefix.length);
  }
  return prefix + suffix;
}

/** felix/iptables/table.go: MaxChainNameLength. */
export const MAX_CHAIN_NAME = 28;

/** An ipset of a selector's members (felix names it from a hash of the selector: cali40s:…). */
export function selectorSetName(selector: string): string {
  return 'cali40s:' + base64url(sha256Bytes(selector.trim() === '' ? 'all()' : selector.trim())).slice(0, 23);
}
