// Hovers: what a network, container, service or host is in the built topology; who owns an address;
// what a port mapping does; what a driver or a driver option does; and what any key means.
import { MarkupKind, type Hover } from 'vscode-languageserver';
import { listenSpecError, parsePortSpec, type InspectContainer, type InspectNetwork, type InspectResult } from '../engine';
import type { NetworkSpec } from '../topology';
import { cidrContains, formatCidr, parseAddress, parseCidr, usableCount } from './addressPlanner';
import type { Analysis } from './analysis';
import { driverInfo, optionDoc } from './driverCatalog';
import { parseExpectTarget } from './expectTarget';
import { describeAt } from './schemaDocs';
import type { Occurrence } from './symbolIndex';
import { isScalar, nodeAt, nodeSpan, type Span, stringValue } from '../topology/yaml';

export function hoverAt(analysis: Analysis, offset: number): Hover | null {
  const occurrence = analysis.symbolAt(offset);
  if (occurrence) {
    const text = symbolHover(analysis, occurrence);
    if (text) return markdown(text, analysis, occurrence.span);
  }
  const at = nodeAt(analysis.yaml.doc, offset);
  if (!at) return null;
  const { path } = at;
  const span = nodeSpan(at.node);
  if (at.onKey) {
    const key = String(path[path.length - 1]);
    if (path.length === 4 && path[0] === 'networks' && path[2] === 'driver_opts') {
      return markdown(`**driver option \`${key}\`**\n\n${optionDoc(key, analysis.engine).description}`, analysis, span);
    }
    const doc = describeAt(path);
    return doc ? markdown(`**${key}**\n\n${doc}`, analysis, span) : null;
  }
  if (!isScalar(at.node)) return null;
  const value = stringValue(at.node);
  if (value === undefined) return null;
  const last = path[path.length - 1];

  if (path[0] === 'networks' && path.length === 3 && last === 'driver') {
    const info = driverInfo(value, analysis.engine);
    return markdown(info ? `**driver \`${value}\`**\n\n${info.summary}` : `**driver \`${value}\`**\n\nNot a built-in driver: a network plug-in of this name must be installed.`, analysis, span);
  }
  if (path[0] === 'networks' && path[2] === 'driver_opts' && path.length === 4) {
    return markdown(`**driver option \`${String(last)}\`** = \`${value}\`\n\n${optionDoc(String(last), analysis.engine).description}`, analysis, span);
  }
  if ((path[0] === 'containers' || path[0] === 'services') && path[2] === 'ports' && typeof last === 'number') {
    return markdown(portHover(analysis, String(path[1]), value, path[0] === 'services'), analysis, span);
  }
  if ((path[0] === 'containers' || path[0] === 'services') && path[2] === 'listen' && typeof last === 'number') {
    return markdown(listenHover(analysis, String(path[1]), value, path[0] === 'services'), analysis, span);
  }
  if (path[0] === 'expect' && last === 'to') {
    const target = parseExpectTarget(value);
    if (target?.address) {
      const port = target.port === undefined ? 'an ICMP echo' : `${target.proto.toUpperCase()} port ${target.port}`;
      return markdown(`${addressHover(analysis, target.address)}

The packet: ${port}.`, analysis, span);
    }
  }
  if (parseAddress(value)) return markdown(addressHover(analysis, value), analysis, span);
  if (parseCidr(value) && value.includes('/')) {
    const c = parseCidr(value)!;
    const doc = describeAt(path);
    return markdown(`**${formatCidr(c)}** · ${usableCount(c).toLocaleString('en-US')} usable addresses${doc ? `\n\n${doc}` : ''}`, analysis, span);
  }
  const doc = describeAt(path);
  return doc ? markdown(`**${String(last)}**\n\n${doc}`, analysis, span) : null;
}

/** Why a defined network or container has no engine state: an error, or a rebuild still running. */
function notBuilt(analysis: Analysis): string {
  return analysis.building ? '_The engine is rebuilding after the last edit: its addresses follow when that is done._' : '_Not created: see the errors on its definition._';
}

function markdown(value: string, analysis: Analysis, span: Span | undefined): Hover {
  return { contents: { kind: MarkupKind.Markdown, value }, ...(span ? { range: analysis.lines.range(span) } : {}) };
}

