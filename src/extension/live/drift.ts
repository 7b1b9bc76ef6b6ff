// "Compare with Docker Host": what differs between a topology file and a live host, shown as
// diagnostics on the file (their own collection, 'cnm-drift') and as a "Drift with <host>" entry under
// the file in the tree. Kept current while the comparison is active: when the host changes
// (ctx.live.onDidChange) and when the file changes. Reading only: allowed in untrusted workspaces.
//   cnm.docker.compareWithHost({ file, liveHost, host? })  → { items }     cnm.docker.stopComparing({ file })
import * as vscode from 'vscode';
import { composeDriftRange, computeComposeDrift, computeDrift, type DriftItem } from '../../live';
import { isComposeFileName } from '../../topology/compose';
import { loadComposeProject } from '../commands/composeCommands';
import type { Ctx } from '../ctx';
import type { TreeNode } from '../treeNodes';
import { resolveInvocation } from '../commands/args';
import { errorText, isLiveInvocation, liveHostsOf, pickLiveHost, refuseLive, resolveLive, snapshotOf } from '../commands/liveCommon';
import { driftDiagnostics, driftSummary } from './driftRanges';
import type { LiveHostEntry } from './liveHostsApi';

const COMPARE = 'Compare with Docker Host';

interface Comparison {
  uri: vscode.Uri;
  entry: LiveHostEntry;
  /** Which of the file's hosts is compared. */
  host: string;
  items: DriftItem[];
  error?: string;
  diagnostics: vscode.Diagnostic[];
}

export class DriftComparisons implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('cnm-drift');
  private readonly active = new Map<string, Comparison>();
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private liveSubscribed = false;
  /** One recomputation per file at a time; a change meanwhile runs it once more. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();

  constructor(private readonly ctx: Ctx) {
    ctx.tree.setSourceExtras((key) => this.treeNodes(key));
    this.disposables.push(ctx.store.onDidChange((uri) => {
      if (this.active.has(uri.toString())) void this.update(uri.toString());
    }));
    // A comparison of a file that is gone (deleted, or renamed on disk) has nothing left to compare: it stops.
    this.disposables.push(ctx.store.onDidChangePresence(({ uri, exists }) => {
      if (exists || !this.active.has(uri.toString())) return;
      this.stop(uri);
      ctx.output.info(`${COMPARE}: stopped for ${vscode.workspace.asRelativePath(uri)}: the file was deleted or moved on disk`);
    }));
  }

  get(uri: vscode.Uri): Comparison | undefined {
    return this.active.get(uri.toString());
  }

  async start(uri: vscode.Uri, entry: LiveHostEntry, host: string): Promise<Comparison> {
    this.followLive();
    const key = uri.toString();
    this.active.set(key, { uri, entry, host, items: [], diagnostics: [] });
    // The first comparison reads the host now; later ones use the state its events keep current.
    await this.update(key, true);
    void this.publishContext();
    return this.active.get(key)!;
  }

  stop(uri: vscode.Uri): boolean {
    const key = uri.toString();
    if (!this.active.delete(key)) return false;
    this.collection.delete(uri);
    this.ctx.tree.refreshSource(uri);
    void this.publishContext();
    return true;
  }

  /** Subscribed on first use (most sessions never compare). */
  private followLive(): void {
    const live = liveHostsOf(this.ctx);
    if (this.liveSubscribed) return;
    this.liveSubscribed = true;
    this.disposables.push(live.onDidChange((entry) => {
      for (const [key, c] of this.active) if (c.entry.key === entry.key) void this.update(key);
    }));
  }

  private update(key: string, fresh = false): Promise<void> {
    const busy = this.running.get(key);
    if (busy) {
      this.again.add(key);
      return busy;
    }
    const run = this.recompute(key, fresh).finally(() => {
      this.running.delete(key);
      if (this.again.delete(key)) void this.update(key);
    });
    this.running.set(key, run);
    return run;
  }

  private async recompute(key: string, fresh: boolean): Promise<void> {
    const c = this.active.get(key);
    if (!c) return;
    // The entry as the manager has it now (a reconnect may have replaced the object).
    const entry = liveHostsOf(this.ctx).get(c.entry.key) ?? c.entry;
    c.entry = entry;
    try {
      const snapshot = await snapshotOf(entry, fresh);
      // A Compose file is compared with the running project (Compose's names, its label).
      const compose = isComposeFileName(c.uri.path) ? loadComposeProject(c.uri) : undefined;
      const source = compose ? undefined : await this.ctx.store.get(c.uri);
      c.items = compose ? computeComposeDrift(compose, snapshot) : computeDrift(source!.loaded.spec, source!.loaded.engine, snapshot, { host: c.host });
      c.error = undefined;
      const diags = driftDiagnostics(c.items, compose ? (path, part) => composeDriftRange(compose, path, part) : source!.loaded.rangeOf, entry.label);
      c.diagnostics = diags.map((d) => {
        const v = new vscode.Diagnostic(
          new vscode.Range(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character),
          d.message,
          d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information,
        );
        v.source = 'cnm-drift';
        v.code = d.code;
        return v;
      });
    } catch (err) {
      c.items = [];
      c.error = errorText(err);
      c.diagnostics = [];
      this.ctx.output.warn(`drift of ${vscode.workspace.asRelativePath(c.uri)} with ${entry.label}: ${c.error}`);
    }
    if (!this.active.has(key)) return; // stopped meanwhile
    this.collection.set(c.uri, c.diagnostics);
    this.ctx.tree.refreshSource(c.uri);
  }

  /** The "Drift with <host>" entry under a file's node, one child per item (a click shows it in the file). */
  private treeNodes(sourceKey: string): TreeNode[] {
    const c = this.active.get(sourceKey);
    if (!c) return [];
    const group: TreeNode = {
      kind: 'problems', id: `${sourceKey}#drift`, label: `Drift with ${c.entry.label}`,
      description: c.error ? `cannot read the host: ${c.error}` : driftSummary(c.items),
      tooltip: `The file compared with the live Docker host **${c.entry.label}** (file host \`${c.host}\`); updated as either changes. Stop with *CNM: Stop Comparing with Docker Host*.`,
      contextValue: 'cnm.drift', icon: { id: 'diff', color: c.items.some((i) => i.kind !== 'extra') ? 'list.warningForeground' : undefined }, children: [], expanded: true,
    };
    if (c.error || c.items.length === 0) group.icon = c.error ? { id: 'debug-disconnect', color: 'errorForeground' } : { id: 'pass', color: 'charts.green' };
    c.items.forEach((item, i) => {
      const d = c.diagnostics[i];
      group.children.push({
        kind: 'problem', id: `${sourceKey}#drift/${i}`, label: item.message, description: item.kind,
        contextValue: 'cnm.drift.item', parent: group, children: [],
        icon: item.kind === 'missing' ? { id: 'diff-removed', color: 'list.warningForeground' } : item.kind === 'extra' ? { id: 'diff-added' } : { id: 'diff-modified', color: 'list.warningForeground' },
        ...(d ? { diagnostic: { range: { start: { line: d.range.start.line, character: d.range.start.character }, end: { line: d.range.end.line, character: d.range.end.character } }, severity: item.kind === 'extra' ? 'information' : 'warning', message: d.message, source: 'cnm' } } : {}),
      });
    });
    // Always shown, so a file compared without drift says so.
    group.expanded = c.items.length > 0;
    return [group];
  }

  private async publishContext(): Promise<void> {
    // For menus: "Stop Comparing" shows only where a comparison is active.
    await vscode.commands.executeCommand('setContext', 'cnm.comparing', this.active.size > 0);
    await vscode.commands.executeCommand('setContext', 'cnm.comparingPaths', [...this.active.values()].map((c) => c.uri.fsPath));
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.active.clear();
  }
}

