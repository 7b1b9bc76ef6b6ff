// The `cnm.explorer` tree: one top-level item per topology file, its content built by treeNodes.ts from
// the loaded file, then one per live Docker host, rebuilt from the host's engine state whenever Docker's
// events change it. Items are thin TreeItems over those nodes; menus key off their contextValue.
import * as vscode from 'vscode';
import { buildLiveHostTree, buildSourceTree, liveHostViewOf, walk, type TreeNode } from './treeNodes';
import { buildComposeTree } from './composeTree';
import { ComposeSource, isSourceUri, type TopologySource } from './topologyStore';
import type { LiveHostConnection } from './live/liveHosts';
import { isLiveUri, liveUri } from './live/liveSource';
import type { SourceStore } from './live/sourceStore';

export class ExplorerTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: TreeNode[] | undefined;
  private scanned = false;
  private listing: Promise<TreeNode[]> | undefined;
  /** Counts refreshes, so that a listing overtaken by one lists again. */
  private generation = 0;
  /** Built trees by source key, with the revision they were built from. */
  private readonly built = new Map<string, { revision: number; root: TreeNode; byId: Map<string, TreeNode> }>();
  /** Live hosts' root nodes by host key (the same objects for the whole session: VS Code holds them). */
  private readonly liveRoots = new Map<string, { root: TreeNode; byId: Map<string, TreeNode> }>();
  private readonly disposables: vscode.Disposable[] = [];
  /** More children under a file's node (drift with a live host: live/drift.ts), asked for at every rebuild. */
  private sourceExtras?: (sourceKey: string) => TreeNode[];

  constructor(private readonly store: SourceStore) {
    this.disposables.push(
      this.changed,
      store.onDidChangeList(() => this.refresh()),
      store.onDidChange((uri) => {
        const root = this.roots?.find((r) => r.id === uri.toString());
        // The root item object must be the one VS Code knows: rebuild its children, fire for it.
        if (root) {
          void this.store.get(uri).then((src) => {
            this.rebuild(root, src);
            this.changed.fire(root);
          });
        }
      }),
      store.live.onDidChangeList(() => this.refresh()),
      store.live.onDidChange((entry) => {
        const have = this.liveRoots.get(entry.key);
        if (!have || !this.roots) return; // not shown yet: built when asked for
        const host = store.live.get(entry.key);
        if (host) this.changed.fire(this.liveRoot(host));
      }),
    );
  }

  setSourceExtras(extras: (sourceKey: string) => TreeNode[]): void {
    this.sourceExtras = extras;
  }

  /** Rebuilds one file's node now (its extras changed, its text did not). */
  refreshSource(uri: vscode.Uri): void {
    const root = this.roots?.find((r) => r.id === uri.toString());
    if (!root) return;
    this.built.delete(root.id);
    void this.store.get(uri).then((src) => {
      this.rebuild(root, src);
      this.changed.fire(root);
    });
  }

  /** Forget everything and ask VS Code to ask again. */
  refresh(): void {
    this.roots = undefined;
    this.generation++;
    this.built.clear();
    this.changed.fire(undefined);
  }

  async getChildren(element?: TreeNode): Promise<TreeNode[]> {
    if (!element) {
      // One listing at a time: the view and a command asking at once get the same root nodes.
      this.listing ??= this.listRoots().finally(() => { this.listing = undefined; });
      return this.listing;
    }
    if (element.kind === 'source') {
      const src = await this.store.get(vscode.Uri.parse(element.id));
      this.rebuild(element, src);
    }
    return element.children;
  }

  private async listRoots(): Promise<TreeNode[]> {
    while (!this.roots) {
      const generation = this.generation;
      const uris = await this.store.list();
      const roots = uris.map((uri) => placeholderRoot(uri));
      // Loaded up front: a file's item shows its problems and counts before anyone expands it.
      await Promise.all(roots.map(async (root, i) => this.rebuild(root, await this.store.get(uris[i]!))));
      if (generation !== this.generation) continue; // refreshed meanwhile: list again
      const live = this.store.live.list();
      for (const key of [...this.liveRoots.keys()]) if (!live.some((e) => e.key === key)) this.liveRoots.delete(key);
      this.roots = [...roots, ...live.map((e) => this.liveRoot(e))];
      // Until the first scan is done the view says it is looking, not that there is nothing.
      if (!this.scanned) {
        this.scanned = true;
        void vscode.commands.executeCommand('setContext', 'cnm.scanned', true);
      }
    }
    return this.roots;
  }

  getParent(element: TreeNode): TreeNode | undefined {
    return element.parent;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const collapsible = node.children.length === 0 && node.kind !== 'source' ? vscode.TreeItemCollapsibleState.None
      : node.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, collapsible);
    item.id = node.id;
    item.description = node.description;
    if (node.tooltip) item.tooltip = new vscode.MarkdownString(node.tooltip);
    item.contextValue = node.contextValue;
    item.iconPath = new vscode.ThemeIcon(node.icon.id, node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined);
    if (node.kind === 'source') {
      item.resourceUri = vscode.Uri.parse(node.id);
      item.command = { command: 'vscode.open', title: 'Open', arguments: [item.resourceUri] };
    } else if (node.kind === 'problem' && node.diagnostic) {
      item.command = { command: 'cnm.revealInFile', title: 'Show in the file', arguments: [node] };
    }
    return item;
  }

  /** The node with this diagram element id in a source's tree (a network's endpoint before a container's). */
  async findByElement(uri: vscode.Uri, elementId: string): Promise<TreeNode | undefined> {
    const root = await this.rootOf(uri);
    if (!root) return undefined;
    const byId = isLiveUri(uri) ? this.liveRoots.get(root.liveHost ?? '')?.byId : this.built.get(root.id)?.byId;
    return byId?.get(`${root.id}#${elementId}`) ?? (root.elementId === elementId ? root : undefined);
  }

  /** Every node of a source's tree (built if needed). */
  async nodesOf(uri: vscode.Uri): Promise<TreeNode[]> {
    const root = await this.rootOf(uri);
    return root ? [...walk(root)] : [];
  }

  async rootOf(uri: vscode.Uri): Promise<TreeNode | undefined> {
    let root = (await this.getChildren()).find((r) => r.id === uri.toString());
    if (!root && isSourceUri(uri)) {
      // Created a moment ago: the file watcher has not reported it yet.
      this.store.relist();
      root = (await this.getChildren()).find((r) => r.id === uri.toString());
    }
    if (!root && isLiveUri(uri)) {
      // A host the setting added a moment ago.
      const host = this.store.live.byUri(uri);
      if (host) {
        this.roots = undefined;
        this.generation++;
        root = (await this.getChildren()).find((r) => r.id === uri.toString());
      }
    }
    if (root) await this.getChildren(root);
    return root;
  }

  /** The live host's root node, rebuilt from its current status and state (same object every time). */
  private liveRoot(entry: LiveHostConnection): TreeNode {
    const fresh = buildLiveHostTree(liveHostViewOf(entry, liveUri(entry.key).toString()));
    const have = this.liveRoots.get(entry.key);
    const root = have?.root ?? fresh;
    if (have) {
      // Keep the object; drop what the fresh build does not set (elementId/host of a host now unreachable).
      for (const k of Object.keys(root) as (keyof TreeNode)[]) if (!(k in fresh)) delete (root as Partial<TreeNode>)[k];
      Object.assign(root, { ...fresh, children: fresh.children });
      for (const child of root.children) child.parent = root;
    }
    const byId = new Map<string, TreeNode>();
    for (const n of walk(root)) byId.set(n.id, n);
    this.liveRoots.set(entry.key, { root, byId });
    return root;
  }

  private rebuild(root: TreeNode, src: TopologySource): void {
    const have = this.built.get(root.id);
    // Built for this revision, into this very node: nothing to do. (Another node of the same file, from
    // a listing that ran at the same time, still needs the tree.)
    if (have && have.revision === src.revision && have.root === root) return;
    const relative = vscode.workspace.asRelativePath(src.uri, false);
    const view = {
      key: root.id,
      fileName: src.fileName,
      ...(relative.includes('/') ? { folder: relative.slice(0, relative.lastIndexOf('/')) } : {}),
      loaded: src.loaded,
    };
    const fresh = src instanceof ComposeSource
      ? buildComposeTree({ ...view, loaded: src.project.loaded, path: src.uri.path, uriOf: (path) => src.uri.with({ path }).toString() })
      : buildSourceTree(view);
    // Keep the root object (VS Code holds it), take the rest of the fresh tree.
    Object.assign(root, { ...fresh, expanded: root.expanded, children: fresh.children });
    root.children.push(...(this.sourceExtras?.(root.id) ?? []));
    for (const child of root.children) child.parent = root;
    const byId = new Map<string, TreeNode>();
    for (const n of walk(root)) byId.set(n.id, n);
    this.built.set(root.id, { revision: src.revision, root, byId });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function placeholderRoot(uri: vscode.Uri): TreeNode {
  const relative = vscode.workspace.asRelativePath(uri, false);
  return {
    kind: 'source', id: uri.toString(), label: uri.path.slice(uri.path.lastIndexOf('/') + 1),
    description: relative.includes('/') ? relative.slice(0, relative.lastIndexOf('/')) : '',
    contextValue: 'cnm.source', icon: { id: 'file-code' }, children: [], expanded: false,
  };
}
