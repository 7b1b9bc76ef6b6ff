// A live host's real ruleset, read from `iptables-save` text into the rules the tracer evaluates. The
// matches dockerd uses are read exactly; anything else (a match module such as `-m set`, a REJECT or a
// goto) is kept as an opaque rule: a packet that reaches it has an `unknown` fate, never a guessed one.
// Rules that are dockerd's own (the same text as the modelled ones) keep their purpose, so a drop is
// explained in Docker's words; every other rule is the host's (DOCKER-USER entries, ufw, by hand).
import { formatRule } from './format';
import type { Chain, ConntrackState, Negatable, Policy, Rule, RuleMatch, RuleProto, RuleSet, RuleTarget, Table, TableName } from './types';

const TABLES = new Set<TableName>(['raw', 'mangle', 'filter', 'nat']);
const ICMP6 = new Set(['ipv6-icmp', 'icmpv6', 'icmp6', '58']);
const STATES = new Set<ConntrackState>(['NEW', 'RELATED', 'ESTABLISHED']);
/** Targets that only look at or mark the packet and let it go on. */
const CONTINUE_TARGETS = new Set(['LOG', 'NFLOG', 'ULOG', 'MARK', 'CONNMARK', 'TCPMSS', 'NOTRACK', 'CT', 'TRACE', 'AUDIT', 'CLASSIFY', 'DSCP', 'TOS', 'TTL', 'HL']);

export class IptablesSaveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IptablesSaveError';
  }
}

/** Splits a rule line as a shell would (iptables-save quotes comments: "…", with \" inside). */
export function tokenizeRule(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let tok = '';
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
      if (line[i] === '"') {
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === '\\' && i + 1 < line.length) i++;
          tok += line[i++];
        }
        i++;
      } else tok += line[i++];
    }
    out.push(tok);
  }
  return out;
}

interface Parsed {
  chain: string;
  match: RuleMatch;
  target: RuleTarget;
  opaque: string[];
}

