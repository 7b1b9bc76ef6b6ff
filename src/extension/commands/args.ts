// What a command was invoked on: a tree node (menus), a file URI (explorer or editor menus), a plain
// object of named arguments (tests, keybindings, other extensions: `{ file, name, … }`), or nothing
// (the palette: the active editor's file, else a pick).
import * as vscode from 'vscode';
import { parseElementId } from '../elementIds';
import { sourceUriOf, type Ctx } from '../ctx';
import type { TreeNode } from '../treeNodes';
import type { TopologySource } from '../topologyStore';

/** Named arguments any command accepts; each command reads the ones it needs. */
export interface CommandArgs {
  /** The topology file: a path or a URI string (`uri` is taken as well: the code lenses send it). */
  file?: string;
  uri?: string;
  /** A user asked through a code lens: questions may be asked and results shown, as from a menu. */
  interactive?: boolean;
  host?: string;
  network?: string;
  container?: string;
  /** A diagram element id (reveal in file). */
  element?: string;
  [key: string]: unknown;
}

export interface Invocation {
  source: TopologySource;
  node?: TreeNode;
  args: CommandArgs;
  /** True when the caller gave named arguments: no questions are asked, nothing modal is shown. */
  scripted: boolean;
}

export function isTreeNode(v: unknown): v is TreeNode {
  return typeof v === 'object' && v !== null && typeof (v as TreeNode).id === 'string' && typeof (v as TreeNode).kind === 'string'
    && typeof (v as TreeNode).contextValue === 'string';
}

/** Resolves the source file of an invocation, asking the user when nothing says which. */
export async function resolveInvocation(ctx: Ctx, arg: unknown, purpose: string): Promise<Invocation | undefined> {
  if (isTreeNode(arg)) {
    const source = await ctx.store.get(sourceUriOf(arg));
    return { source, node: arg, args: { ...(arg.host ? { host: arg.host } : {}), ...(arg.network ? { network: arg.network } : {}), ...(arg.container ? { container: arg.container } : {}) }, scripted: false };
  }
  if (arg instanceof vscode.Uri) return { source: await ctx.store.get(arg), args: {}, scripted: false };
  if (typeof arg === 'object' && arg !== null && !Array.isArray(arg)) {
    const args = arg as CommandArgs;
    const named = typeof args.file === 'string' ? args.file : typeof args.uri === 'string' ? args.uri : undefined;
    const uri = named ? toUri(named) : ctx.activeTopologyUri();
    if (!uri) throw new Error('Which topology file? Pass { file } (a path or a URI).');
    const element = typeof args.element === 'string' ? parseElementId(args.element) : undefined;
    const fromElement: CommandArgs = element ? { host: element.host, ...('network' in element ? { network: element.network } : {}), ...('container' in element ? { container: element.container } : {}) } : {};
    return { source: await ctx.store.get(uri), args: { ...fromElement, ...args }, scripted: args.interactive !== true };
  }
  const uri = ctx.activeTopologyUri() ?? (await pickSource(ctx, purpose));
  return uri ? { source: await ctx.store.get(uri), args: {}, scripted: false } : undefined;
}

function toUri(file: string): vscode.Uri {
  return /^[a-z][a-z0-9+.-]*:/i.test(file) && !/^[a-z]:[\\/]/i.test(file) ? vscode.Uri.parse(file) : vscode.Uri.file(file);
}

async function pickSource(ctx: Ctx, purpose: string): Promise<vscode.Uri | undefined> {
  const uris = await ctx.store.list();
  if (uris.length === 0) {
    void vscode.window.showInformationMessage('CNM Explorer: this workspace has no topology files (*.cnm.yaml) yet.');
    return undefined;
  }
  if (uris.length === 1) return uris[0];
  const picked = await vscode.window.showQuickPick(
    uris.map((uri) => ({ label: uri.path.slice(uri.path.lastIndexOf('/') + 1), description: vscode.workspace.asRelativePath(uri), uri })),
    // Kept open when focus moves (a walkthrough button, a webview): it would vanish before the user saw it.
    { title: purpose, placeHolder: 'Which topology file?', ignoreFocusOut: true },
  );
  return picked?.uri;
}

/** The host an action applies to: the one named, else the node's, else the file's only host, else a pick. */
export async function resolveHost(inv: Invocation, title: string): Promise<string | undefined> {
  const named = typeof inv.args.host === 'string' ? inv.args.host : undefined;
  if (named) return named;
  const hosts = inv.source.loaded.spec.hosts.map((h) => h.name);
  if (hosts.length <= 1 || inv.scripted) return inv.source.firstHost;
  const picked = await vscode.window.showQuickPick(hosts, { title, placeHolder: 'On which host?' });
  return picked;
}

/** Reports a refusal: a message to the user (unless scripted), a line in the log, and the result object. */
export function refuse(ctx: Ctx, inv: Invocation | undefined, title: string, error: string): { ok: false; error: string } {
  ctx.output.warn(`${title}: ${error}`);
  if (!inv?.scripted) void vscode.window.showErrorMessage(`${title}: ${error}`);
  return { ok: false, error };
}
