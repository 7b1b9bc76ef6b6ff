// The `cnm.explorer` tree's nodes for one loaded source, built from the engine's state as plain data:
// source → problems, hosts → networks → endpoints, and containers → their networks, published ports
// and shared namespaces. A live Docker host gets the same structure under one node of its own. No
// `vscode` here: explorerTree.ts turns a node into a TreeItem (thin, with a contextValue for menus),
// and unit tests can read the structure directly.
import { findDescriptor, formatAddr, formatNet, type SwarmState, type ContainerState, type DriverDescriptor, type EndpointState, type HostState, type NetworkState, type SandboxState } from '../engine';
import type { TopologyDiagnostic } from '../topology';
import type { YamlPath } from '../topology';
import { diagramServices, portBindingLabel } from './diagramSnapshot';
import type { DiagramService } from '../protocol/diagram';
import { ids } from './elementIds';
import { liveSwarm, type LiveState, type LiveSwarm } from '../live';
import { swarmTreeNode, type NodeContainer, type SwarmNodeContents } from './swarmTree';
import { LIVE_CONTEXT, type LiveConnectionStatus } from './live/liveHostsApi';
import { sandboxNode } from './sandboxNodes';

export type NodeKind = 'source' | 'problems' | 'problem' | 'host' | 'networks' | 'containers' | 'network' | 'endpoint'
  | 'container' | 'port' | 'namespace' | 'listening' | 'project' | 'services' | 'service' | 'sandbox' | 'sandboxFile' | 'sandboxLine';

/** A codicon name and a theme colour id (or none). */
export interface NodeIcon {
  id: string;
  color?: string;
}

export interface TreeNode {
  kind: NodeKind;
  /** Unique in the whole tree (prefixed with the source's URI). */
  id: string;
  /** The diagram element this node shows, when there is one: selection is synced through it. */
  elementId?: string;
  label: string;
  description?: string;
  /** Markdown. */
  tooltip?: string;
  contextValue: string;
  icon: NodeIcon;
  children: TreeNode[];
  /** Expanded when first shown. */
  expanded?: boolean;
  parent?: TreeNode;
  /** Where the node is written in the file (reveal in file). */
  path?: YamlPath;
  /** For problems: the diagnostic to show. */
  diagnostic?: TopologyDiagnostic;
  /** The file (a URI string) the node's diagnostic or path is in, when it is not the source's own (a Compose override, an included file). */
  file?: string;
  /** Names the commands need, so a node is enough as a command argument. */
  host?: string;
  /** The live Docker host's key (LiveHostEntry.key) for a node of a live host's tree. */
  liveHost?: string;
  network?: string;
  container?: string;
}

/** What the tree needs from a loaded source (a TopologySource satisfies it). */
export interface SourceView {
  key: string;
  fileName: string;
  /** The folder relative to the workspace, when the file is not at its root. */
  folder?: string;
  loaded: {
    spec: { name?: string; hosts: { name: string; path: YamlPath }[]; networks: { name: string; host: string; path: YamlPath }[]; containers: { name: string; host: string; path: YamlPath; networks: { network: string; path: YamlPath }[] }[] };
    engine: { state: { hosts: Map<string, HostState>; drivers?: DescriptorSource; swarm?: SwarmState } };
    diagnostics: TopologyDiagnostic[];
  };
}

/**
 * Where the nodes being built belong: their id prefix, where a container is written (files) and, for a
 * live host, its key (contextValues then come from LIVE_CONTEXT and every node carries `liveHost`).
 */
export interface Scope {
  key: string;
  liveHost?: string;
  /** The engine's drivers (icons of a plug-in it has); the shipped drivers when absent. */
  drivers?: DescriptorSource;
  pathOf(host: string, container: string, network?: string): YamlPath | undefined;
}

export function fileScope(src: SourceView): Scope {
  const drivers = src.loaded.engine.state.drivers;
  return { key: src.key, ...(drivers ? { drivers } : {}), pathOf: (host, container, network) => containerPath(src, host, container, network) };
}

/** The node's contextValue: a file's, or the live host's counterpart. */
function cv(scope: Scope, file: string, live: string): { contextValue: string; liveHost?: string } {
  return scope.liveHost !== undefined ? { contextValue: live, liveHost: scope.liveHost } : { contextValue: file };
}

export const COLOR = {
  error: 'errorForeground',
  warning: 'list.warningForeground',
  running: 'charts.green',
  stopped: 'disabledForeground',
  bridge: 'charts.blue',
  host: 'charts.orange',
  internal: 'charts.red',
  port: 'charts.orange',
};

/** Where driver descriptors come from: an engine's registry (EngineState.drivers). */
export interface DescriptorSource {
  descriptor(name: string): DriverDescriptor | undefined;
}

/** A network's icon, from its driver's descriptor (a driver nobody describes: a generic plug-in icon). */
export function driverIcon(driver: string, internal = false, drivers?: DescriptorSource): NodeIcon {
  const d = drivers?.descriptor(driver) ?? findDescriptor(driver);
  const id = d?.icon.id ?? 'extensions';
  const color = internal ? COLOR.internal : d?.icon.color ?? 'charts.purple';
  return { id: internal ? 'lock' : id, color };
}

