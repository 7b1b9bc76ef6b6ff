// cnm inspect FILE [--json] — the networks and containers the engine builds from the file.
import type { InspectContainer, InspectResult, InspectService } from '../../engine';
import { expectPositionals } from '../args';
import { EXIT_OK } from '../errors';
import { formatTable } from '../format';
import type { Command } from './command';
import type { LiveNodeRow } from '../io';
import { loadFile, noteErrors } from './load';

export const inspectCommand: Command = {
  name: 'inspect',
  usage: 'cnm inspect FILE [--json]',
  summary: 'show the networks, containers and swarm services (addresses, MACs, interfaces, ports, VIPs) the file builds',
  details:
    'With --json: {"networks": [...], "containers": [...], "services": [...]}, the shape the differential suite compares with dockerd\n' +
    '(services: each swarm service with its endpoint mode, virtual IPs and tasks on their nodes).\n' +
    'Without: tables (services only when there are some). When the file has errors, a note goes to stderr and the output shows what could be built.',
  options: { json: { type: 'boolean' } },
  run({ values, positionals }, io) {
    const [file] = expectPositionals('inspect', positionals, ['FILE']) as [string];
    const loaded = loadFile(io, file);
    const result: InspectResult & { nodes?: LiveNodeRow[] } = loaded.engine.inspect();
    // A live swarm node: services as the manager reports them (the engine did not place them), and the nodes.
    const swarm = io.liveSwarm?.(file, result);
    if (swarm) {
      result.services = swarm.services;
      result.nodes = swarm.nodes;
      if (!swarm.manager) io.err('cnm: note: this Docker host is a swarm worker: only a manager lists services, tasks and nodes\n');
    }
    io.out(values.json ? JSON.stringify(result, null, 2) + '\n' : inspectTables(result));
    noteErrors(io, file, loaded);
    return EXIT_OK;
  },
};

export function inspectTables(result: InspectResult & { nodes?: LiveNodeRow[] }): string {
  const networks = formatTable(
    ['NETWORK', 'HOST', 'DRIVER', 'SUBNET', 'GATEWAY', 'DEVICE', 'FLAGS'],
    result.networks.map((n) => [
      n.name,
      n.host,
      n.driver,
      n.subnet ?? (n.addresses_unknown ? 'unknown' : '-'),
      n.gateway ?? (n.addresses_unknown ? 'unknown' : '-'),
      n.bridge ?? '-',
      [n.internal && 'internal', n.attachable && 'attachable', n.ingress && 'ingress', n.enable_ipv6 && 'ipv6', n.addresses_unknown && 'external'].filter(Boolean).join(',') || '-',
    ]),
  );
  const rows: string[][] = [];
  for (const c of result.containers) rows.push(...containerRows(c));
  const containers = formatTable(['CONTAINER', 'HOST', 'NETWORK', 'IF', 'IPV4', 'MAC', 'PORTS'], rows);
  const services = result.services?.length ? `\n${serviceTable(result.services)}` : '';
  // A live swarm manager: its nodes first, as `docker node ls` lists them.
  const nodes = result.nodes?.length
    ? `${formatTable(['NODE', 'ROLE', 'ADDRESS', 'AVAILABILITY', 'STATE'], result.nodes.map((n) => [n.name, n.role + (n.leader ? ' (leader)' : ''), n.address ?? '-', n.availability, n.state]))}\n`
    : '';
  return `${nodes}${networks}\n${containers}${services}`;
}

function serviceTable(services: readonly InspectService[]): string {
  const rows: string[][] = [];
  for (const s of services) {
    const head = [s.name, s.endpoint_mode, s.vips.map((v) => `${v.network}:${v.ipv4_address}`).join(', ') || '-'];
    if (s.tasks.length === 0) rows.push([...head, '-', '-', '-']);
    s.tasks.forEach((t, i) => {
      const addrs = t.endpoints.map((e) => `${e.network}:${e.ipv4_address ?? '?'}`).join(', ') || '-';
      rows.push([...(i === 0 ? head : ['', '', '']), t.name, t.host, addrs]);
    });
  }
  return formatTable(['SERVICE', 'MODE', 'VIPS', 'TASK', 'NODE', 'ADDRESSES'], rows);
}

function containerRows(c: InspectContainer): string[][] {
  // A port the daemon picks in a run-dependent order is shown as the set it is one of.
  const ports = c.ports.map((p) => `${p.host_ip.includes(':') ? `[${p.host_ip}]` : p.host_ip}:${p.host_port_one_of ? `{${p.host_port_one_of.join('|')}}` : p.host_port}->${p.container_port}/${p.protocol}`).join(', ');
  const state = c.running ? '' : ' (stopped)';
  if (c.endpoints.length === 0) return [[c.name + state, c.host, c.network_mode, '-', '-', '-', ports || '-']];
  return c.endpoints.map((ep, i) => [
    i === 0 ? c.name + state : '',
    i === 0 ? c.host : '',
    ep.network,
    ep.interface ?? '-',
    ep.ipv4_address ? `${ep.ipv4_address}/${ep.ipv4_prefix ?? ''}` : ep.address_unknown ? 'unknown' : '-',
    ep.mac_address ?? (ep.address_unknown ? 'unknown' : '-'),
    i === 0 ? ports || '-' : '',
  ]);
}
