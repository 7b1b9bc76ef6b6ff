// Every action, run with named arguments (as a script or keybinding would, no questions asked): the
// file changes through the editor (so undo takes it back), the tree follows, and what Docker would
// refuse is refused with Docker's message before the file is touched.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TraceView } from '../../src/protocol/trace';
import { api, cleanScratch, eventually, find, labels, openEditor, scratchCopy, undo } from './support';

type Result = { ok: true; text: string; warnings: string[] } | { ok: false; error: string } | undefined;

async function run(command: string, args: Record<string, unknown>): Promise<Result> {
  return vscode.commands.executeCommand<Result>(`cnm.${command}`, args);
}

async function textOf(file: string): Promise<string> {
  return (await vscode.workspace.openTextDocument(file)).getText();
}

suite('Actions on a topology file', () => {
  suiteTeardown(cleanScratch);

  test('Create Network adds it to the file and the tree; undo removes both', async () => {
    const file = scratchCopy('02-custom-bridge.cnm.yaml', 'act-create.cnm.yaml');
    const explorer = await api();
    await openEditor(file);
    const before = await textOf(file);
    const r = await run('createNetwork', { file, name: 'backend', subnet: '10.30.0.0/24', gateway: '10.30.0.1' });
    assert.equal(r?.ok, true, JSON.stringify(r));
    const after = await textOf(file);
    assert.ok(after.includes('  backend:\n    driver: bridge\n    subnet: 10.30.0.0/24\n    gateway: 10.30.0.1\n'));
    assert.equal(after.replace('  backend:\n    driver: bridge\n    subnet: 10.30.0.0/24\n    gateway: 10.30.0.1\n', ''), before, 'nothing else changed');
    assert.equal(find(await explorer.tree(file), 'host1', 'Networks', 'backend')?.description, 'bridge · 10.30.0.0/24 · 0 endpoints');
    await undo(file, before);
    await eventually(async () => !find(await explorer.tree(file), 'host1', 'Networks', 'backend'), 'the tree lost the network again');
  });

  test('Create Network refuses what Docker refuses, and leaves the file alone', async () => {
    const file = scratchCopy('02-custom-bridge.cnm.yaml', 'act-create-bad.cnm.yaml');
    const before = await textOf(file);
    assert.deepEqual(await run('createNetwork', { file, name: 'mybridge10' }), { ok: false, error: 'network with name mybridge10 already exists' });
    const overlap = await run('createNetwork', { file, name: 'x', subnet: '10.10.5.0/24' });
    assert.equal(overlap?.ok, false);
    assert.match(overlap && !overlap.ok ? overlap.error : '', /Pool overlaps with other one on this address space/);
    assert.equal(await textOf(file), before);
  });

  test('Remove Network: predefined ones are refused; one with endpoints only when asked to disconnect them', async () => {
    const file = scratchCopy('02-custom-bridge.cnm.yaml', 'act-remove.cnm.yaml');
    const explorer = await api();
    await openEditor(file);
    const before = await textOf(file);
    assert.deepEqual(await run('removeNetwork', { file, network: 'bridge' }), { ok: false, error: 'bridge is a pre-defined network and cannot be removed' });
    const busy = await run('removeNetwork', { file, network: 'mybridge10' });
    assert.match(busy && !busy.ok ? busy.error : '', /has active endpoints \(10_b1, b1, web\)/);
    const r = await run('removeNetwork', { file, network: 'mybridge10', disconnect: true });
    assert.equal(r?.ok, true, JSON.stringify(r));
    const tree = await explorer.tree(file);
    assert.deepEqual(labels(find(tree, 'host1', 'Networks')), ['none', 'host', 'bridge']);
    assert.deepEqual(labels(find(tree, 'host1', 'Containers', 'b1')), ['bridge', 'network namespace'], 'b1 keeps only its bridge endpoint (and its namespace node)');
    assert.equal(tree?.contextValue, 'cnm.source', 'the file has no problem after the change');
    await undo(file, before);
  });

  test('Connect: the container gets an endpoint; a static address Docker refuses shows Docker\'s error first', async () => {
    const file = scratchCopy('02-custom-bridge.cnm.yaml', 'act-connect.cnm.yaml');
    const explorer = await api();
    await openEditor(file);
    const before = await textOf(file);
    const refused = await run('connectContainer', { file, container: 'web', network: 'bridge', ipv4Address: '172.17.0.50' });
    assert.deepEqual(refused, { ok: false, error: 'Error response from daemon: user specified IP address is supported on user defined networks only' });
    assert.equal(await textOf(file), before);
    const r = await run('connectContainer', { file, container: 'web', network: 'bridge' });
    assert.equal(r?.ok, true, JSON.stringify(r));
    const tree = await explorer.tree(file);
    assert.deepEqual(find(tree, 'host1', 'Networks', 'bridge')?.children.map((e) => `${e.label}: ${e.description}`), ['b1: 172.17.0.2 · eth0', 'web: 172.17.0.3 · eth1']);
    await undo(file, before);
  });

  test('Connect with an address and an alias on a user network', async () => {
    const file = scratchCopy('02-custom-bridge.cnm.yaml', 'act-connect2.cnm.yaml');
    const explorer = await api();
    assert.equal((await run('createNetwork', { file, name: 'backend', subnet: '10.30.0.0/24' }))?.ok, true);
    const r = await run('connectContainer', { file, container: '10_b1', network: 'backend', ipv4Address: '10.30.0.9', aliases: ['api'] });
    assert.equal(r?.ok, true, JSON.stringify(r));
    const ep = find(await explorer.tree(file), 'host1', 'Networks', 'backend', '10_b1');
    assert.equal(ep?.description, '10.30.0.9 · eth1 · aka api');
    const taken = await run('connectContainer', { file, container: 'b1', network: 'backend', ipv4Address: '10.30.0.9' });
    assert.match(taken && !taken.ok ? taken.error : '', /Address already in use/);
  });

  test('Disconnect removes the endpoint; undo brings it back', async () => {
    const file = scratchCopy('02-custom-bridge.cnm.yaml', 'act-disconnect.cnm.yaml');
    const explorer = await api();
    await openEditor(file);
    const before = await textOf(file);
    const r = await run('disconnectContainer', { file, container: 'b1', network: 'bridge' });
    assert.equal(r?.ok, true, JSON.stringify(r));
    assert.ok((await textOf(file)).includes('    networks: [mybridge10]\n'));
    assert.deepEqual(labels(find(await explorer.tree(file), 'host1', 'Networks', 'bridge')), []);
    await undo(file, before);
    await eventually(async () => labels(find(await explorer.tree(file), 'host1', 'Networks', 'bridge')).includes('b1'), 'b1 is back on bridge');
  });

  test('Remove Container takes its entry out of the file and the tree; undo brings it back', async () => {
    const file = scratchCopy('02-custom-bridge.cnm.yaml', 'act-remove-container.cnm.yaml');
    const explorer = await api();
    await openEditor(file);
    const before = await textOf(file);
    assert.deepEqual(await run('removeContainer', { file, container: 'nosuch' }), { ok: false, error: 'No such container: nosuch' });
    const r = await run('removeContainer', { file, container: 'web' });
    assert.equal(r?.ok, true, JSON.stringify(r));
    const after = await textOf(file);
    assert.ok(!/^ {2}web:/m.test(after), 'the entry is gone');
    assert.ok(after.includes('  b1:\n'), 'the other containers stay');
    assert.deepEqual(labels(find(await explorer.tree(file), 'host1', 'Containers')), ['10_b1', 'b1']);
    await undo(file, before);
    await eventually(async () => labels(find(await explorer.tree(file), 'host1', 'Containers')).includes('web'), 'web is back in the tree');
  });

  test('Run Container adds a running container with its published port', async () => {
    const file = scratchCopy('02-custom-bridge.cnm.yaml', 'act-run.cnm.yaml');
    const explorer = await api();
    await openEditor(file);
    const before = await textOf(file);
    const r = await run('runContainer', { file, name: 'db', image: 'postgres', network: 'mybridge10', ports: ['5432:5432'], expose: ['5432'] });
    assert.equal(r?.ok, true, JSON.stringify(r));
    const db = find(await explorer.tree(file), 'host1', 'Containers', 'db');
    assert.match(db?.description ?? '', /10\.10\.0\.4 · postgres/);
    assert.ok(labels(db).includes('0.0.0.0:5432 → 5432/tcp'));
    const clash = await run('runContainer', { file, name: 'db2', network: 'mybridge10', ports: ['5432:5432'] });
    assert.match(clash && !clash.ok ? clash.error : '', /5432/);
    await undo(file, before);
  });

  test('Trace From Here answers with the verdict and every hop, and opens the diagram with it', async () => {
    const file = scratchCopy('02-custom-bridge.cnm.yaml', 'act-trace.cnm.yaml');
    const explorer = await api();
    const ok = await vscode.commands.executeCommand<TraceView>('cnm.traceFrom', { file, from: 'b1', to: 'www', port: 80 });
    assert.equal(ok.verdict, 'delivered');
    assert.equal(ok.address, '10.10.0.100');
    assert.ok(ok.hops.some((h) => h.action === 'resolve'));
    assert.ok(ok.hops.some((h) => h.elements.includes('n/host1/mybridge10')), 'a hop lights the bridge');
    const refused = await vscode.commands.executeCommand<TraceView>('cnm.traceFrom', { file, from: '10_b1', to: 'web', port: 81 });
    assert.equal(refused.verdict, 'refused');
    assert.ok(refused.hops.at(-1)?.drop, 'the last hop is marked where it ends');
    const beyond = await vscode.commands.executeCommand<TraceView>('cnm.traceFrom', { file, from: 'b1', to: '203.0.113.5' });
    assert.equal(beyond.verdict, 'unknown', beyond.reason);
    assert.ok(beyond.hops.at(-1)?.unknown && !beyond.hops.some((h) => h.drop), 'the last hop is where the engine stops following it, not a drop');
    const unresolved = await vscode.commands.executeCommand<TraceView>('cnm.traceFrom', { file, from: 'b1', to: 'nosuch' });
    assert.equal(unresolved.verdict, 'unresolved');
    const diagram = await eventually(() => explorer.diagram(file)?.ready && explorer.diagram(file), 'the diagram opened and loaded');
    assert.equal(diagram.lastTrace?.verdict, 'unresolved');
  });

  test('Reveal in File selects the network\'s key in the editor', async () => {
    const file = scratchCopy('02-custom-bridge.cnm.yaml', 'act-reveal.cnm.yaml');
    assert.equal(await vscode.commands.executeCommand('cnm.revealInFile', { file, element: 'n/host1/mybridge10' }), true);
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.fsPath, file);
    assert.equal(editor?.document.getText(editor.selection), 'mybridge10');
  });
});

