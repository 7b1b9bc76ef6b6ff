// Files changed under us, in the real extension host: an action's edit racing the user's typing (the
// edit applies only to the document version it was planned on: typed text is never overwritten, and a
// refused edit says why), the file deleted or moved on disk while its diagram and a drift comparison are
// open (the diagram says it is stale, the comparison stops), the file renamed on disk while open with
// unsaved changes (the diagram follows it, the typed text stays in the old editor), and a file saved
// with a syntax error in the middle of an edit (the text on disk is exactly the editor's; the explorer
// shows the problem and recovers when it is fixed).
import * as assert from 'node:assert/strict';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { api, cleanScratch, eventually, openEditor, scratchCopy, scratchWrite } from './support';

type Result = { ok: true; text: string; warnings: string[] } | { ok: false; error: string } | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

suite('Files changed under us', () => {
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await cleanScratch();
  });

  test('an action racing the user\'s typing never overwrites what was typed', async function () {
    this.timeout(120_000);
    const outcomes: string[] = [];
    // The typing lands before, during and after the action's planning and its edit.
    const delays = [0, 1, 3, 8, 21, 55];
    for (const [i, delay] of delays.entries()) {
      const file = scratchCopy('02-custom-bridge.cnm.yaml', `race-${i}.cnm.yaml`);
      const editor = await openEditor(file);
      const before = editor.document.getText();
      const typed = `# typed while the action ran (${i})\n`;
      const block = `  race${i}:\n    driver: bridge\n    subnet: 10.31.${i}.0/24\n`;
      const action = vscode.commands.executeCommand<Result>('cnm.createNetwork', { file, name: `race${i}`, subnet: `10.31.${i}.0/24` });
      await sleep(delay);
      const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
      const typing = editor.edit((b) => b.insert(end, typed));
      const [r, typedOk] = await Promise.all([action, typing]);
      const text = editor.document.getText();
      if (typedOk) assert.ok(text.includes(typed), `#${i}: the typed text is there`);
      if (r?.ok) assert.ok(text.includes(block), `#${i}: the action's network is there:\n${text}`);
      else assert.match(r?.error ?? '', /changed while the action was being (prepared|applied)/, `#${i}: ${JSON.stringify(r)}`);
      // Nothing else changed: without the typed line and the new network, the text is the original.
      assert.equal(text.replace(typed, '').replace(block, ''), before, `#${i}: nothing lost or garbled`);
      assert.ok(typedOk || r?.ok, `#${i}: one of the two went through`);
      outcomes.push(`${delay} ms: typing ${typedOk ? 'kept' : 'refused'}, action ${r?.ok ? 'applied' : 'refused'}`);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    console.log(`  race outcomes: ${outcomes.join('; ')}`);
  });

  test('the file deleted on disk: its diagram says it is stale, its drift comparison stops; moved on disk: the diagram follows', async function () {
    this.timeout(90_000);
    const explorer = await api();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const text = 'networks:\n  cnmx-gone-net:\n    subnet: 10.214.9.0/24\n';
    const file = scratchWrite('gone.cnm.yaml', text);
    const uri = vscode.Uri.file(file);
    await vscode.commands.executeCommand('cnm.openDiagram', { file });
    await eventually(() => explorer.diagram(file)?.ready, 'the diagram is ready', 20_000);
    const host = await eventually(() => explorer.liveHosts().find((h) => h.status.kind === 'connected' && h.hostName !== undefined), 'the default Docker host is connected', 30_000);
    const compared = await vscode.commands.executeCommand<{ ok: boolean }>('cnm.docker.compareWithHost', { file, liveHost: host.key });
    assert.equal(compared?.ok, true, JSON.stringify(compared));
    const drift = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'cnm-drift');
    assert.ok(drift().some((d) => d.message.includes('"cnmx-gone-net" is in the file but not on the host')), 'the comparison shows the drift');
    assert.equal(explorer.diagram(file)!.stale, false);

    unlinkSync(file);
    await eventually(() => explorer.diagram(file)?.stale, 'the diagram says its file is gone', 15_000);
    assert.equal(explorer.diagram(file)!.title, 'Diagram: gone.cnm.yaml (deleted on disk)');
    await eventually(() => drift().length === 0, 'the comparison stopped (its diagnostics are gone)', 15_000);
    assert.notEqual(await vscode.commands.executeCommand('cnm.docker.stopComparing', { file }).then((x) => x, () => false), true, 'nothing left to stop');

    // The file comes back: the diagram is current again (and no comparison restarts by itself).
    writeFileSync(file, text.replace('10.214.9.0', '10.214.10.0'));
    await eventually(() => explorer.diagram(file)?.stale === false, 'the diagram is current again', 15_000);
    assert.equal(explorer.diagram(file)!.title, 'Diagram: gone.cnm.yaml');
    assert.equal(drift().length, 0);

    // Moved on disk (outside VS Code: a delete and a create, the file's text unchanged): the diagram follows
    // it to its new name (it knows the text the file last held on disk).
    const moved = file.replace('gone.cnm.yaml', 'moved.cnm.yaml');
    renameSync(file, moved);
    await eventually(() => explorer.diagram(moved)?.stale === false, 'the diagram follows the file to its new name', 15_000);
    assert.equal(explorer.diagram(moved)!.title, 'Diagram: moved.cnm.yaml');
  });

  test('a file open with unsaved changes, renamed on disk: the diagram follows the file, the typed text stays in its editor', async function () {
    this.timeout(90_000);
    const explorer = await api();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const text = 'networks:\n  cnmx-open-net:\n    subnet: 10.214.20.0/24\n';
    const file = scratchWrite('open-moving.cnm.yaml', text);
    const editor = await openEditor(file);
    await vscode.commands.executeCommand('cnm.openDiagram', { file });
    await eventually(() => explorer.diagram(file)?.ready, 'the diagram is ready', 20_000);
    // Typed, not saved: the diagram draws the editor's text, which is not the file's.
    const typed = '  cnmx-typed-net:\n    subnet: 10.214.21.0/24\n';
    assert.ok(await editor.edit((b) => b.insert(editor.document.positionAt(text.length), typed)));
    const typedRevision = await explorer.revision(file);
    await eventually(() => explorer.diagram(file)?.revision === typedRevision, 'the diagram draws the typed network', 15_000);

    const moved = file.replace('open-moving.cnm.yaml', 'open-moved.cnm.yaml');
    renameSync(file, moved);
    await eventually(() => explorer.diagram(moved)?.stale === false, 'the diagram follows the file to its new name', 15_000);
    assert.equal(explorer.diagram(moved)!.title, 'Diagram: open-moved.cnm.yaml');
    assert.equal(explorer.diagram(file), undefined, 'no diagram under the old name');
    // It draws the file as it is on disk (saved: without the typed network).
    const movedRevision = await explorer.revision(moved);
    await eventually(() => explorer.diagram(moved)?.revision === movedRevision, 'the diagram draws the moved file', 15_000);
    const shown = JSON.stringify(await explorer.tree(moved));
    assert.ok(shown.includes('cnmx-open-net') && !shown.includes('cnmx-typed-net'), shown);
    // Nothing typed is lost: the old name's editor is still open with the unsaved text.
    const old = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
    assert.ok(old, 'the document of the old name is still open');
    assert.equal(old.isDirty, true);
    assert.equal(old.getText(), text + typed);

    // Later edits of the moved file are drawn.
    const before = explorer.diagram(moved)!.revision;
    writeFileSync(moved, text.replace('10.214.20.0', '10.214.22.0'));
    await eventually(() => explorer.diagram(moved)!.revision > before, 'the diagram draws the moved file\'s edit', 15_000);

    // Done: the typed text is taken back (the editor is clean again), so closing it asks nothing.
    await vscode.window.showTextDocument(old);
    await vscode.commands.executeCommand('undo');
    await eventually(() => !old.isDirty, 'the old editor is clean', 10_000);
  });

  test('a file saved with a syntax error mid-edit: nothing lost, the problem shown, and fixed again', async function () {
    this.timeout(60_000);
    const explorer = await api();
    const file = scratchCopy('02-custom-bridge.cnm.yaml', 'broken.cnm.yaml');
    const editor = await openEditor(file);
    const good = editor.document.getText();
    await vscode.commands.executeCommand('cnm.openDiagram', { file });
    const ready = await eventually(() => explorer.diagram(file)?.ready && explorer.diagram(file), 'the diagram is ready', 20_000);
    // Half-typed: an unclosed flow sequence in the middle of the file.
    const at = good.indexOf('containers:');
    assert.ok(at > 0);
    assert.ok(await editor.edit((b) => b.insert(editor.document.positionAt(at), 'extra: [unclosed, \n')));
    const broken = editor.document.getText();
    assert.ok(await editor.document.save());
    assert.equal(readFileSync(file, 'utf8'), broken, 'the file on disk is exactly what was typed');
    await eventually(async () => (await explorer.tree(file))?.contextValue === 'cnm.source.problems', 'the tree shows the problem');
    await eventually(() => vscode.languages.getDiagnostics(vscode.Uri.file(file)).some((d) => d.severity === vscode.DiagnosticSeverity.Error), 'an error in the Problems panel');
    assert.ok(explorer.diagram(file)?.ready, 'the diagram is still open');

    // Finished typing: the file is good again, and so are the tree and the diagram.
    const fixed = broken.replace('extra: [unclosed, \n', '');
    assert.ok(await editor.edit((b) => b.replace(new vscode.Range(editor.document.positionAt(0), editor.document.positionAt(broken.length)), fixed)));
    assert.ok(await editor.document.save());
    assert.equal(readFileSync(file, 'utf8'), good);
    await eventually(async () => (await explorer.tree(file))?.contextValue === 'cnm.source', 'the tree is clean again');
    const rev = await explorer.revision(file);
    assert.ok(rev > ready.revision);
    await eventually(() => explorer.diagram(file)?.revision === rev, 'the diagram follows the fixed file');
  });
});
