// "Trace From Here": pick a destination (a container, one of its addresses, a published port, a host
// address, or anything typed), then a port; the verdict shows at once and the diagram opens beside the
// editor with the path lit and every hop listed.
//   cnm.traceFrom({ file, from, to, port?, proto? })  →  the trace (TraceView)
import * as vscode from 'vscode';
import { TRACE_PROTOS, type TraceProto, type TraceView } from '../../protocol/trace';
import type { Ctx } from '../ctx';
import { ids } from '../elementIds';
import { ComposeSource } from '../topologyStore';
import { traceForDiagram } from '../tracing';
import { refuse, resolveInvocation, type Invocation } from './args';
import { outsideItem, pickDestination, type Destination } from './destinationPick';
import { nameDestinations, swarmServiceDestinations } from './destinationItems';

const TRACE = 'Trace From Here';

export function traceFromCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<TraceView | { ok: false; error: string } | undefined> => {
    const inv = await resolveInvocation(ctx, arg, TRACE);
    if (!inv) return undefined;
    const tracer = inv.source.tracer();
    // A host's node (tree) or lens traces from the host itself, as `cnm trace --from HOST` does.
    const hostNode = inv.node?.kind === 'host' && inv.node.host ? inv.node.host : undefined;
    const picked = typeof inv.args.from === 'string' ? inv.args.from : hostNode ?? inv.args.container ?? (await pickSource(inv));
    if (typeof picked !== 'string') return undefined;
    // A Compose service's name stands for its first replica (as for `cnm trace --from`).
    const from = firstReplica(inv, picked);
    const spec = inv.source.loaded.spec;
    // A source is a container (on its host) or a host itself (the CLI's SRC takes both).
    const host = spec.hosts.find((h) => h.name === from)?.name ?? inv.args.host ?? spec.containers.find((c) => c.name === from)?.host ?? inv.source.firstHost;
    let dest: Destination | undefined;
    // Given a destination (an expect entry's lens, a script), the port is given too or there is none (ping).
    const given = typeof inv.args.to === 'string';
    if (given) {
      dest = { label: inv.args.to as string, to: inv.args.to as string };
    } else if (!inv.scripted) {
      dest = await destinationsFor(inv, host, from);
    }
    if (!dest) return inv.scripted ? refuse(ctx, inv, TRACE, 'pass { from, to } (and optionally port, proto)') : undefined;
    let proto: TraceProto = dest.proto ?? configuredProto();
    let port = typeof inv.args.port === 'number' ? inv.args.port : dest.port;
    if (typeof inv.args.proto === 'string' && (TRACE_PROTOS as readonly string[]).includes(inv.args.proto)) proto = inv.args.proto as TraceProto;
    else if (inv.args.port !== undefined) proto = 'tcp';
    if (!inv.scripted && !given && !dest.proto) {
      const answer = await askPort(dest, port);
      if (answer === undefined) return undefined;
      ({ port, proto } = answer);
    }
    const { index } = inv.source.diagram();
    const result = traceForDiagram(tracer, inv.source.loaded.engine.state, index, { host, from, to: dest.to, proto, ...(proto !== 'icmp' && port !== undefined ? { port } : {}) });
    if ('error' in result) return refuse(ctx, inv, TRACE, result.error);
    const trace = result.trace;
    const said = trace.verdict === 'unknown' ? 'unknown (the engine cannot know)' : trace.verdict;
    ctx.output.info(`trace ${from} → ${trace.to}${trace.port ? `:${trace.port}` : ''}/${trace.proto}: ${said} — ${trace.reason}`);
    // The rules view highlights what decided the latest trace of the source.
    ctx.rules.traced(inv.source.uri, host, trace);
    const targetId = dest.elementId ?? index.address(trace.address ?? trace.to) ?? index.sandboxOf(host, trace.to) ?? null;
    const sourceId = index.isHost(from) ? ids.host(from) : index.sandboxOf(host, from) ?? ids.container(host, from);
    const showInDiagram = async () => {
      // The diagram shows the path; the editor keeps the focus.
      const panel = ctx.diagrams.open(inv.source, vscode.ViewColumn.Beside, true);
      await panel.showTrace(sourceId, targetId, trace);
    };
    // A lens click keeps the editor as it is unless the diagram is open already: the notification says the
    // verdict and offers the diagram. The tree, the palette and scripts open the diagram beside.
    const fromLens = inv.args.interactive === true;
    if (!fromLens || ctx.diagrams.get(inv.source.uri)) await showInDiagram();
    if (!inv.scripted) void notifyVerdict(ctx, inv, from, trace, said, showInDiagram);
    return trace;
  };
}

