// What a user sees: code-server in Chromium with the extension installed and examples/ open.
// The steps build on each other (node:test runs them in order); each failure leaves a screenshot.
import * as assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { root } from '../../scripts/lib/paths.mjs';
import { openWorkbench, screenshot, topologyFiles, type Workbench, stepWithScreenshot } from './support';

let wb: Workbench;
let files: string[];

before(async () => {
  wb = await openWorkbench();
  files = topologyFiles(wb.workspace);
});

after(async () => {
  await wb?.close();
});

const step = (t: TestContext, name: string, body: () => Promise<void>) => stepWithScreenshot(wb.page, t, name, body);

const activityEntry = () => wb.page.locator('.activitybar .action-label[aria-label^="CNM Explorer"]');
const sidebarTitle = () => wb.page.locator('.sidebar .composite.title .title-label');
const treeRow = (label: string) => wb.page.locator('.sidebar .monaco-list-row', { hasText: label });

test('the examples workspace holds topology files to show', () => {
  assert.ok(files.length > 0, 'examples/ has *.cnm.yaml files');
});

test('the CNM Explorer entry shows in the activity bar', async (t) => {
  await step(t, 'activity-bar', async () => {
    await activityEntry().waitFor({ state: 'visible', timeout: 90_000 });
    await screenshot(wb.page, 'activity-bar');
  });
});

test('clicking it opens the CNM Explorer view container with its Networks tree', async (t) => {
  await step(t, 'view', async () => {
    // From the click until the first file shows, the view never claims the workspace has none.
    const claims: string[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const text = await wb.page.locator('.sidebar .welcome-view-content').allInnerTexts().catch(() => []);
        claims.push(...text.filter((x) => /No topology files/.test(x)));
        await wb.page.waitForTimeout(50);
      }
    })();
    await activityEntry().click();
    await treeRow(files[0]!.slice(files[0]!.lastIndexOf('/') + 1)).first().waitFor({ timeout: 60_000 }).finally(() => { watching = false; });
    await watch;
    assert.deepEqual(claims, [], 'the welcome text said there were no topology files while the first scan ran');
    await sidebarTitle().filter({ hasText: /CNM EXPLORER/i }).waitFor({ timeout: 15_000 });
    assert.match(await sidebarTitle().innerText(), /CNM EXPLORER: NETWORKS/i);
    await wb.page.locator('.sidebar .monaco-list[aria-label*="Networks"], .sidebar .monaco-list').first().waitFor();
  });
});

test('the tree lists every topology file of the workspace', async (t) => {
  await step(t, 'tree', async () => {
    // The tree is virtual: only rows that fit are in the DOM, so check the first screenful.
    for (const file of files.slice(0, 12)) {
      await treeRow(file.slice(file.lastIndexOf('/') + 1)).first().waitFor({ timeout: 15_000 });
    }
    await screenshot(wb.page, 'explorer');
  });
});

test('the status bar counts the topology files', async (t) => {
  await step(t, 'status-bar', async () => {
    const expected = `CNM: ${files.length} ${files.length === 1 ? 'topology' : 'topologies'}`;
    await wb.page.locator('.statusbar-item', { hasText: expected }).waitFor({ timeout: 10_000 });
  });
});

test('clicking a file opens it in an editor as CNM Topology', async (t) => {
  await step(t, 'editor', async () => {
    // The custom-bridge example has subnets, addresses and drivers: the README's picture shows them.
    const file = files.find((f) => f.includes('custom-bridge')) ?? files[0]!;
    const name = file.slice(file.lastIndexOf('/') + 1);
    await treeRow(name).first().click();
    await wb.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 15_000 });
    await wb.page.locator('.statusbar-item', { hasText: /^CNM Topology$/ }).waitFor({ timeout: 15_000 });
    // Highlighting arrives from a tokenizer worker after the first paint: wait for coloured tokens
    // (Monaco's mtk1 is the default colour; any other class is a grammar scope's colour).
    await wb.page.locator('.monaco-editor .view-lines span[class^="mtk"]:not(.mtk1)').first().waitFor({ timeout: 15_000 });
    const path = await screenshot(wb.page, 'editor');
    // CNM_README_SCREENSHOT=1 refreshes the README's picture from this step.
    if (process.env.CNM_README_SCREENSHOT === '1') copyFileSync(path, join(root, 'media', 'screenshot.png'));
  });
});

test('a topology file created on disk appears in the tree by itself', async (t) => {
  await step(t, 'watch', async () => {
    writeFileSync(join(wb.workspace, 'zz-created-by-ui-test.cnm.yaml'), 'networks:\n  front:\n    driver: bridge\n');
    await treeRow('zz-created-by-ui-test.cnm.yaml').first().waitFor({ timeout: 15_000 });
  });
});
