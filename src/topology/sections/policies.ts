// `policies:` — calico network policies, at the top level (every calico network) or under a calico
// network (that network only): which endpoints a policy selects, and its ingress/egress rules allowing
// or denying by the peer's label selector, protocol and destination port. felix enforces them
// (src/engine/drivers/calico); a selector matches containers' `labels` and the network's name (its profile).
import { parseSelector } from '../../engine';
import type { Field, Item, ParseContext } from '../reader';
import { POLICY_KEYS, POLICY_RULE_KEYS } from '../schema';
import type { PolicyRuleSpec, PolicySpec } from '../spec';

const ACTIONS = ['allow', 'deny'] as const;
const PROTOCOLS = ['tcp', 'udp', 'icmp'] as const;

export function parsePolicies(ctx: ParseContext, f: Field, network?: string): PolicySpec[] {
  const out: PolicySpec[] = [];
  const names = new Set<string>();
  for (const item of ctx.items(f, 'policies') ?? []) {
    const p = parsePolicy(ctx, item, network);
    if (!p) continue;
    if (names.has(p.name)) {
      ctx.error(item, `policy "${p.name}" is defined twice`, 'duplicate-policy');
      continue;
    }
    names.add(p.name);
    out.push(p);
  }
  return out;
}

function selector(ctx: ParseContext, f: Field, what: string): string | undefined {
  const s = ctx.string(f, what);
  if (s === undefined) return undefined;
  try {
    parseSelector(s);
    return s;
  } catch (e) {
    ctx.error(f, e instanceof Error ? e.message : String(e), 'value');
    return undefined;
  }
}

function parsePolicy(ctx: ParseContext, item: Item, network: string | undefined): PolicySpec | undefined {
  const p: PolicySpec = { name: '', selector: 'all()', order: 1000, path: item.path, ...(network !== undefined ? { network } : {}) };
  const entry: Field = { key: String(item.index), keyNode: item.node!, value: item.node, path: item.path };
  for (const f of ctx.fields(entry, 'a policy', POLICY_KEYS) ?? []) {
    switch (f.key) {
      case 'name':
        p.name = ctx.string(f, 'name') ?? '';
        break;
      case 'selector':
        p.selector = selector(ctx, f, 'selector') ?? p.selector;
        break;
      case 'order': {
        const o = ctx.int(f, 'order', 0, 1_000_000);
        if (o !== undefined) p.order = o;
        break;
      }
      case 'ingress':
      case 'egress':
        p[f.key] = (ctx.items(f, f.key) ?? []).map((r) => parseRule(ctx, r)).filter((r): r is PolicyRuleSpec => !!r);
        break;
    }
  }
  if (p.name === '') {
    ctx.error(item, 'A policy needs a name (name: deny-web-to-db).', 'missing');
    return undefined;
  }
  return p;
}

function parseRule(ctx: ParseContext, item: Item): PolicyRuleSpec | undefined {
  const entry: Field = { key: String(item.index), keyNode: item.node!, value: item.node, path: item.path };
  let action: PolicyRuleSpec['action'] | undefined;
  const r: { -readonly [K in keyof PolicyRuleSpec]?: PolicyRuleSpec[K] } = {};
  let portField: Field | undefined;
  for (const f of ctx.fields(entry, 'a policy rule', POLICY_RULE_KEYS) ?? []) {
    switch (f.key) {
      case 'action':
        action = ctx.oneOf(f, 'action', ACTIONS);
        break;
      case 'protocol':
        r.protocol = ctx.oneOf(f, 'protocol', PROTOCOLS);
        break;
      case 'source':
      case 'destination': {
        const s = selector(ctx, f, f.key);
        if (s !== undefined) r[f.key] = s;
        break;
      }
      case 'port':
        portField = f;
        r.port = ctx.int(f, 'port', 1, 65535);
        break;
    }
  }
  if (!action) {
    ctx.error(item, 'A policy rule needs an action: allow or deny.', 'missing');
    return undefined;
  }
  if (portField && r.port !== undefined && r.protocol !== 'tcp' && r.protocol !== 'udp') {
    // calico's validator: ports are only allowed with protocol TCP, UDP or SCTP.
    ctx.error(portField, 'port needs protocol tcp or udp (calico allows ports only with TCP, UDP or SCTP).', 'value');
    delete r.port;
  }
  for (const k of Object.keys(r) as (keyof PolicyRuleSpec)[]) if (r[k] === undefined) delete r[k];
  return { action, ...r } as PolicyRuleSpec;
}
