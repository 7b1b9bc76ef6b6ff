// Quick fixes for the diagnostics that have an obvious repair: create the missing network, pick a
// free subnet for an overlapping one, move the gateway inside the subnet, and connect two containers
// to a shared network when a name won't resolve between them; `expose` that Docker refuses in container
// mode becomes `listen` (what it was meant to say: the process listens there).
import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import { findDescriptor } from '../engine';
import type { NetworkSpec, YamlPath } from '../topology';
import { addNetworkEdit, connectContainerEdit, YamlEditError, type EditTarget, type TextSplice } from '../topology/edit';
import { cidrContains, formatAddress, freeSubnet, nextFreeAddress, parseAddress, parseCidr, type Cidr } from './addressPlanner';
import type { Analysis } from './analysis';

export function codeActionsFor(analysis: Analysis, diagnostics: readonly Diagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    try {
      out.push(...fixesFor(analysis, d));
    } catch {
      // A quick fix that cannot be computed is simply not offered.
    }
  }
  return out;
}

function pathOf(d: Diagnostic): YamlPath | undefined {
  const data = d.data as { path?: YamlPath } | undefined;
  return Array.isArray(data?.path) ? data.path : undefined;
}

function action(analysis: Analysis, title: string, d: Diagnostic, edits: TextEdit[], preferred = true): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: preferred, edit: { changes: { [analysis.uri]: edits } } };
}

/** The analysis's text with the parse it already has: the shared edits locate things in it without parsing again. */
function editTarget(analysis: Analysis): EditTarget {
  return { text: analysis.text, doc: analysis.yaml.doc };
}

/** One shared edit as an LSP TextEdit, or undefined when it cannot be made to this text. */
function textEdit(analysis: Analysis, make: (target: EditTarget) => TextSplice): TextEdit | undefined {
  try {
    const splice = make(editTarget(analysis));
    return { range: analysis.lines.range({ start: splice.start, end: splice.end }), newText: splice.text };
  } catch (err) {
    if (err instanceof YamlEditError) return undefined;
    throw err;
  }
}

const createNetworkEdit = (analysis: Analysis, name: string) => textEdit(analysis, (t) => addNetworkEdit(t, { name }));
// Off the default bridge, onto the shared network: names resolve there, not on the default bridge.
const connectEdit = (analysis: Analysis, container: string, network: string) =>
  textEdit(analysis, (t) => connectContainerEdit(t, container, network, {}, { leaveDefaultBridge: true }));

function fixesFor(analysis: Analysis, d: Diagnostic): CodeAction[] {
  const code = String(d.code ?? '');
  const path = pathOf(d);
  const message = typeof d.message === 'string' ? d.message : d.message.value;
  if (code === 'undefined-network') {
    const name = analysis.text.slice(analysis.lines.offset(d.range.start), analysis.lines.offset(d.range.end)).replace(/^["']|["']$/g, '');
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)) return [];
    const edit = createNetworkEdit(analysis, name);
    return edit ? [action(analysis, `Create network "${name}"`, d, [edit])] : [];
  }
  if (path && (/overlaps/i.test(message) || code === 'subnet-overlaps-host') && path[path.length - 1] === 'subnet') {
    return subnetFix(analysis, d, path);
  }
  if (path && path[path.length - 1] === 'gateway' && d.severity === 1 && /gateway/i.test(message)) return gatewayFix(analysis, d, path);
  if (code === 'unresolvable-name' && path) return sharedNetworkFix(analysis, d, path);
  if (path && path[path.length - 1] === 'expose' && message.includes('port exposing and the container type network mode')) return exposeToListenFix(analysis, d, path);
  return [];
}

/** Rename the refused `expose` key to `listen`, unless the container says `listen` already. */
function exposeToListenFix(analysis: Analysis, d: Diagnostic, path: YamlPath): CodeAction[] {
  const c = analysis.parsed.spec.containers.find((x) => x.name === path[1]);
  if (!c || c.listen !== undefined) return [];
  const text = analysis.text.slice(analysis.lines.offset(d.range.start), analysis.lines.offset(d.range.end));
  if (text !== 'expose') return [];
  return [action(analysis, `Say what listens with "listen" (not Docker's --expose, which container mode refuses)`, d, [{ range: d.range, newText: 'listen' }])];
}

function networkOf(analysis: Analysis, path: YamlPath): { network: NetworkSpec; pool: number } | undefined {
  if (path[0] !== 'networks') return undefined;
  const network = analysis.parsed.spec.networks.find((n) => n.name === path[1]);
  if (!network) return undefined;
  const pool = path[2] === 'ipam' && typeof path[4] === 'number' ? path[4] : 0;
  return { network, pool };
}

function poolValuePath(n: NetworkSpec, pool: number, key: string): YamlPath {
  return n.ipamForm === 'compose' ? [...n.path, 'ipam', 'config', pool, key] : [...n.path, key];
}

