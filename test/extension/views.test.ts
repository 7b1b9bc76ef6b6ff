// The matrix and rules views and traces from a host, run with named arguments in the real extension
// host: the matrix opens with a row per container, ignores a malformed message from its page, and a
// square's message traces that pair; the rules of a host come as iptables-save with the latest trace's
// dropping rule marked; a host's tree node traces from the host itself.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TraceView } from '../../src/protocol/trace';
import type { MatrixPanelState } from '../../src/extension/matrixPanel';
import type { RulesShown } from '../../src/extension/rulesView';
import { api, cleanScratch, eventually, find, scratchCopy } from './support';

suite('Views: matrix, rules, traces from a host', () => {
  suiteTeardown(cleanScratch);

  test('the matrix has a row per container, ignores bad messages and traces a square', async () => {
    const file = scratchCopy('two-host-lab.cnm.yaml', 'views-matrix.cnm.yaml');
    const explorer = await api();
    const state = await vscode.commands.executeCommand<MatrixPanelState>('cnm.showMatrix', { file });
    assert.deepEqual(state.rows, ['node1/api', 'node1/printer', 'node1/pod-a', 'node2/db', 'node2/pod-b']);
    assert.equal(state.grouped, false);
    assert.ok(state.counts.dropped > 0 && state.counts.delivered > 0, JSON.stringify(state.counts));
    for (const bad of [null, 'trace', { type: 'trace', row: 99, col: 0, probe: 0 }, { type: 'trace', row: 0, col: 0, probe: 0 }, { type: 'run', command: 'x' }]) {
      await explorer.sendToMatrix(file, bad);
    }
    assert.equal(explorer.matrix(file)?.ignoredMessages, 5, 'the diagonal, unknown types and out-of-range cells are ignored');
    // api → pod-a (row 0, column 2): dropped by Docker's isolation between bridges.
    await explorer.sendToMatrix(file, { type: 'trace', row: 0, col: 2, probe: 0 });
    const rules = await vscode.commands.executeCommand<RulesShown>('cnm.showRules', { file });
    assert.equal(rules.host, 'node1');
    const dropped = rules.marks.filter((m) => m.kind === 'dropped').map((m) => rules.text.split('\n')[m.line]);
    assert.deepEqual(dropped, ['-A DOCKER-ISOLATION-STAGE-2 -o cni0 -j DROP']);
    assert.match(rules.text, /^# node1: the filter and nat rules dockerd 20\.10/);
  });

  test('a host traces from itself: from its tree node, and by name', async () => {
    const file = scratchCopy('two-host-lab.cnm.yaml', 'views-host.cnm.yaml');
    const explorer = await api();
    const node2 = find(await explorer.tree(file), 'node2');
    assert.equal(node2?.kind, 'host');
    const byName = await vscode.commands.executeCommand<TraceView>('cnm.traceFrom', { file, from: 'node2', to: '192.168.50.192' });
    assert.equal(byName.verdict, 'delivered', byName.reason);
    assert.equal(byName.from, 'node2');
    // An address outside the topology is passed to the tracer as typed.
    const outside = await vscode.commands.executeCommand<TraceView>('cnm.traceFrom', { file, from: 'node2', to: '1.1.1.1', port: 443 });
    assert.equal(outside.to, '1.1.1.1');
    assert.equal(outside.port, 443);
    assert.ok(['unknown', 'delivered'].includes(outside.verdict), `${outside.verdict}: ${outside.reason}`);
    await eventually(() => explorer.diagram(file)?.lastTrace?.to === '1.1.1.1', 'the diagram shows the trace');
  });

  test('from a trace hop to its rule: cnm.showRules selects the line of the rule the hop names; the diagram asks the same', async () => {
    const file = scratchCopy('02-custom-bridge.cnm.yaml', 'views-rule-jump.cnm.yaml');
    const explorer = await api();
    const shown = await vscode.commands.executeCommand<RulesShown & { line?: number }>('cnm.showRules', { file, host: 'host1', table: 'filter', chain: 'FORWARD', rule: '-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP' });
    assert.equal(shown.text.split('\n')[shown.line!], '-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP');
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.scheme, 'cnm-rules');
    assert.equal(editor.selection.start.line, shown.line);
    // The same request from the diagram's hop list (a webview message, checked first).
    await vscode.commands.executeCommand('cnm.openDiagram', { file });
    // The panel exists (its page need not have loaded: the message is handed to it as its page would send it).
    await eventually(() => explorer.diagram(file) !== undefined, 'the diagram is open');
    await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
    assert.ok(explorer.sendFromWebview(file, { protocol: 2, type: 'showRule', host: 'host1', table: 'nat', chain: 'PREROUTING', rule: null }));
    await eventually(() => vscode.window.activeTextEditor?.document.uri.scheme === 'cnm-rules'
      && /^:PREROUTING ACCEPT/.test(vscode.window.activeTextEditor.document.lineAt(vscode.window.activeTextEditor.selection.start.line).text), 'the rules view at nat PREROUTING\'s policy');
    const before = explorer.diagram(file)!.ignoredMessages;
    explorer.sendFromWebview(file, { protocol: 2, type: 'showRule', host: 'host1', table: 'filter', chain: 'FORWARD', rule: 'iptables -F' });
    assert.equal(explorer.diagram(file)!.ignoredMessages, before + 1, 'a rule that is not a rule line is refused');
  });

  test('Show iptables Rules refuses a host the file does not have', async () => {
    const file = scratchCopy('two-host-lab.cnm.yaml', 'views-rules.cnm.yaml');
    const r = await vscode.commands.executeCommand<{ ok: false; error: string }>('cnm.showRules', { file, host: 'nosuch' });
    assert.deepEqual(r, { ok: false, error: 'no host "nosuch" (hosts: node1, node2)' });
  });
});
