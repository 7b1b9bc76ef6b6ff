// Evaluating a packet against a ruleset, as the kernel does: a built-in chain's rules in order, jumps
// into user chains and back on RETURN, the first terminal target decides, else the chain's policy.
// Rules are compiled once (IPv4 prefixes as 32-bit numbers) so a trace walks thousands of them fast.
import { parseCidr } from '../ip';
import type { ConntrackState, Negatable, Rule, RuleSet, TableName } from './types';

/**
 * What the kernel knows about a packet at a hook. Addresses are IPv4 as unsigned 32-bit numbers; an
 * IPv6 packet (evaluated against ip6tables rules) has src6/dst6 instead, and src/dst are then unused.
 */
export interface PacketContext {
  /** Input interface ('' for locally generated packets). */
  inIf: string;
  /** Output interface ('' before routing, in PREROUTING). */
  outIf: string;
  src: number;
  dst: number;
  proto: 'tcp' | 'udp' | 'icmp';
  sport: number;
  dport: number;
  srcLocal: boolean;
  dstLocal: boolean;
  ct: ConntrackState;
  /** The packet's mark (skb->mark); 0 unless a MARK rule set it. */
  mark?: number;
  /** An IPv6 packet's addresses (128-bit). */
  src6?: bigint;
  dst6?: bigint;
}

/** An IPv6 prefix of an ip6tables rule, as base and mask; null for an IPv4 one. */
interface Prefix6 {
  readonly base: bigint;
  readonly mask: bigint;
}

interface Compiled {
  readonly rule: Rule;
  readonly inIf: string | null;
  readonly inNeg: boolean;
  readonly outIf: string | null;
  readonly outNeg: boolean;
  readonly hasSrc: boolean;
  readonly srcBase: number;
  readonly srcMask: number;
  readonly srcNeg: boolean;
  readonly hasDst: boolean;
  readonly dstBase: number;
  readonly dstMask: number;
  readonly dstNeg: boolean;
  readonly src6: Prefix6 | null;
  readonly dst6: Prefix6 | null;
  readonly proto: string | null;
  readonly dport: number;
  readonly sport: number;
  readonly srcLocal: boolean;
  readonly dstLocal: boolean;
  readonly ct: readonly ConntrackState[] | null;
  readonly mark: { readonly value: number; readonly mask: number } | null;
  /** An ipset match: the members as base/mask pairs. */
  readonly set: { readonly dir: 'src' | 'dst'; readonly nets: readonly { base: number; mask: number }[] } | null;
  /** Index of the jumped-to chain, or -1. */
  readonly jumpTo: number;
  readonly terminal: 'ACCEPT' | 'DROP' | 'RETURN' | 'DNAT' | 'SNAT' | 'MASQUERADE' | 'JUMP' | 'GOTO' | 'MARK' | 'NONE' | 'OPAQUE';
}

