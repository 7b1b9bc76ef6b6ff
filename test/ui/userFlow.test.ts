// A newcomer's first session, driven in code-server with Chromium: open an example, open the view,
// create a network from the context menu, connect a container to it, open the diagram, pick a source
// and hover targets to trace. A screenshot at every step (test-results/screenshots/flow-*.png).
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { FrameLocator, Locator } from 'playwright-core';
import { openWorkbench, readmeScreenshot, runContextMenuEntry, screenshot, type Workbench } from './support';

let wb: Workbench;
const FILE = '02-custom-bridge.cnm.yaml';

before(async () => {
  wb = await openWorkbench({ viewport: { width: 1600, height: 960 } });
});

after(async () => {
  await wb?.close();
});

/** Runs a step and keeps what the user sees after it; `still`: move the mouse off the tree first (no tooltips). */
async function step(t: TestContext, name: string, body: () => Promise<void>, still = true): Promise<void> {
  try {
    await body();
    if (still) await wb.page.mouse.move(900, 940);
    await wb.page.waitForTimeout(400);
    await screenshot(wb.page, `flow-${name}`);
  } catch (e) {
    const path = await screenshot(wb.page, `FAILED-flow-${name}`).catch(() => '(no screenshot)');
    t.diagnostic(`screenshot: ${path}`);
    throw e;
  }
}

const page = () => wb.page;
const row = (label: string | RegExp): Locator => page().locator('.sidebar .monaco-list-row', { has: page().locator('.label-name', { hasText: label }) }).first();
const quickInput = () => page().locator('.quick-input-widget');
const quickInputBox = () => quickInput().locator('input.input').first();
const diagram = (): FrameLocator => page().frameLocator('iframe.webview').frameLocator('iframe');

/** Right-clicks a tree row and picks a context menu entry. */
const contextMenu = (target: Locator, entry: string): Promise<void> => runContextMenuEntry(page(), target, entry, quickInput());

/** Waits until the multi-step input shows step `n` (its title ends in "(n/m)"). */
async function atStep(n: number): Promise<void> {
  await quickInput().locator('.quick-input-title', { hasText: new RegExp(`\\(${n}/\\d+\\)`) }).waitFor({ timeout: 15_000 });
}

/** Answers step `n`: types (replacing the value, unless null) and presses Enter. */
async function answer(n: number, value: string | null): Promise<void> {
  await atStep(n);
  if (value !== null) await quickInputBox().fill(value);
  await page().keyboard.press('Enter');
}

test('open the view and an example', async (t) => {
  await step(t, '1-open-example', async () => {
    const entry = page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]');
    await entry.waitFor({ timeout: 90_000 });
    await entry.click();
    // A wider side bar, as a user would drag it, so the descriptions (drivers, subnets) can be read.
    const sidebar = await page().locator('.part.sidebar').boundingBox();
    if (sidebar) {
      const edge = sidebar.x + sidebar.width;
      await page().mouse.move(edge + 1, 400);
      await page().mouse.down();
      await page().mouse.move(edge + 160, 400, { steps: 8 });
      await page().mouse.up();
    }
    await row(FILE).waitFor({ timeout: 20_000 });
    await row(FILE).click();
    await page().locator('.tabs-container .tab.active', { hasText: FILE }).waitFor({ timeout: 15_000 });
    await row(FILE).locator('.monaco-tl-twistie').click();
    await row('mybridge10').waitFor({ timeout: 15_000 });
    assert.match(await row('mybridge10').innerText(), /bridge · 10\.10\.0\.0\/16/);
  });
});

test('create a network from the context menu: a free subnet is suggested', async (t) => {
  await step(t, '2-create-network-name', async () => {
    await contextMenu(row(/^Networks$/), 'Create Network');
    await atStep(1);
    assert.match(await quickInput().locator('.quick-input-title').textContent() ?? '', /Create Network/);
    await quickInputBox().fill('backend');
  });
  await step(t, '3-create-network-subnet', async () => {
    await page().keyboard.press('Enter');
    await answer(2, null); // driver: bridge, as preselected
    await atStep(3);
    await quickInput().locator('.quick-input-message, .quick-input-description', { hasText: /172\.18\.0\.0\/16 is free/ }).first().waitFor({ timeout: 10_000 });
    assert.equal(await quickInputBox().inputValue(), '172.18.0.0/16');
  });
  await step(t, '4-network-created', async () => {
    await answer(3, null); // the suggested subnet
    await atStep(4);
    await quickInput().locator('.quick-input-message, .quick-input-description', { hasText: /gateway/ }).first().waitFor({ timeout: 10_000 });
    assert.equal(await quickInputBox().inputValue(), '172.18.0.1');
    await answer(4, null); // the default gateway
    await answer(5, null); // no options
    await row('backend').waitFor({ timeout: 15_000 });
    assert.match(await row('backend').innerText(), /172\.18\.0\.0\/16/);
    // The edit is in the editor (unsaved, undoable), the new lines selected.
    await page().locator('.monaco-editor .view-lines', { hasText: 'backend:' }).first().waitFor({ timeout: 10_000 });
  });
});