export function buildSourceTree(src: SourceView): TreeNode {
  const { spec, engine, diagnostics } = src.loaded;
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const containerCount = spec.containers.length;
  const counts = [errors && plural(errors, 'error'), warnings && plural(warnings, 'warning')].filter(Boolean).join(', ');
  const root: TreeNode = {
    kind: 'source',
    id: src.key,
    label: src.fileName,
    description: [counts || undefined, spec.name, plural(containerCount, 'container'), src.folder].filter(Boolean).join(' · '),
    tooltip: `**${src.fileName}**${spec.name ? ` — ${spec.name}` : ''}\n\n${plural(spec.hosts.length, 'host')}, ${plural(spec.networks.length, 'network')} declared, ${plural(containerCount, 'container')}`
      + (counts ? `\n\n${counts}: ${diagnostics.filter((d) => d.severity !== 'information').slice(0, 5).map((d) => `\n- line ${d.range.start.line + 1}: ${d.message}`).join('')}` : ''),
    contextValue: errors ? 'cnm.source.problems' : 'cnm.source',
    icon: errors ? { id: 'error', color: COLOR.error } : warnings ? { id: 'warning', color: COLOR.warning } : { id: 'file-code' },
    children: [],
    expanded: false,
  };
  const add = (parent: TreeNode, child: TreeNode) => {
    child.parent = parent;
    parent.children.push(child);
    return child;
  };

  addProblems(root, src.key, diagnostics);

  const scope = fileScope(src);
  for (const hostSpec of spec.hosts) {
    const host = engine.state.hosts.get(hostSpec.name);
    const hostNode = add(root, hostNodeOf(src, hostSpec.name, host, hostSpec.path));
    if (!host) continue;
    const { netGroup, ctrGroup } = addHostContent(scope, hostNode, host, (n) => spec.networks.find((s) => s.name === n && s.host === host.name)?.path);
    // Declared but not created (the engine refused it): shown, with the reason, rather than silently missing.
    for (const s of spec.networks.filter((s) => s.host === host.name && ![...host.networks.values()].some((n) => n.name === s.name))) {
      add(netGroup, failedNode(src, 'network', host.name, s.name, s.path, diagnostics));
    }
    for (const s of spec.containers.filter((s) => s.host === host.name && ![...host.containers.values()].some((c) => c.name === s.name))) {
      add(ctrGroup, failedNode(src, 'container', host.name, s.name, s.path, diagnostics));
    }
  }
  const swarm = engine.state.swarm;
  if (swarm && swarm.services.size > 0) {
    const services = diagramServices({ hosts: engine.state.hosts, swarm });
    const paths = new Map((spec as { services?: { name: string; path: YamlPath }[] }).services?.map((s) => [s.name, s.path]) ?? []);
    add(root, servicesNode(src.key, services, (name) => paths.get(name)));
  }
  return root;
}

/**
 * A swarm's services (they span the nodes, so they sit beside the hosts): each service with its mode,
 * endpoint mode, a VIP per network, the ports published on the routing mesh and its tasks on their nodes.
 */