function parseRuleLine(tokens: string[], chainsOfTable: ReadonlySet<string>): Parsed {
  const match: { -readonly [K in keyof RuleMatch]: RuleMatch[K] } = {};
  const opaque: string[] = [];
  let chain = '';
  let target: RuleTarget | null = null;
  let i = 0;
  const take = () => tokens[i++] ?? '';
  while (i < tokens.length) {
    let negate = false;
    let tok = take();
    if (tok === '!') {
      negate = true;
      tok = take();
    }
    const value = (): Negatable<string> => ({ value: take(), negate });
    switch (tok) {
      case '-A':
        chain = take();
        break;
      case '-s':
        match.src = value();
        break;
      case '-d':
        match.dst = value();
        break;
      case '-i':
        match.in = value();
        break;
      case '-o':
        match.out = value();
        break;
      case '-p': {
        const said = take().toLowerCase();
        // ip6tables-save prints ICMPv6 as ipv6-icmp: the protocol of an IPv6 trace's ping.
        const p = ICMP6.has(said) ? 'icmp' : said;
        if (negate || !['tcp', 'udp', 'sctp', 'icmp'].includes(p)) opaque.push(`${negate ? '! ' : ''}-p ${said}`);
        else match.proto = p as RuleProto;
        break;
      }
      case '-m': {
        const mod = take();
        if (['tcp', 'udp', 'sctp', 'conntrack', 'state', 'addrtype', 'comment'].includes(mod)) break;
        if (mod === 'icmp' || mod === 'icmp6') break; // its options (--icmp-type) are judged one by one below
        // Any other module: its options follow until the next option that is not one of its own.
        const words = [`-m ${mod}`];
        while (i < tokens.length && tokens[i] !== '-j' && tokens[i] !== '-g' && !(tokens[i] === '-m') && !/^-[a-z]$/.test(tokens[i]!) && !(tokens[i] === '!' && /^-[a-z]$/.test(tokens[i + 1] ?? ''))) words.push(take());
        opaque.push(words.join(' '));
        break;
      }
      case '--dport':
      case '--sport': {
        const v = take();
        const n = Number(v);
        if (negate || !/^\d+$/.test(v) || n < 1 || n > 65535) opaque.push(`${negate ? '! ' : ''}${tok} ${v}`);
        else if (tok === '--dport') match.dport = n;
        else match.sport = n;
        break;
      }
      case '--ctstate':
      case '--state': {
        const v = take();
        if (negate) {
          opaque.push(`! ${tok} ${v}`);
          break;
        }
        // INVALID, UNTRACKED, SNAT… never describe the packets traced: the rule then matches none of them.
        match.ctstate = v.split(',').filter((s): s is ConntrackState => STATES.has(s as ConntrackState));
        break;
      }
      case '--src-type':
      case '--dst-type': {
        const v = take();
        if (negate || v !== 'LOCAL') opaque.push(`${negate ? '! ' : ''}${tok} ${v}`);
        else if (tok === '--src-type') match.srcTypeLocal = true;
        else match.dstTypeLocal = true;
        break;
      }
      case '--comment':
        take();
        break;
      case '-j': {
        const name = take();
        const rest = tokens.slice(i);
        i = tokens.length;
        const opt = (flag: string) => {
          const k = rest.indexOf(flag);
          return k >= 0 ? rest[k + 1] : undefined;
        };
        if (name === 'ACCEPT' || name === 'DROP' || name === 'RETURN' || name === 'MASQUERADE') target = { kind: name };
        else if (name === 'DNAT' && opt('--to-destination')) target = { kind: 'DNAT', to: opt('--to-destination')! };
        else if (name === 'SNAT' && opt('--to-source')) target = { kind: 'SNAT', to: opt('--to-source')! };
        else if (name === 'CHECKSUM') target = { kind: 'CHECKSUM' };
        else if (CONTINUE_TARGETS.has(name)) target = { kind: 'CONTINUE', name: [name, ...rest].join(' ') };
        else if (chainsOfTable.has(name)) target = { kind: 'JUMP', chain: name };
        else {
          // REJECT answers the sender (a reset or an ICMP error): not a fate the engine models.
          target = { kind: 'DROP' };
          opaque.push(['-j', name, ...rest].join(' '));
        }
        break;
      }
      case '-g': {
        const name = take();
        target = chainsOfTable.has(name) ? { kind: 'JUMP', chain: name } : { kind: 'DROP' };
        opaque.push(`-g ${name}`);
        break;
      }
      case '--icmp-type':
      case '--icmpv6-type':
        opaque.push(`${negate ? '! ' : ''}${tok} ${take()}`);
        break;
      default:
        // An option of a module read above with an argument the engine does not evaluate (e.g. --tcp-flags A B).
        opaque.push(tok.startsWith('-') ? [tok, ...(tokens[i] && !tokens[i]!.startsWith('-') ? [take()] : [])].join(' ') : tok);
    }
  }
  if (match.in?.value.endsWith('+') || match.out?.value.endsWith('+')) opaque.push('an interface wildcard (+)');
  return { chain, match, target: target ?? { kind: 'CONTINUE', name: '(no target)' }, opaque };
}

/**
 * The ruleset of `iptables-save` TEXT for HOST. `modelled` is what the engine derived for the same host:
 * a real rule with the same text as a modelled one is that rule (its purpose, network and container).
 */
