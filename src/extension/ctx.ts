// Everything the extension owns while it is active, in one object passed to every command
// (no module-level singletons): the output channel, the status bar item and the tree.
import * as vscode from 'vscode';
import { SourceItem, SourcesTreeProvider, TOPOLOGY_GLOB } from './sourcesTree';

export class Ctx implements vscode.Disposable {
  readonly output: vscode.LogOutputChannel;
  readonly statusBar: vscode.StatusBarItem;
  readonly sources: SourcesTreeProvider;
  readonly treeView: vscode.TreeView<SourceItem>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = this.track(vscode.window.createOutputChannel('CNM Explorer', { log: true }));
    this.statusBar = this.track(vscode.window.createStatusBarItem('cnm.status', vscode.StatusBarAlignment.Left, 10));
    this.statusBar.name = 'CNM Explorer';
    this.statusBar.command = 'workbench.view.extension.cnm';
    this.sources = this.track(new SourcesTreeProvider());
    this.treeView = this.track(vscode.window.createTreeView('cnm.explorer', { treeDataProvider: this.sources }));
    this.watchTopologyFiles();
  }

  /** Re-read the workspace's topology files and update the tree and the status bar. */
  async refresh(): Promise<number> {
    this.sources.refresh();
    const count = (await this.sources.getChildren()).length;
    this.statusBar.text = `$(type-hierarchy) CNM: ${count} ${count === 1 ? 'topology' : 'topologies'}`;
    this.statusBar.tooltip = 'CNM Explorer: topology files (*.cnm.yaml) in this workspace. Click to show them.';
    this.statusBar.show();
    this.output.info(`found ${count} topology file(s)`);
    return count;
  }

  /** Keep `d` until the extension deactivates. */
  track<T extends vscode.Disposable>(d: T): T {
    this.disposables.push(d);
    return d;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }

  private watchTopologyFiles(): void {
    const watcher = this.track(vscode.workspace.createFileSystemWatcher(TOPOLOGY_GLOB));
    // A save or a checkout can fire many events at once; one refresh after they settle is enough.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void this.refresh(), 150);
    };
    watcher.onDidCreate(later, undefined, this.disposables);
    watcher.onDidDelete(later, undefined, this.disposables);
    this.track({ dispose: () => clearTimeout(timer) });
  }
}
