// Which lines of a host's rules (iptables-save text) a trace went through, for the rules view: every
// rule a netfilter hop names (passed), the one that decided each hop (decided: its verdict), and the
// chain policy when no rule matched. Pure: no `vscode`.
import type { TraceView } from '../protocol/trace';

export type RuleMarkKind = 'passed' | 'decided' | 'dropped';

export interface RuleMark {
  /** 0-based line in the rules text. */
  line: number;
  kind: RuleMarkKind;
  /** What the trace did there, shown after the line, e.g. "◀ decided: ACCEPT (hop 5, filter FORWARD)". */
  note: string;
}

const TABLES = new Set(['filter', 'nat', 'raw', 'mangle', 'security']);

/**
 * The marks of `trace` on `rulesText` (one host's iptables-save). Hops at other hosts are left out when
 * `host` is given and a hop names a host (the node of a netfilter hop is the host it happens on).
 */
export function ruleMarks(rulesText: string, trace: TraceView, host?: string, hosts: readonly string[] = []): RuleMark[] {
  const lines = rulesText.split('\n');
  // Each table's line range, so a rule of `nat DOCKER` is not found in `filter DOCKER`.
  const tables = new Map<string, { start: number; end: number }>();
  let current: string | undefined;
  lines.forEach((l, i) => {
    if (l.startsWith('*')) {
      current = l.slice(1).trim();
      tables.set(current, { start: i, end: lines.length });
    } else if (l === 'COMMIT' && current) {
      tables.get(current)!.end = i;
      current = undefined;
    }
  });
  const find = (table: string | undefined, text: string): number => {
    const range = table ? tables.get(table) : undefined;
    const from = range?.start ?? 0;
    const to = range?.end ?? lines.length;
    for (let i = from; i < to; i++) if (lines[i] === text) return i;
    return -1;
  };
  const marks = new Map<number, RuleMark>();
  const put = (m: RuleMark) => {
    const have = marks.get(m.line);
    const rank = { passed: 0, decided: 1, dropped: 2 };
    if (!have || rank[m.kind] > rank[have.kind]) marks.set(m.line, m);
  };
  trace.hops.forEach((hop, i) => {
    if (host !== undefined && hosts.includes(hop.node) && hop.node !== host) return;
    const [first, chain] = hop.action.split(/\s+/);
    const table = first && TABLES.has(first) ? first : first === 'netfilter' ? hop.action.split(/\s+/)[1] : undefined;
    if (!table || !TABLES.has(table)) return;
    const chainName = first === 'netfilter' ? hop.action.split(/\s+/)[2] : chain;
    const rules = rulesOf(hop.detail);
    const where = `hop ${i + 1}, ${table} ${chainName ?? ''}`.trim();
    rules.forEach((r, k) => {
      const line = find(table, r);
      if (line < 0) return;
      const last = k === rules.length - 1;
      if (!last) put({ line, kind: 'passed', note: `◀ passed (${where})` });
      else {
        const target = /-j (\S+)/.exec(r)?.[1] ?? '';
        const dropped = hop.drop === true || target === 'DROP' || target === 'REJECT';
        put({ line, kind: dropped ? 'dropped' : 'decided', note: `◀ ${dropped ? 'dropped the packet' : `decided: ${target}`} (${where})` });
      }
    });
    // No rule matched: the chain's policy decided.
    const policy = /policy (ACCEPT|DROP)/.exec(hop.detail);
    if (!rules.length && policy && chainName) {
      const line = find(table, lines.find((l) => l.startsWith(`:${chainName} `)) ?? '');
      if (line >= 0) put({ line, kind: policy[1] === 'DROP' ? 'dropped' : 'decided', note: `◀ policy ${policy[1]}: no rule matched (${where})` });
    }
  });
  // A hop's structured reference (ruleRef) names the rule that decided it, also where the text does not.
  trace.hops.forEach((hop, i) => {
    const ref = hop.ruleRef;
    if (!ref || ref.rule === null || (host !== undefined && ref.host !== host)) return;
    const line = find(ref.table, ref.rule);
    if (line < 0) return;
    const dropped = hop.drop === true || ref.verdict === 'DROP';
    put({ line, kind: dropped ? 'dropped' : 'decided', note: `◀ ${dropped ? 'dropped the packet' : `decided: ${ref.verdict}`} (hop ${i + 1}, ${ref.table} ${ref.chain})` });
  });
  // The rule the tracer names as deciding a drop, wherever it is.
  if (trace.rule) {
    const line = lines.indexOf(trace.rule);
    if (line >= 0) put({ line, kind: 'dropped', note: `◀ dropped the packet: ${trace.verdict}` });
  }
  return [...marks.values()].sort((a, b) => a.line - b.line);
}

/**
 * The line of a rule in one table of an iptables-save text (a hop's ruleRef); with no rule (the chain's
 * policy decided), the chain's `:CHAIN POLICY` line. -1 when it is not there.
 */
export function ruleLine(rulesText: string, table: string, chain: string, rule: string | null): number {
  const lines = rulesText.split('\n');
  const start = lines.indexOf(`*${table}`);
  if (start < 0) return -1;
  for (let i = start + 1; i < lines.length && lines[i] !== 'COMMIT'; i++) {
    if (rule !== null ? lines[i] === rule : lines[i]!.startsWith(`:${chain} `)) return i;
  }
  return -1;
}

/** The rules a netfilter hop's detail names, in order: "(-i a -o b) -A FORWARD -j X → -A X -j RETURN → …". */
export function rulesOf(detail: string): string[] {
  const out: string[] = [];
  for (const part of detail.split(' → ')) {
    const at = part.indexOf('-A ');
    if (at < 0) continue;
    // The diagram appends " — <rule>" to a hop's detail: the rule is then that part.
    let rule = part.slice(at);
    const dash = rule.lastIndexOf(' — -A ');
    if (dash >= 0) rule = rule.slice(dash + 3);
    out.push(rule.replace(/[;,.]\s.*$/, '').trim());
  }
  return out;
}
