// A live Docker host as a user sees it: the status bar shows the connection; clicking it offers the
// hosts; picking the default one shows its node in the CNM view with the daemon's version, its
// networks and containers (screenshot live-tree.png). Needs the real dockerd (skipped loudly without
// one outside CI). What it makes is labelled cnm-explorer.live-test=1, on 10.213.250.0/24, no ports.
import * as assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { unavailable } from '../support/exclusions.mjs';
import { docker, dockerServerVersion, LIVE_LABEL, removeLabelled } from './liveDocker';
import { openWorkbench, screenshot, type Workbench } from './support';

const net = `cnm-ui-live-${process.pid}`;
const ctr = `cnm-ui-live-web-${process.pid}`;
let wb: Workbench | undefined;
const version = dockerServerVersion();
const live = version !== '';

before(async () => {
  if (!live) return;
  removeLabelled(ctr, net);
  docker(['network', 'create', '--label', LIVE_LABEL, '--subnet', '10.213.250.0/24', net]);
  try {
    docker(['image', 'inspect', 'busybox:local']);
    docker(['run', '-d', '--name', ctr, '--label', LIVE_LABEL, '--network', net, '--ip', '10.213.250.10', 'busybox:local', 'sleep', '600']);
  } catch {
    // The tree still shows the network without a container.
  }
  wb = await openWorkbench({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await wb?.close();
  removeLabelled(ctr, net);
});

function skipOrFail(t: TestContext): boolean {
  if (live) return false;
  unavailable(t, 'dockerd is not reachable; the live-tree UI test needs one');
  return true;
}

test('the status bar shows the Docker connection; its hosts lead to the live host in the tree', async (t) => {
  if (skipOrFail(t)) return;
  const page = wb!.page;
  try {
    await page.locator('.activitybar .action-label[aria-label^="CNM Explorer"]').waitFor({ state: 'visible', timeout: 90_000 });
    const item = page.locator('.statusbar-item', { hasText: `docker: ${version}` });
    await item.waitFor({ timeout: 30_000 });
    assert.match(await item.innerText(), /CNM: \d+ topolog/);
    await item.click();
    const pick = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'default' }).first();
    await pick.waitFor({ timeout: 10_000 });
    await screenshot(page, 'live-hosts-pick');
    await pick.click();
    const hostRow = page.locator('.sidebar .monaco-list-row', { hasText: `Docker ${version}` }).first();
    await hostRow.waitFor({ timeout: 15_000 });
    // Open the test's network and container, as a user would, to see their endpoints.
    const netRow = page.locator('.sidebar .monaco-list-row', { hasText: net }).first();
    await netRow.waitFor({ timeout: 15_000 });
    await netRow.click();
    await page.locator('.sidebar .monaco-list-row', { hasText: /10\.213\.250\.10 · eth0/ }).first().waitFor({ timeout: 10_000 }).catch(() => undefined);
    const ctrRow = page.locator('.sidebar .monaco-list-row[aria-level="3"]', { hasText: ctr }).first();
    if (await ctrRow.count()) await ctrRow.click();
    await page.mouse.move(900, 850); // no hover tooltip over the tree
    await page.waitForTimeout(300);
    await screenshot(page, 'live-tree');

    // The host's diagram: its inline Open Diagram button draws the live state.
    await hostRow.hover();
    await hostRow.locator('.action-label[aria-label="Open Diagram"]').click();
    const diagram = page.frameLocator('iframe.webview').frameLocator('iframe');
    await diagram.locator(`g.bus[data-id="n/default/${net}"]`).waitFor({ timeout: 30_000 });
    assert.match(await diagram.locator(`g.bus[data-id="n/default/${net}"] .bus-label`).textContent() ?? '', /10\.213\.250\.0\/24/);
    await page.locator('.tab', { hasText: 'Diagram: default (Docker)' }).first().waitFor({ timeout: 10_000 });
    await page.mouse.move(640, 870);
    await screenshot(page, 'live-diagram');
  } catch (e) {
    await screenshot(page, 'FAILED-live-tree').catch(() => undefined);
    throw e;
  }
});
