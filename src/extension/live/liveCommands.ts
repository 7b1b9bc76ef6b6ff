// Commands of the live hosts themselves (registered by extension.ts next to the table in commands.ts):
//   cnm.showLiveHosts   the status bar's click: the hosts, their state; pick one to show it in the tree
//   cnm.verifyTrace     { liveHost?, from, to, port?, proto? } or a live container node, or nothing
//                       (the live diagram's last trace): the real probe beside the predicted trace
import * as vscode from 'vscode';
import { verifyTrace, VerifyInputError, type VerifyRequest, type VerifyResult } from '../../live';
import { TRACE_PROTOS, type TraceProto } from '../../protocol/trace';
import type { Ctx } from '../ctx';
import { engineTrace } from '../engineTracer';
import type { TreeNode } from '../treeNodes';
import { traceForDiagram } from '../tracing';
import type { LiveHostConnection } from './liveHosts';
import { liveUri, isLiveUri, type LiveTopologySource } from './liveSource';
import { retryText } from './statusText';
import { verifyHeadline, verifyReport } from './verifyReport';
import { pickDestination, type Destination } from '../commands/destinationPick';

const VERIFY = 'Verify Trace on Docker Host';
export type VerifyOutcome =
  | { ok: true; agree: boolean; host: string; request: VerifyRequest; predicted: VerifyResult['predicted']; observed: VerifyResult['observed']; explanation: string; headline: string; report: string }
  | { ok: false; error: string };

function isLiveNode(v: unknown): v is TreeNode {
  return typeof v === 'object' && v !== null && typeof (v as TreeNode).liveHost === 'string' && typeof (v as TreeNode).id === 'string';
}

function fail(ctx: Ctx, scripted: boolean, error: string): VerifyOutcome {
  ctx.output.warn(`${VERIFY}: ${error}`);
  if (!scripted) void vscode.window.showErrorMessage(`${VERIFY}: ${error}`);
  return { ok: false, error };
}

