// Live Docker hosts in a real VS Code, against the real dockerd (DOCKER_HOST or the default socket):
// the host's node with the daemon's version, the status bar, a network made with the docker CLI that
// appears in the tree by itself and leaves it when removed, and a trace on the live state verified by
// the real probe. Outside CI a missing dockerd skips these loudly; under CI (CI=true or CI=1) they fail.
// Everything made here is labelled cnm-explorer.live-test=1, on an explicit subnet in 10.213.0.0/16,
// with no published ports, and removed in suiteTeardown even when a test failed.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { CnmExplorerApi, LiveHostSummary, TreeEntry } from '../../src/extension/extension';
import { isCI } from '../support/ci.mjs';
import { api, eventually, find } from './support';

const LABEL = 'cnm-explorer.live-test=1';
const IMAGE = 'busybox:local';
const prefix = `cnm-ext-live-${process.pid}-`;
/** Two /24s of 10.213.0.0/16 of our own (100-149 and 150-199; the pid spreads runs apart). */
const octet = 100 + (process.pid % 50);
const made = { networks: new Set<string>(), containers: new Set<string>() };
/** The docker CLI of the daemon's own release when installed (as the Docker tier uses), else the PATH's. */
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

function docker(args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(DOCKER, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr });
    });
  });
}