export function servicesNode(key: string, services: readonly DiagramService[], pathOf: (name: string) => YamlPath | undefined = () => undefined): TreeNode {
  const group: TreeNode = {
    kind: 'services', id: `${key}#swarm-services`, label: 'Services', description: `swarm · ${services.length}`,
    tooltip: 'Swarm services: the managers keep them; their tasks run on the nodes.',
    contextValue: 'cnm.swarm.services', icon: { id: 'server-process' }, children: [], expanded: true,
  };
  const child = (parent: TreeNode, node: Omit<TreeNode, 'children' | 'parent'> & { children?: TreeNode[] }) => {
    const n: TreeNode = { children: [], ...node, parent };
    parent.children.push(n);
    return n;
  };
  for (const svc of services) {
    const path = pathOf(svc.name);
    const vips = svc.endpointMode === 'vip' ? svc.vips : [];
    const svcNode = child(group, {
      kind: 'service', id: `${key}#${svc.id}`, elementId: svc.id, label: svc.name,
      description: [`${svc.mode} ${svc.tasks.length}/${svc.replicas}`, `endpoint_mode ${svc.endpointMode}`, ...vips.filter((v) => !v.ingress).map((v) => `VIP ${v.address}`)].join(' · '),
      tooltip: [`**${svc.name}** — swarm service (${svc.mode}, ${svc.replicas} replica${svc.replicas === 1 ? '' : 's'}), image \`${svc.image}\``,
        svc.endpointMode === 'vip' ? 'endpoint_mode vip: the name resolves to one virtual IP per network; IPVS (round robin) spreads the connections over the tasks.'
          : 'endpoint_mode dnsrr: the name resolves to every task\'s address (DNS round robin), no virtual IP.',
        ...svc.ports.map((p) => `published ${p.published}→${p.target}/${p.proto} on the routing mesh: open on every node`)].join('\n\n'),
      contextValue: 'cnm.swarm.service', icon: { id: 'server-process', color: COLOR.running }, expanded: true,
      ...(path ? { path } : {}),
    });
    for (const v of vips) {
      child(svcNode, {
        kind: 'endpoint', id: `${svcNode.id}/vip/${encodeURIComponent(v.network)}`, elementId: svc.id, label: `VIP ${v.address}`,
        description: v.ingress ? `${v.network} (ingress: the routing mesh)` : v.network,
        tooltip: `The virtual IP of ${svc.name} on ${v.network}: ${v.ingress ? 'the ingress-sbox\'s IPVS sends connections to published ports to the tasks from here' : `\`${svc.name}\` resolves to it there, and IPVS in the client's namespace picks a task`}.`,
        contextValue: 'cnm.swarm.vip', icon: { id: 'symbol-constant', color: COLOR.bridge },
      });
    }
    for (const p of svc.ports) {
      child(svcNode, {
        kind: 'port', id: `${key}#${p.id}`, elementId: p.id, label: `${p.published} → ${p.target}/${p.proto}`,
        description: `routing mesh · every node${p.auto ? ' · auto-assigned' : ''}`,
        tooltip: `Published on the routing mesh: ${p.published}/${p.proto} is open on every node (nat DOCKER-INGRESS → ingress-sbox → IPVS → a task's port ${p.target}).`,
        contextValue: 'cnm.swarm.meshPort', icon: { id: 'plug', color: COLOR.port },
      });
    }
    const tasks = child(svcNode, {
      kind: 'containers', id: `${svcNode.id}/tasks`, label: 'Tasks', description: String(svc.tasks.length),
      contextValue: 'cnm.swarm.tasks', icon: { id: 'layers' }, expanded: true,
    });
    for (const t of svc.tasks) {
      child(tasks, {
        kind: 'container', id: `${svcNode.id}/task/${encodeURIComponent(t.name)}`, elementId: t.sandboxId, label: t.name.split('.').slice(0, 2).join('.'),
        description: [`on ${t.host}`, ...t.addresses.map((a) => `${a.address} (${a.network})`)].join(' · '),
        tooltip: `Task **${t.name}** (slot ${t.slot}) runs on ${t.host}: ${t.addresses.map((a) => `${a.address} on ${a.network}`).join(', ') || 'no address'}.`,
        contextValue: 'cnm.swarm.task', icon: { id: 'vm-running', color: COLOR.running }, host: t.host, container: t.name,
      });
    }
  }
  return group;
}

/**
 * The Problems group of a source (nothing when there are none). `where` says where a diagnostic is
 * (default `line N`) and, for one in another file than the source's, which file (a URI string).
 */
export function addProblems(root: TreeNode, key: string, diagnostics: TopologyDiagnostic[], where: (d: TopologyDiagnostic) => { text: string; file?: string } = (d) => ({ text: `line ${d.range.start.line + 1}` })): void {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const counts = [errors && plural(errors, 'error'), warnings && plural(warnings, 'warning')].filter(Boolean).join(', ');
  const shown = diagnostics.filter((d) => d.severity !== 'information' || d.code !== 'not-simulated');
  if (!shown.length) return;
  const problems: TreeNode = {
    kind: 'problems', id: `${key}#problems`, label: 'Problems', description: counts || plural(shown.length, 'note'),
    contextValue: 'cnm.problems', icon: errors ? { id: 'error', color: COLOR.error } : warnings ? { id: 'warning', color: COLOR.warning } : { id: 'info' }, children: [], expanded: errors > 0, parent: root,
  };
  root.children.push(problems);
  shown.forEach((d, i) => {
    const at = where(d);
    problems.children.push({
      kind: 'problem', id: `${key}#problem/${i}`, label: d.message, description: at.text,
      tooltip: `${d.message}\n\n${at.text}, column ${d.range.start.character + 1}`,
      contextValue: 'cnm.problem', diagnostic: d, children: [], parent: problems, ...(at.file ? { file: at.file } : {}),
      icon: d.severity === 'error' ? { id: 'error', color: COLOR.error } : d.severity === 'warning' ? { id: 'warning', color: COLOR.warning } : { id: 'info' },
    });
  });
}

/** A live container's Compose labels (`com.docker.compose.project`, `.service`, `.container-number`). */
export interface ComposeLabels {
  project: string;
  service: string;
  number: number;
}

/** The Compose labels of containers, by name (those without a project label are left out). */
export function composeLabelsOf(containers: readonly { name: string; labels: Record<string, string> }[]): Map<string, ComposeLabels> {
  const out = new Map<string, ComposeLabels>();
  for (const c of containers) {
    const project = c.labels['com.docker.compose.project'];
    if (!project) continue;
    const number = Number.parseInt(c.labels['com.docker.compose.container-number'] ?? '', 10);
    out.set(c.name, { project, service: c.labels['com.docker.compose.service'] ?? '', number: Number.isInteger(number) ? number : 0 });
  }
  return out;
}

/**
 * A host's Networks (→ endpoints) and Containers (→ networks, ports, namespaces) groups, added under
 * `hostNode`. Containers a Compose project made (`compose` has their labels) are grouped under it:
 * Containers → project → service → containers.
 */