suite('The diagram', () => {
  suiteTeardown(cleanScratch);

  test('opens beside the editor, follows edits, and keeps its revision in step', async () => {
    const file = scratchCopy('02-custom-bridge.cnm.yaml', 'dia-edit.cnm.yaml');
    const explorer = await api();
    const opened = await vscode.commands.executeCommand<{ uri: string }>('cnm.openDiagram', { file });
    assert.equal(vscode.Uri.parse(opened.uri).fsPath, file);
    const first = await eventually(() => explorer.diagram(file)?.ready && explorer.diagram(file), 'the webview said it is ready');
    assert.equal(first.revision, await explorer.revision(file));
    assert.equal((await run('createNetwork', { file, name: 'later' }))?.ok, true);
    const rev = await explorer.revision(file);
    assert.ok(rev > first.revision);
    await eventually(() => explorer.diagram(file)?.revision === rev, 'the diagram got the new snapshot');
  });

  test('ignores malformed messages from the webview and keeps working', async () => {
    const file = scratchCopy('02-custom-bridge.cnm.yaml', 'dia-bad.cnm.yaml');
    const explorer = await api();
    await vscode.commands.executeCommand('cnm.openDiagram', { file });
    await eventually(() => explorer.diagram(file)?.ready, 'the diagram is ready');
    const bad: unknown[] = [
      null, 42, 'ready', { type: 'ready' }, { protocol: 1, type: 'ready' }, { protocol: 2, type: 'nope' },
      { protocol: 2, type: 'trace', requestId: 1, revision: 1, source: 'c/host1/b1', targets: 'all', proto: 'icmp', targetBy: 'name' },
      { protocol: 2, type: 'trace', requestId: -1, revision: 1, source: 'c/host1/b1', targets: [], proto: 'icmp', targetBy: 'name' },
      { protocol: 2, type: 'trace', requestId: 1, revision: 1, source: 'c/host1/b1', targets: ['x'], proto: 'gre', targetBy: 'name' },
      { protocol: 2, type: 'exportSvg', requestId: 1, svg: '<script>alert(1)</script>' },
      { protocol: 2, type: 'selected', id: 'x'.repeat(10_000) },
      { protocol: 2, type: 'log', level: 'fatal', message: 'x' },
    ];
    const ignoredBefore = explorer.diagram(file)!.ignoredMessages;
    for (const m of bad) assert.equal(explorer.sendFromWebview(file, m), true);
    assert.equal(explorer.diagram(file)!.ignoredMessages - ignoredBefore, bad.length);
    // A well-formed selection of something that does not exist changes nothing.
    explorer.sendFromWebview(file, { protocol: 2, type: 'selected', id: 'n/host1/nosuch' });
    explorer.sendFromWebview(file, { protocol: 2, type: 'selected', id: 'n/host1/mybridge10' });
    await eventually(() => explorer.diagram(file)?.selection === 'n/host1/mybridge10', 'a real selection is taken');
  });
});
