// A small in-memory iptables: the operations libnetwork performs (create a chain, insert at the top,
// append, delete, "insert unless it exists"), replayed in dockerd's order, so the resulting rule order
// is the one a real host ends up with.
import { ruleText } from './format';
import type { Chain, Policy, Rule, RuleLayout, RuleSet, Table, TableName } from './types';

const BUILTIN: Record<TableName, string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

/** iptables-nft-save prints the tables in this order. */
const TABLE_ORDER: TableName[] = ['mangle', 'raw', 'filter', 'nat'];

export class RuleProgram {
  private readonly tables = new Map<TableName, Table>();
  /**
   * Per chain, how many times each rule's text is present (iptables -C compares the rule as written).
   * The text is computed once per operation, not through formatRule's shared cache: a replay makes
   * thousands of new rule objects, and caching each one's text costs more than formatting it.
   */
  private readonly present = new Map<Chain, Map<string, number>>();
  private readonly userChains = new Map<TableName, Chain[]>();

  constructor(forwardPolicy: Policy) {
    this.table('filter');
    this.table('nat');
    this.tables.get('filter')!.chains.set('FORWARD', { name: 'FORWARD', policy: forwardPolicy, rules: [] });
  }

  private table(name: TableName): Table {
    let t = this.tables.get(name);
    if (!t) {
      t = { name, chains: new Map() };
      for (const c of BUILTIN[name]) t.chains.set(c, { name: c, policy: 'ACCEPT', rules: [] });
      this.tables.set(name, t);
      this.userChains.set(name, []);
    }
    return t;
  }

  /** iptables -N (no-op when it exists). */
  newChain(table: TableName, name: string): void {
    const t = this.table(table);
    if (t.chains.has(name)) return;
    const c: Chain = { name, policy: null, rules: [] };
    t.chains.set(name, c);
    this.userChains.get(table)!.push(c);
  }

  private chain(rule: Rule): { chain: Chain; keys: Map<string, number> } {
    const t = this.table(rule.table);
    let chain = t.chains.get(rule.chain);
    if (!chain) {
      this.newChain(rule.table, rule.chain);
      chain = t.chains.get(rule.chain)!;
    }
    let keys = this.present.get(chain);
    if (!keys) {
      keys = new Map();
      this.present.set(chain, keys);
    }
    return { chain, keys };
  }

  exists(rule: Rule): boolean {
    return this.chain(rule).keys.has(ruleText(rule));
  }

  /** iptables -I CHAIN 1 … */
  insert(rule: Rule, text = ruleText(rule)): void {
    const { chain, keys } = this.chain(rule);
    chain.rules.unshift(rule);
    keys.set(text, (keys.get(text) ?? 0) + 1);
  }

  /** iptables -A CHAIN … */
  append(rule: Rule, text = ruleText(rule)): void {
    const { chain, keys } = this.chain(rule);
    chain.rules.push(rule);
    keys.set(text, (keys.get(text) ?? 0) + 1);
  }

  /** iptables -D CHAIN … (the first equal rule). */
  delete(rule: Rule): void {
    const { chain, keys } = this.chain(rule);
    const text = ruleText(rule);
    const count = keys.get(text) ?? 0;
    if (count === 0) return;
    // The only rule with this text, when it is this very object (a shared constant: DOCKER-USER's jump), is found without formatting any.
    let i = count === 1 ? chain.rules.indexOf(rule) : -1;
    if (i < 0) i = chain.rules.findIndex((r) => ruleText(r) === text);
    if (i >= 0) chain.rules.splice(i, 1);
    if (count === 1) keys.delete(text);
    else keys.set(text, count - 1);
  }

  /** libnetwork programChainRule / ProgramRule with Insert: insert unless already there. */
  insertUnique(rule: Rule): void {
    const text = ruleText(rule);
    if (!this.chain(rule).keys.has(text)) this.insert(rule, text);
  }

  /** ProgramRule with Append: append unless already there. */
  appendUnique(rule: Rule): void {
    const text = ruleText(rule);
    if (!this.chain(rule).keys.has(text)) this.append(rule, text);
  }

  /** iptables.EnsureJumpRule: delete the jump if present, then insert it at the top. */
  ensureJumpAtTop(rule: Rule): void {
    this.delete(rule);
    this.insert(rule);
  }

  /** The ruleset; `sortUserChains` lists user chains by name (as newer releases' documentation does). */
  done(host: string, layout: RuleLayout, sortUserChains = false): RuleSet {
    const tables = new Map<TableName, Table>();
    for (const name of TABLE_ORDER) {
      let t = this.tables.get(name);
      if (!t) continue;
      if (sortUserChains) {
        const chains = new Map<string, Chain>();
        for (const c of t.chains.values()) if (c.policy !== null) chains.set(c.name, c);
        for (const c of [...this.userChains.get(name)!].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) chains.set(c.name, c);
        t = { name, chains };
      }
      // Only filter and nat are always shown; raw and mangle when Docker put rules there.
      if (name !== 'filter' && name !== 'nat' && ![...t.chains.values()].some((c) => c.rules.length > 0)) continue;
      tables.set(name, t);
    }
    return { host, layout, tables };
  }
}