export function parseIptablesSave(text: string, host: string, modelled: RuleSet): RuleSet {
  const tables = new Map<TableName, Table>();
  // Each modelled rule by table and text, in order: two identical rules map one to one.
  const known = new Map<string, Rule[]>();
  for (const t of modelled.tables.values()) {
    for (const c of t.chains.values()) {
      for (const r of c.rules) {
        const key = `${t.name} ${formatRule(r)}`;
        const list = known.get(key) ?? [];
        list.push(r);
        known.set(key, list);
      }
    }
  }
  let table: { name: TableName; chains: Map<string, { name: string; policy: Policy | null; rules: Rule[] }> } | null = null;
  const lines = text.split('\n');
  lines.forEach((raw, n) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('*')) {
      const name = line.slice(1) as TableName;
      table = TABLES.has(name) ? { name, chains: new Map() } : null; // security, … : not on a path the tracer walks
      return;
    }
    if (line === 'COMMIT') {
      if (table) tables.set(table.name, { name: table.name, chains: table.chains as Map<string, Chain> });
      table = null;
      return;
    }
    if (!table) return;
    const t: { name: TableName; chains: Map<string, { name: string; policy: Policy | null; rules: Rule[] }> } = table;
    if (line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(/\s+/);
      if (!name) throw new IptablesSaveError(`line ${n + 1}: a chain line without a name`);
      t.chains.set(name, { name, policy: policy === 'ACCEPT' || policy === 'DROP' ? policy : null, rules: [] });
      return;
    }
    if (!line.startsWith('-A ')) throw new IptablesSaveError(`line ${n + 1}: not an iptables-save line: ${line.slice(0, 80)}`);
    const p = parseRuleLine(tokenizeRule(line), new Set(t.chains.keys()));
    const chain = t.chains.get(p.chain);
    if (!chain) throw new IptablesSaveError(`line ${n + 1}: rule for chain ${p.chain}, which the table ${t.name} does not declare`);
    const same = known.get(`${t.name} ${line}`)?.shift();
    const rule: Rule = {
      table: t.name, chain: p.chain, match: p.match, target: p.target, purpose: same?.purpose ?? 'host', text: line,
      ...(same?.network !== undefined ? { network: same.network } : {}),
      ...(same?.container !== undefined ? { container: same.container } : {}),
      ...(p.opaque.length > 0 ? { opaque: p.opaque.join(' ') } : {}),
    };
    chain.rules.push(rule);
  });
  return { host, layout: modelled.layout, tables };
}

/** Whether the ruleset holds dockerd's chains at all (an nft iptables-save beside a legacy dockerd shows none). */
export function hasDockerChains(rs: RuleSet): boolean {
  return rs.tables.get('filter')?.chains.has('DOCKER') === true || rs.tables.get('nat')?.chains.has('DOCKER') === true;
}

const DOCKER_DEVICE = /^(docker0|docker_gwbridge|br-[0-9a-f]{12})$/;

/**
 * A rule of an ip6tables-save that dockerd wrote (it programs ip6tables with --ip6tables; the engine
 * models no IPv6 rules to compare with): its own chains, DOCKER-USER's final RETURN, and the built-in
 * chains' rules that jump to its chains or name its bridges. Everything else is the host's.
 */
export function dockerdWrote(rule: Rule): boolean {
  const t = rule.target;
  if (rule.chain === 'DOCKER-USER') return t.kind === 'RETURN' && Object.keys(rule.match).length === 0;
  if (rule.chain.startsWith('DOCKER')) return true;
  if ((t.kind === 'JUMP' || t.kind === 'GOTO') && t.chain.startsWith('DOCKER')) return true;
  return DOCKER_DEVICE.test(rule.match.in?.value ?? '') || DOCKER_DEVICE.test(rule.match.out?.value ?? '');
}

/** The IPv6 ruleset with dockerd's own rules told apart from the host's (see dockerdWrote). */
export function markDockerdRules(rs: RuleSet): RuleSet {
  const tables = new Map<TableName, Table>();
  for (const [name, t] of rs.tables) {
    const chains = new Map<string, Chain>();
    for (const [cn, c] of t.chains) chains.set(cn, { ...c, rules: c.rules.map((r) => (r.purpose === 'host' && dockerdWrote(r) ? { ...r, purpose: 'chain-jump' as const } : r)) });
    tables.set(name, { ...t, chains });
  }
  return { ...rs, tables };
}
