// The tree under a Compose project's file, as plain data: Problems, then the project (its name, as
// `docker compose` names it) with its Networks under Docker's names (`<project>_<key>`, or `name:`;
// external ones said to be unknown) → endpoints, and its Services → their replicas' containers
// (`<project>-<service>-<n>`, or container_name) → networks and ports. What `docker compose up` leaves
// to timing (concurrent starts racing for addresses) is a warning on the service and on the endpoint.
// Nodes of a Compose project have `cnm.compose.*` contextValues: the menus that edit a topology file do
// not apply to them. No `vscode` here.
import type { TopologyDiagnostic } from '../topology';
import type { LoadedCompose } from '../topology/compose';
import { ids } from './elementIds';
import { addProblems, COLOR, containerNode, endpointNode, failedNode, fileScope, networkNode, plural, walk, type SourceView, type TreeNode } from './treeNodes';

/** A Compose project's source, as the tree needs it. */
export interface ComposeView extends SourceView {
  loaded: SourceView['loaded'] & {
    diagnostics: (TopologyDiagnostic & { file?: string })[];
    /** undefined when there was nothing Compose could read (the Problems say why). */
    compose?: LoadedCompose;
  };
  /** The main file's path (diagnostics in other files name theirs). */
  path: string;
  /** The URI string of a file of the project, by path (for "Reveal in File" on a problem in another file). */
  uriOf(path: string): string;
}

