// A live swarm across its nodes, as a user sees it in code-server: a real two-node lab swarm (node1
// manager, node2 worker; Docker 26.1) is the default Docker host (DOCKER_HOST: the manager) and the
// setting cnm.live.swarmNodes names the worker's daemon. Then:
//   - the tree's Swarm → Nodes shows both nodes, each with ITS containers (the standalone one and a task)
//     and their overlay addresses as each node's own `docker inspect` gives them (live-swarm-tree.png);
//   - the host's diagram draws both nodes as hosts (live-swarm-diagram.png);
//   - Trace From Here from the container on node1 to the one on node2 crosses the overlay (VXLAN), and
//     Verify Trace on Docker Host, probing from node1's own daemon, agrees: delivered (live-swarm-verify.png).
// Only lab hosts (no docker lock; the browser lock). The lab is torn down also on failure.
//
//   node scripts/build.mjs && CI=true flock /tmp/cnm-browser.lock node --import tsx --test test/ui/liveSwarm.test.ts
import * as assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { FrameLocator, Locator } from 'playwright-core';
import { labMissing, startLab, type Lab, type LabHost } from '../docker/harness/lab';
import { servicesConverged } from '../docker/harness/labSwarm';
import { screenshotsDir } from '../../scripts/lib/paths.mjs';
import { isCI } from '../support/ci.mjs';
import { openWorkbench, screenshot, stepWithScreenshot, type Workbench } from './support';

const VERSION = '26.1' as const;
const IMAGE = 'busybox:local';
const NET = 's9net';
const SERVE = 'httpd -p 80 -h /tmp; sleep 3600 & wait';

let lab: Lab | undefined;
let wb: Workbench | undefined;
let missing: string[] = [];
let failed = false;
/** Each node's containers as its own docker inspect gives them: name → overlay address. */
const real = new Map<string, Map<string, string>>();

