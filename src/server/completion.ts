// Completion: the keys of each level (from the schema), network / container / host names where a
// reference goes, drivers and their options, network_mode values, the next free address of a network
// and a free subnet.
import { CompletionItemKind, MarkupKind, type CompletionItem } from 'vscode-languageserver';
import type { YamlPath } from '../topology';
import { listenPortsOf } from '../engine';
import { formatCidr, freeSubnet, nextFreeAddress, parseCidr, type Cidr } from './addressPlanner';
import type { Analysis } from './analysis';
import { completionContext, type CompletionContext } from './completionContext';
import { completionDrivers, driverInfo, optionDoc, optionsFor } from './driverCatalog';
import { isContainerValue, keysAt, schemaAt, valuesAt } from './schemaDocs';

export function completeAt(analysis: Analysis, offset: number): CompletionItem[] {
  const ctx = completionContext(analysis.text, offset);
  const range = analysis.lines.range({ start: ctx.wordStart, end: offset });
  const items = suggestions(analysis, ctx);
  return items.map((item, i) => ({
    ...item,
    sortText: item.sortText ?? String(i).padStart(4, '0'),
    textEdit: { range, newText: item.insertText ?? item.label },
    insertText: undefined,
  }));
}

type Suggestion = CompletionItem;

function suggestions(analysis: Analysis, ctx: CompletionContext): Suggestion[] {
  const p = ctx.path;
  const spec = analysis.parsed.spec;
  const networkNames = () => spec.networks.map((n) => n.name);

  if (ctx.kind === 'item') {
    if (isNetworkList(p)) return names(networkNames().filter((n) => !ctx.siblings.includes(n)), 'network', analysis);
    const itemSchema = schemaAt([...p, 0]);
    if (itemSchema?.properties) return keyItems([...p, 0], []);
    return values(valuesAt([...p, 0]));
  }

  if (ctx.kind === 'key') {
    if (isNetworkMap(p)) return names(networkNames().filter((n) => !ctx.siblings.includes(n)), 'network', analysis, ':');
    if (p.length === 3 && p[0] === 'networks' && p[2] === 'driver_opts') {
      const driver = spec.networks.find((n) => n.name === p[1])?.driver;
      return optionsFor(driver, analysis.engine)
        .filter((o) => !ctx.siblings.includes(o.name))
        .map((o) => ({ label: o.name, kind: CompletionItemKind.Property, insertText: `${o.name}: `, documentation: md(o.description), detail: `${driver ?? 'bridge'} option` }));
    }
    return keyItems(p, ctx.siblings);
  }

  // A value.
  const last = p[p.length - 1];
  if (p[0] === 'networks' && p.length === 3 && last === 'driver') {
    return completionDrivers(analysis.engine).map((d) => ({ label: d.name, kind: CompletionItemKind.EnumMember, documentation: md(d.summary), detail: 'network driver' }));
  }
  if (last === 'host' && (p[0] === 'networks' || p[0] === 'containers') && p.length === 3) return names(spec.hosts.map((h) => h.name), 'host', analysis);
  if (p[0] === 'containers' && p.length === 3 && last === 'network_mode') return networkModes(analysis, String(p[1]));
  if (p[0] === 'containers' && p.length === 5 && p[2] === 'networks' && last === 'ipv4_address') return freeAddress(analysis, String(p[3]), String(p[1]));
  if (last === 'subnet' && p[0] === 'networks') return freeSubnetItems(analysis, String(p[1]));
  if (last === 'gateway' && p[0] === 'networks') return gatewayItems(analysis, String(p[1]));
  if (p[0] === 'networks' && p.length === 4 && p[2] === 'driver_opts') {
    return values(optionDoc(String(last), analysis.engine).values);
  }
  if (p[0] === 'expect' && p.length === 3 && last === 'from') {
    return [...names(spec.containers.map((c) => c.name), 'container', analysis), ...names(spec.hosts.map((h) => h.name), 'host', analysis)];
  }
  if (p[0] === 'expect' && p.length === 3 && last === 'to') return expectTargets(analysis);
  if (isNetworkList(p) || (p[0] === 'services' && last === 'networks')) return [];
  return values(valuesAt(p));
}