function symbolHover(analysis: Analysis, o: Occurrence): string | undefined {
  switch (o.kind) {
    case 'network':
      return networkHover(analysis, o.name);
    case 'container':
      return containerHover(analysis, o.name);
    case 'service':
      return serviceHover(analysis, o.name);
    case 'host':
      return hostHover(analysis, o.name);
  }
}

function networkHover(analysis: Analysis, name: string): string {
  const spec = analysis.parsed.spec.networks.find((n) => n.name === name);
  const inspect = analysis.inspect();
  const live = inspect?.networks.find((n) => n.name === name && (!spec || n.host === spec.host || n.scope !== 'local'));
  const lines = [`**network \`${name}\`** · ${live?.driver ?? spec?.driver ?? 'bridge'}${spec ? ` on ${spec.host}` : ''}`];
  if (!live) {
    lines.push('', spec ? notBuilt(analysis) : '_Not defined in this file._');
    return lines.join('\n');
  }
  const rows: [string, string][] = [];
  const subnet = live.subnet ? parseCidr(live.subnet) : undefined;
  if (live.subnet) rows.push(['subnet', `${live.subnet}${live.ip_range ? ` (ip_range ${live.ip_range})` : ''}`]);
  if (live.gateway) rows.push(['gateway', live.gateway]);
  if (live.ipv6_subnet) rows.push(['IPv6', `${live.ipv6_subnet}${live.ipv6_gateway ? ` via ${live.ipv6_gateway}` : ''}`]);
  const members = membersOf(inspect!, live);
  if (subnet) {
    const used = usedAddresses(live, members, spec);
    rows.push(['addresses', `${used.toLocaleString('en-US')} used of ${usableCount(subnet).toLocaleString('en-US')} available`]);
  }
  if (live.bridge) rows.push(['device', `\`${live.bridge}\``]);
  const flags = [live.internal && 'internal', live.attachable && 'attachable', live.ingress && 'ingress', live.enable_ipv6 && 'IPv6'].filter(Boolean);
  if (flags.length > 0) rows.push(['flags', flags.join(', ')]);
  lines.push('', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`));
  lines.push('', members.length === 0 ? '_No containers._' : `**Members** (${members.length})`);
  if (members.length > 0) {
    lines.push('', '| container | address | MAC | interface |', '|---|---|---|---|');
    for (const { container, endpoint } of members.slice(0, 50)) {
      lines.push(`| ${container.name} | ${endpoint.ipv4_address ?? '—'} | ${endpoint.mac_address ?? '—'} | ${iface(endpoint)} |`);
    }
    if (members.length > 50) lines.push(`| … ${members.length - 50} more | | | |`);
  }
  return lines.join('\n');
}

function iface(ep: { interface: string | null; host_interface: string | null }): string {
  return `${ep.interface ?? '—'}${ep.host_interface ? ` ↔ ${ep.host_interface}` : ''}`;
}

function membersOf(inspect: InspectResult, net: InspectNetwork) {
  const out: { container: InspectContainer; endpoint: InspectContainer['endpoints'][number] }[] = [];
  for (const c of inspect.containers) {
    if (net.scope === 'local' && c.host !== net.host) continue;
    for (const ep of c.endpoints) if (ep.network === net.name) out.push({ container: c, endpoint: ep });
  }
  return out;
}

function usedAddresses(net: InspectNetwork, members: { endpoint: { ipv4_address: string | null } }[], spec: NetworkSpec | undefined): number {
  const used = new Set<string>();
  if (net.gateway) used.add(net.gateway);
  for (const m of members) if (m.endpoint.ipv4_address) used.add(m.endpoint.ipv4_address);
  for (const pool of spec?.ipamConfig ?? []) for (const a of Object.values(pool.auxAddresses ?? {})) used.add(a);
  return used.size;
}

function containerHover(analysis: Analysis, name: string): string {
  const spec = analysis.parsed.spec.containers.find((c) => c.name === name);
  const live = analysis.liveContainer(name, spec?.host);
  const lines = [`**container \`${name}\`**${spec?.image ? ` · ${spec.image}` : ''}${spec ? ` on ${spec.host}` : ''}${live ? (live.running ? ' · running' : ' · created') : ''}`];
  if (!live) {
    lines.push('', spec ? notBuilt(analysis) : '_Not defined in this file._');
    return lines.join('\n');
  }
  lines.push('', `network mode: \`${live.network_mode}\``);
  if (live.endpoints.length > 0) {
    lines.push('', '| network | address | MAC | interface |', '|---|---|---|---|');
    for (const ep of live.endpoints) {
      const gw = ep.network === live.default_gateway_network ? ' (default route)' : '';
      lines.push(`| ${ep.network}${gw} | ${ep.ipv4_address ? `${ep.ipv4_address}/${ep.ipv4_prefix}` : '—'}${ep.ipv6_address ? ` ${ep.ipv6_address}` : ''} | ${ep.mac_address ?? '—'} | ${iface(ep)} |`);
    }
  } else {
    lines.push('', '_No endpoints of its own._');
  }
  if (live.ports.length > 0) {
    lines.push('', `**Published:** ${live.ports.map((p) => `${p.host_ip.includes(':') ? `[${p.host_ip}]` : p.host_ip}:${p.host_port} → ${p.container_port}/${p.protocol}`).join(', ')}`);
  }
  for (const w of live.warnings) lines.push('', `⚠ ${w}`);
  return lines.join('\n');
}