const ORDER_CODES = new Set(['compose-order', 'compose-external', 'compose-links']);

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function buildComposeTree(src: ComposeView): TreeNode {
  const { spec, engine, diagnostics, compose } = src.loaded;
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const counts = [errors && plural(errors, 'error'), warnings && plural(warnings, 'warning')].filter(Boolean).join(', ');
  const project = compose?.project;
  const files = compose?.model.configFiles ?? [src.path];
  const where = (d: TopologyDiagnostic & { file?: string }) => (d.file && d.file !== src.path
    ? { text: `${baseName(d.file)}:${d.range.start.line + 1}`, file: src.uriOf(d.file) }
    : { text: `line ${d.range.start.line + 1}` });
  const root: TreeNode = {
    kind: 'source', id: src.key, label: src.fileName,
    description: [counts || undefined, project ? `project ${project.name}` : undefined, plural(spec.containers.length, 'container'), src.folder].filter(Boolean).join(' · '),
    tooltip: [
      `**${src.fileName}** — Compose project${project ? ` **${project.name}**` : ''}, as \`docker compose up\` would make it`,
      `files: ${files.map(baseName).join(' + ')}`,
      project ? `${plural(project.services.filter((s) => s.enabled).length, 'service')}, ${plural(spec.networks.length, 'network')}, ${plural(spec.containers.length, 'container')}` : '',
      counts ? `${counts}: ${diagnostics.filter((d) => d.severity !== 'information').slice(0, 5).map((d) => `\n- ${where(d).text}: ${d.message}`).join('')}` : '',
    ].filter(Boolean).join('\n\n'),
    contextValue: 'cnm.source.compose',
    icon: errors ? { id: 'error', color: COLOR.error } : warnings ? { id: 'warning', color: COLOR.warning } : { id: 'file-code' },
    children: [], expanded: false,
  };
  addProblems(root, src.key, diagnostics, where);
  const hostName = spec.hosts[0]?.name;
  const host = hostName !== undefined ? engine.state.hosts.get(hostName) : undefined;
  if (!compose || !project || !host) return root;

  const scope = fileScope(src);
  const add = (parent: TreeNode, child: TreeNode) => {
    child.parent = parent;
    parent.children.push(child);
    return child;
  };
  const played = compose.played;
  const profiles = [...compose.model.profiles];
  const projectNode = add(root, {
    kind: 'project', id: `${src.key}#project`, elementId: ids.host(host.name), label: project.name,
    description: ['Compose project', `Docker ${host.daemon.version.text}`, profiles.length ? `profiles ${profiles.join(', ')}` : ''].filter(Boolean).join(' · '),
    tooltip: [
      `**${project.name}** — the Compose project`, `working directory \`${compose.model.workingDir}\``, `files ${files.map((f) => `\`${baseName(f)}\``).join(', ')}`,
      profiles.length ? `active profiles: ${profiles.join(', ')}` : 'no profile active (services with `profiles:` are not started)',
      `played on Docker ${host.daemon.version.text}, as on a fresh daemon`,
    ].join('\n\n'),
    contextValue: 'cnm.compose.project', icon: { id: 'symbol-namespace' }, children: [], expanded: true, host: host.name,
  });

  // Warnings of the play, by what they are written on (a service or a network of some file).
  const warningsOn = (section: 'services' | 'networks', name: string) => diagnostics.filter((d) => d.severity !== 'information' && d.path?.[0] === section && d.path[1] === name
    && (d.severity === 'error' || ORDER_CODES.has(d.code ?? '')));
  const racing = played.racing;

  // Networks: the project's own under Docker's names, Docker's predefined ones only where a service uses them.
  const netGroup = add(projectNode, {
    kind: 'networks', id: `${src.key}#${ids.host(host.name)}/networks`, label: 'Networks', description: '',
    contextValue: 'cnm.compose.networks', icon: { id: 'type-hierarchy' }, children: [], expanded: true, host: host.name,
  });
  const dockerNames = new Set(played.networkNames.values());
  const networks = [...host.networks.values()].filter((n) => dockerNames.has(n.name) || (n.predefined && n.endpoints.size > 0)).sort((a, b) => a.seq - b.seq);
  for (const n of networks) {
    const path = spec.networks.find((s) => s.name === n.name)?.path;
    const netNode = add(netGroup, networkNode(scope, host, n, path));
    const key = [...played.networkNames].find(([, v]) => v === n.name)?.[0];
    if (key !== undefined) {
      netNode.tooltip += `\n\nCompose network \`${key}\``;
      const warned = warningsOn('networks', key);
      if (warned.length) {
        netNode.icon = { id: 'warning', color: COLOR.warning };
        netNode.tooltip += warned.map((d) => `\n\n⚠ ${d.message}`).join('');
      }
    }
    for (const ep of n.endpoints.values()) {
      const epNode = add(netNode, endpointNode(scope, host, n, ep, 'network', scope.pathOf(host.name, ep.name, n.name)));
      if (racing.get(n.name)?.has(ep.name)) markRacing(epNode);
    }
  }
  for (const [key, name] of played.networkNames) {
    const net = project.networks.get(key);
    // An external network is played (x-cnm's subnet, or unknown addresses); this node is for one the engine has not.
    if (!net?.external || networks.some((n) => n.name === name)) continue;
    add(netGroup, {
      kind: 'network', id: `${src.key}#${ids.network(host.name, name)}`, label: name, description: 'external · addresses unknown',
      tooltip: `**${name}** — external: it exists outside this project, so its subnet and the addresses on it are unknown here, and nothing on it is predicted.`,
      contextValue: 'cnm.compose.network.external', icon: { id: 'warning', color: COLOR.warning }, children: [], host: host.name, network: name,
    });
  }
  // Declared but refused by the engine: shown with the reason.
  for (const s of spec.networks.filter((s) => ![...host.networks.values()].some((n) => n.name === s.name))) add(netGroup, failedNode(src, 'network', host.name, s.name, s.path, diagnostics));
  netGroup.description = String(netGroup.children.length);

  // Services → their containers.
  const svcGroup = add(projectNode, {
    kind: 'services', id: `${src.key}#services`, label: 'Services', description: String(project.services.length),
    contextValue: 'cnm.compose.services', icon: { id: 'layers' }, children: [], expanded: true, host: host.name,
  });
  for (const s of project.services) {
    const names = played.containersOf.get(s.name) ?? [];
    const first = names[0];
    const firstPath = first !== undefined ? spec.containers.find((c) => c.name === first)?.path : undefined;
    const warned = warningsOn('services', s.name);
    const on = s.networkMode ? `network_mode: ${s.networkMode.value}` : s.networks.map((n) => played.networkNames.get(n.key) ?? n.key).join(', ');
    const node = add(svcGroup, {
      kind: 'service', id: `${src.key}#service/${encodeURIComponent(s.name)}`, label: s.name,
      description: s.enabled ? [plural(names.length, 'container'), on, warned.length ? '⚠ depends on start order' : ''].filter(Boolean).join(' · ')
        : `not started · profile ${s.profiles.join(', ')}`,
      tooltip: [
        `**${s.name}** — Compose service${s.image ? `, image \`${s.image}\`` : ''}`,
        s.enabled ? `containers: ${names.map((n) => `\`${n}\``).join(', ') || 'none'}` : `not started: its profiles (${s.profiles.join(', ')}) are not active`,
        on ? `networks: ${on}` : '',
        s.dependsOn.length ? `depends on ${s.dependsOn.map((d) => `${d.service} (${d.condition})`).join(', ')}` : '',
        first !== undefined && names.length > 1 ? `as a trace source, the service stands for its first replica, \`${first}\`` : '',
        ...warned.map((d) => `⚠ ${d.message}`),
      ].filter(Boolean).join('\n\n'),
      contextValue: s.enabled ? 'cnm.compose.service' : 'cnm.compose.service.disabled',
      icon: !s.enabled ? { id: 'circle-slash', color: COLOR.stopped } : warned.some((d) => d.severity === 'error') ? { id: 'error', color: COLOR.error }
        : warned.length ? { id: 'warning', color: COLOR.warning } : { id: 'package' },
      children: [], expanded: names.length <= 3, host: host.name,
      ...(first !== undefined ? { container: first, elementId: ids.container(host.name, first) } : {}),
      ...(firstPath ? { path: firstPath } : {}),
    });
    for (const name of names) {
      const c = [...host.containers.values()].find((x) => x.name === name);
      const specPath = spec.containers.find((x) => x.name === name)?.path ?? [];
      if (!c) {
        add(node, failedNode(src, 'container', host.name, name, specPath, diagnostics));
        continue;
      }
      const ctr = add(node, containerNode(scope, host, c));
      for (const child of ctr.children) if (child.kind === 'endpoint' && child.network && racing.get(child.network)?.has(name)) markRacing(child);
    }
  }
  for (const n of walk(projectNode)) if (n.contextValue.startsWith('cnm.') && !n.contextValue.startsWith('cnm.compose.')) n.contextValue = n.contextValue.replace(/^cnm\./, 'cnm.compose.');
  return root;
}

function markRacing(node: TreeNode): void {
  node.description = [node.description, '⚠ depends on start order'].filter(Boolean).join(' · ');
  node.tooltip = `${node.tooltip ?? ''}\n\n⚠ This address depends on which container Compose starts first (concurrent starts): pin it with \`ipv4_address\`, or order the services with \`depends_on\`.`;
  node.icon = { id: 'warning', color: COLOR.warning };
}
