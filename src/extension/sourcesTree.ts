// The `cnm.explorer` tree. For now its top level is the workspace's topology files ("sources");
// hosts, networks and endpoints below them arrive with the engine.
import * as vscode from 'vscode';

/** The glob of topology files, as package.json's language contribution names them. */
export const TOPOLOGY_GLOB = '**/*.cnm.{yaml,yml}';
const EXCLUDE_GLOB = '**/{node_modules,.git}/**';

/** One topology file shown in the tree. Thin on purpose: menus key off `contextValue`. */
export class SourceItem extends vscode.TreeItem {
  constructor(readonly uri: vscode.Uri) {
    super(uri.path.slice(uri.path.lastIndexOf('/') + 1), vscode.TreeItemCollapsibleState.None);
    this.resourceUri = uri;
    this.contextValue = 'cnm.source';
    this.iconPath = new vscode.ThemeIcon('file-code');
    // The folder, relative to the workspace, tells apart files of the same name; a root file shows none.
    const relative = vscode.workspace.asRelativePath(uri, false);
    this.description = relative.includes('/') ? relative.slice(0, relative.lastIndexOf('/')) : '';
    this.tooltip = uri.fsPath;
    this.command = { command: 'vscode.open', title: 'Open', arguments: [uri] };
  }
}

export class SourcesTreeProvider implements vscode.TreeDataProvider<SourceItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SourceItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private sources: SourceItem[] | undefined;

  /** Forget what was read and ask VS Code to ask again. */
  refresh(): void {
    this.sources = undefined;
    this.changed.fire(undefined);
  }

  async getChildren(element?: SourceItem): Promise<SourceItem[]> {
    if (element) return [];
    this.sources ??= await findSources();
    return this.sources;
  }

  getTreeItem(element: SourceItem): vscode.TreeItem {
    return element;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Every topology file of the workspace, in path order so the tree does not reshuffle on refresh. */
export async function findSources(): Promise<SourceItem[]> {
  const uris = await vscode.workspace.findFiles(TOPOLOGY_GLOB, EXCLUDE_GLOB);
  return uris.sort((a, b) => a.path.localeCompare(b.path)).map((uri) => new SourceItem(uri));
}