function serviceHover(analysis: Analysis, name: string): string {
  const s = analysis.parsed.spec.services.find((x) => x.name === name);
  if (!s) return `**service \`${name}\`**`;
  return [
    `**service \`${name}\`**${s.image ? ` · ${s.image}` : ''}`,
    '',
    `${s.replicas} replica${s.replicas === 1 ? '' : 's'} · endpoint mode \`${s.endpointMode}\` (${s.endpointMode === 'vip' ? `"${name}" resolves to one virtual IP, balanced by IPVS; tasks.${name} to every task` : `"${name}" resolves to every task's address`})`,
    s.networks.length > 0 ? `\nnetworks: ${s.networks.join(', ')}` : '',
    s.ports.length > 0 ? `\nports (routing mesh on every swarm node): ${s.ports.join(', ')}` : '',
  ].join('\n');
}

function hostHover(analysis: Analysis, name: string): string {
  const h = analysis.parsed.spec.hosts.find((x) => x.name === name);
  if (!h) return `**host \`${name}\`**`;
  const inspect = analysis.inspect();
  const networks = inspect?.networks.filter((n) => n.host === name).length ?? 0;
  const containers = inspect?.containers.filter((c) => c.host === name).length ?? 0;
  const ifaces = Object.entries(h.interfaces).map(([k, v]) => `${k} ${v}`);
  return [
    `**host \`${name}\`**${h.swarm ? ` · swarm ${h.swarm}` : ''} · Docker ${h.daemon.version ?? '(newest modelled)'}`,
    '',
    ifaces.length > 0 ? `interfaces: ${ifaces.join(', ')}` : 'interfaces: none given',
    '',
    `${networks} networks (with bridge, host, none) · ${containers} containers`,
  ].join('\n');
}

/** Who owns an address in the built topology. */
function addressHover(analysis: Analysis, address: string): string {
  const a = parseAddress(address)!;
  const inspect = analysis.inspect();
  const spec = analysis.parsed.spec;
  const owners: string[] = [];
  for (const c of inspect?.containers ?? []) {
    for (const ep of c.endpoints) {
      if (ep.ipv4_address === address || ep.ipv6_address === address) owners.push(`container **${c.name}** on network ${ep.network} (${ep.interface ?? 'no interface'}, MAC ${ep.mac_address ?? '—'})`);
    }
  }
  for (const n of inspect?.networks ?? []) {
    if (n.gateway === address || n.ipv6_gateway === address) owners.push(`the gateway of network **${n.name}** on ${n.host}${n.bridge ? ` (bridge \`${n.bridge}\`)` : ''}`);
  }
  for (const n of spec.networks) {
    for (const pool of n.ipamConfig) {
      for (const [k, v] of Object.entries(pool.auxAddresses ?? {})) if (v === address) owners.push(`aux address \`${k}\` of network **${n.name}** (reserved, never given to a container)`);
    }
  }
  for (const h of spec.hosts) {
    for (const [ifname, cidr] of Object.entries(h.interfaces)) if (cidr.split('/')[0] === address) owners.push(`host **${h.name}**, interface ${ifname}`);
  }
  const lines = [`**${address}**`, ''];
  if (owners.length > 0) lines.push(owners.map((o) => `- ${o}`).join('\n'));
  else lines.push('Not used by anything in this topology.');
  const inside = (inspect?.networks ?? []).filter((n) => {
    const c = n.subnet ? parseCidr(n.subnet) : undefined;
    return c ? cidrContains(c, a) : false;
  });
  if (inside.length > 0) lines.push('', `In the subnet of ${inside.map((n) => `**${n.name}** (${n.subnet})`).join(', ')}.`);
  return lines.join('\n');
}

