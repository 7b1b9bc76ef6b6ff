// What the Problems panel shows comes from vscode.languages.getDiagnostics: a topology file with a
// mistake (test/fixtures/problems/, copied into the workspace; examples/ must stay valid) gets the
// language server's diagnostic in Docker's words, on the value Docker refuses; a failing `expect`
// entry gets one on its verdict, which goes when an edit makes the entry hold.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TraceView } from '../../src/protocol/trace';
import { cleanScratch, eventually, openEditor, scratchWrite } from './support';

// out/test/problems.test.js → the repository's test/fixtures/problems/.
const fixtures = join(__dirname, '..', '..', 'test', 'fixtures', 'problems');

function fixture(name: string): string {
  return scratchWrite(`problems-${name}`, readFileSync(join(fixtures, name), 'utf8'));
}

function diagnosticsOf(file: string): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter((d) => d.source === 'cnm');
}

function range(d: vscode.Diagnostic): [number, number, number, number] {
  return [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character];
}

suite('The Problems panel', () => {
  suiteTeardown(cleanScratch);

  test("a file with overlapping subnets has Docker's error on the second subnet", async () => {
    const file = fixture('overlapping-subnets.cnm.yaml');
    const editor = await openEditor(file);
    assert.equal(editor.document.languageId, 'cnm-topology');
    const overlap = await eventually(
      () => diagnosticsOf(file).find((d) => d.message === 'Pool overlaps with other one on this address space'),
      'the language server published the overlap',
      30_000,
    );
    assert.equal(overlap.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(overlap.code, 'docker');
    const line = editor.document.lineAt(overlap.range.start.line).text;
    assert.equal(line, '    subnet: 10.50.1.0/24', 'on the subnet of "backend"');
    assert.equal(editor.document.getText(overlap.range), '10.50.1.0/24');
    // Docker creates nothing on the refused network: the container on it is reported too.
    assert.ok(diagnosticsOf(file).some((d) => d.message === 'Network "backend" was not created (Pool overlaps with other one on this address space), so container "db" was not created.'));
  });

  test('a failing expect entry is an error on its verdict, with the rule; an edit that makes it hold clears it', async () => {
    const file = fixture('failing-expect.cnm.yaml');
    const editor = await openEditor(file);
    const failing = await eventually(
      () => {
        const found = diagnosticsOf(file).filter((d) => d.code === 'expect-failed');
        return found.length > 0 ? found : undefined;
      },
      'the failing expectation was published',
      30_000,
    );
    assert.equal(failing.length, 1, failing.map((d) => d.message).join('\n'));
    const d = failing[0]!;
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(editor.document.getText(d.range), 'delivered');
    assert.match(editor.document.lineAt(d.range.start.line).text, /from: intruder/);
    assert.match(d.message, /^intruder → web:80: expected delivered, got dropped: .*-j DROP.*inter-container communication is off on network locked/);

    // Its "Trace ▸" lens traces the same packet and finds the same drop.
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
    const lens = lenses.find((l) => l.command?.title === 'Trace ▸ intruder → web:80');
    assert.ok(lens?.command, `a lens on the entry among ${lenses.map((l) => l.command?.title).join(', ')}`);
    assert.equal(lens.range.start.line, d.range.start.line);
    const trace = await vscode.commands.executeCommand<TraceView>(lens.command.command, ...(lens.command.arguments ?? []));
    assert.equal(trace?.verdict, 'dropped', JSON.stringify(trace));
    assert.equal(trace.port, 80);
    assert.ok(d.message.includes(trace.reason), 'the diagnostic carries the trace\'s reason');

    // Turn inter-container communication back on, as a user would type it.
    const at = editor.document.getText().indexOf('"false"');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(editor.document.uri, new vscode.Range(editor.document.positionAt(at), editor.document.positionAt(at + '"false"'.length)), '"true"');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await eventually(() => !diagnosticsOf(file).some((x) => x.code === 'expect-failed'), 'the error went away', 30_000);
    assert.deepEqual(diagnosticsOf(file).map(range), [], 'no other problem either');
  });
});