async function must(args: string[]): Promise<string> {
  const r = await docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Removes only what this suite made, and only when it carries our label. */
async function cleanUp(): Promise<void> {
  for (const name of made.containers) {
    const label = await docker(['inspect', '--type', 'container', '--format', '{{index .Config.Labels "cnm-explorer.live-test"}}', name]);
    if (label.code === 0 && label.stdout.trim() === '1') await docker(['rm', '-f', name]);
  }
  for (const name of made.networks) {
    const label = await docker(['network', 'inspect', '--format', '{{index .Labels "cnm-explorer.live-test"}}', name]);
    if (label.code === 0 && label.stdout.trim() === '1') await docker(['network', 'rm', name]);
  }
}

function defaultHost(explorer: CnmExplorerApi): LiveHostSummary {
  const host = explorer.liveHosts()[0];
  assert.ok(host, 'the default Docker host is listed');
  return host;
}

suite('Live Docker hosts (real dockerd)', function () {
  this.timeout(90_000);
  let explorer: CnmExplorerApi;
  let version = '';

  suiteSetup(async function () {
    explorer = await api();
    const v = await docker(['version', '--format', '{{.Server.Version}}'], 20_000);
    if (v.code !== 0) {
      const msg = `dockerd is not reachable (${v.stderr.trim().split('\n')[0] ?? ''}); the live-host tests need one (shared/docs/testing-offline.md)`;
      if (isCI()) throw new Error(msg);
      console.warn(`\n*** SKIPPING the live-host extension tests: ${msg} ***\n`);
      this.skip();
    }
    version = /^(\d+\.\d+\.\d+)/.exec(v.stdout.trim())?.[1] ?? v.stdout.trim();
  });

  suiteTeardown(async () => {
    await cleanUp();
  });

  test('the default host appears in the tree with the daemon version', async () => {
    const host = await eventually(() => {
      const h = defaultHost(explorer);
      return h.status.kind === 'connected' ? h : undefined;
    }, 'the default host is connected', 30_000);
    assert.equal(host.status.kind === 'connected' ? host.status.version : undefined, version);
    const node = await explorer.liveTree(host.key);
    assert.ok(node);
    assert.equal(node.contextValue, 'live.host');
    assert.match(node.description, new RegExp(`^Docker ${version.replace(/\./g, '\\.')}`));
    assert.deepEqual(node.children.map((c) => c.label), ['Networks', 'Containers']);
    assert.ok(find(node, 'Networks', 'bridge'), 'the default bridge is listed');
    assert.equal(find(node, 'Networks', 'bridge')?.contextValue, 'live.network.builtin');
  });

  test('the status bar shows the Docker connection beside the topology count', async () => {
    const { text, tooltip } = await eventually(() => {
      const s = explorer.statusBar();
      return s.text.includes('docker: ') ? s : undefined;
    }, 'the status bar shows docker', 20_000);
    assert.match(text, new RegExp(`\\$\\(plug\\) docker: ${version.replace(/\./g, '\\.')}`));
    assert.match(text, /CNM: \d+ topolog(y|ies)/, 'the count of topology files stays');
    assert.match(tooltip, /connected, Docker/);
  });

  test('a network created with the docker CLI appears by itself and leaves after removal', async () => {
    const host = defaultHost(explorer);
    const net = `${prefix}net`;
    made.networks.add(net);
    const started = Date.now();
    await must(['network', 'create', '--label', LABEL, '--subnet', `10.213.${octet}.0/24`, net]);
    const node = await eventually(async () => find(await explorer.liveTree(host.key), 'Networks', net), `${net} shows in the tree`, 5000);
    const took = Date.now() - started;
    assert.match(node.description, new RegExp(`10\\.213\\.${octet}\\.0/24`));
    assert.equal(node.contextValue, 'live.network');
    console.log(`    (${net} appeared in the tree ${took} ms after docker network create was started)`);
    await must(['network', 'rm', net]);
    await eventually(async () => !find(await explorer.liveTree(host.key), 'Networks', net), `${net} left the tree`, 5000);
  });

  test('a trace on the live state, its diagram, and the real probe beside it', async function () {
    const image = await docker(['image', 'inspect', '--format', '{{.Id}}', IMAGE]);
    if (image.code !== 0) {
      const msg = `${IMAGE} is missing (scripts/busybox-image.sh makes it)`;
      if (isCI()) throw new Error(msg);
      console.warn(`\n*** SKIPPING the live trace test: ${msg} ***\n`);
      this.skip();
    }
    const host = defaultHost(explorer);
    const net = `${prefix}trace`;
    const a = `${prefix}a`;
    const b = `${prefix}b`;
    made.networks.add(net);
    made.containers.add(a);
    made.containers.add(b);
    await must(['network', 'create', '--label', LABEL, '--subnet', `10.213.${octet + 50}.0/24`, net]);
    for (const [name, ip] of [[a, 2], [b, 3]] as const) {
      await must(['run', '-d', '--name', name, '--label', LABEL, '--network', net, '--ip', `10.213.${octet + 50}.${ip}`, IMAGE, 'sleep', '600']);
    }
    const container = await eventually(async () => find(await explorer.liveTree(host.key), 'Containers', b), `${b} shows in the tree`, 5000);
    assert.match(container.description, new RegExp(`10\\.213\\.${octet + 50}\\.3`));

    const trace = await vscode.commands.executeCommand<{ verdict: string; reason: string; address?: string; hops: unknown[] }>('cnm.traceFrom', { file: host.uri, from: a, to: b });
    assert.equal(trace.verdict, 'delivered', trace.reason);
    assert.equal(trace.address, `10.213.${octet + 50}.3`);
    const diagram = explorer.diagram(host.uri);
    assert.ok(diagram, 'the live host diagram opened');
    assert.equal(diagram.lastTrace?.verdict, 'delivered');

    const verified = await vscode.commands.executeCommand<{ ok: boolean; agree: boolean; observed: { verdict: string; command: string }; headline: string; report: string }>('cnm.verifyTrace', { liveHost: host.key, from: a, to: b });
    assert.ok(verified.ok, JSON.stringify(verified));
    assert.equal(verified.observed.verdict, 'delivered');
    assert.ok(verified.agree, verified.headline);
    assert.match(verified.observed.command, new RegExp(`docker exec ${a} `));
    const report = vscode.workspace.textDocuments.find((d) => d.uri.toString() === verified.report);
    assert.ok(report, 'the report is open');
    assert.match(report.getText(), /\| Verdict \| \*\*delivered\*\* \| \*\*delivered\*\* \|/);

    // Nothing listens on b's port 9: the tracer and the probe both say refused (b answers with a reset).
    const closed = await vscode.commands.executeCommand<{ ok: boolean; agree: boolean; predicted: { verdict: string }; observed: { verdict: string }; headline: string }>('cnm.verifyTrace', { liveHost: host.key, from: a, to: b, port: 9 });
    assert.ok(closed.ok);
    assert.equal(closed.observed.verdict, 'refused');
    assert.equal(closed.predicted.verdict, closed.observed.verdict, closed.headline);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('cnm.refresh reads the live hosts again', async () => {
    const host = defaultHost(explorer);
    const before = await explorer.liveTree(host.key);
    await vscode.commands.executeCommand('cnm.refresh');
    const after = await eventually(async () => {
      const t = await explorer.liveTree(host.key);
      return t && explorer.liveHosts()[0]?.status.kind === 'connected' ? t : undefined;
    }, 'the host is connected again after the refresh', 20_000);
    assert.deepEqual(labelsOf(after, 'Networks'), labelsOf(before, 'Networks'));
  });
});

function labelsOf(tree: TreeEntry | undefined, group: string): string[] {
  return (find(tree, group)?.children.map((c) => c.label) ?? []).sort();
}

suite('Live Docker hosts: the setting', function () {
  this.timeout(30_000);
  const missing = `unix:///tmp/cnm-no-such-docker-${process.pid}.sock`;

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('cnm').update('docker.hosts', undefined, vscode.ConfigurationTarget.Global);
  });

  test('a host added to cnm.docker.hosts appears; unreachable, it says why and when it retries', async () => {
    const explorer = await api();
    await vscode.workspace.getConfiguration('cnm').update('docker.hosts', [missing], vscode.ConfigurationTarget.Global);
    const host = await eventually(() => {
      const h = explorer.liveHosts().find((x) => x.key === missing);
      return h?.status.kind === 'unreachable' ? h : undefined;
    }, 'the new host is listed as unreachable', 15_000);
    assert.equal(host.label, missing);
    const node = await explorer.liveTree(missing);
    assert.ok(node);
    assert.equal(node.description, 'unreachable');
    assert.equal(node.children.length, 1);
    assert.match(node.children[0]!.label, /ENOENT|no such file/i);
    assert.equal(node.children[0]!.contextValue, 'live.message');
    const { tooltip } = explorer.statusBar();
    assert.match(tooltip, new RegExp(`${missing.replace(/[/.]/g, '\\$&')}.*unreachable — retrying in \\d+ s`));

    await vscode.workspace.getConfiguration('cnm').update('docker.hosts', undefined, vscode.ConfigurationTarget.Global);
    await eventually(() => !explorer.liveHosts().some((x) => x.key === missing), 'the host left when the setting was cleared', 10_000);
  });
});
