// "Import Docker Host": a live host as a topology file (importTopology): a new untitled *.cnm.yaml
// document in the workspace (saved by the user), or, with `{ file }`, written there. Reading only.
//   cnm.docker.importHost({ liveHost, file?, name?, label? })  → { ok, uri, text }
import * as vscode from 'vscode';
import { importTopology } from '../../live';
import type { Ctx } from '../ctx';
import { errorText, isLiveInvocation, pickLiveHost, refuseLive, resolveLive, snapshotOf } from '../commands/liveCommon';
import { importFileName } from './importName';
import type { LiveHostEntry } from './liveHostsApi';

const IMPORT = 'Import Docker Host';

export type ImportResult = { ok: true; uri: string; text: string } | { ok: false; error: string } | undefined;

export function importHostCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<ImportResult> => {
    let entry: LiveHostEntry | undefined;
    let args: Record<string, unknown> = {};
    let scripted = false;
    if (isLiveInvocation(arg)) {
      const live = resolveLive(ctx, arg);
      if ('error' in live) return refuseLive(ctx, undefined, IMPORT, live.error);
      ({ entry, args, scripted } = live);
    } else {
      entry = await pickLiveHost(ctx, IMPORT);
    }
    if (!entry) return undefined;
    const host = entry;
    let text: string;
    try {
      text = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Reading ${host.label}…` }, async () => {
        const snapshot = await snapshotOf(host, true);
        return importTopology(snapshot, {
          name: typeof args.name === 'string' ? args.name : host.label,
          ...(typeof args.label === 'string' ? { label: args.label } : {}),
        });
      });
    } catch (err) {
      return refuseLive(ctx, { scripted, entry: host }, IMPORT, errorText(err));
    }
    let uri: vscode.Uri;
    if (typeof args.file === 'string') {
      // Named: written to that path (as `cnm import` would).
      uri = vscode.Uri.file(args.file);
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    } else {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.path));
      const existing = folder ? new Set((await vscode.workspace.fs.readDirectory(folder).then((e) => e, () => [])).map(([n]) => n)) : new Set<string>();
      const name = importFileName(host.label, (n) => existing.has(n) || [...open].some((p) => p.endsWith(`/${n}`)));
      // Untitled, with its future path: Save writes it into the workspace, and the name makes it a topology file now.
      uri = folder ? vscode.Uri.joinPath(folder, name).with({ scheme: 'untitled' }) : vscode.Uri.from({ scheme: 'untitled', path: name });
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    if (uri.scheme === 'untitled') {
      const edit = new vscode.WorkspaceEdit();
      edit.insert(uri, new vscode.Position(0, 0), text);
      await vscode.workspace.applyEdit(edit);
    }
    await vscode.window.showTextDocument(doc, { preview: false });
    ctx.output.info(`imported ${host.label} into ${uri.toString()}`);
    return { ok: true, uri: doc.uri.toString(), text: doc.getText() };
  };
}
