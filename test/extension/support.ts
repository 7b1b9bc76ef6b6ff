// Shared by the extension-host suites: the extension's API, scratch copies of the examples in the
// workspace, and waiting for things that happen asynchronously (reloads, webview messages).
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CnmExplorerApi, TreeEntry } from '../../src/extension/extension';

export const EXTENSION_ID = 'cnm-explorer.cnm-explorer';

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need a workspace folder (a copy of examples/)');
  return folder.uri.fsPath;
}

export async function api(): Promise<CnmExplorerApi> {
  const extension = vscode.extensions.getExtension<CnmExplorerApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  return extension.activate();
}

export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const scratch: string[] = [];

/** A copy of an example under a new name in the workspace (removed by cleanScratch). */
export function scratchCopy(example: string, name: string): string {
  const target = join(workspaceRoot(), name);
  copyFileSync(join(workspaceRoot(), example), target);
  scratch.push(target);
  return target;
}

/** A new topology file in the workspace (removed by cleanScratch). */
export function scratchWrite(name: string, text: string): string {
  const target = join(workspaceRoot(), name);
  writeFileSync(target, text);
  scratch.push(target);
  return target;
}

/** Closes editors and removes the scratch files, then waits until the tree no longer lists them. */
export async function cleanScratch(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  const gone = scratch.splice(0);
  for (const f of gone) rmSync(f, { force: true });
  const explorer = await api();
  await eventually(async () => {
    const listed = await explorer.listedSources();
    return gone.every((f) => !listed.includes(f) || existsSync(f));
  }, 'the scratch files left the tree');
}

/** The path of labels to a node, e.g. find(tree, 'host1', 'Networks', 'mybridge10'). */
export function find(tree: TreeEntry | undefined, ...labels: string[]): TreeEntry | undefined {
  let node = tree;
  for (const label of labels) node = node?.children.find((c) => c.label === label);
  return node;
}

export function labels(node: TreeEntry | undefined): string[] {
  return node?.children.map((c) => c.label) ?? [];
}

/** Opens a file in an editor (focused), so that `undo` applies to it. */
export async function openEditor(file: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(file);
  return vscode.window.showTextDocument(doc, { preview: false });
}

export async function undo(file: string, expected: string): Promise<void> {
  await openEditor(file);
  await vscode.commands.executeCommand('undo');
  const doc = await vscode.workspace.openTextDocument(file);
  await eventually(() => doc.getText() === expected, 'undo restored the text', 5000);
}