function addHostContent(scope: Scope, hostNode: TreeNode, host: HostState, networkPath: (name: string) => YamlPath | undefined, compose = new Map<string, ComposeLabels>()): { netGroup: TreeNode; ctrGroup: TreeNode } {
  const add = (parent: TreeNode, child: TreeNode) => {
    child.parent = parent;
    parent.children.push(child);
    return child;
  };
  const networks = [...host.networks.values()].sort((a, b) => a.seq - b.seq);
  const containers = [...host.containers.values()].sort((a, b) => a.seq - b.seq);
  const netGroup = add(hostNode, {
    kind: 'networks', id: `${scope.key}#${ids.host(host.name)}/networks`, label: 'Networks', description: String(networks.length),
    ...cv(scope, 'cnm.networks', LIVE_CONTEXT.networks), icon: { id: 'type-hierarchy' }, children: [], expanded: true, host: host.name,
  });
  for (const n of networks) {
    const netNode = add(netGroup, networkNode(scope, host, n, networkPath(n.name)));
    for (const ep of n.endpoints.values()) add(netNode, endpointNode(scope, host, n, ep, 'network', scope.pathOf(host.name, ep.name, n.name)));
  }
  const ctrGroup = add(hostNode, {
    kind: 'containers', id: `${scope.key}#${ids.host(host.name)}/containers`, label: 'Containers', description: String(containers.length),
    ...cv(scope, 'cnm.containers', LIVE_CONTEXT.containers), icon: { id: 'layers' }, children: [], expanded: true, host: host.name,
  });
  const groups = new Map<string, TreeNode>();
  const groupOf = (id: string, make: () => TreeNode, parent: TreeNode) => {
    let g = groups.get(id);
    if (!g) {
      g = add(parent, make());
      groups.set(id, g);
    }
    return g;
  };
  for (const c of containers) {
    const labels = compose.get(c.name);
    if (!labels) {
      add(ctrGroup, containerNode(scope, host, c));
      continue;
    }
    const pid = `${ctrGroup.id}/project/${encodeURIComponent(labels.project)}`;
    const projectNode = groupOf(pid, () => ({
      kind: 'project', id: pid, label: labels.project, description: 'Compose project',
      tooltip: `**${labels.project}** — the containers labelled \`com.docker.compose.project=${labels.project}\``,
      ...cv(scope, 'cnm.compose.project', LIVE_CONTEXT.composeProject), icon: { id: 'symbol-namespace' }, children: [], expanded: true, host: host.name,
    }), ctrGroup);
    const sid = `${pid}/service/${encodeURIComponent(labels.service)}`;
    const serviceNode = groupOf(sid, () => ({
      kind: 'service', id: sid, label: labels.service || '(no service label)', description: '',
      tooltip: `**${labels.service}** — Compose service of ${labels.project}`,
      ...cv(scope, 'cnm.compose.service', LIVE_CONTEXT.composeService), icon: { id: 'package' }, children: [], expanded: true, host: host.name,
    }), projectNode);
    add(serviceNode, containerNode(scope, host, c));
  }
  // Replica 1 first under each service; counts in the descriptions; a service stands for its first replica.
  for (const g of groups.values()) {
    if (g.kind === 'service') {
      g.children.sort((a, b) => (compose.get(a.container ?? '')?.number ?? 0) - (compose.get(b.container ?? '')?.number ?? 0));
      const first = g.children[0]?.container;
      if (first !== undefined) Object.assign(g, { container: first, elementId: ids.container(host.name, first) });
      g.description = plural(g.children.length, 'container');
    } else g.description = `Compose project · ${plural(g.children.length, 'service')}`;
  }
  return { netGroup, ctrGroup };
}

/** What the tree shows of a live Docker host (a LiveHostEntry and its latest engine state). */
export interface LiveHostView {
  /** The host's key (LiveHostEntry.key). */
  liveKey: string;
  /** The root node's id: the host's `cnm-live:` URI, so the ids of its nodes lead back to it. */
  id: string;
  label: string;
  /** The endpoint's URL (the label may be a context's name). */
  endpoint: string;
  status: LiveConnectionStatus;
  /** The engine's state replayed from the latest snapshot, and the host's name in it. */
  model?: { state: { hosts: Map<string, HostState>; drivers?: DescriptorSource }; host: string; warnings: string[] };
  /** The Compose labels of the host's containers, by name (the tree groups them under their project). */
  compose?: Map<string, ComposeLabels>;
  daemon?: { version: string; os: string; kernelVersion: string };
  takenAt?: string;
  /** The daemon's swarm, when it is in one (swarmTree.ts). */
  swarm?: LiveSwarm | null;
  /** The swarm's nodes read too (cnm.live.swarmNodes): what each runs. */
  swarmContents?: SwarmNodeContents;
}

/** The view of a live host entry (its latest state, if any). */
export function liveHostViewOf(entry: { key: string; label: string; endpoint: string; status: LiveConnectionStatus; state: LiveState | undefined }, id: string): LiveHostView {
  const st = entry.state;
  return {
    liveKey: entry.key, id, label: entry.label, endpoint: entry.endpoint, status: entry.status,
    ...(st ? { model: { state: st.model.engine.state, host: st.model.host, warnings: st.model.warnings }, daemon: st.snapshot.daemon, takenAt: st.snapshot.takenAt, compose: composeLabelsOf(st.snapshot.containers), swarm: liveSwarm(st.snapshot) } : {}),
    ...(st?.swarm ? { swarmContents: swarmContentsOf(st.swarm.model.engine.state.hosts, st.swarm.model.unread, new Set(liveSwarm(st.snapshot)?.tasks.map((t) => t.name) ?? [])) } : {}),
  };
}

