// Entry point of the extension host bundle (dist/extension.js).
import * as vscode from 'vscode';
import { commands } from './commands';
import { Ctx } from './ctx';

/** What activate() returns; the extension-host tests read the tree through it. */
export interface CnmExplorerApi {
  /** The topology files the tree lists, as file-system paths, in tree order. */
  listedSources(): Promise<string[]>;
}

export async function activate(context: vscode.ExtensionContext): Promise<CnmExplorerApi> {
  const ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  for (const [name, factory] of Object.entries(commands)) {
    ctx.track(vscode.commands.registerCommand(`cnm.${name}`, factory(ctx)));
  }
  ctx.output.info(`CNM Explorer ${context.extension.packageJSON.version as string} activated`);
  await ctx.refresh();
  return {
    listedSources: async () => (await ctx.sources.getChildren()).map((item) => item.uri.fsPath),
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
