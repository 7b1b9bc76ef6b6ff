// Entry point of the extension host bundle (dist/extension.js).
import * as vscode from 'vscode';
import { commands } from './commands';
import { Ctx } from './ctx';
import type { DiagramPanelState } from './diagramPanel';
import { startLanguageClient } from './languageClient';
import type { NodeKind } from './treeNodes';

/** A tree node as the tests read it. */
export interface TreeEntry {
  kind: NodeKind;
  label: string;
  description: string;
  contextValue: string;
  elementId?: string;
  children: TreeEntry[];
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
}

export async function activate(context: vscode.ExtensionContext): Promise<CnmExplorerApi> {
  const ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  for (const [name, factory] of Object.entries(commands)) {
    ctx.track(vscode.commands.registerCommand(`cnm.${name}`, factory(ctx)));
  }
  ctx.output.info(`CNM Explorer ${context.extension.packageJSON.version as string} activated`);
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
      const entry = (n: NonNullable<typeof root>): TreeEntry => ({
        kind: n.kind, label: n.label, description: n.description ?? '', contextValue: n.contextValue,
        ...(n.elementId ? { elementId: n.elementId } : {}), children: n.children.map(entry),
      });
      return root ? entry(root) : undefined;
    },
    diagram: (file) => ctx.diagrams.get(uriOf(file))?.state,
    sendFromWebview: (file, message) => {
      const panel = ctx.diagrams.get(uriOf(file));
      panel?.receive(message);
      return !!panel;
    },
    revision: async (file) => (await ctx.store.get(uriOf(file))).revision,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