function subnetFix(analysis: Analysis, d: Diagnostic, path: YamlPath): CodeAction[] {
  const found = networkOf(analysis, path);
  if (!found) return [];
  const { network, pool } = found;
  const cfg = network.ipamConfig[pool];
  const current = cfg?.subnet ? parseCidr(cfg.subnet) : undefined;
  if (!current || current.family !== 4) return [];
  const taken: Cidr[] = [];
  for (const n of analysis.inspect()?.networks ?? []) if (n.name !== network.name && n.subnet && parseCidr(n.subnet)) taken.push(parseCidr(n.subnet)!);
  for (const n of analysis.parsed.spec.networks) {
    if (n.name === network.name) continue;
    for (const p of n.ipamConfig) if (p.subnet && parseCidr(p.subnet)) taken.push(parseCidr(p.subnet)!);
  }
  for (const h of analysis.parsed.spec.hosts) for (const c of Object.values(h.interfaces)) if (parseCidr(c)) taken.push(parseCidr(c)!);
  const subnet = freeSubnet(taken, { like: current, scope: findDescriptor(network.driver)?.scope === 'swarm' ? 'global' : 'local' });
  if (!subnet) return [];
  const next = parseCidr(subnet)!;
  const edits: TextEdit[] = [{ range: d.range, newText: subnet }];
  // Addresses of the old subnet move along, so the network stays consistent.
  const move = (key: string, value: string | undefined) => {
    if (!value) return;
    const a = parseAddress(value.split('/')[0]!);
    if (!a || !cidrContains(current, a)) return;
    const moved = formatAddress(a.value - current.base + next.base, 4) + (value.includes('/') ? `/${value.split('/')[1]}` : '');
    edits.push({ range: analysis.parsed.rangeOf(poolValuePath(network, pool, key), 'value'), newText: moved });
  };
  move('gateway', cfg?.gateway);
  move('ip_range', cfg?.ipRange);
  for (const [k, v] of Object.entries(cfg?.auxAddresses ?? {})) {
    const a = parseAddress(v);
    if (!a || !cidrContains(current, a)) continue;
    edits.push({ range: analysis.parsed.rangeOf([...poolValuePath(network, pool, 'aux_addresses'), k], 'value'), newText: formatAddress(a.value - current.base + next.base, 4) });
  }
  for (const c of analysis.parsed.spec.containers) {
    for (const ep of c.networks) {
      if (ep.network !== network.name || !ep.ipv4Address) continue;
      const a = parseAddress(ep.ipv4Address);
      if (!a || !cidrContains(current, a)) continue;
      edits.push({ range: analysis.parsed.rangeOf([...ep.path, 'ipv4_address'], 'value'), newText: formatAddress(a.value - current.base + next.base, 4) });
    }
  }
  const title = edits.length > 1 ? `Use the free subnet ${subnet} (and move its ${edits.length - 1} address${edits.length > 2 ? 'es' : ''})` : `Use the free subnet ${subnet}`;
  return [action(analysis, title, d, edits)];
}

function gatewayFix(analysis: Analysis, d: Diagnostic, path: YamlPath): CodeAction[] {
  const found = networkOf(analysis, path);
  if (!found) return [];
  const cfg = found.network.ipamConfig[found.pool];
  const subnet = cfg?.subnet ? parseCidr(cfg.subnet) : undefined;
  if (!subnet) return [];
  const gateway = nextFreeAddress(subnet, Object.values(cfg?.auxAddresses ?? {}));
  if (!gateway) return [];
  return [action(analysis, `Move the gateway inside ${cfg!.subnet}: ${gateway}`, d, [{ range: d.range, newText: gateway }])];
}

/** "b does not resolve from a": put both on one user-defined network (an existing one of either, or a new one). */
function sharedNetworkFix(analysis: Analysis, d: Diagnostic, path: YamlPath): CodeAction[] {
  const entry = analysis.parsed.spec.expect.find((e) => e.path.length === path.length - 1 && e.path.every((p, i) => p === path[i]));
  if (!entry) return [];
  const spec = analysis.parsed.spec;
  const from = spec.containers.find((c) => c.name === entry.from);
  const toName = /^([A-Za-z0-9][A-Za-z0-9_.-]*)/.exec(entry.to)?.[1];
  const to = spec.containers.find((c) => c.name === toName);
  if (!from || !to || from.host !== to.host) return [];
  const userNetworks = (c: typeof from) => c.networks.map((n) => n.network).filter((n) => !['bridge', 'default', 'host', 'none'].includes(n));
  const mode = (c: typeof from) => c.networkMode;
  for (const c of [from, to]) {
    const m = mode(c);
    if (m === 'host' || m === 'none' || m?.startsWith('container:')) return [];
  }
  const actions: CodeAction[] = [];
  // Join the other container's network when it has one.
  for (const [joiner, owner] of [
    [from, to],
    [to, from],
  ] as const) {
    const net = userNetworks(owner)[0] ?? (mode(owner) && !['bridge', 'default'].includes(mode(owner)!) ? mode(owner) : undefined);
    if (!net || userNetworks(joiner).includes(net)) continue;
    const edit = connectEdit(analysis, joiner.name, net);
    if (edit) actions.push(action(analysis, `Connect "${joiner.name}" to network "${net}" (shared with "${owner.name}")`, d, [edit], actions.length === 0));
  }
  if (actions.length === 0) {
    const existing = new Set(spec.networks.map((n) => n.name));
    let name = `${from.name}-${to.name}`.slice(0, 60);
    for (let i = 2; existing.has(name); i++) name = `${from.name}-${to.name}-${i}`;
    const edits = [createNetworkEdit(analysis, name), connectEdit(analysis, from.name, name), connectEdit(analysis, to.name, name)].filter((e): e is TextEdit => !!e);
    if (edits.length === 3) actions.push(action(analysis, `Connect "${from.name}" and "${to.name}" to a new network "${name}"`, d, edits));
  }
  return actions;
}
