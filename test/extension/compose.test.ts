// A Compose project in the real extension host: the examples' compose.yaml is a source of its own,
// its tree has Docker's names, "Trace From Here" takes a service's name, the diagram opens, and
// the project follows a new override file.
import * as assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TraceView } from '../../src/protocol/trace';
import { api, eventually, find, labels, workspaceRoot } from './support';

const dir = () => join(workspaceRoot(), '11-compose-web-api-db');
const file = () => join(dir(), 'compose.yaml');

suite('A Compose project', () => {
  const override = () => join(dir(), 'compose.override.yaml');
  suiteTeardown(async () => {
    rmSync(override(), { force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('is listed, and its tree shows the project with Docker\'s names and addresses', async () => {
    const explorer = await api();
    assert.ok((await explorer.listedSources()).includes(file()));
    const tree = await explorer.tree(file());
    assert.ok(tree);
    assert.equal(tree.label, 'compose.yaml');
    assert.match(tree.description, /project shop · 3 containers/);
    assert.equal(tree.contextValue, 'cnm.source.compose');
    assert.deepEqual(labels(find(tree, 'shop')), ['Networks', 'Services']);
    assert.deepEqual(labels(find(tree, 'shop', 'Networks')), ['shop_back', 'shop_front']);
    assert.deepEqual(find(tree, 'shop', 'Networks', 'shop_back')?.children.map((e) => e.label), ['shop-db-1', 'shop-api-1']);
    assert.deepEqual(labels(find(tree, 'shop', 'Services', 'api')), ['shop-api-1']);
  });

  test('traces from a service by its name, and opens the diagram with the trace', async () => {
    const explorer = await api();
    const ok = await vscode.commands.executeCommand<TraceView>('cnm.traceFrom', { file: file(), from: 'web', to: 'api', port: 3000 });
    assert.equal(ok.from, 'shop-web-1', 'a service stands for its first replica');
    assert.equal(ok.verdict, 'delivered', ok.reason);
    const db = await vscode.commands.executeCommand<TraceView>('cnm.traceFrom', { file: file(), from: 'web', to: 'db', port: 5432 });
    assert.equal(db.verdict, 'unresolved', 'db is not on front');
    const diagram = await eventually(() => explorer.diagram(file())?.ready && explorer.diagram(file()), 'the diagram opened and loaded');
    assert.equal(diagram.lastTrace?.verdict, 'unresolved');
  });

  test('follows an override file that appears beside it', async () => {
    const explorer = await api();
    const before = await explorer.revision(file());
    writeFileSync(override(), 'services:\n  web:\n    ports: ["9090:80"]\n');
    await eventually(async () => (await explorer.revision(file())) > before, 'the project reloaded', 15_000);
    const tree = await explorer.tree(file());
    const web = find(tree, 'shop', 'Services', 'web', 'shop-web-1');
    assert.ok(web?.children.some((c) => c.label === '0.0.0.0:9090 → 80/tcp'), labels(web).join(' | '));
    assert.ok(!(await explorer.listedSources()).includes(override()), 'an override is not a source of its own');
  });
});