/** Where a `listen` entry can be reached: the container's addresses, or in container mode its owner's. */
function listenHover(analysis: Analysis, name: string, raw: string, service: boolean): string {
  const error = listenSpecError(raw);
  if (error) return `**listen \`${raw}\`**\n\n${error}`;
  const what = raw.includes('/') ? raw : `${raw}/tcp`;
  const lines = [`**listen \`${what}\`**`, '', 'A process listens here (not Docker\'s `--expose`, which is only metadata): a connection to it is accepted, one to a port nothing listens on is refused.'];
  if (service) return lines.join('\n');
  const spec = analysis.parsed.spec.containers.find((c) => c.name === name);
  const mode = spec?.networkMode;
  if (mode === 'host') {
    lines.push('', `With \`network_mode: host\` it listens on the host's own addresses (${spec!.host}).`);
  } else if (mode?.startsWith('container:')) {
    const owner = mode.slice('container:'.length);
    const live = analysis.inspect()?.containers.find((c) => c.name === owner && c.host === spec!.host);
    const addrs = (live?.endpoints ?? []).map((e) => e.ipv4_address).filter(Boolean);
    lines.push('', `\`${name}\` shares the network namespace of \`${owner}\`: reach it at ${owner}'s addresses${addrs.length ? ` (${addrs.join(', ')})` : ''}, e.g. \`to: "${owner}:${what.replace('/tcp', '')}"\`.`);
  }
  return lines.join('\n');
}

/** What a `-p` entry does, with the host port the engine actually allocated. */
function portHover(analysis: Analysis, owner: string, raw: string, service: boolean): string {
  let bindings;
  try {
    bindings = parsePortSpec(raw).bindings;
  } catch (err) {
    return `**port \`${raw}\`**\n\n${err instanceof Error ? err.message : String(err)}`;
  }
  const lines = [`**port mapping \`${raw}\`**`, ''];
  if (service) {
    for (const b of bindings) lines.push(`- port ${b.hostPortStart || '(from 30000–32767)'} on **every swarm node** (ingress routing mesh) → port ${b.containerPort}/${b.proto} of a task, balanced by IPVS`);
    return lines.join('\n');
  }
  const spec = analysis.parsed.spec.containers.find((c) => c.name === owner);
  const live = analysis.inspect()?.containers.find((c) => c.name === owner && (!spec || c.host === spec.host));
  const host = spec?.host ?? 'the host';
  if (spec?.networkMode === 'host') {
    lines.push('Discarded: with `network_mode: host` the container uses the host\'s ports directly.');
    return lines.join('\n');
  }
  for (const b of bindings) {
    const where = b.hostIp === '' || b.hostIp === '0.0.0.0' ? `every address of ${host} (0.0.0.0, and [::] through docker-proxy)` : b.hostIp === '127.0.0.1' ? `127.0.0.1 of ${host} only (the host itself; not other containers, not other machines)` : `${b.hostIp} of ${host}`;
    const actual = live?.ports.find((p) => p.container_port === b.containerPort && p.protocol === b.proto && (b.hostPortStart === 0 || (p.host_port >= b.hostPortStart && p.host_port <= b.hostPortEnd)));
    const hostPort =
      b.hostPortStart === 0
        ? `an ephemeral port (32768 and up)${actual ? `: **${actual.host_port}**` : ''}`
        : b.hostPortStart === b.hostPortEnd
          ? `port **${b.hostPortStart}**`
          : `the first free port of ${b.hostPortStart}–${b.hostPortEnd}${actual ? `: **${actual.host_port}**` : ''}`;
    lines.push(`- ${hostPort} on ${where} → container port **${b.containerPort}/${b.proto}**`);
  }
  if (live) {
    const ep = live.endpoints.find((e) => e.network === live.default_gateway_network);
    if (live.ports.length > 0 && ep) {
      lines.push('', `The nat DOCKER chain DNATs it to ${ep.ipv4_address}:${bindings[0]?.containerPort ?? ''} on network **${ep.network}** (the network that gives the default route); the filter DOCKER chain accepts it.`);
    } else if (live.ports.length === 0) {
      lines.push('', '_Not published in this topology (see the warnings on `ports`)._');
    }
  }
  return lines.join('\n');
}