const comparisons = new WeakMap<Ctx, DriftComparisons>();

/** The comparisons of this activation (made on first use, disposed with the extension). */
export function driftOf(ctx: Ctx): DriftComparisons {
  let d = comparisons.get(ctx);
  if (!d) {
    d = ctx.track(new DriftComparisons(ctx));
    comparisons.set(ctx, d);
  }
  return d;
}

export type CompareResult = { ok: true; host: string; items: DriftItem[]; summary: string } | { ok: false; error: string } | undefined;

export function compareWithHostCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<CompareResult> => {
    // A file (tree node, URI, { file }) and a host ({ liveHost }, else a pick).
    const inv = await resolveInvocation(ctx, arg, COMPARE);
    if (!inv) return undefined;
    let entry: LiveHostEntry | undefined;
    if (isLiveInvocation(arg)) {
      const live = resolveLive(ctx, arg);
      if ('error' in live) return refuseLive(ctx, { scripted: inv.scripted }, COMPARE, live.error);
      entry = live.entry;
    } else {
      entry = await pickLiveHost(ctx, `${COMPARE}: ${inv.source.fileName}`);
    }
    if (!entry) return undefined;
    const hosts = inv.source.loaded.spec.hosts.map((h) => h.name);
    let host = typeof inv.args.host === 'string' ? inv.args.host : hosts[0] ?? 'host1';
    if (!inv.scripted && typeof inv.args.host !== 'string' && hosts.length > 1) {
      const p = await vscode.window.showQuickPick(hosts, { title: COMPARE, placeHolder: `Which of the file's hosts is ${entry.label}?` });
      if (!p) return undefined;
      host = p;
    }
    const c = await driftOf(ctx).start(inv.source.uri, entry, host);
    if (c.error) return refuseLive(ctx, { scripted: inv.scripted, entry }, COMPARE, c.error);
    const summary = driftSummary(c.items);
    ctx.output.info(`${inv.source.fileName} compared with ${entry.label}: ${summary}`);
    if (!inv.scripted) void vscode.window.showInformationMessage(`${inv.source.fileName} and ${entry.label}: ${summary}. The differences are in the Problems panel and under the file in the CNM view.`);
    return { ok: true, host: entry.label, items: c.items, summary };
  };
}

export function stopComparingCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<boolean> => {
    const inv = await resolveInvocation(ctx, arg, 'Stop Comparing');
    return inv ? driftOf(ctx).stop(inv.source.uri) : false;
  };
}