function isNetworkList(p: YamlPath): boolean {
  return p.length === 3 && (p[0] === 'containers' || p[0] === 'services') && p[2] === 'networks';
}

function isNetworkMap(p: YamlPath): boolean {
  return isNetworkList(p);
}

function md(value: string) {
  return { kind: MarkupKind.Markdown, value };
}

function keyItems(path: YamlPath, siblings: string[]): Suggestion[] {
  return keysAt(path)
    .filter((k) => !siblings.includes(k.key))
    .map((k) => {
      const nested = isContainerValue(k.schema);
      return {
        label: k.key,
        kind: CompletionItemKind.Property,
        insertText: nested ? `${k.key}:` : `${k.key}: `,
        ...(k.schema.description ? { documentation: md(k.schema.description) } : {}),
      };
    });
}

function values(list: string[]): Suggestion[] {
  return list.map((v) => ({ label: v, kind: CompletionItemKind.Value }));
}

function names(list: string[], kind: 'network' | 'container' | 'host' | 'service', analysis: Analysis, suffix = ''): Suggestion[] {
  const icon = { network: CompletionItemKind.Interface, container: CompletionItemKind.Class, host: CompletionItemKind.Module, service: CompletionItemKind.Event }[kind];
  return [...new Set(list)].map((name) => ({ label: name, kind: icon, detail: detailOf(analysis, kind, name), insertText: `${name}${suffix}` }));
}

function detailOf(analysis: Analysis, kind: string, name: string): string {
  if (kind === 'network') {
    const n = analysis.liveNetwork(name);
    return n ? `${n.driver} network${n.subnet ? ` ${n.subnet}` : ''}` : 'network';
  }
  if (kind === 'container') {
    const c = analysis.liveContainer(name);
    const addr = c?.endpoints.find((e) => e.ipv4_address)?.ipv4_address;
    return `container${addr ? ` ${addr}` : ''}`;
  }
  return kind;
}

function networkModes(analysis: Analysis, self: string): Suggestion[] {
  const spec = analysis.parsed.spec;
  const fixed: Suggestion[] = [
    { label: 'bridge', kind: CompletionItemKind.EnumMember, documentation: md('The default bridge (docker0): no DNS between containers, isolated from user-defined networks.') },
    { label: 'host', kind: CompletionItemKind.EnumMember, documentation: md("The host's network stack: no isolation, published ports are discarded.") },
    { label: 'none', kind: CompletionItemKind.EnumMember, documentation: md('Only a loopback interface.') },
  ];
  const shared = spec.containers
    .filter((c) => c.name !== self)
    .map((c) => ({ label: `container:${c.name}`, kind: CompletionItemKind.Reference, documentation: md(`Share the network namespace of \`${c.name}\` (same interfaces, addresses and ports).`) }));
  const nets = spec.networks.map((n) => ({ label: n.name, kind: CompletionItemKind.Interface, detail: `${n.driver} network` }));
  return [...fixed, ...nets, ...shared];
}

/** The lowest address of the network nobody has (gateway, containers, aux addresses), outside ip_range first. */
function freeAddress(analysis: Analysis, network: string, container: string): Suggestion[] {
  const spec = analysis.parsed.spec.networks.find((n) => n.name === network);
  const live = analysis.inspect()?.networks.find((n) => n.name === network);
  const subnetText = spec?.ipamConfig[0]?.subnet ?? live?.subnet ?? undefined;
  const subnet = subnetText ? parseCidr(subnetText) : undefined;
  if (!subnet || subnet.family !== 4) return [];
  const used: string[] = [];
  if (live?.gateway) used.push(live.gateway);
  for (const pool of spec?.ipamConfig ?? []) {
    if (pool.gateway) used.push(pool.gateway);
    used.push(...Object.values(pool.auxAddresses ?? {}));
  }
  for (const c of analysis.inspect()?.containers ?? []) {
    if (c.name === container) continue;
    for (const ep of c.endpoints) if (ep.network === network && ep.ipv4_address) used.push(ep.ipv4_address);
  }
  for (const c of analysis.parsed.spec.containers) {
    if (c.name === container) continue;
    for (const ep of c.networks) if (ep.network === network && ep.ipv4Address) used.push(ep.ipv4Address);
  }
  const out: Suggestion[] = [];
  // Inside ip_range when there is one: an address outside it draws the static-outside-range warning.
  const rangeText = spec?.ipamConfig[0]?.ipRange;
  const range = rangeText ? parseCidr(rangeText) : undefined;
  const free = nextFreeAddress(subnet, used, range);
  const where = range ? `${formatCidr(subnet)}, inside ip_range ${rangeText}` : formatCidr(subnet);
  if (free) out.push({ label: free, kind: CompletionItemKind.Value, detail: `next free address of ${network}`, documentation: md(`Free in ${where}: not the gateway, no container has it, not an aux address.`) });
  return out;
}