/** Each node's containers as the swarm's engine has them (replayed from its daemon, or its tasks from the manager). */
export function swarmContentsOf(hosts: ReadonlyMap<string, HostState>, unread: ReadonlyMap<string, string>, tasks: ReadonlySet<string>): SwarmNodeContents {
  return {
    unread,
    containers: (hostname) => {
      const h = hosts.get(hostname);
      if (!h) return [];
      const eps = new Map<string, { network: string; ipv4: string | null }[]>();
      for (const n of h.networks.values()) {
        for (const ep of n.endpoints.values()) {
          const list = eps.get(ep.name) ?? [];
          list.push({ network: n.name, ipv4: ep.ipv4?.address ?? null });
          eps.set(ep.name, list);
        }
      }
      return [...h.containers.values()]
        .map((c): NodeContainer => ({ name: c.name, task: tasks.has(c.name), running: c.status === 'running', endpoints: (eps.get(c.name) ?? []).sort((a, b) => a.network.localeCompare(b.network)) }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },
  };
}

/**
 * One live host: the host node (status or Docker version) with the same Networks / Containers groups
 * a file's host has; a host that cannot be read shows one child that says why.
 */
export function buildLiveHostTree(view: LiveHostView): TreeNode {
  const scope: Scope = { key: view.id, liveHost: view.liveKey, ...(view.model?.state.drivers ? { drivers: view.model.state.drivers } : {}), pathOf: () => undefined };
  const { status } = view;
  const host = view.model?.state.hosts.get(view.model.host);
  const where = view.label === view.endpoint ? '' : view.endpoint;
  const description = status.kind === 'connected' ? [`Docker ${status.version ?? view.daemon?.version ?? ''}`.trim(), where].filter(Boolean).join(' · ')
    : status.kind === 'connecting' ? ['connecting…', where].filter(Boolean).join(' · ') : 'unreachable';
  const root: TreeNode = {
    kind: 'host', id: view.id, label: view.label, description,
    ...(host ? { elementId: ids.host(host.name), host: host.name } : {}),
    tooltip: [
      `**${view.label}** — live Docker host`, `endpoint \`${view.endpoint}\``,
      status.kind === 'connected' && view.daemon ? `Docker ${view.daemon.version} on ${view.daemon.os}, kernel ${view.daemon.kernelVersion}` : '',
      status.kind === 'unreachable' ? `unreachable: ${status.message}` : '',
      host ? `${plural(host.networks.size, 'network')}, ${plural(host.containers.size, 'container')}` : '',
      view.takenAt && status.kind === 'connected' ? `read at ${view.takenAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}; follows Docker's events` : '',
      ...(view.model?.warnings ?? []).map((w) => `⚠ not modelled: ${w}`),
    ].filter(Boolean).join('\n\n'),
    contextValue: LIVE_CONTEXT.host, liveHost: view.liveKey,
    icon: status.kind === 'connected' ? { id: 'server-environment', color: COLOR.running } : status.kind === 'connecting' ? { id: 'sync~spin' } : { id: 'debug-disconnect', color: COLOR.error },
    children: [], expanded: true,
  };
  const message = (label: string, tooltip: string, icon: NodeIcon): TreeNode => {
    root.children.push({ kind: 'problem', id: `${view.id}#status`, label, tooltip, contextValue: LIVE_CONTEXT.message, liveHost: view.liveKey, icon, children: [], parent: root });
    return root;
  };
  if (status.kind === 'unreachable') {
    const retry = Number.isFinite(status.retryAt) ? 'CNM Explorer keeps trying, with growing pauses; Refresh tries at once.' : 'Fix the endpoint (the setting cnm.docker.hosts, DOCKER_HOST or the docker context).';
    // What was read before is not shown: it may no longer be what the host has.
    const stale = view.takenAt ? `\n\nLast read at ${view.takenAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}; not shown, as it may no longer be current.` : '';
    return message(status.message, `**${view.label}** cannot be reached at \`${view.endpoint}\`:\n\n${status.message}\n\n${retry}${stale}`, { id: 'error', color: COLOR.error });
  }
  if (!host) return message(status.kind === 'connecting' ? 'connecting…' : 'no snapshot yet', `Reading ${view.endpoint}…`, { id: 'sync~spin' });
  addHostContent(scope, root, host, () => undefined, view.compose);
  const swarm = swarmTreeNode(view.id, view.liveKey, view.swarm ?? null, root, view.swarmContents);
  if (swarm) root.children.push(swarm);
  return root;
}

function hostNodeOf(src: SourceView, name: string, host: HostState | undefined, path: YamlPath): TreeNode {
  const underlay = host?.underlay.filter((i) => i.kind === 'physical' && i.ipv4.length) ?? [];
  return {
    kind: 'host', id: `${src.key}#${ids.host(name)}`, elementId: ids.host(name), label: name,
    description: host ? [`Docker ${host.daemon.version.text}`, ...underlay.map((i) => `${i.name} ${i.ipv4[0]!.address}`), host.swarm ? `swarm ${host.swarm}` : ''].filter(Boolean).join(' · ') : 'did not start',
    tooltip: host ? [`**${name}**`, `Docker ${host.daemon.version.text}`, ...underlay.map((i) => `${i.name}: ${i.ipv4.map((a) => `${a.address}/${a.prefixLength}`).join(', ')}`),
      `icc ${host.daemon.icc ? 'on' : 'off'}, userland-proxy ${host.daemon.userlandProxy ? 'on' : 'off'}, ip-masq ${host.daemon.ipMasq ? 'on' : 'off'}`].join('\n\n') : `**${name}** did not start: see Problems`,
    contextValue: 'cnm.host', icon: host ? { id: 'server-environment' } : { id: 'error', color: COLOR.error }, children: [], expanded: true,
    path, host: name,
  };
}

export function networkNode(src: Scope, host: HostState, n: NetworkState, path: YamlPath | undefined): TreeNode {
  const v4 = n.ipv4[0];
  const subnet = v4 ? formatNet(v4.subnet) : undefined;
  const flags = [n.internal && 'internal', n.attachable && 'attachable', n.enableIpv6 && 'IPv6', n.predefined && 'predefined'].filter(Boolean);
  const used: string[] = [];
  for (const pool of n.ipv4) {
    if (pool.gateway) used.push(`${formatAddr(pool.gateway)} (gateway)`);
    for (const [k, a] of Object.entries(pool.auxAddresses)) used.push(`${formatAddr(a)} (aux ${k})`);
  }
  for (const ep of n.endpoints.values()) if (ep.ipv4) used.push(`${ep.ipv4.address} (${ep.name})`);
  const size = v4 ? 2 ** (32 - v4.subnet.prefix) - 2 : 0;
  const options = Object.entries(n.options);
  const lines = [
    `**${n.name}** — driver \`${n.driver}\`${flags.length ? ` (${flags.join(', ')})` : ''}`,
    ...n.ipv4.map((p) => `subnet ${formatNet(p.subnet)}${p.gateway ? `, gateway ${formatAddr(p.gateway)}` : ''}${p.ipRange ? `, ip_range ${formatNet(p.ipRange)}` : ''}`),
    n.addressesUnknown ? 'external: it exists outside what is described, so its subnet, gateway and the addresses on it are unknown here; traces over it say unknown' : '',
    ...n.ipv6.map((p) => `IPv6 subnet ${formatNet(p.subnet)}${p.gateway ? `, gateway ${formatAddr(p.gateway)}` : ''}`),
    n.bridge ? `Linux bridge \`${n.bridge.name}\`` : '',
    options.length ? `options:\n${options.map(([k, v]) => `- \`${k}\` = \`${v}\``).join('\n')}` : '',
    v4 ? `addresses used: ${used.length}${size > 0 ? ` of ${size}` : ''}${used.length ? `\n${used.slice(0, 20).map((u) => `- ${u}`).join('\n')}${used.length > 20 ? `\n- … ${used.length - 20} more` : ''}` : ''}` : '',
    `id \`${n.id.slice(0, 12)}\``,
  ].filter(Boolean);
  return {
    kind: 'network', id: `${src.key}#${ids.network(host.name, n.name)}`, elementId: ids.network(host.name, n.name), label: n.name,
    description: [n.driver, subnet ?? (n.addressesUnknown ? 'external · subnet unknown' : undefined), n.internal ? 'internal' : '', `${n.endpoints.size} ${n.endpoints.size === 1 ? 'endpoint' : 'endpoints'}`].filter(Boolean).join(' · '),
    tooltip: lines.join('\n\n'),
    ...cv(src, n.predefined ? 'cnm.network.predefined' : 'cnm.network', n.predefined ? LIVE_CONTEXT.builtinNetwork : LIVE_CONTEXT.network),
    icon: n.predefined && n.endpoints.size === 0 ? { id: driverIcon(n.driver, false, src.drivers).id, color: COLOR.stopped } : driverIcon(n.driver, n.internal, src.drivers),
    children: [], expanded: false, ...(path ? { path } : {}), host: host.name, network: n.name,
  };
}