test('connect a container to it, with a static address checked against the subnet', async (t) => {
  await step(t, '5-connect-pick', async () => {
    await contextMenu(row('backend'), 'Connect Container');
    await quickInput().locator('.monaco-list-row', { hasText: 'web' }).first().waitFor({ timeout: 20_000 });
  });
  await step(t, '6-connect-address', async () => {
    await answer(1, 'web');
    await atStep(3);
    await quickInputBox().fill('10.10.0.9');
    await quickInput().locator('.quick-input-message', { hasText: /no configured subnet contains IP address 10\.10\.0\.9/ }).waitFor({ timeout: 10_000 });
  });
  await step(t, '7-connected', async () => {
    await answer(3, '172.18.0.10');
    await answer(4, 'api');
    await page().locator('.sidebar .monaco-list-row', { hasText: /backend.*1 endpoint/ }).first().waitFor({ timeout: 15_000 });
    await row('backend').locator('.monaco-tl-twistie').click();
    await page().locator('.sidebar .monaco-list-row', { hasText: /172\.18\.0\.10 · eth1 · aka api/ }).first().waitFor({ timeout: 15_000 });
  });
});

test('open the diagram: hosts, networks as buses, sandboxes with their endpoints', async (t) => {
  await step(t, '8-diagram', async () => {
    await row(FILE).hover();
    await row(FILE).locator('.action-label[aria-label="Open Diagram"]').click();
    await diagram().locator('g.sandbox[data-id="c/host1/web"]').waitFor({ timeout: 30_000 });
    await diagram().locator('g.bus[data-id="n/host1/backend"]').waitFor();
    assert.equal(await diagram().locator('g.sandbox').count(), 3);
    assert.match(await diagram().locator('g.bus[data-id="n/host1/backend"] .bus-label').textContent() ?? '', /172\.18\.0\.0\/16/);
  });
});

test('pick a source and hover a target: the path lights up and the hops are listed', async (t) => {
  await step(t, '9-trace-delivered', async () => {
    // Select 10_b1, then "Trace from here" in the side panel (a double-click on the box does the same).
    await diagram().locator('g.sandbox[data-id="c/host1/10_b1"] text.box-name').click({ force: true });
    await diagram().locator('vscode-button.trace-from-selection').click();
    await diagram().locator('.source-name', { hasText: '10_b1' }).waitFor({ timeout: 20_000 });
    await diagram().locator('g.sandbox[data-id="c/host1/web"] text.box-name').hover({ force: true });
    await diagram().locator('.verdict-delivered').waitFor({ timeout: 20_000 });
    await diagram().locator('.hops .hop').nth(3).waitFor();
    assert.ok(await diagram().locator('g.bus.lit[data-id="n/host1/mybridge10"]').count() === 1, 'the bridge on the way is lit');
    await page().waitForTimeout(1200); // the hop-by-hop animation
    // The README's picture: the tree, the editor with its Trace lenses and the diagram mid-trace.
    await readmeScreenshot(page(), wb.workspace, 'test/ui/userFlow.test.ts (step 9-trace-delivered)');
  }, false);
  await step(t, '10-trace-dropped', async () => {
    // web's new address on backend, from 10_b1 on mybridge10: two bridges, isolated from each other.
    await diagram().locator('circle.endpoint[data-id="e/host1/backend/web"]').hover({ force: true });
    await diagram().locator('.verdict-dropped').waitFor({ timeout: 20_000 });
    await diagram().locator('.drop-mark').waitFor();
    assert.match(await diagram().locator('.verdict .reason').textContent() ?? '', /isolat|DOCKER-ISOLATION/i);
    await page().waitForTimeout(1200);
  }, false);
});

test('selection follows between the diagram and the tree, both ways', async (t) => {
  await step(t, '11-selection-diagram-to-tree', async () => {
    await diagram().locator('vscode-button.clear-source').click();
    await diagram().locator('.source-line', { hasText: 'No source picked' }).waitFor();
    await diagram().locator('g.bus[data-id="n/host1/backend"] .bus-hit').click({ force: true });
    await page().locator('.sidebar .monaco-list-row.selected', { hasText: 'backend' }).waitFor({ timeout: 10_000 });
  });
  await step(t, '12-selection-tree-to-diagram', async () => {
    await row('mybridge10').click();
    await diagram().locator('g.bus.selected[data-id="n/host1/mybridge10"]').waitFor({ timeout: 10_000 });
    await diagram().locator('.details h2', { hasText: 'Network mybridge10' }).waitFor();
  });
});

test('export the diagram as SVG through a save dialog', async (t) => {
  await step(t, '13-export-svg', async () => {
    await diagram().locator('vscode-toolbar-button[data-action="export"]').click();
    // code-server's save dialog is a quick input holding the path: the suggested name is next to the file.
    await quickInput().waitFor({ state: 'visible', timeout: 15_000 });
    const deadlineValue = Date.now() + 15_000;
    while (!/02-custom-bridge\.svg$/.test(await quickInputBox().inputValue()) && Date.now() < deadlineValue) await page().waitForTimeout(200);
    assert.match(await quickInputBox().inputValue(), /02-custom-bridge\.svg$/);
    await page().keyboard.press('Enter');
    const saved = join(wb.workspace, '02-custom-bridge.svg');
    const deadline = Date.now() + 15_000;
    while (!existsSync(saved) && Date.now() < deadline) await page().waitForTimeout(200);
    const svg = readFileSync(saved, 'utf8');
    assert.match(svg, /^<\?xml[^>]*>\n<svg/);
    assert.ok(svg.includes('backend'));
  });
});

