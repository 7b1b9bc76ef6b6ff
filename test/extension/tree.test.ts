// The Networks tree as a user reads it for the examples: hosts, networks with driver and subnet,
// endpoints with their addresses and interfaces, containers with their networks, published ports
// and shared namespaces, and a file's problems on its item.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, cleanScratch, eventually, find, labels, scratchCopy, scratchWrite, workspaceRoot } from './support';

const file = (name: string) => join(workspaceRoot(), name);

suite('The Networks tree', () => {
  suiteTeardown(cleanScratch);

  test('a custom bridge: its networks with driver and subnet, endpoints with address and interface', async () => {
    const tree = await (await api()).tree(file('02-custom-bridge.cnm.yaml'));
    assert.ok(tree);
    assert.equal(tree.label, '02-custom-bridge.cnm.yaml');
    assert.match(tree.description, /custom-bridge · 3 containers/);
    assert.deepEqual(labels(find(tree, 'host1')), ['Networks', 'Containers']);
    assert.deepEqual(labels(find(tree, 'host1', 'Networks')), ['none', 'host', 'bridge', 'mybridge10']);
    const net = find(tree, 'host1', 'Networks', 'mybridge10');
    assert.equal(net?.description, 'bridge · 10.10.0.0/16 · 3 endpoints');
    assert.equal(net?.contextValue, 'cnm.network');
    assert.equal(find(tree, 'host1', 'Networks', 'bridge')?.contextValue, 'cnm.network.predefined');
    assert.deepEqual(net?.children.map((e) => `${e.label}: ${e.description}`), [
      '10_b1: 10.10.0.2 · eth0',
      'b1: 10.10.0.3 · eth1',
      'web: 10.10.0.100 · eth0 · aka www',
    ]);
    assert.equal(net?.children[0]?.contextValue, 'cnm.endpoint');
  });

  test('a container lists its networks (one per interface)', async () => {
    const tree = await (await api()).tree(file('02-custom-bridge.cnm.yaml'));
    const b1 = find(tree, 'host1', 'Containers', 'b1');
    assert.equal(b1?.contextValue, 'cnm.container');
    assert.deepEqual(b1?.children.filter((e) => e.kind === 'endpoint').map((e) => `${e.label}: ${e.description}`), ['bridge: 172.17.0.2 · eth0', 'mybridge10: 10.10.0.3 · eth1']);
  });

  test('published ports show under their container', async () => {
    const tree = await (await api()).tree(file('06-port-mapping.cnm.yaml'));
    const ports = find(tree, 'host1', 'Containers', 'mynginx')?.children.filter((c) => c.kind === 'port').map((c) => c.label);
    assert.deepEqual(ports?.sort(), ['0.0.0.0:8080 → 80/tcp', '127.0.0.1:8081 → 80/tcp', '[::]:8080 → 80/tcp']);
  });

  test('host mode and container mode show the shared namespace', async () => {
    const explorer = await api();
    const host = await explorer.tree(file('03-host-mode.cnm.yaml'));
    const b2 = find(host, 'host1', 'Containers', 'b2');
    assert.match(b2?.description ?? '', /host network/);
    assert.equal(b2?.contextValue, 'cnm.container.host');
    assert.ok(labels(b2).includes('the network namespace of host1'));
    const pod = scratchCopy('05-container-mode.cnm.yaml', 'tree-pod.cnm.yaml');
    const tree = await explorer.tree(pod);
    const c1 = find(tree, 'host1', 'Containers', 'c1');
    assert.match(c1?.description ?? '', /in b1's namespace/);
    assert.deepEqual(labels(c1), ['network namespace of b1', 'listens on 8080/tcp'], 'its own listener, in b1\'s namespace');
    assert.ok(labels(find(tree, 'host1', 'Containers', 'b1')).includes('namespace shared with c1'));
  });

  test('problems from loading show on the file\'s item, and what failed is marked', async () => {
    const broken = scratchWrite('tree-broken.cnm.yaml', 'networks:\n  a:\n    subnet: 10.1.0.0/16\n  b:\n    subnet: 10.1.2.0/24\ncontainers:\n  c:\n    image: busybox\n    networks: [b]\n');
    const explorer = await api();
    await eventually(async () => (await explorer.listedSources()).includes(broken), 'the file is listed');
    const tree = await explorer.tree(broken);
    assert.equal(tree?.contextValue, 'cnm.source.problems');
    assert.match(tree?.description ?? '', /^2 errors/);
    const problems = find(tree, 'Problems');
    assert.ok(problems?.children.some((p) => /Pool overlaps with other one on this address space/.test(p.label)), labels(problems).join('\n'));
    assert.equal(find(tree, 'host1', 'Networks', 'b')?.description, 'not created');
    assert.equal(find(tree, 'host1', 'Containers', 'c')?.description, 'not created');
  });

  test('typing in the editor updates the tree (after a short pause), unsaved', async () => {
    const copy = scratchCopy('02-custom-bridge.cnm.yaml', 'tree-typing.cnm.yaml');
    const explorer = await api();
    const doc = await vscode.workspace.openTextDocument(copy);
    const edit = new vscode.WorkspaceEdit();
    const at = doc.getText().indexOf('containers:');
    edit.insert(doc.uri, doc.positionAt(at), 'networks2:\n');
    // A key the parser rejects, then the fix: the tree follows both.
    assert.ok(await vscode.workspace.applyEdit(edit));
    await eventually(async () => (await explorer.tree(copy))?.contextValue === 'cnm.source.problems', 'the unknown key shows as a problem');
    const fix = new vscode.WorkspaceEdit();
    fix.replace(doc.uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + 'networks2:\n'.length)), '');
    // Before the blank line that ends the networks section (the original text's offsets: edits of one WorkspaceEdit must not overlap).
    fix.insert(doc.uri, doc.positionAt(at - 1), '  typed:\n    subnet: 10.77.0.0/24\n');
    assert.ok(await vscode.workspace.applyEdit(fix));
    const tree = await eventually(async () => {
      const t = await explorer.tree(copy);
      return find(t, 'host1', 'Networks', 'typed') ? t : undefined;
    }, 'the typed network shows');
    assert.equal(find(tree, 'host1', 'Networks', 'typed')?.description, 'bridge · 10.77.0.0/24 · 0 endpoints');
    assert.equal(doc.isDirty, true, 'nothing was saved behind the user\'s back');
  });
});