const SHOW_IN_DIAGRAM = 'Show in Diagram';
const SHOW_RULES = 'Show Rules';

/** The verdict as a notification (information for delivered and unknown, a warning otherwise), with its buttons. */
async function notifyVerdict(ctx: Ctx, inv: Invocation, from: string, trace: TraceView, said: string, showInDiagram: () => Promise<void>): Promise<void> {
  // An unknown is no failure the engine found: said as information, in its own words.
  const show = trace.verdict === 'delivered' || trace.verdict === 'unknown' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  // A packet that met netfilter: the rules view marks the rules it passed and the one that decided.
  const metRules = !!trace.rule || trace.hops.some((h) => /^(filter|nat|raw|mangle) /.test(h.action));
  const buttons = [SHOW_IN_DIAGRAM, ...(metRules ? [SHOW_RULES] : [])];
  const text = `${from} → ${trace.to}${trace.port ? `:${trace.port}` : ''}/${trace.proto}: ${said}. ${trace.reason}${trace.fix ? ` Fix: ${trace.fix}` : ''}`;
  const chosen = await show(text, ...buttons);
  if (chosen === SHOW_IN_DIAGRAM) await showInDiagram();
  else if (chosen === SHOW_RULES) await ctx.rules.show(inv.source);
}

function configuredProto(): TraceProto {
  const p = vscode.workspace.getConfiguration('cnm').get<string>('trace.defaultProtocol', 'icmp');
  return (TRACE_PROTOS as readonly string[]).includes(p) ? (p as TraceProto) : 'icmp';
}

/** The Compose services of the source (none for a topology file): name, containers (replica 1 first). */
function servicesOf(inv: Invocation): { name: string; containers: string[] }[] {
  const played = inv.source instanceof ComposeSource ? inv.source.project.loaded.compose?.played : undefined;
  return played ? [...played.containersOf].filter(([, c]) => c.length > 0).map(([name, containers]) => ({ name, containers })) : [];
}

function firstReplica(inv: Invocation, name: string): string {
  if (inv.source.loaded.spec.containers.some((c) => c.name === name)) return name;
  return servicesOf(inv).find((s) => s.name === name)?.containers[0] ?? name;
}

async function pickSource(inv: Invocation): Promise<string | undefined> {
  const { spec } = inv.source.loaded;
  const services = servicesOf(inv);
  const items: vscode.QuickPickItem[] = [
    ...(services.length ? [{ label: 'Services', kind: vscode.QuickPickItemKind.Separator }] : []),
    ...services.map((s) => ({ label: s.name, description: `Compose service: its first replica, ${s.containers[0]}` })),
    { label: 'Containers', kind: vscode.QuickPickItemKind.Separator },
    ...spec.containers.map((c) => ({ label: c.name, description: c.host })),
    { label: 'Hosts', kind: vscode.QuickPickItemKind.Separator },
    ...spec.hosts.map((h) => ({ label: h.name, description: 'the host itself (its own network stack)' })),
  ];
  return (await vscode.window.showQuickPick(items, { title: TRACE, placeHolder: 'Trace from which container or host?' }))?.label;
}

