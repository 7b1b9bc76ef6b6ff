// The extension as a user meets it in a real VS Code: it activates, its commands exist, its tree
// lists the workspace's topology files and follows changes, and topology files get their language.
import * as assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CnmExplorerApi } from '../../src/extension/extension';

const EXTENSION_ID = 'cnm-explorer.cnm-explorer';

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need a workspace folder (a copy of examples/)');
  return folder.uri.fsPath;
}

/** The topology files on disk, found without VS Code, to compare the tree with. */
function topologyFilesOnDisk(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) found.push(...topologyFilesOnDisk(path));
    else if (entry.isFile() && /\.cnm\.ya?ml$/.test(entry.name)) found.push(path);
  }
  return found.sort();
}

/** The Compose projects on disk: per folder the file docker compose would use there (never an override). */
function composeProjectsOnDisk(dir: string): string[] {
  const found: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true });
  const main = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'].find((n) => entries.some((e) => e.isFile() && e.name === n));
  if (main) found.push(join(dir, main));
  for (const entry of entries) {
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) found.push(...composeProjectsOnDisk(join(dir, entry.name)));
  }
  return found.sort();
}

/** Every source the tree should list. */
function sourcesOnDisk(dir: string): string[] {
  return [...topologyFilesOnDisk(dir), ...composeProjectsOnDisk(dir)].sort();
}

async function api(): Promise<CnmExplorerApi> {
  const extension = vscode.extensions.getExtension<CnmExplorerApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  return extension.activate();
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite('CNM Explorer in VS Code', () => {
  test('activates in the workspace', async () => {
    await api();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
  });

  test('registers every command its manifest contributes', async () => {
    await api();
    const contributed = (vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes.commands as { command: string }[])
      .map((c) => c.command);
    assert.ok(contributed.includes('cnm.refresh') && contributed.includes('cnm.traceFrom') && contributed.includes('cnm.playInLab'));
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((id) => !registered.has(id)), [], 'contributed commands without a handler');
  });

  test('Play Topology in a Lab runs `cnm lab up --compare FILE` of the extension\'s CLI in a terminal, then offers `lab down`', async () => {
    await api();
    const file = join(workspaceRoot(), '02-custom-bridge.cnm.yaml');
    const term = await vscode.commands.executeCommand<{ name: string; shellPath: string; shellArgs: string[] }>('cnm.playInLab', { file, open: false });
    assert.ok(term, 'the command answers with its terminal');
    assert.equal(term.name, 'CNM Lab: 02-custom-bridge.cnm.yaml');
    assert.equal(term.shellPath, '/bin/sh');
    const [flag, script, , node, cli, played] = term.shellArgs;
    assert.equal(flag, '-c');
    const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
    assert.ok(script!.startsWith(`${sudo}"$1" "$2" lab up --compare "$3"`), script);
    assert.ok(script!.includes(`${sudo}"$1" "$2" lab down "$3"`), script);
    assert.match(node!, /[/\\]node$/);
    assert.match(cli!, /[/\\]dist[/\\]cli\.js$/);
    assert.equal(played, file);
  });

  test('the Networks view opens', async () => {
    await api();
    await vscode.commands.executeCommand('workbench.view.extension.cnm');
    await vscode.commands.executeCommand('cnm.explorer.focus');
  });

  test('the tree lists the topology files and Compose projects of the workspace', async () => {
    const onDisk = sourcesOnDisk(workspaceRoot());
    assert.ok(topologyFilesOnDisk(workspaceRoot()).length > 0, 'the examples workspace holds topology files');
    assert.ok(composeProjectsOnDisk(workspaceRoot()).length > 0, 'the examples workspace holds a Compose project');
    assert.deepEqual((await (await api()).listedSources()).slice().sort(), onDisk);
  });

  test('Refresh answers with the number of sources, and the status bar counts each kind', async () => {
    const explorer = await api();
    const count = await vscode.commands.executeCommand<number>('cnm.refresh');
    assert.equal(count, sourcesOnDisk(workspaceRoot()).length);
    const files = topologyFilesOnDisk(workspaceRoot()).length;
    const projects = composeProjectsOnDisk(workspaceRoot()).length;
    assert.match(explorer.statusBar().text, new RegExp(`CNM: ${files} topologies · ${projects} Compose project${projects === 1 ? '' : 's'}`));
  });

  test('a topology file created or deleted on disk shows in the tree by itself', async () => {
    const explorer = await api();
    const file = join(workspaceRoot(), 'added-by-test.cnm.yaml');
    try {
      writeFileSync(file, 'networks:\n  front:\n    driver: bridge\n');
      await eventually(async () => (await explorer.listedSources()).includes(file), 'the new file is listed');
    } finally {
      rmSync(file, { force: true });
    }
    await eventually(async () => !(await explorer.listedSources()).includes(file), 'the deleted file is gone');
  });

  test('a *.cnm.yaml document has the cnm-topology language', async () => {
    const [first] = topologyFilesOnDisk(workspaceRoot());
    assert.ok(first);
    const document = await vscode.workspace.openTextDocument(first);
    assert.equal(document.languageId, 'cnm-topology');
  });
});