function takenSubnets(analysis: Analysis, except: string): Cidr[] {
  const out: Cidr[] = [];
  for (const n of analysis.inspect()?.networks ?? []) if (n.name !== except && n.subnet) out.push(parseCidr(n.subnet)!);
  for (const n of analysis.parsed.spec.networks) {
    if (n.name === except) continue;
    for (const pool of n.ipamConfig) if (pool.subnet && parseCidr(pool.subnet)) out.push(parseCidr(pool.subnet)!);
  }
  for (const h of analysis.parsed.spec.hosts) for (const cidr of Object.values(h.interfaces)) if (parseCidr(cidr)) out.push(parseCidr(cidr)!);
  return out.filter(Boolean);
}

function freeSubnetItems(analysis: Analysis, network: string): Suggestion[] {
  const spec = analysis.parsed.spec.networks.find((n) => n.name === network);
  const scope = spec && driverInfo(spec.driver, analysis.engine)?.scope === 'swarm' ? 'global' : 'local';
  const subnet = freeSubnet(takenSubnets(analysis, network), { scope });
  return subnet ? [{ label: subnet, kind: CompletionItemKind.Value, detail: 'a free subnet', documentation: md(`Overlaps no other network of this topology and no host interface.`) }] : [];
}

function gatewayItems(analysis: Analysis, network: string): Suggestion[] {
  const spec = analysis.parsed.spec.networks.find((n) => n.name === network);
  const subnet = spec?.ipamConfig[0]?.subnet ? parseCidr(spec.ipamConfig[0].subnet) : undefined;
  if (!subnet) return [];
  const first = nextFreeAddress(subnet, []);
  return first ? [{ label: first, kind: CompletionItemKind.Value, detail: 'first address of the subnet', documentation: md('What Docker picks when no gateway is given.') }] : [];
}

function expectTargets(analysis: Analysis): Suggestion[] {
  const out: Suggestion[] = [];
  const spec = analysis.parsed.spec;
  for (const c of spec.containers) {
    out.push({ label: c.name, kind: CompletionItemKind.Class, detail: 'container (ICMP echo)' });
    // The ports it listens on (`listen`, else expose and the published container ports); big ranges stay
    // out. A `container:` joiner has no name of its own: its ports are reached at the owner's.
    const ports = listenPortsOf(c);
    const owner = c.networkMode?.startsWith('container:') ? c.networkMode.slice('container:'.length) : undefined;
    if (ports.length <= 16) {
      for (const p of ports) {
        const label = `${owner ?? c.name}:${p.port}${p.proto !== 'tcp' ? `/${p.proto}` : ''}`;
        if (!out.some((o) => o.label === label)) out.push({ label, kind: CompletionItemKind.Reference, detail: owner ? `a port ${c.name} listens on, in ${owner}'s namespace` : 'a port it listens on' });
      }
    }
  }
  for (const s of spec.services) out.push({ label: s.name, kind: CompletionItemKind.Event, detail: 'service' });
  for (const h of spec.hosts) out.push({ label: h.name, kind: CompletionItemKind.Module, detail: 'host' });
  return out;
}

export const completionTriggerCharacters = [':', ' ', '-', '.', '['];