export function endpointNode(src: Scope, host: HostState, n: NetworkState, ep: EndpointState, under: 'network' | 'container', path: YamlPath | undefined): TreeNode {
  const elementId = ids.endpoint(host.name, n.name, ep.name);
  const hostNs = n.driver === 'host';
  const noIface = !ep.ifname;
  const detail = [
    ep.ipv4 ? `IPv4 ${ep.ipv4.address}/${ep.ipv4.prefixLength}` : ep.addressUnknown ? `IPv4 and MAC unknown: ${n.name} is external, its subnet unknown` : '',
    ep.ipv6 ? `IPv6 ${ep.ipv6.address}/${ep.ipv6.prefixLength}` : '',
    ep.mac ? `MAC ${ep.mac}` : '',
    ep.ifname ? `interface ${ep.ifname}${ep.hostIfname ? ` ↔ ${ep.hostIfname} on the host` : ''}` : '',
    ep.aliases.length ? `aliases ${ep.aliases.join(', ')}` : '',
    ep.dnsNames.length ? `DNS names ${ep.dnsNames.join(', ')}` : (n.driver === 'bridge' && !ep.dnsNames.length ? 'no DNS name (the default bridge has no embedded DNS)' : ''),
    ep.portBindings.length ? `publishes ${ep.portBindings.map((b) => portBindingLabel(b.hostIp, b.hostPort, b.containerPort, b.proto)).join(', ')}` : '',
  ].filter(Boolean);
  const what = hostNs ? "the host's network namespace" : noIface ? 'loopback only' : [ep.ipv4?.address ?? (ep.addressUnknown ? 'address unknown' : undefined), ep.ifname].filter(Boolean).join(' · ');
  const aliases = userAliases(ep);
  return {
    kind: 'endpoint',
    id: `${src.key}#${elementId}${under === 'container' ? '@c' : ''}`,
    elementId,
    label: under === 'network' ? ep.name : n.name,
    description: [what, aliases.length && !hostNs ? `aka ${aliases.join(', ')}` : ''].filter(Boolean).join(' · '),
    tooltip: [`**${ep.name}** on **${n.name}**`, ...detail].join('\n\n'),
    ...cv(src, hostNs || noIface ? 'cnm.endpoint.fixed' : 'cnm.endpoint', LIVE_CONTEXT.endpoint),
    icon: hostNs ? { id: 'server', color: COLOR.host } : noIface ? { id: 'circle-slash', color: COLOR.stopped } : { id: 'plug', color: driverIcon(n.driver, false, src.drivers).color },
    children: [], ...(path ? { path } : {}), host: host.name, network: n.name, container: ep.name,
  };
}

