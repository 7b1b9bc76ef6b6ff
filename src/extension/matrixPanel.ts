// The matrix view: one webview panel per source with the reachability grid (matrixView.ts), drawn
// again when the source changes. A click on a square traces that probe (cnm.traceFrom, as a lens does:
// the verdict in a notification with "Show in Diagram"). Messages from the page are checked first.
//   cnm.showMatrix({ file })  →  MatrixPanelState
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { reachabilityMatrix, type MatrixResult } from '../engine';
import { listeningOf } from './engineTracer';
import type { SourceStore } from './live/sourceStore';
import { matrixHtml, matrixModel, type MatrixModel } from './matrixView';
import type { TopologySource } from './topologyStore';
import { makeNonce } from './webviewHtml';

export const MATRIX_VIEW_TYPE = 'cnm.matrix';

/** What the tests read of a matrix panel. */
export interface MatrixPanelState {
  uri: string;
  revision: number;
  containers: number;
  grouped: boolean;
  rows: string[];
  networks: string[];
  counts: MatrixModel['counts'];
  ignoredMessages: number;
}

class MatrixPanel implements vscode.Disposable {
  private model?: MatrixModel;
  private result?: MatrixResult;
  private revision = -1;
  private ignored = 0;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidClose = this.closed.event;

  constructor(readonly uri: vscode.Uri, readonly panel: vscode.WebviewPanel, private readonly store: SourceStore, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      this.closed,
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)),
      store.onDidChange((u) => { if (u.toString() === uri.toString()) void this.render(); }),
      store.onDidChangeLive((u) => { if (u.toString() === uri.toString()) void this.render(); }),
    );
  }

  get state(): MatrixPanelState {
    const m = this.model;
    return {
      uri: this.uri.toString(), revision: this.revision, containers: m?.containers ?? 0, grouped: m?.grouped ?? false,
      rows: m?.axis.map((x) => x.label) ?? [], networks: m?.networks ?? [], counts: m?.counts ?? { delivered: 0, refused: 0, dropped: 0, unresolved: 0, unknown: 0 },
      ignoredMessages: this.ignored,
    };
  }

  async render(): Promise<void> {
    const src = await this.store.get(this.uri);
    if (src.revision === this.revision) return;
    this.revision = src.revision;
    const started = Date.now();
    const m = reachabilityMatrix(src.loaded.engine.state, { listening: listeningOf(src.loaded.spec) });
    this.result = m;
    this.model = matrixModel(m, `Matrix: ${src.fileName}`);
    this.panel.title = `Matrix: ${src.fileName}`;
    this.panel.webview.html = matrixHtml(this.model, { cspSource: this.panel.webview.cspSource, nonce: makeNonce((n) => randomBytes(n)) });
    this.log.debug(`matrix of ${src.fileName}: ${m.containers.length} containers, ${m.traces} traces, in ${Date.now() - started} ms`);
  }

  /** A square was clicked: trace that probe. Anything else from the page is ignored (and counted). */
  async receive(message: unknown): Promise<void> {
    const m = message as { type?: unknown; row?: unknown; col?: unknown; probe?: unknown };
    const model = this.model;
    const ok = typeof m === 'object' && m !== null && m.type === 'trace' && Number.isInteger(m.row) && Number.isInteger(m.col) && Number.isInteger(m.probe);
    const cell = ok && model ? model.cells[m.row as number]?.[m.col as number] : undefined;
    const probe = cell?.probes[m.probe as number];
    if (!cell || !probe) {
      this.ignored++;
      this.log.warn('matrix: ignored a malformed message from the webview');
      return;
    }
    const from = this.result?.containers[cell.from];
    const to = this.result?.containers[cell.to];
    if (!from || !to) return;
    const p = to.probes[m.probe as number];
    await vscode.commands.executeCommand('cnm.traceFrom', {
      file: this.uri.toString(), host: from.host, from: from.name, to: cell.address ?? to.name, interactive: true,
      proto: p?.proto ?? 'icmp', ...(p?.port !== undefined ? { port: p.port } : {}),
    });
  }

  dispose(): void {
    this.closed.fire();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** The open matrices, by source. */
export class MatrixPanels implements vscode.Disposable {
  private readonly panels = new Map<string, MatrixPanel>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly store: SourceStore, private readonly log: vscode.LogOutputChannel) {}

  get(uri: vscode.Uri): MatrixPanelState | undefined {
    return this.panels.get(uri.toString())?.state;
  }

  /** Hands a message to a matrix as if its page had sent it (tests of bad input). */
  receive(uri: vscode.Uri, message: unknown): Promise<void> | undefined {
    return this.panels.get(uri.toString())?.receive(message);
  }

  async open(source: TopologySource): Promise<MatrixPanelState> {
    let p = this.panels.get(source.uri.toString());
    if (p) p.panel.reveal(undefined, false);
    else {
      const panel = vscode.window.createWebviewPanel(MATRIX_VIEW_TYPE, `Matrix: ${source.fileName}`, { viewColumn: vscode.ViewColumn.Beside }, {
        enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [],
      });
      panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'cnm.svg');
      const created = new MatrixPanel(source.uri, panel, this.store, this.log);
      p = created;
      this.panels.set(source.uri.toString(), created);
      created.onDidClose(() => this.panels.delete(source.uri.toString()));
    }
    await p.render();
    return p.state;
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
  }
}
