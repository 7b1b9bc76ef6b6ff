// The commands on a live Docker host, against the real dockerd: create, connect, disconnect and remove
// through cnm.* commands (the modal confirmation answered by a stub of showWarningMessage), Docker's
// own refusal for `bridge`, import into an opened document, drift diagnostics that follow the host,
// and apply of a small file — then everything removed, also on failure.
//
// Rules for what these tests make: names start with `cnmx-`, everything carries the label
// cnm-explorer.live-test=1, subnets are explicit and inside 10.214.0.0/16. Run them under
// `flock /tmp/cnm-dockerd.lock`. Without a reachable dockerd they skip loudly; under CI (CI=true or CI=1) they fail.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import type { TreeEntry } from '../../src/extension/extension';
import { isCI } from '../support/ci.mjs';
import { api, cleanScratch, eventually, scratchWrite } from './support';

const LABEL = 'cnm-explorer.live-test';
const LABELS = { [LABEL]: '1' };
const IMAGE = 'busybox:local';

type Result = { ok: true; message?: string; [k: string]: unknown } | { ok: false; error: string; [k: string]: unknown } | undefined;

function docker(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/usr/bin/docker', args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function inspectNetwork(name: string): Promise<{ IPAM: { Config: { Subnet: string; Gateway?: string; IPRange?: string; AuxiliaryAddresses?: Record<string, string> }[] }; Labels: Record<string, string>; Options: Record<string, string> } | undefined> {
  const r = await docker(['network', 'inspect', name]);
  return r.code === 0 ? (JSON.parse(r.stdout) as never[])[0] : undefined;
}

async function endpointsOf(container: string): Promise<Record<string, { IPAddress: string; Aliases: string[] | null }>> {
  const r = await docker(['inspect', '--type', 'container', container]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { NetworkSettings: { Networks: Record<string, { IPAddress: string; Aliases: string[] | null }> } }[])[0]!.NetworkSettings.Networks;
}

/** Removes what these tests made: only `cnmx-` objects carrying the test label. */
async function cleanDocker(): Promise<void> {
  const ctrs = await docker(['ps', '-a', '--filter', `label=${LABEL}=1`, '--format', '{{.Names}}']);
  const mine = ctrs.stdout.split('\n').filter((n) => n.startsWith('cnmx-'));
  if (mine.length) await docker(['rm', '-f', ...mine]);
  const nets = await docker(['network', 'ls', '--filter', `label=${LABEL}=1`, '--format', '{{.Name}}']);
  for (const n of nets.stdout.split('\n').filter((x) => x.startsWith('cnmx-'))) {
    const r = await docker(['network', 'rm', n]);
    if (r.code !== 0) console.warn(`cleanup: network ${n}: ${r.stderr.trim()}`);
  }
}

/** Answers the next modal warnings with `answer`, recording what they said. */
function stubWarnings(answer: string | undefined): { messages: string[]; restore(): void } {
  const original = vscode.window.showWarningMessage;
  const messages: string[] = [];
  (vscode.window as { showWarningMessage: unknown }).showWarningMessage = (message: string, ...rest: unknown[]) => {
    const options = rest[0];
    if (typeof options === 'object' && options !== null && (options as vscode.MessageOptions).modal) {
      messages.push(`${message}\n${(options as vscode.MessageOptions).detail ?? ''}`);
      return Promise.resolve(answer);
    }
    return Promise.resolve(undefined);
  };
  return { messages, restore: () => { (vscode.window as { showWarningMessage: unknown }).showWarningMessage = original; } };
}

function* walk(n: TreeEntry | undefined): Generator<TreeEntry> {
  if (!n) return;
  yield n;
  for (const c of n.children) yield* walk(c);
}

let hostKey = '';
let hostLabel = '';

async function dockerReachable(): Promise<boolean> {
  const r = await docker(['version', '--format', '{{.Server.Version}}']);
  if (r.code === 0) return true;
  const msg = `dockerd is not reachable (${r.stderr.trim().split('\n')[0]}); the live-Docker extension tests need one (shared/docs/testing-offline.md)`;
  if (isCI()) throw new Error(msg);
  console.warn(`\n*** SKIPPING live-Docker extension tests: ${msg} ***\n`);
  return false;
}

