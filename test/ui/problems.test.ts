// Opening a topology file with a mistake puts Docker's error in the Problems panel, as a user sees it in
// code-server: the file (test/fixtures/problems/, never examples/, which must stay valid) is copied into
// the workspace, opened from the CNM Explorer tree, and the Problems panel lists the language server's
// diagnostic in Docker's words; a failing `expect` entry is listed with the trace's reason.
// Screenshots: test-results/screenshots/problems-panel.png and problems-expect.png.
import * as assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Locator } from 'playwright-core';
import { root } from '../../scripts/lib/paths.mjs';
import { openWorkbench, screenshot, type Workbench, stepWithScreenshot } from './support';

const FILE = 'overlapping-subnets.cnm.yaml';
const EXPECT_FILE = 'failing-expect.cnm.yaml';
/** What dockerd answers to `docker network create --subnet 10.50.1.0/24 backend` next to 10.50.0.0/16. */
const DOCKER_SAYS = 'Pool overlaps with other one on this address space';

let wb: Workbench;

before(async () => {
  wb = await openWorkbench({ viewport: { width: 1400, height: 860 } });
  for (const f of [FILE, EXPECT_FILE]) copyFileSync(join(root, 'test', 'fixtures', 'problems', f), join(wb.workspace, f));
});

after(async () => {
  await wb?.close();
});

const step = (t: TestContext, name: string, body: () => Promise<void>) => stepWithScreenshot(wb.page, t, name, body);

const page = () => wb.page;
const treeRow = (label: string): Locator => page().locator('.sidebar .monaco-list-row', { has: page().locator('.label-name', { hasText: label }) }).first();
const problemsPanel = () => page().locator('.panel .markers-panel');
const problemRow = (text: string): Locator => problemsPanel().locator('.monaco-list-row', { hasText: text }).first();

test('the file with a mistake opens from the CNM Explorer tree', async (t) => {
  await step(t, 'problems-open', async () => {
    const entry = page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]');
    await entry.waitFor({ timeout: 90_000 });
    await entry.click();
    await treeRow(FILE).waitFor({ timeout: 30_000 });
    await treeRow(FILE).click();
    await page().locator('.tabs-container .tab.active', { hasText: FILE }).waitFor({ timeout: 15_000 });
  });
});

test("the Problems panel lists Docker's error, with the file and the line", async (t) => {
  await step(t, 'problems-panel', async () => {
    // The status bar counts the errors once the language server has published them; clicking the
    // count opens the Problems panel, as a user would.
    const counter = page().locator('.statusbar-item[id="status.problems"]');
    await counter.filter({ hasText: /[1-9]/ }).waitFor({ timeout: 60_000 });
    await counter.click();
    await problemsPanel().waitFor({ state: 'visible', timeout: 15_000 });
    await problemRow(DOCKER_SAYS).waitFor({ timeout: 30_000 });
    const text = await problemRow(DOCKER_SAYS).innerText();
    assert.match(text, /Pool overlaps with other one on this address space/);
    assert.match(text, /cnm/, 'the source is the CNM language server');
    assert.match(text, /\[Ln 11, Col 13\]/, 'on the subnet of "backend"');
    // The file's row names it and counts its problems; the container that could not be created is listed too.
    await problemsPanel().locator('.monaco-list-row', { hasText: FILE }).first().waitFor({ timeout: 10_000 });
    await problemRow('so container "db" was not created').waitFor({ timeout: 10_000 });
    // The editor underlines the subnet.
    await page().locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 10_000 });
    // Focus back in the editor, so the row shows its error icon rather than the selection's lightbulb.
    await page().locator('.monaco-editor .view-lines').first().click({ position: { x: 400, y: 5 } });
    await page().mouse.move(700, 20);
    await page().waitForTimeout(400);
    const path = await screenshot(page(), 'problems-panel');
    t.diagnostic(`screenshot: ${path}`);
  });
});

test('a failing expect entry is listed with the rule that dropped the packet', async (t) => {
  await step(t, 'problems-expect', async () => {
    await treeRow(EXPECT_FILE).click();
    await page().locator('.tabs-container .tab.active', { hasText: EXPECT_FILE }).waitFor({ timeout: 15_000 });
    const row = problemRow('intruder → web:80: expected delivered, got dropped');
    await row.waitFor({ timeout: 30_000 });
    const text = await row.innerText();
    assert.match(text, /-j DROP/);
    assert.match(text, /\[Ln 24, Col 46\]/, 'on the verdict of the second entry');
    // Only the failing entry: the first one holds.
    await problemsPanel().locator('.monaco-list-row', { hasText: EXPECT_FILE }).first().waitFor({ timeout: 10_000 });
    assert.equal(await problemsPanel().locator('.monaco-list-row', { hasText: 'client → web:80' }).count(), 0);
    await page().locator('.monaco-editor .view-lines').first().click({ position: { x: 400, y: 5 } });
    await page().mouse.move(700, 20);
    await page().waitForTimeout(400);
    t.diagnostic(`screenshot: ${await screenshot(page(), 'problems-expect')}`);
  });
});
