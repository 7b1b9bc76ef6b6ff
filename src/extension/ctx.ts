// Everything the extension owns while it is active, in one object passed to every command
// (no module-level singletons): the output channel, the status bar item, the loaded topology files,
// the tree and the open diagrams. It also keeps the tree's and the diagrams' selections in step.
import * as vscode from 'vscode';
import { DIAGRAM_VIEW_TYPE, DiagramPanels } from './diagramPanel';
import { ExplorerTreeProvider } from './explorerTree';
import type { TreeNode } from './treeNodes';
import { isTopologyUri, TopologyStore } from './topologyStore';

export class Ctx implements vscode.Disposable {
  readonly output: vscode.LogOutputChannel;
  readonly statusBar: vscode.StatusBarItem;
  readonly store: TopologyStore;
  readonly tree: ExplorerTreeProvider;
  readonly treeView: vscode.TreeView<TreeNode>;
  readonly diagrams: DiagramPanels;
  private readonly disposables: vscode.Disposable[] = [];
  /** Set while the tree is revealing a node because the diagram selected it, so the echo is not sent back. */
  private revealing = false;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = this.track(vscode.window.createOutputChannel('CNM Explorer', { log: true }));
    this.statusBar = this.track(vscode.window.createStatusBarItem('cnm.status', vscode.StatusBarAlignment.Left, 10));
    this.statusBar.name = 'CNM Explorer';
    this.statusBar.command = 'workbench.view.extension.cnm';
    this.store = this.track(new TopologyStore(this.output));
    this.tree = this.track(new ExplorerTreeProvider(this.store));
    this.treeView = this.track(vscode.window.createTreeView('cnm.explorer', { treeDataProvider: this.tree, showCollapseAll: true }));
    this.diagrams = this.track(new DiagramPanels({
      extensionUri: extension.extensionUri,
      store: this.store,
      log: this.output,
      onSelected: (uri, id) => void this.revealInTree(uri, id),
      onReveal: (uri, id) => void vscode.commands.executeCommand('cnm.revealInFile', { file: uri.toString(), element: id }),
    }));
    this.track(vscode.window.registerWebviewPanelSerializer(DIAGRAM_VIEW_TYPE, {
      // A diagram left open when the window reloaded comes back with its file.
      deserializeWebviewPanel: async (panel, state: unknown) => {
        const file = typeof state === 'object' && state !== null ? (state as { file?: unknown }).file : undefined;
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
  }

  /** Re-read the workspace's topology files and update the tree and the status bar. */
  async refresh(): Promise<number> {
    this.store.invalidate();
    this.tree.refresh();
    const count = await this.updateStatus();
    this.output.info(`found ${count} topology file(s)`);
    return count;
  }

  async updateStatus(): Promise<number> {
    const uris = await this.store.list();
    const count = uris.length;
    let errors = 0;
    for (const uri of uris) errors += this.store.peek(uri)?.errors ?? 0;
    this.statusBar.text = `$(type-hierarchy) CNM: ${count} ${count === 1 ? 'topology' : 'topologies'}${errors ? ` $(error) ${errors}` : ''}`;
    this.statusBar.tooltip = 'CNM Explorer: topology files (*.cnm.yaml) in this workspace. Click to show them.';
    this.statusBar.show();
    return count;
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

  /** The topology file of the active editor, if it is one. */
  activeTopologyUri(): vscode.Uri | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    return uri && isTopologyUri(uri) ? uri : undefined;
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

/** The topology file a tree node belongs to (node ids start with the file's URI). */
export function sourceUriOf(node: TreeNode): vscode.Uri {
  const hash = node.id.indexOf('#');
  return vscode.Uri.parse(hash < 0 ? node.id : node.id.slice(0, hash));
}