export function containerNode(src: Scope, host: HostState, c: ContainerState): TreeNode {
  const elementId = ids.container(host.name, c.name);
  const sb = c.sandboxId ? host.sandboxes.get(c.sandboxId) : undefined;
  const joined = c.joinedContainerId ? host.containers.get(c.joinedContainerId) : undefined;
  const byHand = sb && !joined ? handAddedEndpoints(host, sb) : [];
  const mode = c.modeKind === 'host' ? 'host network' : c.modeKind === 'none' ? (byHand.length ? 'no Docker network, interfaces added by hand' : 'no network') : joined ? `in ${joined.name}'s namespace` : c.modeKind === 'container' ? `in ${c.modeTarget}'s namespace` : '';
  const addresses = sb && !sb.hostNetwork && c.modeKind !== 'container' ? [...sb.endpoints, ...byHand.map((h) => h.ep)].map((e) => e.ipv4?.address ?? (e.addressUnknown ? `unknown on ${e.networkName}` : undefined)).filter(Boolean) : [];
  const icon: NodeIcon = c.status !== 'running' ? { id: 'vm-outline', color: COLOR.stopped }
    : c.modeKind === 'host' ? { id: 'vm-running', color: COLOR.host }
      : c.modeKind === 'none' ? { id: 'vm-running', color: COLOR.stopped }
        : joined ? { id: 'link', color: COLOR.running } : { id: 'vm-running', color: COLOR.running };
  const node: TreeNode = {
    kind: 'container', id: `${src.key}#${elementId}`, elementId, label: c.name,
    description: [c.status === 'running' ? '' : c.status, mode, addresses.join(', '), c.image].filter(Boolean).join(' · '),
    tooltip: [`**${c.name}** — ${c.status}, image \`${c.image}\``, `network mode \`${c.networkMode}\``, `hostname \`${c.hostname}\``,
      c.listening.length ? `listens on ${c.listening.map((p) => `${p.port}/${p.proto}`).join(', ')}` : '',
      ...c.warnings.map((w) => `⚠ ${w}`), ...c.runtimeWarnings.map((w) => `⚠ ${w}`), `id \`${c.id.slice(0, 12)}\``].filter(Boolean).join('\n\n'),
    ...cv(src, c.modeKind === 'host' || c.modeKind === 'none' || c.modeKind === 'container' ? `cnm.container.${c.modeKind}` : 'cnm.container', LIVE_CONTEXT.container),
    icon, children: [], expanded: false, ...(src.liveHost === undefined ? { path: src.pathOf(host.name, c.name) ?? [] } : {}), host: host.name, container: c.name,
  };
  const add = (child: TreeNode) => {
    child.parent = node;
    node.children.push(child);
  };
  if (sb && !joined) {
    for (const ep of sb.endpoints) {
      const n = host.networks.get(ep.networkId);
      if (n) add(endpointNode(src, host, n, ep, 'container', src.pathOf(host.name, c.name, n.name)));
    }
    for (const { net, ep } of byHand) add(endpointNode(src, host, net, ep, 'container', undefined));
  }
  if (joined) {
    add({
      kind: 'namespace', id: `${node.id}/ns`, elementId: ids.container(host.name, joined.name), label: `network namespace of ${joined.name}`,
      description: sb ? sb.endpoints.map((e) => e.ipv4?.address).filter(Boolean).join(', ') : '',
      tooltip: `${c.name} has no interfaces of its own: it sees ${joined.name}'s interfaces, addresses, routes and loopback (network_mode: container:${c.modeTarget}).`,
      ...cv(src, 'cnm.namespace', LIVE_CONTEXT.namespace), icon: { id: 'link' }, children: [], host: host.name, container: joined.name,
    });
  }
  if (sb && sb.sharedBy.size > 0 && !joined) {
    const names = [...sb.sharedBy].map((id) => host.containers.get(id)?.name).filter(Boolean);
    add({
      kind: 'namespace', id: `${node.id}/shared`, label: `namespace shared with ${names.join(', ')}`,
      tooltip: `${names.join(', ')} joined this container's network namespace (network_mode: container:${c.name}).`,
      ...cv(src, 'cnm.namespace', LIVE_CONTEXT.namespace), icon: { id: 'link' }, children: [], host: host.name, container: c.name,
    });
  }
  if (c.modeKind === 'host') {
    add({
      kind: 'namespace', id: `${node.id}/hostns`, elementId: ids.host(host.name), label: `the network namespace of ${host.name}`,
      tooltip: 'network_mode: host — no sandbox of its own: the container uses the host\'s interfaces and ports directly.',
      ...cv(src, 'cnm.namespace', LIVE_CONTEXT.namespace), icon: { id: 'server', color: COLOR.host }, children: [], host: host.name,
    });
  }
  if (sb) {
    for (const ep of sb.endpoints) {
      for (const b of ep.portBindings) {
        const label = portBindingLabel(b.hostIp, b.hostPort, b.containerPort, b.proto);
        add({
          kind: 'port', id: `${node.id}/port/${label}`, elementId: ids.port(host.name, c.name, label),
          label: `${b.hostIp.includes(':') ? `[${b.hostIp}]` : b.hostIp}:${b.hostPort} → ${b.containerPort}/${b.proto}`,
          description: `to ${b.containerIp}`,
          tooltip: `Published: the host's ${b.hostIp === '0.0.0.0' || b.hostIp === '::' ? 'every address' : b.hostIp}, port ${b.hostPort}/${b.proto}, is forwarded (DNAT${host.daemon.userlandProxy ? ' and docker-proxy' : ''}) to ${b.containerIp}:${b.containerPort}.`,
          ...cv(src, 'cnm.port', LIVE_CONTEXT.port), icon: { id: 'arrow-swap', color: COLOR.port }, children: [], host: host.name, container: c.name,
        });
      }
    }
  }
  if (c.listening.length) {
    add({
      kind: 'listening', id: `${node.id}/listening`, label: `listens on ${c.listening.map((p) => `${p.port}/${p.proto}`).join(', ')}`,
      ...cv(src, 'cnm.listening', LIVE_CONTEXT.listening), icon: { id: 'radio-tower' }, children: [], host: host.name, container: c.name,
    });
  }
  // Its own namespace's interfaces, routes, /etc/hosts and resolv.conf (a joiner sees its owner's: under the owner).
  if (sb && !joined) add(sandboxNode(node.id, (file) => cv(src, file, file.replace(/^cnm\./, 'live.')), host, c, sb));
  return node;
}