async function overlayAddresses(h: LabHost): Promise<Map<string, string>> {
  const ids = (await h.dockerOk(['ps', '-q'])).split('\n').map((l) => l.trim()).filter(Boolean);
  const all = JSON.parse(await h.dockerOk(['inspect', ...ids])) as { Name: string; NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }[];
  return new Map(all.map((c) => [c.Name.replace(/^\//, ''), c.NetworkSettings.Networks[NET]?.IPAddress ?? '']));
}

before(async () => {
  missing = labMissing([VERSION]);
  if (missing.length) return;
  try {
    lab = await startLab({ hosts: [{ name: 'node1', version: VERSION }, { name: 'node2', version: VERSION }], lan: true, swarm: { manager: 'node1', workers: ['node2'] } });
    const manager = lab.host('node1');
    const worker = lab.host('node2');
    await manager.dockerOk(['network', 'create', '-d', 'overlay', '--attachable', NET]);
    await manager.dockerOk(['run', '-d', '--name', 's9c1', '--network', NET, IMAGE, 'sh', '-c', SERVE], { timeoutMs: 120_000 });
    await worker.dockerOk(['run', '-d', '--name', 's9c2', '--network', NET, IMAGE, 'sh', '-c', SERVE], { timeoutMs: 120_000 });
    await manager.dockerOk(['service', 'create', '-d', '--quiet', '--no-resolve-image', '--name', 's9rr', '--replicas', '2', '--network', NET, '--endpoint-mode', 'dnsrr', IMAGE, 'sh', '-c', SERVE], { timeoutMs: 60_000 });
    await servicesConverged(manager, [manager, worker], { s9rr: 2 });
    real.set('node1', await overlayAddresses(manager));
    real.set('node2', await overlayAddresses(worker));
    wb = await openWorkbench({
      viewport: { width: 1280, height: 1000 },
      // A folder with no topology file: the live host is the tree's only root.
      folder: 'schemas',
      // The manager is the default host (nothing else is read); the worker is the swarm's other node.
      env: { DOCKER_HOST: manager.dockerHost, DOCKER_CONTEXT: '' },
      settings: { 'cnm.live.swarmNodes': [worker.dockerHost] },
    });
  } catch (e) {
    await wb?.close();
    await lab?.stop();
    wb = undefined;
    lab = undefined;
    throw e;
  }
});

after(async () => {
  // A failure keeps code-server's logs (the extension's among them) beside the screenshots.
  if (failed && wb) cpSync(join(wb.codeServer.userDataDir, 'logs'), join(screenshotsDir, 'liveSwarm-code-server-logs'), { recursive: true });
  await wb?.close();
  await lab?.stop();
});

function skipOrFail(t: TestContext): boolean {
  if (!missing.length) return false;
  const msg = `lab hosts of Docker ${VERSION} cannot run here: ${missing.join('; ')}`;
  if (isCI()) throw new Error(msg);
  console.warn(`\n*** SKIPPING the live swarm UI test: ${msg} ***\n`);
  t.skip(msg);
  return true;
}

const page = () => wb!.page;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** The tree row whose label is exactly `label`. */
const treeRow = (label: string): Locator => page().locator('.sidebar .monaco-list-row').filter({ has: page().locator('.label-name', { hasText: new RegExp(`^${esc(label)}$`) }) }).first();
const quickInput = () => page().locator('.quick-input-widget');
const diagram = (): FrameLocator => page().frameLocator('iframe.webview').frameLocator('iframe');

async function collapse(label: string): Promise<void> {
  const row = treeRow(label);
  if ((await row.count()) && (await row.getAttribute('aria-expanded')) === 'true') await row.locator('.monaco-tl-twistie').click();
}

test('a live swarm across its nodes: both nodes with their containers, one diagram, a trace from node1 to node2 that Verify Trace confirms', { timeout: 600_000 }, async (t) => {
  if (skipOrFail(t)) return;
  assert.ok(wb && lab, 'the lab swarm and the workbench started');
  failed = true; // until the last step passes
  await stepWithScreenshot(page(), t, 'live-swarm-tree', async () => {
    await page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]').first().click({ timeout: 90_000 });
    await treeRow('Swarm').waitFor({ timeout: 120_000 });
    // Room for the nodes: the host's own Networks and Containers groups closed.
    await collapse('Networks');
    await collapse('Containers');
    await collapse('Services');
    for (const node of ['node1', 'node2']) {
      const row = treeRow(node);
      // The node's daemon read: its container count (the manager's tasks alone give none).
      await row.filter({ hasText: /\d+ containers?/ }).waitFor({ timeout: 120_000 });
      const mine = real.get(node)!;
      assert.ok(mine.size >= 2, `${node} runs its standalone container and a task`);
      for (const [name, address] of mine) {
        assert.ok(address, `${name} has an address on ${NET}`);
        const ctr = treeRow(name);
        await ctr.waitFor({ timeout: 30_000 });
        assert.match(await ctr.innerText(), new RegExp(`${NET} ${esc(address)}`), `${name} on ${node}: its address as its node's docker inspect gives it`);
      }
    }
    assert.match(await treeRow('node2').innerText(), /worker/);
    await page().mouse.move(900, 980);
    await screenshot(page(), 'live-swarm-tree');
  });

  await stepWithScreenshot(page(), t, 'live-swarm-diagram', async () => {
    const hostRow = page().locator('.sidebar .monaco-list-row[aria-level="1"]', { hasText: /Docker 26\.1/ }).first();
    await hostRow.hover();
    await hostRow.locator('.action-label[aria-label="Open Diagram"]').click();
    for (const node of ['node1', 'node2']) await diagram().locator(`tspan.host-name[data-id="h/${node}"]`).waitFor({ timeout: 60_000 });
    await diagram().locator('g.sandbox[data-id="c/node2/s9c2"]').waitFor({ timeout: 30_000 });
    await screenshot(page(), 'live-swarm-diagram');
  });

  await stepWithScreenshot(page(), t, 'live-swarm-verify', async () => {
    // Trace From Here on s9c1 (node1) → s9c2 (node2), ping.
    const src = treeRow('s9c1');
    await src.hover();
    await src.locator('.action-label[aria-label^="Trace From Here"]').click();
    await quickInput().locator('input.input').first().fill('s9c2');
    const dest = quickInput().locator('.monaco-list-row', { hasText: /s9c2/ }).filter({ hasText: /by name|DNS/ }).first();
    await dest.waitFor({ timeout: 20_000 });
    await dest.click();
    await quickInput().locator('.quick-input-title', { hasText: /to s9c2/ }).waitFor({ timeout: 15_000 });
    await quickInput().locator('input.input').first().fill('');
    await page().keyboard.press('Enter');
    await page().locator('.notifications-toasts .notification-toast', { hasText: /s9c1 → s9c2\/icmp: delivered/ }).first().waitFor({ timeout: 60_000 });
    // Verify Trace on Docker Host: the real probe from node1's daemon.
    await page().keyboard.press('F1');
    await quickInput().locator('input.input').first().fill('>CNM: Verify Trace on Docker Host');
    await quickInput().locator('.monaco-list-row.focused', { hasText: 'Verify Trace on Docker Host' }).first().waitFor({ timeout: 15_000 });
    await page().keyboard.press('Enter');
    const verdict = page().locator('.notifications-toasts .notification-toast', { hasText: /Verified|disagree|Not verified|Not predicted/ }).first();
    await verdict.waitFor({ timeout: 120_000 });
    assert.match(await verdict.innerText(), /Verified: the real probe agrees with the prediction — delivered/);
    // The report beside it: the predicted path crosses the overlay between the nodes (a VXLAN hop).
    await page().locator('.monaco-editor .view-lines', { hasText: /encapsulate: VXLAN|encapsulate/ }).first().waitFor({ timeout: 30_000 });
    await screenshot(page(), 'live-swarm-verify');
  });
  failed = false;
});