/** iptables interface names: a trailing `+` matches every name with that prefix (`-i cali+`). */
function ifaceIs(pattern: string, name: string): boolean {
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

interface CompiledChain {
  readonly name: string;
  readonly policy: 'ACCEPT' | 'DROP' | null;
  /** The chain's rules as written; each compiled when a packet first meets it (most never are). */
  readonly source: readonly Rule[];
  readonly compiled: (Compiled | undefined)[];
  /** Where to look for the rules a pair of interfaces may match (built on the chain's first packet). */
  named?: NamedRules;
  /** The rules whose interface matches can hold, per input then output interface: most rules name one bridge. */
  readonly byInterfaces: Map<string, Map<string, Compiled[]>>;
}

/**
 * A chain's rules (their positions) by the interface they require: `-i br-x` can only match a packet in
 * through br-x, so a pair of interfaces looks at those two lists and at the rules that require neither
 * (no -i/-o, a negated one, a `+` pattern), not at every bridge's rules of a big host.
 */
interface NamedRules {
  readonly byIn: Map<string, number[]>;
  /** Rules with no exact -i but an exact -o. */
  readonly byOut: Map<string, number[]>;
  readonly other: number[];
}

const exactName = (v: Negatable<string> | undefined): string | null => (v && !v.negate && !v.value.endsWith('+') ? v.value : null);

function namedRules(source: readonly Rule[]): NamedRules {
  const named: NamedRules = { byIn: new Map(), byOut: new Map(), other: [] };
  source.forEach((rule, i) => {
    const inName = exactName(rule.match.in);
    const outName = inName === null ? exactName(rule.match.out) : null;
    const [map, key] = inName !== null ? [named.byIn, inName] : outName !== null ? [named.byOut, outName] : [null, ''];
    if (!map) return void named.other.push(i);
    const list = map.get(key);
    if (list) list.push(i);
    else map.set(key, [i]);
  });
  return named;
}

/** A rule's -i/-o can hold for a packet from inIf to outIf. */
function interfacesMayMatch(rule: Rule, inIf: string, outIf: string): boolean {
  const { in: i, out: o } = rule.match;
  return (!i || ifaceIs(i.value, inIf) !== i.negate) && (!o || ifaceIs(o.value, outIf) !== o.negate);
}

function candidates(t: CompiledTable, chain: CompiledChain, inIf: string, outIf: string): Compiled[] {
  let byOut = chain.byInterfaces.get(inIf);
  if (!byOut) chain.byInterfaces.set(inIf, (byOut = new Map()));
  let list = byOut.get(outIf);
  if (!list) {
    const named = (chain.named ??= namedRules(chain.source));
    // In chain order: the three lists hold different rules.
    const at = [...named.other, ...(named.byIn.get(inIf) ?? []), ...(named.byOut.get(outIf) ?? [])].sort((a, b) => a - b);
    list = [];
    for (const i of at) {
      const rule = chain.source[i]!;
      if (!interfacesMayMatch(rule, inIf, outIf)) continue;
      let c = chain.compiled[i];
      if (!c) chain.compiled[i] = c = compileRule(rule, t.byName);
      list.push(c);
    }
    byOut.set(outIf, list);
  }
  return list;
}

export interface CompiledTable {
  readonly chains: CompiledChain[];
  readonly byName: Map<string, number>;
}

export interface CompiledRules {
  readonly source: RuleSet;
  readonly tables: Map<TableName, CompiledTable>;
}

function prefix(text: string): { base: number; mask: number } {
  if (text.includes(':')) return { base: 0, mask: 0 }; // an IPv6 prefix: prefix6's
  const n = parseCidr(text.includes('/') ? text : `${text}/32`);
  if (!n || n.family !== 4) return { base: 0, mask: 0 };
  const mask = n.prefix === 0 ? 0 : (0xffffffff << (32 - n.prefix)) >>> 0;
  return { base: Number(n.base) >>> 0, mask };
}

const ALL6 = (1n << 128n) - 1n;

function prefix6(text: string): Prefix6 | null {
  if (!text.includes(':')) return null; // an IPv4 prefix (dockerd's rules are all IPv4 ones)
  const n = parseCidr(text.includes('/') ? text : `${text}/128`);
  if (!n || n.family !== 6) return null;
  const mask = n.prefix === 0 ? 0n : (ALL6 << BigInt(128 - n.prefix)) & ALL6;
  return { base: n.base & mask, mask };
}

function compileRule(rule: Rule, chains: ReadonlyMap<string, number>): Compiled {
  const m = rule.match;
  const s = m.src ? prefix(m.src.value) : { base: 0, mask: 0 };
  const d = m.dst ? prefix(m.dst.value) : { base: 0, mask: 0 };
  const t = rule.target.kind;
  return {
    rule,
    inIf: m.in?.value ?? null,
    inNeg: m.in?.negate ?? false,
    outIf: m.out?.value ?? null,
    outNeg: m.out?.negate ?? false,
    hasSrc: !!m.src,
    srcBase: s.base,
    srcMask: s.mask,
    srcNeg: m.src?.negate ?? false,
    hasDst: !!m.dst,
    dstBase: d.base,
    dstMask: d.mask,
    dstNeg: m.dst?.negate ?? false,
    src6: m.src ? prefix6(m.src.value) : null,
    dst6: m.dst ? prefix6(m.dst.value) : null,
    proto: m.proto ?? null,
    dport: m.dport ?? -1,
    sport: m.sport ?? -1,
    srcLocal: !!m.srcTypeLocal,
    dstLocal: !!m.dstTypeLocal,
    ct: m.ctstate ?? null,
    mark: m.mark ?? null,
    set: m.set ? { dir: m.set.dir, nets: m.set.members.map(prefix) } : null,
    jumpTo: t === 'JUMP' || t === 'GOTO' ? (chains.get(rule.target.chain) ?? -1) : -1,
    // A rule the engine cannot evaluate stops the walk where it could apply (unless it only logs or marks).
    terminal: t === 'CHECKSUM' || t === 'CONTINUE' ? 'NONE' : rule.opaque !== undefined ? 'OPAQUE' : t,
  };
}

/** The ruleset ready to evaluate; a rule is compiled the first time a packet's interfaces let it match. */
export function compileRules(rs: RuleSet): CompiledRules {
  const tables = new Map<TableName, CompiledTable>();
  for (const [name, t] of rs.tables) {
    const chains: CompiledChain[] = [];
    const byName = new Map<string, number>();
    for (const c of t.chains.values()) {
      byName.set(c.name, chains.length);
      chains.push({ name: c.name, policy: c.policy, source: c.rules.slice(), compiled: [], byInterfaces: new Map() });
    }
    tables.set(name, { chains, byName });
  }
  return { source: rs, tables };
}

function matches(r: Compiled, p: PacketContext): boolean {
  if (r.inIf !== null && ifaceIs(r.inIf, p.inIf) === r.inNeg) return false;
  if (r.outIf !== null && ifaceIs(r.outIf, p.outIf) === r.outNeg) return false;
  if (p.src6 !== undefined || p.dst6 !== undefined) {
    // An IPv6 packet: a rule's IPv4 prefix (never in ip6tables-save) would match none of it.
    if (r.hasSrc && (r.src6 !== null && ((p.src6 ?? 0n) & r.src6.mask) === r.src6.base) === r.srcNeg) return false;
    if (r.hasDst && (r.dst6 !== null && ((p.dst6 ?? 0n) & r.dst6.mask) === r.dst6.base) === r.dstNeg) return false;
  } else {
    if (r.hasSrc && (((p.src & r.srcMask) >>> 0) === r.srcBase) === r.srcNeg) return false;
    if (r.hasDst && (((p.dst & r.dstMask) >>> 0) === r.dstBase) === r.dstNeg) return false;
  }
  if (r.proto !== null && r.proto !== p.proto) return false;
  if (r.dport >= 0 && r.dport !== p.dport) return false;
  if (r.sport >= 0 && r.sport !== p.sport) return false;
  if (r.srcLocal && !p.srcLocal) return false;
  if (r.dstLocal && !p.dstLocal) return false;
  if (r.ct !== null && !r.ct.includes(p.ct)) return false;
  if (r.mark !== null && ((p.mark ?? 0) & r.mark.mask) >>> 0 !== (r.mark.value & r.mark.mask) >>> 0) return false;
  if (r.set !== null) {
    const a = r.set.dir === 'src' ? p.src : p.dst;
    if (!r.set.nets.some((n) => ((a & n.mask) >>> 0) === n.base)) return false;
  }
  return true;
}

export interface ChainVerdict {
  /** ACCEPT/DROP from a rule or the policy; DNAT/SNAT/MASQUERADE in nat chains. */
  readonly verdict: 'ACCEPT' | 'DROP' | 'DNAT' | 'SNAT' | 'MASQUERADE';
  /** The rule that decided, or null when the chain's policy did. */
  readonly rule: Rule | null;
  /** Every rule that matched on the way (jumps and returns included), in order. */
  readonly path: Rule[];
  /** The built-in chain evaluated. */
  readonly chain: string;
  readonly table: TableName;
  /** For a policy verdict: the policy. */
  readonly policy: 'ACCEPT' | 'DROP' | null;
}

const MAX_DEPTH = 16;

function walk(t: CompiledTable, index: number, p: PacketContext, path: Rule[], depth: number): Compiled | null | 'RETURN' {
  const chain = t.chains[index]!;
  for (const r of candidates(t, chain, p.inIf, p.outIf)) {
    if (!matches(r, p)) continue;
    switch (r.terminal) {
      case 'NONE':
        // A host's LOG or MARK rule matched: shown on the way (dockerd's CHECKSUM stays silent, as before).
        if (r.rule.target.kind === 'CONTINUE') path.push(r.rule);
        continue;
      case 'JUMP': {
        path.push(r.rule);
        if (r.jumpTo < 0 || depth >= MAX_DEPTH) continue;
        const inner = walk(t, r.jumpTo, p, path, depth + 1);
        if (inner === 'RETURN' || inner === null) continue;
        return inner;
      }
      case 'GOTO': {
        // -g: when the target chain returns (or runs out), so does this one.
        path.push(r.rule);
        if (r.jumpTo < 0 || depth >= MAX_DEPTH) continue;
        const inner = walk(t, r.jumpTo, p, path, depth + 1);
        return inner === null ? 'RETURN' : inner;
      }
      case 'MARK': {
        const target = r.rule.target as { value: number; mask: number };
        path.push(r.rule);
        p.mark = (((p.mark ?? 0) & ~target.mask) | (target.value & target.mask)) >>> 0;
        continue;
      }
      case 'RETURN':
        path.push(r.rule);
        return 'RETURN';
      default:
        path.push(r.rule);
        return r;
    }
  }
  return null;
}

/**
 * Runs the packet through a built-in chain of a table. A table or chain the ruleset does not have
 * accepts (nothing is programmed there).
 */
export function evaluateChain(rules: CompiledRules, table: TableName, chain: string, p: PacketContext): ChainVerdict {
  const t = rules.tables.get(table);
  const index = t?.byName.get(chain);
  const path: Rule[] = [];
  if (!t || index === undefined) return { verdict: 'ACCEPT', rule: null, path, chain, table, policy: 'ACCEPT' };
  const decided = walk(t, index, p, path, 0);
  if (decided === null || decided === 'RETURN') {
    const policy = t.chains[index]!.policy ?? 'ACCEPT';
    return { verdict: policy, rule: null, path, chain, table, policy };
  }
  // An opaque rule ends the walk as a drop whose cause the tracer reports as `unknown` (see explain.ts).
  const kind = decided.terminal === 'OPAQUE' ? 'DROP' : (decided.terminal as ChainVerdict['verdict']);
  return { verdict: kind, rule: decided.rule, path, chain, table, policy: null };
}