/** Every target of the topology, the source's own host first: containers by name and by address, published ports, host addresses. */
async function destinationsFor(inv: Invocation, host: string, from: string): Promise<Destination | undefined> {
  const { snapshot } = inv.source.diagram();
  const hosts = [...snapshot.hosts].sort((a, b) => Number(b.name === host) - Number(a.name === host));
  const items: (Destination | vscode.QuickPickItem)[] = [];
  // A Compose project's services by name: Docker's DNS answers a service name on the networks it shares.
  const services = servicesOf(inv).filter((s) => !s.containers.includes(from));
  if (services.length) items.push({ label: 'Services', kind: vscode.QuickPickItemKind.Separator });
  for (const s of services) {
    const sb = snapshot.hosts.find((h) => h.name === host)?.sandboxes.find((b) => b.name === s.containers[0]);
    items.push({
      label: `$(package) ${s.name}`, description: `Compose service, by name (DNS decides; ${s.containers.join(', ')})`,
      detail: sb?.listening.length ? `listens on ${sb.listening.join(', ')}` : undefined, to: s.name, ...(sb ? { elementId: sb.id } : {}), ...portOf(sb?.listening ?? []),
    });
  }
  // Swarm services: by name (their VIP, or DNS round robin) and tasks.<name> (every task's address).
  items.push(...swarmServiceDestinations(inv.source.loaded.engine.state, snapshot));
  for (const h of hosts) {
    const where = hosts.length > 1 ? ` on ${h.name}` : '';
    items.push({ label: `Containers${where}`, kind: vscode.QuickPickItemKind.Separator });
    for (const sb of h.sandboxes) {
      for (const name of [sb.name, ...sb.sharedBy.map((m) => m.name)]) {
        if (name === from) continue;
        items.push({ label: `$(vm) ${name}`, description: 'by name (DNS decides)', detail: sb.listening.length ? `listens on ${sb.listening.join(', ')}` : undefined, to: name, elementId: sb.id, ...portOf(sb.listening) });
      }
      for (const ep of sb.endpoints) {
        if (!ep.ipv4 || sb.name === from) continue;
        const net = h.networks.find((n) => n.id === ep.networkId)?.name ?? '';
        items.push({ label: `$(plug) ${ep.ipv4}`, description: `${sb.name} on ${net}`, to: ep.ipv4, elementId: ep.id, ...portOf(sb.listening) });
      }
    }
    if (h.ports.length) items.push({ label: `Published ports${where}`, kind: vscode.QuickPickItemKind.Separator });
    for (const p of h.ports) {
      const ip = p.hostIp === '0.0.0.0' || p.hostIp === '::' ? h.interfaces[0]?.address.split('/')[0] ?? '127.0.0.1' : p.hostIp;
      if (p.hostIp === '::' && h.ports.some((q) => q.hostIp === '0.0.0.0' && q.hostPort === p.hostPort)) continue;
      items.push({ label: `$(arrow-swap) ${ip}:${p.hostPort}/${p.proto}`, description: `published by ${h.sandboxes.find((s) => s.id === p.sandboxId)?.name ?? ''}`, to: ip, port: p.hostPort, proto: p.proto === 'udp' ? 'udp' : 'tcp', elementId: p.id });
    }
    if (h.interfaces.length) items.push({ label: h.name, kind: vscode.QuickPickItemKind.Separator });
    for (const i of h.interfaces) items.push({ label: `$(server) ${i.address.split('/')[0]}`, description: `${h.name} ${i.name}`, to: i.address.split('/')[0]!, elementId: i.id });
  }
  // Other names Docker's DNS answers: network aliases, links, Compose's extra names.
  items.push(...nameDestinations(snapshot, from, new Set(items.filter((i): i is Destination => 'to' in i).map((i) => i.to))));
  items.push({ label: 'Outside the topology', kind: vscode.QuickPickItemKind.Separator }, outsideItem(`leaves ${host} by its default route`));
  return pickDestination(`${TRACE}: from ${from}`, items);
}

function portOf(listening: string[]): { port?: number } {
  const p = Number.parseInt(listening[0] ?? '', 10);
  return Number.isInteger(p) ? { port: p } : {};
}

async function askPort(dest: Destination, port: number | undefined): Promise<{ port?: number; proto: TraceProto } | undefined> {
  const value = await vscode.window.showInputBox({
    title: `${TRACE}: to ${dest.to}`,
    prompt: 'Port and protocol, e.g. 80/tcp or 53/udp. Empty: ICMP echo (ping).',
    value: port !== undefined ? `${port}/tcp` : '',
    validateInput: (v) => (v.trim() === '' || /^\d{1,5}(\/(tcp|udp))?$/.test(v.trim()) && Number.parseInt(v, 10) <= 65535 && Number.parseInt(v, 10) > 0 ? undefined : 'a port like 80/tcp or 53/udp, or empty for ping'),
  });
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!v) return { proto: 'icmp' };
  const [p, proto] = v.split('/');
  return { port: Number(p), proto: (proto as TraceProto | undefined) ?? 'tcp' };
}
