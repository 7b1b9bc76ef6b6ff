// Workspace trust for real: code-server with trust on and the examples folder not trusted (Restricted
// Mode). Reading a live Docker host still works (its tree, a diagram); every action that would change
// the host is refused with the trust message, and the host is left as it was. Needs the real dockerd;
// what it makes carries cnm-explorer.live-test=1, on 10.213.251.0/24, no ports.
// Screenshots: test-results/screenshots/trust-*.png.
import * as assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { Locator } from 'playwright-core';
import { unavailable } from '../support/exclusions.mjs';
import { docker, dockerServerVersion, LIVE_LABEL, removeLabelled } from './liveDocker';
import { openWorkbench, screenshot, stepWithScreenshot, type Workbench } from './support';

const net = `cnm-ui-trust-${process.pid}`;
const ctr = `cnm-ui-trust-c-${process.pid}`;
const REFUSED = /this workspace is not trusted, so CNM Explorer does not change Docker hosts/;
let wb: Workbench | undefined;

const live = dockerServerVersion() !== '';

before(async () => {
  if (!live) return;
  removeLabelled(ctr, net);
  docker(['network', 'create', '--label', LIVE_LABEL, '--subnet', '10.213.251.0/24', net]);
  docker(['run', '-d', '--name', ctr, '--label', LIVE_LABEL, '--network', net, 'busybox:local', 'sleep', '600']);
  wb = await openWorkbench({ viewport: { width: 1400, height: 900 }, untrusted: true });
});

after(async () => {
  await wb?.close();
  removeLabelled(ctr, net);
});

function noDocker(t: TestContext): boolean {
  if (live) return false;
  unavailable(t, 'dockerd is not reachable; the workspace-trust UI test needs one');
  return true;
}

const page = () => wb!.page;
const step = (t: TestContext, name: string, body: () => Promise<void>) => stepWithScreenshot(page(), t, name, body);
const treeRow = (text: string | RegExp): Locator => page().locator('.sidebar .monaco-list-row', { hasText: text }).first();
const toast = (text: RegExp): Locator => page().locator('.notifications-toasts .notification-toast', { hasText: text }).first();

async function contextMenu(target: Locator, entry: string): Promise<void> {
  await target.click({ button: 'right' });
  const item = page().locator('.context-view .monaco-menu .action-item', { hasText: entry }).first();
  await item.waitFor({ timeout: 10_000 });
  await item.hover();
  await item.locator('.action-label').click();
}

async function dismissToasts(): Promise<void> {
  for (const close of await page().locator('.notifications-toasts .codicon-notifications-clear').all()) await close.click().catch(() => undefined);
}

test('an untrusted folder opens in Restricted Mode, and the live host reads as usual', async (t) => {
  if (noDocker(t)) return;
  await step(t, 'trust-restricted', async () => {
    await page().locator('.statusbar-item', { hasText: /Restricted Mode/ }).first().waitFor({ timeout: 90_000 });
    const entry = page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]');
    await entry.waitFor({ timeout: 90_000 });
    await entry.click();
    await treeRow(/^default/).waitFor({ timeout: 60_000 });
    await treeRow(net).waitFor({ timeout: 30_000 });
    await treeRow(net).click();
    await treeRow(ctr).waitFor({ timeout: 15_000 });
    await screenshot(page(), 'trust-restricted');
  });
});

test('removing a network is refused with the trust message; the network stays', async (t) => {
  if (noDocker(t)) return;
  await step(t, 'trust-remove-network', async () => {
    await contextMenu(treeRow(net), 'Remove Network');
    await toast(/^.*Remove Network: /).waitFor({ timeout: 20_000 });
    assert.match(await toast(/Remove Network: /).innerText(), REFUSED);
    await screenshot(page(), 'trust-remove-network');
    assert.equal(docker(['network', 'inspect', '--format', '{{.Name}}', net]), net, 'the network is still there');
    await dismissToasts();
  });
});

test('creating a network and running a container are refused too; nothing is made', async (t) => {
  if (noDocker(t)) return;
  await step(t, 'trust-create', async () => {
    const before = docker(['network', 'ls', '-q']).split('\n').sort();
    const containersBefore = docker(['ps', '-aq']).split('\n').sort();
    await contextMenu(treeRow(/^default/), 'Create Network');
    await toast(/Create Network: /).waitFor({ timeout: 20_000 });
    assert.match(await toast(/Create Network: /).innerText(), REFUSED);
    await dismissToasts();
    await contextMenu(treeRow(/^default/), 'Run Container');
    await toast(/Run Container: /).waitFor({ timeout: 20_000 });
    assert.match(await toast(/Run Container: /).innerText(), REFUSED);
    assert.deepEqual(docker(['network', 'ls', '-q']).split('\n').sort(), before, 'no network was made');
    assert.deepEqual(docker(['ps', '-aq']).split('\n').sort(), containersBefore, 'no container was made');
  });
});