/** Interfaces put into the sandbox by hand (pipework): Docker does not list them among its endpoints. */
function handAddedEndpoints(host: HostState, sb: SandboxState): { net: NetworkState; ep: EndpointState }[] {
  if (sb.interfaces.length <= sb.endpoints.length) return [];
  const docker = new Set(sb.endpoints.map((e) => e.id));
  const ids = sb.interfaces.map((i) => i.endpointId).filter((id): id is string => !!id && !docker.has(id));
  const found: { net: NetworkState; ep: EndpointState }[] = [];
  for (const net of host.networks.values()) {
    for (const id of ids) {
      const ep = net.endpoints.get(id);
      if (ep) found.push({ net, ep });
    }
  }
  return found;
}

export function failedNode(src: SourceView, kind: 'network' | 'container', host: string, name: string, path: YamlPath, diagnostics: TopologyDiagnostic[]): TreeNode {
  const why = diagnostics.find((d) => d.severity === 'error' && d.path && path.every((p, i) => d.path![i] === p));
  const elementId = kind === 'network' ? ids.network(host, name) : ids.container(host, name);
  return {
    kind, id: `${src.key}#${elementId}`, elementId, label: name, description: kind === 'network' ? 'not created' : 'not created',
    tooltip: `**${name}** was not created${why ? `:\n\n${why.message}` : ': see Problems'}`,
    contextValue: `cnm.${kind}.failed`, icon: { id: 'error', color: COLOR.error }, children: [], path, host, ...(kind === 'network' ? { network: name } : { container: name }),
  };
}

function containerPath(src: SourceView, host: string, container: string, network?: string): YamlPath | undefined {
  const c = src.loaded.spec.containers.find((s) => s.name === container && s.host === host);
  if (!c) return undefined;
  if (network === undefined) return c.path;
  return c.networks.find((n) => n.network === network)?.path ?? c.path;
}

/** The aliases a user gave; Docker 20.10 also lists the container's short id, which says nothing new. */
export function userAliases(ep: EndpointState): string[] {
  return ep.aliases.filter((a) => a !== ep.name && a !== ep.containerId.slice(0, 12));
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Every node of a tree, depth first. */
export function* walk(node: TreeNode): Generator<TreeNode> {
  yield node;
  for (const c of node.children) yield* walk(c);
}
