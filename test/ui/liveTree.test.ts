// A live Docker host as a user sees it: the status bar shows the connection; clicking it offers the
// hosts; picking the default one shows its node in the CNM view with the daemon's version, its
// networks and containers (screenshot live-tree.png). Needs the real dockerd (skipped loudly without
// one outside CI). What it makes is labelled cnm-explorer.live-test=1, on 10.213.250.0/24, no ports.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, test, type TestContext } from 'node:test';
import { unavailable } from '../support/exclusions.mjs';
import { openWorkbench, screenshot, type Workbench } from './support';

const LABEL = 'cnm-explorer.live-test=1';
const net = `cnm-ui-live-${process.pid}`;
const ctr = `cnm-ui-live-web-${process.pid}`;
let wb: Workbench | undefined;
let version = '';
/** The docker CLI of the daemon's own release when installed (as the Docker tier uses), else the PATH's. */
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

function docker(args: string[]): string {
  return execFileSync(DOCKER, args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function dockerUp(): boolean {
  try {
    version = /^(\d+\.\d+\.\d+)/.exec(docker(['version', '--format', '{{.Server.Version}}']))?.[1] ?? '';
    return version !== '';
  } catch {
    return false;
  }
}

/** Removes only what this test made, and only when it carries our label. */
function cleanUp(): void {
  const steps: [string[], string[]][] = [
    [['inspect', '--type', 'container', '--format', '{{index .Config.Labels "cnm-explorer.live-test"}}', ctr], ['rm', '-f', ctr]],
    [['network', 'inspect', '--format', '{{index .Labels "cnm-explorer.live-test"}}', net], ['network', 'rm', net]],
  ];
  for (const [check, remove] of steps) {
    try {
      if (docker(check) === '1') docker(remove);
    } catch {
      // not there
    }
  }
}

const live = dockerUp();

before(async () => {
  if (!live) return;
  cleanUp();
  docker(['network', 'create', '--label', LABEL, '--subnet', '10.213.250.0/24', net]);
  try {
    docker(['image', 'inspect', 'busybox:local']);
    docker(['run', '-d', '--name', ctr, '--label', LABEL, '--network', net, '--ip', '10.213.250.10', 'busybox:local', 'sleep', '600']);
  } catch {
    // The tree still shows the network without a container.
  }
  wb = await openWorkbench({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await wb?.close();
  cleanUp();
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
