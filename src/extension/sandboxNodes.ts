// What a container sees of its network namespace, under its tree node: its interfaces (`ip addr`),
// routes (`ip route`), /etc/hosts and /etc/resolv.conf, as the engine's sandboxFiles gives them (the
// differential suite compares the same with dockerd's). No `vscode` here.
import { hostRoutes, sandboxFiles, type ContainerState, type HostState, type SandboxState } from '../engine';
import type { NodeIcon, TreeNode } from './treeNodes';

/** The "network namespace" node of a container that has a sandbox of its own (none for container: joiners). */
export function sandboxNode(parentId: string, contextOf: (file: string) => { contextValue: string; liveHost?: string }, host: HostState, c: ContainerState, sb: SandboxState): TreeNode {
  const files = sandboxFiles(sb);
  const node: TreeNode = {
    kind: 'sandbox', id: `${parentId}/sandbox`, label: 'network namespace',
    description: sb.hostNetwork ? `the host's (${host.name})` : `${sb.interfaces.length} interfaces · ${files.routes?.length ?? 0} routes`,
    tooltip: `What **${c.name}** sees of its network namespace (\`${sb.key}\`): \`ip addr\`, \`ip route\`, /etc/hosts and /etc/resolv.conf as dockerd sets them up.`,
    ...contextOf('cnm.sandbox'), icon: { id: 'symbol-namespace' }, children: [], expanded: false, host: host.name, container: c.name,
  };
  const group = (key: string, label: string, icon: NodeIcon, lines: string[], tooltip: string): void => {
    const g: TreeNode = {
      kind: 'sandboxFile', id: `${node.id}/${key}`, label, description: `${lines.length} ${lines.length === 1 ? 'line' : 'lines'}`, tooltip,
      ...contextOf('cnm.sandbox.file'), icon, children: [], expanded: false, parent: node, host: host.name, container: c.name,
    };
    g.children = lines.map((line, i) => ({
      kind: 'sandboxLine', id: `${g.id}/${i}`, label: line, tooltip: `\`${line}\``, ...contextOf('cnm.sandbox.line'),
      icon: { id: 'dash' }, children: [], parent: g, host: host.name, container: c.name,
    }));
    node.children.push(g);
  };
  const interfaces = sb.hostNetwork
    ? [`the host's interfaces (network_mode: host): ${host.name}`]
    : sb.interfaces.map((i) => [i.name, i.ipv4 ? `${i.ipv4.address}/${i.ipv4.prefixLength}` : '', i.ipv6 ? `${i.ipv6.address}/${i.ipv6.prefixLength}` : '', i.mac ? `link/ether ${i.mac}` : '', `mtu ${i.mtu}`, i.hostPeer ? `↔ ${i.hostPeer} on the host` : ''].filter(Boolean).join('  '));
  group('interfaces', 'interfaces', { id: 'plug' }, interfaces, '`ip addr` in the container: each interface, its addresses, MAC and MTU (and the host-side veth peer)');
  const routes = files.routes ?? hostRoutes(host).map((r) => `${r.destination}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}`);
  group('routes', 'routes', { id: 'milestone' }, routes, sb.hostNetwork ? "`ip route`: the host's own table (network_mode: host)" : '`ip route` and `ip -6 route` in the container (main table)');
  group('hosts', '/etc/hosts', { id: 'file' }, files.hosts_file, '/etc/hosts as dockerd writes it');
  group('resolv', '/etc/resolv.conf', { id: 'file' }, files.resolv_conf, sb.resolvConf === 'embedded' ? "/etc/resolv.conf: Docker's embedded DNS server (127.0.0.11) answers" : "/etc/resolv.conf: the daemon's --dns servers, else the host's (the engine names them, it cannot know them)");
  return node;
}
