// dockerd's packet-filter rules as data: tables of chains of rules, each rule a set of matches and a
// target, so the tracer can evaluate them and the printer can write them in iptables-save form.

export type TableName = 'raw' | 'mangle' | 'filter' | 'nat';

export interface Negatable<T> {
  readonly value: T;
  readonly negate: boolean;
}

export type RuleProto = 'tcp' | 'udp' | 'sctp' | 'icmp';

/** The matches dockerd uses. An absent field matches everything. */
export interface RuleMatch {
  /** CIDR as iptables-save prints it: "172.18.0.0/16", "172.18.0.2/32". */
  readonly src?: Negatable<string>;
  readonly dst?: Negatable<string>;
  readonly in?: Negatable<string>;
  readonly out?: Negatable<string>;
  readonly proto?: RuleProto;
  readonly dport?: number;
  readonly sport?: number;
  /** -m addrtype --src-type LOCAL / --dst-type LOCAL */
  readonly srcTypeLocal?: boolean;
  readonly dstTypeLocal?: boolean;
  /** -m conntrack --ctstate RELATED,ESTABLISHED */
  readonly ctstate?: readonly ConntrackState[];
  /** -m mark --mark VALUE/MASK (a plug-in's daemon marks packets: felix's accept and pass bits). */
  readonly mark?: { readonly value: number; readonly mask: number };
  /** -m set --match-set NAME src|dst: an ipset, with the addresses it holds (felix's selector sets). */
  readonly set?: { readonly name: string; readonly dir: 'src' | 'dst'; readonly members: readonly string[] };
  /** -m comment --comment TEXT (printed; never matched on). */
  readonly comment?: string;
}

export type ConntrackState = 'NEW' | 'RELATED' | 'ESTABLISHED';

export type RuleTarget =
  | { readonly kind: 'ACCEPT' | 'DROP' | 'RETURN' | 'MASQUERADE' }
  | { readonly kind: 'JUMP'; readonly chain: string }
  /** -g CHAIN: a RETURN from CHAIN returns to the chain that called this one. */
  | { readonly kind: 'GOTO'; readonly chain: string }
  /** -j MARK --set-xmark VALUE/MASK: not terminal, the packet goes on with the new mark. */
  | { readonly kind: 'MARK'; readonly value: number; readonly mask: number }
  | { readonly kind: 'DNAT'; readonly to: string }
  | { readonly kind: 'SNAT'; readonly to: string }
  | { readonly kind: 'CHECKSUM' }
  /** A target that lets the packet go on (LOG, MARK, …), read from a live host's iptables-save. */
  | { readonly kind: 'CONTINUE'; readonly name: string };

/** Why dockerd installs a rule: lets the tracer explain a verdict in plain words. */
export type RulePurpose =
  | 'docker-user'
  | 'isolation-jump'
  | 'isolation-stage2'
  | 'isolation-drop'
  | 'internal-out-drop'
  | 'internal-in-drop'
  | 'icc-accept'
  | 'icc-drop'
  | 'outgoing-accept'
  | 'conntrack-accept'
  | 'docker-jump'
  | 'chain-jump'
  | 'port-accept'
  | 'network-drop'
  | 'return'
  | 'nat-prerouting-jump'
  | 'nat-output-jump'
  | 'masquerade'
  | 'hairpin-masquerade'
  | 'port-masquerade'
  | 'skip-dnat'
  | 'port-dnat'
  | 'direct-access-drop'
  | 'loopback-port-drop'
  | 'sctp-checksum'
  /** Installed by a network plug-in's own daemon (see contributed.ts). */
  | 'plugin'
  /** Read from a live host's iptables-save, and not one dockerd writes (DOCKER-USER entries, ufw, firewalld, by hand). */
  | 'host';

export interface Rule {
  readonly table: TableName;
  readonly chain: string;
  readonly match: RuleMatch;
  readonly target: RuleTarget;
  readonly purpose: RulePurpose;
  /** The network (by name) the rule was installed for, when it belongs to one. */
  readonly network?: string;
  /** The container (by name) whose published port the rule serves. */
  readonly container?: string;
  /** The rule as iptables-save printed it, when it was read from a live host. */
  readonly text?: string;
  /**
   * What the engine cannot evaluate in a rule read from a live host (a match module such as `-m set`, a
   * REJECT target): a packet that gets that far has an `unknown` fate.
   */
  readonly opaque?: string;
  /**
   * A plug-in's own words for a packet this rule drops (felix's policy and profile chains): why, and what
   * to change in the topology file. Dockerd's rules are explained by their purpose instead.
   */
  readonly explain?: { readonly reason: string; readonly fix: string };
}

export type Policy = 'ACCEPT' | 'DROP';

export interface Chain {
  readonly name: string;
  /** Built-in chains have a policy; user chains print "-". */
  readonly policy: Policy | null;
  readonly rules: Rule[];
}

export interface Table {
  readonly name: TableName;
  /** In iptables-save order: built-in chains, then user chains. */
  readonly chains: Map<string, Chain>;
}

/** Which of Docker's rule layouts a ruleset follows. */
export type RuleLayout = 'legacy' | 'docker-forward' | 'docker-forward-no-isolation' | 'disabled';

export interface RuleSet {
  readonly host: string;
  readonly layout: RuleLayout;
  /** mangle, raw, filter, nat: the tables to print (iptables-nft-save's order). */
  readonly tables: Map<TableName, Table>;
}
