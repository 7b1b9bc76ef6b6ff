// The explorer's actions on a Compose source edit the Compose file (named arguments, no questions): the
// change goes through the editor, so undo takes it back, comments stay, and what Compose or Docker would
// refuse is refused in their words before the file is touched.
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, openEditor, undo, workspaceRoot } from './support';

type Result = { ok: true; text: string; warnings: string[] } | { ok: false; error: string } | undefined;

const run = (command: string, args: Record<string, unknown>) => vscode.commands.executeCommand<Result>(`cnm.${command}`, args);
const textOf = async (file: string) => (await vscode.workspace.openTextDocument(file)).getText();

suite('Actions on a Compose source', () => {
  let dir: string;
  let file: string;
  suiteSetup(() => {
    dir = join(workspaceRoot(), 'compose-actions');
    mkdirSync(dir, { recursive: true });
    file = join(dir, 'compose.yaml');
    writeFileSync(file, readFileSync(join(workspaceRoot(), '11-compose-web-api-db', 'compose.yaml'), 'utf8'));
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
    // The watcher may tell of the deletion only later: re-list now, so the next suite sees the workspace as it is.
    await vscode.commands.executeCommand('cnm.refresh');
  });

  test('Create Network writes it under networks:, comments kept; undo takes it back', async () => {
    await api();
    await openEditor(file);
    const before = await textOf(file);
    const r = await run('createNetwork', { file, name: 'admin', subnet: '10.40.0.0/24', internal: true });
    assert.equal(r?.ok, true, JSON.stringify(r));
    const after = await textOf(file);
    const added = '  admin:\n    internal: true\n    ipam:\n      config:\n        - subnet: 10.40.0.0/24\n';
    assert.ok(after.includes(added), after);
    assert.equal(after.replace(added, ''), before, 'nothing else changed');
    await undo(file, before);
  });

  test('Connect Container attaches the service (named by its container), switching to a map for an address', async () => {
    await openEditor(file);
    const before = await textOf(file);
    const r = await run('connectContainer', { file, container: 'shop-web-1', network: 'shop_back', ipv4Address: '10.30.0.50' });
    assert.equal(r?.ok, true, JSON.stringify(r));
    assert.ok((await textOf(file)).includes('    networks: { front: {}, back: { ipv4_address: 10.30.0.50 } }\n'), await textOf(file));
    await undo(file, before);
    // Docker's refusal, before the file is touched.
    const bad = await run('connectContainer', { file, container: 'web', network: 'back', ipv4Address: '10.99.0.5' });
    assert.equal(bad?.ok, false);
    assert.match(bad && !bad.ok ? bad.error : '', /10\.99\.0\.5/);
    assert.equal(await textOf(file), before);
  });

  test('Publish Port appends to the service\'s ports, quoted; undo takes it back', async () => {
    await openEditor(file);
    const before = await textOf(file);
    const r = await run('publishPort', { file, service: 'web', port: '9090:90' });
    assert.equal(r?.ok, true, JSON.stringify(r));
    assert.ok((await textOf(file)).includes('      - "127.0.0.1:8443:443"      # loopback only\n      - "9090:90"\n'));
    await undo(file, before);
    assert.deepEqual(await run('publishPort', { file, service: 'nope', port: '1:1' }), { ok: false, error: 'The project has no service or container "nope".' });
  });
});
