// Everything the extension owns while it is active, in one object passed to every command
// (no module-level singletons): the output channel, the status bar item, the loaded topology files,
// the live Docker hosts, the tree and the open diagrams. It also keeps the tree's and the diagrams'
// selections in step.
import * as vscode from 'vscode';
import { DIAGRAM_VIEW_TYPE, DiagramPanels } from './diagramPanel';
import { ExplorerTreeProvider } from './explorerTree';
import { LiveHosts } from './live/liveHosts';
import { liveUri } from './live/liveSource';
import { SourceStore } from './live/sourceStore';
import { dockerStatusText, dockerStatusTooltip, topologyCountText } from './live/statusText';
import { VerifyReports } from './live/verifyDocuments';
import type { TreeNode } from './treeNodes';
import { RulesView } from './rulesView';
import { MatrixPanels } from './matrixPanel';
import { isComposeUri, isSourceUri } from './topologyStore';

export class Ctx implements vscode.Disposable {
  readonly output: vscode.LogOutputChannel;
  readonly statusBar: vscode.StatusBarItem;
  /** The live Docker hosts (the default endpoint and the `cnm.docker.hosts` setting's); started by start(). */
  readonly live: LiveHosts;
  /** Topology files, and live hosts under `cnm-live:` URIs. */
  readonly store: SourceStore;
  readonly verifyReports: VerifyReports;
  readonly tree: ExplorerTreeProvider;
  readonly treeView: vscode.TreeView<TreeNode>;
  readonly diagrams: DiagramPanels;
  /** The rules documents (iptables-save per host), marked with each source's latest trace. */
  readonly rules: RulesView;
  /** The reachability matrices, one panel per source. */
  readonly matrices: MatrixPanels;
  private readonly disposables: vscode.Disposable[] = [];
  /** Set while the tree is revealing a node because the diagram selected it, so the echo is not sent back. */
  private revealing = false;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = this.track(vscode.window.createOutputChannel('CNM Explorer', { log: true }));
    this.statusBar = this.track(vscode.window.createStatusBarItem('cnm.status', vscode.StatusBarAlignment.Left, 10));
    this.statusBar.name = 'CNM Explorer';
    this.statusBar.command = 'cnm.showLiveHosts';
    this.live = this.track(new LiveHosts({ log: this.output }));
    this.store = this.track(new SourceStore(this.output, this.live));
    this.verifyReports = this.track(new VerifyReports());
    this.tree = this.track(new ExplorerTreeProvider(this.store));
    this.treeView = this.track(vscode.window.createTreeView('cnm.explorer', { treeDataProvider: this.tree, showCollapseAll: true }));
    this.diagrams = this.track(new DiagramPanels({
      extensionUri: extension.extensionUri,
      store: this.store,
      log: this.output,
      onSelected: (uri, id) => void this.revealInTree(uri, id),
      onReveal: (uri, id) => void vscode.commands.executeCommand('cnm.revealInFile', { file: uri.toString(), element: id }),
      onShowRule: (uri, at) => void vscode.commands.executeCommand('cnm.showRules', { file: uri.toString(), ...at }),
      viewStates: extension.workspaceState,
    }));
    this.rules = this.track(new RulesView(this.store));
    this.matrices = this.track(new MatrixPanels(extension.extensionUri, this.store, this.output));
    this.track(vscode.window.registerWebviewPanelSerializer(DIAGRAM_VIEW_TYPE, {
      // A diagram left open when the window reloaded comes back with its file.
      deserializeWebviewPanel: async (panel, state: unknown) => {
        const file = typeof state === 'object' && state !== null ? (state as { file?: unknown }).file : undefined;
        // A live host's diagram comes back too, once the host is configured (it fills in when the host answers).
        if (typeof file !== 'string') {
          panel.dispose();
          return;
        }
        this.diagrams.adopt(vscode.Uri.parse(file), panel);
      },
    }));
    this.track(this.treeView.onDidChangeSelection((e) => {
      if (this.revealing) return;
      const node = e.selection[0];
      if (!node) return;
      const uri = sourceUriOf(node);
      this.diagrams.get(uri)?.select(node.elementId ?? null);
    }));
    this.track(this.store.onDidChangeList(() => void this.updateStatus()));
    this.track(this.store.onDidChange(() => void this.updateStatus()));
    this.track(this.live.onDidChange(() => void this.updateStatus()));
    this.track(this.live.onDidChangeList(() => void this.updateStatus()));
    this.track({ dispose: () => clearInterval(this.countdown) });
  }

  /** Connects to the Docker hosts in the background (never waits for them). */
  start(): void {
    this.live.reload();
  }

  /** Re-read the workspace's sources and the Docker hosts; update the tree and the status bar. Answers the number of sources. */
  async refresh(): Promise<number> {
    this.store.invalidate();
    // The hosts are read again in the background (a slow host must not hold up the files).
    void this.live.refreshAll();
    this.tree.refresh();
    const count = await this.updateStatus();
    this.output.info(`found ${count} source(s): topology files and Compose projects`);
    return count;
  }

  /** Ticks the "retrying in N s" countdown while a host is unreachable. */
  private countdown: ReturnType<typeof setInterval> | undefined;

  async updateStatus(): Promise<number> {
    const uris = await this.store.list();
    const count = uris.length;
    const compose = uris.filter(isComposeUri).length;
    const files = count - compose;
    let errors = 0;
    for (const uri of uris) errors += this.store.peek(uri)?.errors ?? 0;
    const hosts = this.live.list();
    const now = Date.now();
    const docker = dockerStatusText(hosts, now);
    this.statusBar.text = [topologyCountText(files, errors, compose), docker].filter(Boolean).join('  ');
    const projects = compose ? ` and ${compose} Compose ${compose === 1 ? 'project' : 'projects'} (compose.yaml, docker-compose.yml, …)` : '';
    const tooltip = new vscode.MarkdownString(`CNM Explorer: ${files} topology ${files === 1 ? 'file' : 'files'} (*.cnm.yaml)${projects} in this workspace.\n\n${dockerStatusTooltip(hosts, now)}\n\nClick for the Docker hosts.`);
    tooltip.supportThemeIcons = true;
    this.statusBar.tooltip = tooltip;
    this.statusBar.show();
    const waiting = hosts.some((h) => h.status.kind === 'unreachable' && Number.isFinite(h.status.retryAt));
    if (waiting && !this.countdown) this.countdown = setInterval(() => void this.updateStatus(), 1000);
    else if (!waiting && this.countdown) {
      clearInterval(this.countdown);
      this.countdown = undefined;
    }
    return count;
  }

  /** Shows a live host's node in the tree (opening the view). */
  async revealLiveHost(key: string): Promise<void> {
    await vscode.commands.executeCommand('workbench.view.extension.cnm');
    const root = await this.tree.rootOf(liveUri(key));
    if (!root) return;
    try {
      await this.treeView.reveal(root, { select: true, focus: true, expand: true });
    } catch (e) {
      this.output.debug(`reveal in tree failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Selects the tree node of a diagram element (the tree view must exist; it need not be visible). */
  async revealInTree(uri: vscode.Uri, elementId: string | null): Promise<void> {
    if (!elementId) return;
    const node = await this.tree.findByElement(uri, elementId);
    if (!node) return;
    this.revealing = true;
    try {
      if (this.treeView.visible) await this.treeView.reveal(node, { select: true, focus: false, expand: false });
    } catch (e) {
      this.output.debug(`reveal in tree failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      // Selection events arrive asynchronously; keep the guard until they are through.
      setTimeout(() => { this.revealing = false; }, 50);
    }
  }

  /** The topology file (or Compose project's main file) of the active editor, if it is one. */
  activeTopologyUri(): vscode.Uri | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    return uri && isSourceUri(uri) ? uri : undefined;
  }

  /** Keep `d` until the extension deactivates. */
  track<T extends vscode.Disposable>(d: T): T {
    this.disposables.push(d);
    return d;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}

/** The topology file (or live host: a `cnm-live:` URI) a tree node belongs to (node ids start with its URI). */
export function sourceUriOf(node: TreeNode): vscode.Uri {
  if (node.liveHost !== undefined) return liveUri(node.liveHost);
  const hash = node.id.indexOf('#');
  return vscode.Uri.parse(hash < 0 ? node.id : node.id.slice(0, hash));
}
