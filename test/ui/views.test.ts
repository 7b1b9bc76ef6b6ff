// The views a user opens beside the tree and the editor, in code-server on the examples: a container's
// network namespace under its tree node (interfaces, routes, /etc/hosts, resolv.conf); the reachability
// matrix (filter by network, click a square to trace it); the rules view the trace's "Show Rules" opens
// (iptables-save of the host, the dropping rule marked); and a swarm service picked as a destination.
// Screenshots: test-results/screenshots/views-*.png.
import * as assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { FrameLocator, Locator } from 'playwright-core';
import { openWorkbench, screenshot, stepWithScreenshot, type Workbench } from './support';

const LAB = 'two-host-lab.cnm.yaml';
const SWARM = '07-swarm-overlay.cnm.yaml';

let wb: Workbench;

before(async () => {
  wb = await openWorkbench({ viewport: { width: 1600, height: 950 } });
});

after(async () => {
  await wb?.close();
});

const step = (t: TestContext, name: string, body: () => Promise<void>) => stepWithScreenshot(wb.page, t, name, body);
const page = () => wb.page;
/** The tree row whose label is exactly `label`. */
const treeRow = (label: string): Locator => page().locator('.sidebar .monaco-list-row').filter({ has: page().locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`) }) }).first();
const quickInput = () => page().locator('.quick-input-widget');
const toast = (text: RegExp): Locator => page().locator('.notifications-toasts .notification-toast', { hasText: text }).first();
const webview = (): FrameLocator => page().frameLocator('iframe.webview').frameLocator('iframe');

async function runCommand(title: string): Promise<void> {
  await page().keyboard.press('F1');
  await quickInput().locator('input.input').first().fill(`>${title}`);
  await quickInput().locator('.monaco-list-row.focused', { hasText: title }).first().waitFor({ timeout: 15_000 });
  await page().keyboard.press('Enter');
}

async function expand(label: string): Promise<void> {
  const row = treeRow(label);
  await row.waitFor({ timeout: 30_000 });
  // The twistie: a click on a file's row opens the file (and does not expand it).
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
  await page().waitForFunction((l) => [...document.querySelectorAll('.sidebar .monaco-list-row')].some((r) => r.querySelector('.label-name')?.textContent === l && r.getAttribute('aria-expanded') === 'true'), label, { timeout: 15_000 });
}

test("a container's network namespace shows under its tree node", async (t) => {
  await step(t, 'views-namespace', async () => {
    const entry = page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]');
    await entry.waitFor({ timeout: 90_000 });
    await entry.click();
    await treeRow(LAB).waitFor({ timeout: 60_000 });
    await treeRow(LAB).click();
    await page().locator('.tabs-container .tab.active', { hasText: LAB }).waitFor({ timeout: 15_000 });
    await expand(LAB);
    // Room for the container's rows: the list draws only what fits.
    // (node1's Networks: level 3, under the file and the host; a live host's is at level 2.)
    await page().locator('.sidebar .monaco-list-row[aria-level="3"]').filter({ has: page().locator('.label-name', { hasText: /^Networks$/ }) }).first().locator('.monaco-tl-twistie').click();
    await expand('api');
    await expand('network namespace');
    await expand('routes');
    // api is on the overlay (eth0) and docker_gwbridge (eth1): its default route leaves by the gateway bridge.
    await treeRow('default via 172.18.0.1 dev eth1').waitFor({ timeout: 15_000 });
    // By its twistie, not the keyboard: a tree refresh (the live host's events) moves the keyboard focus.
    await expand('/etc/resolv.conf');
    await treeRow('nameserver 127.0.0.11').waitFor({ timeout: 15_000 });
    await screenshot(page(), 'views-namespace');
  });
});

test('the reachability matrix colours every probe, filters by network and traces a clicked square', async (t) => {
  await step(t, 'views-matrix', async () => {
    await page().locator('.tabs-container .tab', { hasText: LAB }).first().click();
    await runCommand('CNM: Show Reachability Matrix');
    const table = webview().locator('table#matrix');
    await table.waitFor({ timeout: 30_000 });
    assert.ok(await webview().locator('button.p.v-delivered').count() > 0, 'delivered squares');
    assert.ok(await webview().locator('button.p.v-dropped').count() > 0, 'dropped squares');
    const rows = webview().locator('tbody tr');
    const all = await rows.count();
    assert.equal(all, 5, 'api, printer, pod-a, db, pod-b');
    await webview().locator('select#net').selectOption('pods');
    assert.equal(await webview().locator('tbody tr:not(.hidden)').count(), 2, 'pod-a and pod-b are on pods');
    await screenshot(page(), 'views-matrix-filter');
    await webview().locator('select#net').selectOption('');
    assert.equal(await webview().locator('tbody tr:not(.hidden)').count(), all);
    await webview().locator('button.p[aria-label^="node1/api → node1/pod-a"]').click();
    const verdict = toast(/api → 10\.244\.0\.2\/icmp: dropped/);
    await verdict.waitFor({ timeout: 30_000 });
    await screenshot(page(), 'views-matrix-trace');
  });
  await step(t, 'views-rules', async () => {
    await toast(/api → 10\.244\.0\.2\/icmp: dropped/).locator('.monaco-button', { hasText: 'Show Rules' }).click();
    await page().locator('.tabs-container .tab.active', { hasText: 'node1 rules' }).waitFor({ timeout: 20_000 });
    const editor = page().locator('.editor-group-container.active .monaco-editor');
    const dropLine = editor.locator('.view-line', { hasText: '-A DOCKER-ISOLATION-STAGE-2 -o cni0 -j DROP' }).first();
    await dropLine.waitFor({ timeout: 15_000 });
    // The rule that dropped the packet is selected: the status bar says the line the gutter numbers it.
    // Measured until it holds still: the editor re-draws its lines while it reveals the rule.
    const numbers = editor.locator('.margin-view-overlays .line-numbers');
    let number: string | undefined;
    for (const t0 = Date.now(); !number && Date.now() - t0 < 15_000; await page().waitForTimeout(200)) {
      const y = (await dropLine.boundingBox().catch(() => null))?.y;
      if (y === undefined) continue;
      for (let i = 0; i < (await numbers.count()); i++) {
        const box = await numbers.nth(i).boundingBox().catch(() => null);
        if (box && Math.abs(box.y - y) < 3) number = (await numbers.nth(i).innerText()).trim();
      }
    }
    assert.ok(number, 'the rule has a line number');
    await page().locator('.statusbar-item', { hasText: new RegExp(`Ln ${number}, Col \\d+ \\(\\d+ selected\\)`) }).first().waitFor({ timeout: 10_000 });
    await screenshot(page(), 'views-rules');
  });
});

test('a swarm service is offered as a destination and traced by its VIP', async (t) => {
  await step(t, 'views-service', async () => {
    await treeRow(SWARM).click();
    await page().locator('.tabs-container .tab.active', { hasText: SWARM }).waitFor({ timeout: 15_000 });
    await runCommand('CNM: Trace From Here');
    await quickInput().locator('.monaco-list-row', { hasText: 'probe' }).first().waitFor({ timeout: 20_000 });
    await quickInput().locator('input.input').first().fill('probe');
    await quickInput().locator('.monaco-list-row.focused', { hasText: 'probe' }).first().waitFor({ timeout: 10_000 });
    await page().keyboard.press('Enter');
    const service = quickInput().locator('.monaco-list-row', { hasText: /swarm service.*IPVS/ }).filter({ hasText: /^\s*api/ }).first();
    await service.waitFor({ timeout: 20_000 });
    assert.ok(await quickInput().locator('.monaco-list-row', { hasText: 'tasks.api' }).count() > 0, 'tasks.api is offered');
    await screenshot(page(), 'views-service-pick');
    await service.click();
    await quickInput().locator('.quick-input-title', { hasText: /to api/ }).waitFor({ timeout: 15_000 });
    assert.equal(await quickInput().locator('input.input').first().inputValue(), '80/tcp', 'the port its tasks listen on');
    await page().keyboard.press('Enter');
    await toast(/probe → api:80\/tcp: delivered/).waitFor({ timeout: 30_000 });
    await screenshot(page(), 'views-service-verdict');
  });
});
