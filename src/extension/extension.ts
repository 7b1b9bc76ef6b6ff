// Entry point of the extension host bundle (dist/extension.js).
import * as vscode from 'vscode';
import { commands } from './commands';
import { Ctx } from './ctx';
import type { DiagramPanelState } from './diagramPanel';
import { startLanguageClient } from './languageClient';
import type { LiveConnectionStatus } from './live/liveHostsApi';
import { showLiveHostsCommand, verifyTraceCommand } from './live/liveCommands';
import { liveUri } from './live/liveSource';
import type { NodeKind, TreeNode } from './treeNodes';
import type { MatrixPanelState } from './matrixPanel';

/** A tree node as the tests read it. */
export interface TreeEntry {
  kind: NodeKind;
  label: string;
  description: string;
  contextValue: string;
  elementId?: string;
  /** The live host's key, on the nodes of a live host. */
  liveHost?: string;
  children: TreeEntry[];
}

/** A live Docker host as the tests see it. */
export interface LiveHostSummary {
  key: string;
  label: string;
  endpoint: string;
  status: LiveConnectionStatus;
  /** The engine's name of the host (diagram element ids), once read. */
  hostName?: string;
  /** The `cnm-live:` URI its diagram and tree nodes belong to. */
  uri: string;
}

/** What activate() returns; the extension-host tests read the tree and the diagrams through it. */
export interface CnmExplorerApi {
  /** The topology files the tree lists, as file-system paths, in tree order. */
  listedSources(): Promise<string[]>;
  /** The tree under a file, as plain data (current with the file's text). */
  tree(file: string): Promise<TreeEntry | undefined>;
  /** The open diagram of a file, if any. */
  diagram(file: string): DiagramPanelState | undefined;
  /** Hands a message to a file's diagram as if its webview had sent it (to test that bad input is ignored). */
  sendFromWebview(file: string, message: unknown): boolean;
  /** Waits until pending reloads are through and returns the file's revision. */
  revision(file: string): Promise<number>;
  /** The live Docker hosts, in tree order. */
  liveHosts(): LiveHostSummary[];
  /** A live host's node in the tree, as plain data (its current state). */
  liveTree(key: string): Promise<TreeEntry | undefined>;
  /** The status bar item's text and tooltip (markdown). */
  statusBar(): { text: string; tooltip: string };
  /** The open matrix of a source, if any. */
  matrix(file: string): MatrixPanelState | undefined;
  /** Hands a message to a source's matrix as if its page had sent it (bad input is ignored and counted). */
  sendToMatrix(file: string, message: unknown): Promise<boolean>;
}

export async function activate(context: vscode.ExtensionContext): Promise<CnmExplorerApi> {
  const ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  for (const [name, factory] of Object.entries(commands)) {
    ctx.track(vscode.commands.registerCommand(`cnm.${name}`, factory(ctx)));
  }
  // The live hosts' own commands (the ones that change a host are in the table above).
  ctx.track(vscode.commands.registerCommand('cnm.showLiveHosts', showLiveHostsCommand(ctx)));
  ctx.track(vscode.commands.registerCommand('cnm.verifyTrace', verifyTraceCommand(ctx)));
  ctx.output.info(`CNM Explorer ${context.extension.packageJSON.version as string} activated`);
  // Docker hosts connect in the background: activation never waits for a daemon.
  ctx.start();
  await ctx.updateStatus();
  // The language server is its own process; the explorer works without it.
  startLanguageClient(context, ctx.output).catch((e: unknown) => ctx.output.error(`the language server did not start: ${e instanceof Error ? e.message : String(e)}`));
  const uriOf = (file: string) => (/^[a-z][a-z0-9+.-]+:/i.test(file) ? vscode.Uri.parse(file) : vscode.Uri.file(file));
  return {
    listedSources: async () => (await ctx.store.list()).map((uri) => uri.fsPath),
    tree: async (file) => {
      const uri = uriOf(file);
      await ctx.store.get(uri);
      const root = await ctx.tree.rootOf(uri);
      return root ? treeEntry(root) : undefined;
    },
    diagram: (file) => ctx.diagrams.get(uriOf(file))?.state,
    sendFromWebview: (file, message) => {
      const panel = ctx.diagrams.get(uriOf(file));
      panel?.receive(message);
      return !!panel;
    },
    revision: async (file) => (await ctx.store.get(uriOf(file))).revision,
    liveHosts: () => ctx.live.list().map((h) => ({
      key: h.key, label: h.label, endpoint: h.endpoint, status: h.status, uri: liveUri(h.key).toString(),
      ...(h.state ? { hostName: h.state.model.host } : {}),
    })),
    liveTree: async (key) => {
      const root = await ctx.tree.rootOf(liveUri(key));
      return root ? treeEntry(root) : undefined;
    },
    matrix: (file) => ctx.matrices.get(uriOf(file)),
    sendToMatrix: async (file, message) => {
      const done = ctx.matrices.receive(uriOf(file), message);
      await done;
      return !!done;
    },
    statusBar: () => ({
      text: ctx.statusBar.text,
      tooltip: typeof ctx.statusBar.tooltip === 'string' ? ctx.statusBar.tooltip : ctx.statusBar.tooltip?.value ?? '',
    }),
  };
}

function treeEntry(n: TreeNode): TreeEntry {
  return {
    kind: n.kind, label: n.label, description: n.description ?? '', contextValue: n.contextValue,
    ...(n.elementId ? { elementId: n.elementId } : {}), ...(n.liveHost !== undefined ? { liveHost: n.liveHost } : {}), children: n.children.map(treeEntry),
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
