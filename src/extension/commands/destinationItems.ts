// Destination picker items beyond containers and addresses: swarm services (by name: their VIP or DNS
// round robin; tasks.<name>: every task) and the other names Docker's DNS answers (network aliases).
import * as vscode from 'vscode';
import type { EngineState } from '../../engine';
import type { DiagramSnapshot } from '../../protocol/diagram';
import type { Destination } from './destinationPick';

type Item = Destination | vscode.QuickPickItem;

/** The swarm services of the topology: `name` (VIP or DNS round robin) and `tasks.name`, with the port a task listens on. */
export function swarmServiceDestinations(state: EngineState, snapshot: DiagramSnapshot): Item[] {
  const services = [...state.swarm.services.values()];
  if (!services.length) return [];
  const items: Item[] = [{ label: 'Swarm services', kind: vscode.QuickPickItemKind.Separator }];
  for (const s of services) {
    const vips = s.vips
      .map((v) => ({ net: state.swarm.networks.get(v.networkId), address: v.address }))
      .filter((v) => v.net && !v.net.ingress)
      .map((v) => `${v.address.split('/')[0]} on ${v.net!.name}`);
    const taskNames = s.tasks.map((t) => t.name);
    const sandbox = snapshot.hosts.flatMap((h) => h.sandboxes).find((sb) => taskNames.includes(sb.name));
    const listening = sandbox?.listening ?? [];
    const port = Number.parseInt(listening[0] ?? '', 10);
    const withPort = Number.isInteger(port) ? { port } : {};
    const mode = s.endpointMode === 'vip' ? `VIP ${vips.join(', ') || '(none)'}: IPVS picks a task` : 'DNS round robin over the tasks';
    items.push({
      label: `$(server-process) ${s.name}`, description: `swarm service, ${s.replicas} ${s.replicas === 1 ? 'task' : 'tasks'} — ${mode}`,
      detail: listening.length ? `its tasks listen on ${listening.join(', ')}` : undefined, to: s.name, ...withPort,
    });
    items.push({ label: `$(list-flat) tasks.${s.name}`, description: `the addresses of ${s.name}'s tasks (DNS answers each)`, to: `tasks.${s.name}`, ...withPort });
  }
  return items;
}

/** Names Docker's DNS answers that are not a container's own (network aliases), from the source's point of view. */
export function nameDestinations(snapshot: DiagramSnapshot, from: string, offered: Set<string>): Item[] {
  const items: Item[] = [];
  const seen = new Set(offered);
  for (const h of snapshot.hosts) {
    for (const sb of h.sandboxes) {
      if (sb.name === from) continue;
      for (const ep of sb.endpoints) {
        const net = h.networks.find((n) => n.id === ep.networkId)?.name ?? '';
        for (const alias of ep.aliases) {
          if (seen.has(alias)) continue;
          seen.add(alias);
          const port = Number.parseInt(sb.listening[0] ?? '', 10);
          items.push({ label: `$(symbol-string) ${alias}`, description: `alias of ${sb.name} on ${net}${h.name && snapshot.hosts.length > 1 ? ` (${h.name})` : ''}`, to: alias, elementId: ep.id, ...(Number.isInteger(port) ? { port } : {}) });
        }
      }
    }
  }
  return items.length ? [{ label: 'Names (aliases)', kind: vscode.QuickPickItemKind.Separator }, ...items] : [];
}