async function run(command: string, args: Record<string, unknown>): Promise<Result> {
  return vscode.commands.executeCommand<Result>(`cnm.${command}`, { liveHost: hostKey, ...args });
}

suite('Live Docker host: commands through the Docker API', () => {
  suiteSetup(async function () {
    this.timeout(60_000);
    if (!(await dockerReachable())) return this.skip();
    await cleanDocker();
    const explorer = await api();
    const host = await eventually(() => explorer.liveHosts().find((h) => h.status.kind === 'connected' && h.hostName !== undefined), 'the default Docker host is connected and read', 30_000);
    hostKey = host.key;
    hostLabel = host.label;
  });
  suiteTeardown(async function () {
    this.timeout(60_000);
    await cleanDocker();
    await cleanScratch();
  });

  test('create (every IPAM option), run, connect, disconnect (asked first), remove (cancel, then confirm)', async function () {
    this.timeout(90_000);
    const explorer = await api();
    // Checked before anything is sent: nothing reaches Docker.
    const bad = await run('createNetwork', { name: 'cnmx-act-bad', subnet: '10.214.1.0/24', gateway: '10.214.2.1', labels: LABELS });
    assert.deepEqual(bad, { ok: false, error: 'gateway 10.214.2.1 is not in 10.214.1.0/24' });
    assert.equal(await inspectNetwork('cnmx-act-bad'), undefined);

    const created = await run('createNetwork', {
      name: 'cnmx-act-net', subnet: '10.214.1.0/24', gateway: '10.214.1.1', ipRange: '10.214.1.128/25', auxAddresses: 'router=10.214.1.254',
      options: { 'com.docker.network.bridge.enable_icc': 'false' }, labels: LABELS,
    });
    assert.equal(created?.ok, true, JSON.stringify(created));
    const net = await inspectNetwork('cnmx-act-net');
    assert.deepEqual(net?.IPAM.Config, [{ Subnet: '10.214.1.0/24', Gateway: '10.214.1.1', IPRange: '10.214.1.128/25', AuxiliaryAddresses: { router: '10.214.1.254' } }]);
    assert.equal(net?.Options['com.docker.network.bridge.enable_icc'], 'false');
    assert.equal(net?.Labels['cnm-explorer.created-by'], 'vscode');
    // The tree has it without waiting for anything but the refresh the command did.
    assert.ok([...walk(await explorer.liveTree(hostKey))].some((n) => n.label === 'cnmx-act-net'), 'the live tree lists the new network');

    // Docker's refusal, in its words.
    const overlap = await run('createNetwork', { name: 'cnmx-act-overlap', subnet: '10.214.1.0/25', labels: LABELS });
    assert.equal(overlap?.ok, false);
    assert.match(overlap && !overlap.ok ? overlap.error : '', /Pool overlaps with other one on this address space/);

    const ran = await run('runContainer', { name: 'cnmx-act-c1', image: IMAGE, network: 'cnmx-act-net', command: ['sleep', '3600'], labels: LABELS });
    assert.equal(ran?.ok, true, JSON.stringify(ran));
    assert.match((await endpointsOf('cnmx-act-c1'))['cnmx-act-net']?.IPAddress ?? '', /^10\.214\.1\.(1[2-9][0-9]|2[0-5][0-9])$/, 'an address from the ip range');

    assert.equal((await run('createNetwork', { name: 'cnmx-act-net2', subnet: '10.214.2.0/24', labels: LABELS }))?.ok, true);
    const connected = await run('connectContainer', { container: 'cnmx-act-c1', network: 'cnmx-act-net2', address: '10.214.2.9', aliases: ['api'] });
    assert.equal(connected?.ok, true, JSON.stringify(connected));
    const eps = await endpointsOf('cnmx-act-c1');
    assert.equal(eps['cnmx-act-net2']?.IPAddress, '10.214.2.9');
    assert.ok(eps['cnmx-act-net2']?.Aliases?.includes('api'));

    // Disconnect asks first; Cancel changes nothing.
    let stub = stubWarnings(undefined);
    try {
      assert.equal(await run('disconnectContainer', { container: 'cnmx-act-c1', network: 'cnmx-act-net2' }), undefined);
    } finally {
      stub.restore();
    }
    assert.equal(stub.messages.length, 1);
    assert.match(stub.messages[0]!, new RegExp(`^Disconnect cnmx-act-c1 from 'cnmx-act-net2' on ${hostLabel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\?\ncnmx-act-c1 stays on cnmx-act-net\\.`));
    assert.ok((await endpointsOf('cnmx-act-c1'))['cnmx-act-net2'], 'still connected after Cancel');
    stub = stubWarnings('Disconnect');
    try {
      assert.equal((await run('disconnectContainer', { container: 'cnmx-act-c1', network: 'cnmx-act-net2' }))?.ok, true);
    } finally {
      stub.restore();
    }
    assert.equal((await endpointsOf('cnmx-act-c1'))['cnmx-act-net2'], undefined);

    // Remove names the containers still on the network; Cancel does nothing.
    stub = stubWarnings(undefined);
    try {
      assert.equal(await run('removeNetwork', { network: 'cnmx-act-net' }), undefined);
    } finally {
      stub.restore();
    }
    assert.match(stub.messages[0]!, new RegExp(`^Remove network 'cnmx-act-net' from .+\\? Containers on it: cnmx-act-c1\\.`));
    assert.ok(await inspectNetwork('cnmx-act-net'), 'still there after Cancel');
    stub = stubWarnings('Remove');
    try {
      assert.equal((await run('removeNetwork', { network: 'cnmx-act-net2' }))?.ok, true);
      // Confirmed, but Docker refuses while a container is on it: its words come back.
      const busy = await run('removeNetwork', { network: 'cnmx-act-net' });
      assert.equal(busy?.ok, false);
      assert.match(busy && !busy.ok ? busy.error : '', /has active endpoints/);
    } finally {
      stub.restore();
    }
    assert.equal(await inspectNetwork('cnmx-act-net2'), undefined);
    await eventually(async () => ![...walk(await explorer.liveTree(hostKey))].some((n) => n.label === 'cnmx-act-net2'), 'the live tree lost the removed network');
  });

  test('from the live tree\'s menu: the node is the argument, and the removal is asked first', async function () {
    this.timeout(60_000);
    const explorer = await api();
    assert.equal((await docker(['network', 'create', '--label', `${LABEL}=1`, '--subnet', '10.214.11.0/24', 'cnmx-node-net'])).code, 0);
    const entry = await eventually(async () => [...walk(await explorer.liveTree(hostKey))].find((n) => n.label === 'cnmx-node-net'), 'the event brought the network into the tree', 15_000);
    assert.equal(entry.contextValue, 'live.network');
    // What the menu hands the command: the tree node (its names and the host's key).
    const node = { kind: 'network', id: `${hostKey}#cnmx-node-net`, label: entry.label, contextValue: entry.contextValue, liveHost: hostKey, network: 'cnmx-node-net', children: [] };
    const stub = stubWarnings('Remove');
    try {
      const r = await vscode.commands.executeCommand<Result>('cnm.removeNetwork', node);
      assert.equal(r?.ok, true, JSON.stringify(r));
    } finally {
      stub.restore();
    }
    assert.deepEqual(stub.messages.map((m) => m.split('\n')[0]), [`Remove network 'cnmx-node-net' from ${hostLabel}? No container is on it.`]);
    assert.equal(await inspectNetwork('cnmx-node-net'), undefined);
  });

  test('Remove Container from the live tree\'s menu: asked first, Cancel keeps it, Remove is docker rm -f', async function () {
    this.timeout(60_000);
    const explorer = await api();
    assert.equal((await docker(['run', '-d', '--name', 'cnmx-rm-c', '--label', `${LABEL}=1`, IMAGE, 'sleep', '600'])).code, 0);
    const entry = await eventually(async () => [...walk(await explorer.liveTree(hostKey))].find((n) => n.label === 'cnmx-rm-c' && n.contextValue === 'live.container'), 'the event brought the container into the tree', 15_000);
    const node = { kind: 'container', id: `${hostKey}#cnmx-rm-c`, label: entry.label, contextValue: entry.contextValue, liveHost: hostKey, container: 'cnmx-rm-c', children: [] };
    let stub = stubWarnings(undefined);
    try {
      assert.equal(await vscode.commands.executeCommand<Result>('cnm.removeContainer', node), undefined);
    } finally {
      stub.restore();
    }
    assert.match(stub.messages[0] ?? '', /^Remove container cnmx-rm-c from .+\?\ndocker rm -f: it is running and is stopped first/);
    assert.equal((await docker(['inspect', '--format', '{{.State.Running}}', 'cnmx-rm-c'])).stdout.trim(), 'true', 'still running after Cancel');
    stub = stubWarnings('Remove');
    try {
      const r = await vscode.commands.executeCommand<Result>('cnm.removeContainer', node);
      assert.equal(r?.ok, true, JSON.stringify(r));
    } finally {
      stub.restore();
    }
    assert.notEqual((await docker(['inspect', 'cnmx-rm-c'])).code, 0, 'the container is gone');
    await eventually(async () => ![...walk(await explorer.liveTree(hostKey))].some((n) => n.label === 'cnmx-rm-c'), 'the live tree lost the container');
  });

  test('removing bridge: Docker\'s own refusal, nothing asked', async () => {
    const stub = stubWarnings('Remove');
    try {
      const r = await run('removeNetwork', { network: 'bridge' });
      assert.deepEqual(r, { ok: false, error: 'bridge is a pre-defined network and cannot be removed' });
    } finally {
      stub.restore();
    }
    assert.deepEqual(stub.messages, []);
  });

  test('import: the host as a topology file, opened in an editor', async () => {
    assert.equal((await docker(['network', 'create', '--label', `${LABEL}=1`, '--subnet', '10.214.3.0/24', '--aux-address', 'gw2=10.214.3.250', 'cnmx-imp-net'])).code, 0);
    const r = await vscode.commands.executeCommand<Result & { uri?: string; text?: string }>('cnm.docker.importHost', { liveHost: hostKey });
    assert.equal(r?.ok, true, JSON.stringify(r));
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.toString(), r?.uri);
    assert.match(editor?.document.uri.path ?? '', /\.cnm\.yaml$/);
    assert.equal(editor?.document.languageId, 'cnm-topology');
    const text = editor?.document.getText() ?? '';
    assert.match(text, /\n {2}cnmx-imp-net:\n(?: {4}.*\n)*? {4}subnet: 10\.214\.3\.0\/24\n/);
    assert.match(text, /gw2: 10\.214\.3\.250/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('drift: diagnostics on the file where it differs from the host, following the host, until stopped', async function () {
    this.timeout(60_000);
    const explorer = await api();
    assert.equal((await docker(['network', 'create', '--label', `${LABEL}=1`, '--subnet', '10.214.5.0/24', 'cnmx-drift-a'])).code, 0);
    const text = [
      'networks:',
      '  cnmx-drift-a:',
      '    subnet: 10.214.4.0/24',
      `    labels: { ${LABEL}: "1" }`,
      '  cnmx-drift-b:',
      '    subnet: 10.214.6.0/24',
      `    labels: { ${LABEL}: "1" }`,
      '',
    ].join('\n');
    const file = scratchWrite('cnmx-drift.cnm.yaml', text);
    const uri = vscode.Uri.file(file);
    const r = await vscode.commands.executeCommand<Result & { items?: { message: string }[] }>('cnm.docker.compareWithHost', { file, liveHost: hostKey });
    assert.equal(r?.ok, true, JSON.stringify(r));
    const drift = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'cnm-drift' && d.severity === vscode.DiagnosticSeverity.Warning);
    const doc = await vscode.workspace.openTextDocument(uri);
    const shown = drift().map((d) => `${doc.getText(d.range)} ← ${d.message}`).sort();
    assert.deepEqual(shown, [
      `10.214.4.0/24 ← Drift with ${hostLabel}: network "cnmx-drift-a": subnet is 10.214.4.0/24 in the file, 10.214.5.0/24 on the host`,
      `cnmx-drift-b ← Drift with ${hostLabel}: network "cnmx-drift-b" is in the file but not on the host`,
    ]);
    const group = (await explorer.tree(file))?.children.find((c) => c.label === `Drift with ${hostLabel}`);
    assert.ok(group, 'the tree shows the drift under the file');
    assert.ok(group.children.some((c) => c.label === 'network "cnmx-drift-b" is in the file but not on the host'));

    // The host changes: the comparison follows (Docker's event → the live host → the diagnostics).
    assert.equal((await docker(['network', 'create', '--label', `${LABEL}=1`, '--subnet', '10.214.6.0/24', 'cnmx-drift-b'])).code, 0);
    await eventually(() => drift().length === 1 && drift()[0]!.message.includes('cnmx-drift-a'), 'the missing network left the diagnostics', 15_000);

    assert.equal(await vscode.commands.executeCommand('cnm.docker.stopComparing', { file }), true);
    assert.deepEqual(vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'cnm-drift'), []);
    await eventually(async () => !(await explorer.tree(file))?.children.some((c) => c.label.startsWith('Drift with')), 'the tree lost the drift entry');
  });

  test('apply: the plan reviewed, confirmed, run in order; again: nothing to do; a refusal stops at its step', async function () {
    this.timeout(90_000);
    const file = scratchWrite('cnmx-apply.cnm.yaml', [
      'networks:',
      '  cnmx-apply-net:',
      '    subnet: 10.214.7.0/24',
      `    labels: { ${LABEL}: "1" }`,
      'containers:',
      '  cnmx-apply-c:',
      `    image: ${IMAGE}`,
      '    networks:',
      '      cnmx-apply-net: { ipv4_address: 10.214.7.10, aliases: [web] }',
      '',
    ].join('\n'));
    const args = { file, liveHost: hostKey, labels: LABELS, command: ['sleep', '3600'] };
    type Applied = Result & { done?: number; total?: number; failedStep?: number; plan?: string };

    // Cancel at the question: nothing is created.
    let stub = stubWarnings(undefined);
    try {
      assert.equal(await vscode.commands.executeCommand<Applied>('cnm.docker.applyToHost', args), undefined);
    } finally {
      stub.restore();
    }
    assert.match(stub.messages[0]!, /^Apply cnmx-apply\.cnm\.yaml to .+\? 2 steps will run in order\.\n1\. docker network create --subnet 10\.214\.7\.0\/24 cnmx-apply-net\n2\. docker run -d --name cnmx-apply-c --network cnmx-apply-net --ip 10\.214\.7\.10 --network-alias web busybox:local sleep 3600/);
    assert.equal(await inspectNetwork('cnmx-apply-net'), undefined);
    const review = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'cnm-plan');
    assert.ok(review, 'the plan was shown for review');
    assert.match(review.getText(), /^# Apply cnmx-apply\.cnm\.yaml \(host host1\) to the Docker host /);

    stub = stubWarnings('Apply');
    try {
      const r = await vscode.commands.executeCommand<Applied>('cnm.docker.applyToHost', args);
      assert.equal(r?.ok, true, JSON.stringify(r));
      assert.equal(r?.done, 2);
      const eps = await endpointsOf('cnmx-apply-c');
      assert.equal(eps['cnmx-apply-net']?.IPAddress, '10.214.7.10');
      assert.ok(eps['cnmx-apply-net']?.Aliases?.includes('web'));

      const again = await vscode.commands.executeCommand<Applied>('cnm.docker.applyToHost', args);
      assert.equal(again?.ok, true);
      assert.equal(again?.total, 0);

      // A file whose second network overlaps: step 1 is done, step 2 is refused by Docker, step 3 never runs.
      const bad = scratchWrite('cnmx-apply-bad.cnm.yaml', [
        'networks:',
        `  cnmx-apply-ok: { subnet: 10.214.8.0/24, labels: { ${LABEL}: "1" } }`,
        `  cnmx-apply-overlap: { subnet: 10.214.7.128/25, labels: { ${LABEL}: "1" } }`,
        `  cnmx-apply-never: { subnet: 10.214.9.0/24, labels: { ${LABEL}: "1" } }`,
        '',
      ].join('\n'));
      const failed = await vscode.commands.executeCommand<Applied>('cnm.docker.applyToHost', { ...args, file: bad });
      assert.equal(failed?.ok, false);
      assert.equal(failed?.failedStep, 2);
      assert.match(failed && !failed.ok ? failed.error : '', /^Apply stopped at step 2 of 3 \(docker network create --subnet 10\.214\.7\.128\/25 cnmx-apply-overlap\): .*Pool overlaps with other one on this address space.*\. Step 1 was done and stays\. Nothing after it was run\.$/);
      assert.ok(await inspectNetwork('cnmx-apply-ok'));
      assert.equal(await inspectNetwork('cnmx-apply-never'), undefined);
    } finally {
      stub.restore();
    }
  });
});
