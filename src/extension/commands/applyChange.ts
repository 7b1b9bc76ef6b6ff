// Applies a checked change to its topology file through a WorkspaceEdit: the editor shows it (the
// changed lines selected), undo takes it back, and nothing is saved behind the user's back.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { PlannedChange } from '../topologyChanges';
import type { TopologySource } from '../topologyStore';

export interface AppliedChange {
  ok: true;
  /** The file's text after the change (what the tests compare). */
  text: string;
  warnings: string[];
}

export async function applyChange(ctx: Ctx, source: TopologySource, change: PlannedChange, what: string, showEditor = true): Promise<AppliedChange | { ok: false; error: string }> {
  // These edits are a topology file's: a Compose file has its own keys and names.
  if (source.isCompose) return { ok: false, error: `${source.fileName} is a Compose file: this action edits topology files (*.cnm.yaml) only.` };
  const doc = await vscode.workspace.openTextDocument(source.uri);
  if (doc.getText() !== change.oldText) {
    return { ok: false, error: 'The file changed while the action was being prepared; run it again.' };
  }
  // VS Code applies the edit only to this version of the document: text typed meanwhile is never overwritten.
  const version = doc.version;
  const edit = new vscode.WorkspaceEdit();
  for (const e of change.edits) {
    edit.replace(source.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.text, {
      label: what,
      needsConfirmation: false,
    });
  }
  if (!(await vscode.workspace.applyEdit(edit))) {
    if (doc.version !== version) return { ok: false, error: 'The file changed while the action was being applied (typing?); nothing was changed: run it again.' };
    return { ok: false, error: 'VS Code did not apply the edit (is the file read-only?).' };
  }
  ctx.output.info(`${what}: edited ${vscode.workspace.asRelativePath(source.uri)} (${change.edits.length} change${change.edits.length === 1 ? '' : 's'})`);
  // The tree and the diagram follow now, not after the typing debounce.
  await ctx.store.load(source.uri);
  if (showEditor && change.edits.length) {
    const first = change.edits[0]!;
    const start = doc.positionAt(first.offset);
    const end = doc.positionAt(first.offset + first.text.length);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === source.uri.toString());
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: true, preview: false });
    editor.selection = new vscode.Selection(start, end);
    editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  for (const w of change.warnings) void vscode.window.showWarningMessage(`${what}: ${w}`);
  return { ok: true, text: doc.getText(), warnings: change.warnings };
}
