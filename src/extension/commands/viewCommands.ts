// Open the diagram, show a tree item in its file, refresh.
//   cnm.openDiagram({ file })   cnm.revealInFile({ file, element }) or a tree node
import * as vscode from 'vscode';
import type { Range as TopologyRange } from '../../topology';
import type { Ctx } from '../ctx';
import type { DiagramPanelState } from '../diagramPanel';
import { ComposeSource } from '../topologyStore';
import { isTreeNode, resolveInvocation } from './args';

export function openDiagramCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<DiagramPanelState | undefined> => {
    const inv = await resolveInvocation(ctx, arg, 'Open Diagram');
    if (!inv) return undefined;
    const panel = ctx.diagrams.open(inv.source, vscode.ViewColumn.Beside);
    // A node the command was run on is selected in the diagram too.
    if (inv.node?.elementId) panel.select(inv.node.elementId);
    return panel.state;
  };
}

export function revealInFileCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<boolean> => {
    const inv = await resolveInvocation(ctx, arg, 'Reveal in File');
    if (!inv) return false;
    let range: TopologyRange | undefined;
    // A Compose project spans files (the override, included and extended ones): the node's may be another.
    let file = inv.source.uri;
    const node = isTreeNode(arg) ? arg : typeof inv.args.element === 'string' ? await ctx.tree.findByElement(inv.source.uri, inv.args.element) : undefined;
    if (node?.diagnostic) {
      range = node.diagnostic.range;
      if (node.file) file = vscode.Uri.parse(node.file);
    } else if (node?.path && node.path.length) {
      const compose = inv.source instanceof ComposeSource ? inv.source.project.loaded.compose : undefined;
      if (compose) {
        const at = compose.locate(node.path, 'key');
        range = at.range;
        file = inv.source.uri.with({ path: at.file });
      } else range = inv.source.loaded.rangeOf(node.path, 'key');
    }
    if (!range) {
      if (!inv.scripted) void vscode.window.showInformationMessage(`${node?.label ?? 'This'} is not written in the file (Docker makes it by itself).`);
      return false;
    }
    const doc = await vscode.workspace.openTextDocument(file);
    const r = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === file.toString());
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection: r, preview: false });
    editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return true;
  };
}