export function verifyTraceCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<VerifyOutcome | undefined> => {
    let host: LiveHostConnection | undefined;
    let from: string | undefined;
    let to: string | undefined;
    let port: number | undefined;
    let proto: TraceProto | undefined;
    let scripted = false;
    if (isLiveNode(arg)) {
      host = ctx.live.get(arg.liveHost!);
      from = arg.container;
    } else if (typeof arg === 'object' && arg !== null) {
      const a = arg as Record<string, unknown>;
      scripted = true;
      host = typeof a.liveHost === 'string' ? ctx.live.get(a.liveHost) : ctx.live.list().find((h) => h.status.kind === 'connected') ?? ctx.live.list()[0];
      if (typeof a.liveHost === 'string' && !host) return fail(ctx, true, `no Docker host ${a.liveHost} is configured`);
      from = typeof a.from === 'string' ? a.from : undefined;
      to = typeof a.to === 'string' ? a.to : undefined;
      port = typeof a.port === 'number' ? a.port : undefined;
      proto = typeof a.proto === 'string' && (TRACE_PROTOS as readonly string[]).includes(a.proto) ? a.proto as TraceProto : port !== undefined ? 'tcp' : 'icmp';
      if (!from || !to) return fail(ctx, true, 'pass { from, to } (and optionally liveHost, port, proto)');
    } else {
      // The palette: the trace last shown on a live host's diagram, else questions.
      const panel = ctx.diagrams.all().find((p) => isLiveUri(p.uri) && p.panel.active && p.state.lastTrace) ?? ctx.diagrams.all().find((p) => isLiveUri(p.uri) && p.state.lastTrace);
      const last = panel?.state.lastTrace;
      if (panel && last) {
        host = ctx.live.byUri(panel.uri);
        ({ from, to, proto } = last);
        port = last.port;
      }
    }
    host ??= await pickHost(ctx);
    if (!host) return undefined;
    let source: LiveTopologySource;
    try {
      source = await ctx.store.get(liveUri(host.key)) as LiveTopologySource;
    } catch (e) {
      return fail(ctx, scripted, e instanceof Error ? e.message : String(e));
    }
    const hostName = host.state?.model.host ?? host.config.hostName;
    from ??= await pickContainer(source, hostName);
    if (!from) return undefined;
    if (!to) {
      const dest = await liveDestinations(source, hostName, from);
      if (!dest) return undefined;
      ({ to } = dest);
      const answer = dest.port !== undefined || dest.proto ? { port: dest.port, proto: dest.proto ?? 'tcp' } : await askPort(to);
      if (!answer) return undefined;
      ({ port, proto } = answer);
    }
    proto ??= 'icmp';
    // A swarm read across its nodes: the source runs on its own node, and is probed from that node's daemon.
    const swarm = host.state?.swarm;
    const srcHost = (swarm?.model.hostOf.get(from)) ?? hostName;
    const request: VerifyRequest = { from, to, proto, ...(proto !== 'icmp' && port !== undefined ? { port } : {}), ...(from === hostName ? { fromHost: true } : {}) };
    const state = source.loaded.engine.state;
    let predicted;
    try {
      predicted = engineTrace(source.loaded.spec, state, { host: srcHost, from, to, proto, ...(request.port !== undefined ? { port: request.port } : {}) });
    } catch (e) {
      return fail(ctx, scripted, `the tracer cannot trace this: ${e instanceof Error ? e.message : String(e)}`);
    }
    const client = swarm ? swarm.clientOf(srcHost) : host.client;
    if (!client) return fail(ctx, scripted, `${from} runs on ${srcHost}, whose daemon was not read (cnm.live.swarmNodes): nothing can be probed from it`);
    let result: VerifyResult;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `${VERIFY}: probing ${from} → ${to}${request.port ? `:${request.port}` : ''}/${proto} on ${swarm ? srcHost : host.label}…` },
        () => verifyTrace(client, request, predicted),
      );
    } catch (e) {
      return fail(ctx, scripted, e instanceof VerifyInputError ? e.message : `the probe failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const headline = verifyHeadline(result);
    // A swarm: the node the probe ran on, in the swarm its manager names.
    const where = swarm ? `${srcHost} (swarm of ${host.label})` : host.label;
    const text = verifyReport(where, request, result, new Date());
    const uri = ctx.verifyReports.add(`verify-${from}-${to}`, text);
    const flag = result.outcome === 'disagree' ? ' — DISAGREE' : result.outcome === 'unpredicted' ? ' — NOT PREDICTED' : '';
    ctx.output[result.outcome === 'disagree' ? 'warn' : 'info'](`verify ${from} → ${to}${request.port ? `:${request.port}` : ''}/${proto} on ${where}: predicted ${result.predicted.verdict}, observed ${result.observed.verdict}${flag}: ${result.explanation}`);
    // The predicted path in the host's diagram, the report beside it.
    const { index } = source.diagram();
    const shown = traceForDiagram(source.tracer(), state, index, { host: srcHost, from, to, proto, ...(request.port !== undefined ? { port: request.port } : {}) });
    if (!('error' in shown)) {
      const panel = ctx.diagrams.open(source, vscode.ViewColumn.One, true);
      const toHost = swarm?.model.hostOf.get(to) ?? srcHost;
      await panel.showTrace(index.sandboxOf(srcHost, from) ?? '', index.address(shown.trace.address ?? to) ?? index.sandboxOf(toHost, to) ?? null, shown.trace);
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: scripted });
    if (!scripted) {
      const show = result.agree ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
      void show(`${VERIFY}: ${headline}`);
    }
    return { ok: true, agree: result.agree, host: host.key, request, predicted: result.predicted, observed: result.observed, explanation: result.explanation, headline, report: uri.toString() };
  };
}

async function pickHost(ctx: Ctx): Promise<LiveHostConnection | undefined> {
  const hosts = ctx.live.list();
  if (hosts.length <= 1) return hosts[0];
  const picked = await vscode.window.showQuickPick(hosts.map((h) => ({ label: h.label, description: h.status.kind === 'connected' ? `Docker ${h.status.version ?? ''}` : h.status.kind, host: h })), { title: VERIFY, placeHolder: 'On which Docker host?' });
  return picked?.host;
}

/** The host's containers (a swarm read across its nodes: every node's). */
async function pickContainer(source: LiveTopologySource, hostName: string): Promise<string | undefined> {
  const hosts = source.diagram().snapshot.hosts;
  const items = (hosts.length > 1 ? hosts : hosts.filter((x) => x.name === hostName)).flatMap((h) => h.sandboxes).filter((s) => s.mode !== 'stopped').flatMap((s) => [s.name, ...s.sharedBy.map((m) => m.name)]).map((name) => ({ label: name }));
  return (await vscode.window.showQuickPick(items, { title: VERIFY, placeHolder: 'Probe from which running container?' }))?.label;
}

async function liveDestinations(source: LiveTopologySource, hostName: string, from: string): Promise<Destination | undefined> {
  const hosts = source.diagram().snapshot.hosts;
  const items: Destination[] = [];
  for (const sb of (hosts.length > 1 ? hosts : hosts.filter((x) => x.name === hostName)).flatMap((h) => h.sandboxes)) {
    if (sb.name === from) continue;
    items.push({ label: `$(vm) ${sb.name}`, description: 'by name (DNS decides)', to: sb.name });
    for (const ep of sb.endpoints) if (ep.ipv4) items.push({ label: `$(plug) ${ep.ipv4}`, description: `${sb.name}`, to: ep.ipv4 });
  }
  return pickDestination(`${VERIFY}: from ${from}`, items);
}

async function askPort(to: string): Promise<{ port?: number; proto: TraceProto } | undefined> {
  const value = await vscode.window.showInputBox({
    title: `${VERIFY}: to ${to}`,
    prompt: 'Port and protocol, e.g. 80/tcp. Empty: ICMP echo (ping).',
    validateInput: (v) => (v.trim() === '' || (/^\d{1,5}(\/(tcp|udp))?$/.test(v.trim()) && Number.parseInt(v, 10) >= 1 && Number.parseInt(v, 10) <= 65535) ? undefined : 'a port like 80/tcp, or empty for ping'),
  });
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!v) return { proto: 'icmp' };
  const [p, proto] = v.split('/');
  return { port: Number(p), proto: (proto as TraceProto | undefined) ?? 'tcp' };
}

/** The status bar's click: every host with its state; picking one shows it in the tree (and retries one that is down). */
export function showLiveHostsCommand(ctx: Ctx) {
  return async (): Promise<void> => {
    type Item = vscode.QuickPickItem & { run: () => Promise<unknown> | unknown };
    const now = Date.now();
    const items: Item[] = ctx.live.list().map((h) => {
      const s = h.status;
      return {
        label: `${s.kind === 'connected' ? '$(plug)' : s.kind === 'connecting' ? '$(sync~spin)' : '$(debug-disconnect)'} ${h.label}`,
        description: s.kind === 'connected' ? `Docker ${s.version ?? ''}` : s.kind === 'connecting' ? 'connecting…' : `unreachable — ${retryText(s.retryAt, now)}`,
        detail: s.kind === 'unreachable' ? s.message : h.endpoint,
        run: async () => {
          if (s.kind === 'unreachable') void h.refresh();
          await ctx.revealLiveHost(h.key);
        },
      };
    });
    items.push(
      { label: '$(list-tree) Show the CNM view', run: () => vscode.commands.executeCommand('workbench.view.extension.cnm') },
      { label: '$(gear) Docker hosts setting…', description: 'cnm.docker.hosts', run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'cnm.docker.hosts') },
    );
    const picked = await vscode.window.showQuickPick(items, { title: 'CNM Explorer: Docker hosts', placeHolder: 'Show a host in the tree' });
    await picked?.run();
  };
}
