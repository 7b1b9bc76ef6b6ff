// The diagram keeps how the user left it: the groups they collapsed or expanded, their zoom, focus mode,
// the search text and the minimap toggle come back when the diagram is closed and opened again, and
// after the window reloads (the host keeps them per file in the workspace state). In code-server on the
// examples. Screenshots: test-results/screenshots/state-*.png.
import * as assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { FrameLocator, Locator } from 'playwright-core';
import { openWorkbench, screenshot, stepWithScreenshot, type Workbench } from './support';

const LAB = 'two-host-lab.cnm.yaml';
const BACKEND = 'n/node1/backend';
const PODS = 'n/node2/pods';

let wb: Workbench;

before(async () => {
  wb = await openWorkbench({ viewport: { width: 1500, height: 900 } });
});

after(async () => {
  await wb?.close();
});

const step = (t: TestContext, name: string, body: () => Promise<void>) => stepWithScreenshot(wb.page, t, name, body);
const page = () => wb.page;
const row = (label: string): Locator => page().locator('.sidebar .monaco-list-row', { has: page().locator('.label-name', { hasText: label }) }).first();
const diagram = (): FrameLocator => page().frameLocator('iframe.webview').frameLocator('iframe');
const diagramTab = (): Locator => page().locator('.tabs-container .tab', { hasText: `Diagram: ${LAB}` }).first();
const data = (key: string) => diagram().locator('body').evaluate((b, k) => (b as HTMLElement).dataset[k] ?? '', key);
const zoom = async () => Number(/scale\(([\d.]+)/.exec(await diagram().locator('g.viewport').getAttribute('transform') ?? '')?.[1] ?? 'NaN');

async function openDiagram(): Promise<void> {
  await row(LAB).waitFor({ timeout: 60_000 });
  await row(LAB).hover();
  await row(LAB).locator('.action-label[aria-label="Open Diagram"]').click();
  await diagram().locator('g.sandbox').first().waitFor({ timeout: 60_000 });
}

/**
 * Reloads as a user does (Developer: Reload Window): VS Code saves its state (the open editors) before it
 * reloads; a bare browser reload may cut that short, and then no editor comes back at all.
 */
async function reloadWindow(): Promise<void> {
  await page().locator('.sidebar .composite.title').first().click(); // the workbench, not the webview, has the keyboard
  await page().keyboard.press('F1');
  await page().locator('.quick-input-widget input.input').first().fill('>Developer: Reload Window');
  await page().locator('.quick-input-widget .monaco-list-row.focused', { hasText: 'Reload Window' }).first().waitFor({ timeout: 15_000 });
  await Promise.all([page().waitForEvent('load', { timeout: 120_000 }), page().keyboard.press('Enter')]);
}

/** The user's choices as they left them: backend (node1) collapsed, the pods band of node2 collapsed, zoomed in twice. */
async function assertAsLeft(k: number): Promise<void> {
  await diagram().locator(`g.group[data-group="${BACKEND}"]`).waitFor({ timeout: 30_000 });
  await diagram().locator(`g.group[data-group="${PODS}"]`).waitFor({ timeout: 30_000 });
  assert.equal(await diagram().locator('g.group').count(), 2, 'only the two groups the user collapsed');
  assert.match(await diagram().locator(`g.group[data-group="${BACKEND}"] .group-name`).textContent() ?? '', /\d+ containers? · backend/);
  assert.ok(Math.abs(await zoom() - k) < 0.01, `zoom ${await zoom()} is the user's ${k}`);
}

let leftAt = 0;

test('the user collapses two groups and zooms in; the diagram says it kept them', async (t) => {
  await step(t, 'state-1-choose', async () => {
    const entry = page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]');
    await entry.waitFor({ timeout: 90_000 });
    await entry.click();
    await openDiagram();
    assert.equal(await diagram().locator('g.group').count(), 0, 'a small file opens with every group expanded');
    await diagram().locator(`text.group-toggle[data-group="${BACKEND}"]`).click();
    await diagram().locator(`text.group-toggle[data-group="${PODS}"]`).click();
    await diagram().locator('vscode-toolbar-button[data-action="zoom-in"]').click();
    await diagram().locator('vscode-toolbar-button[data-action="zoom-in"]').click();
    await page().waitForTimeout(500);
    leftAt = await zoom();
    // Saved once the user stops (a short debounce): both choices.
    for (let i = 0; i < 50 && (await data('viewSaved')) !== '2'; i++) await page().waitForTimeout(100);
    assert.equal(await data('viewSaved'), '2');
    await assertAsLeft(leftAt);
    await screenshot(page(), 'state-1-as-left');
  });
});

test('closed and opened again, the diagram comes back as the user left it', async (t) => {
  await step(t, 'state-2-reopen', async () => {
    await diagramTab().hover();
    await diagramTab().locator('.tab-actions .action-label').click();
    await diagramTab().waitFor({ state: 'detached', timeout: 15_000 });
    await openDiagram();
    assert.equal(await data('viewRestored'), '2');
    await assertAsLeft(leftAt);
    await page().waitForTimeout(400);
    await screenshot(page(), 'state-2-reopened');
  });
});

test('after the window reloads, the restored diagram is as the user left it; expanding a group is kept too', async (t) => {
  await step(t, 'state-3-reload', async () => {
    await reloadWindow();
    await diagramTab().waitFor({ timeout: 90_000 });
    await diagramTab().click();
    await diagram().locator('g.sandbox').first().waitFor({ timeout: 60_000 });
    await assertAsLeft(leftAt);
    await page().waitForTimeout(400);
    await screenshot(page(), 'state-3-reloaded');
    // Expanding one (a click on the group) is a choice kept as well: wait until it is sent to be kept.
    const saves = Number(await data('viewSaves') || '0');
    await diagram().locator(`g.group[data-group="${PODS}"]`).click();
    await diagram().locator(`g.group[data-group="${PODS}"]`).waitFor({ state: 'detached', timeout: 10_000 });
    for (let i = 0; i < 50 && Number(await data('viewSaves') || '0') <= saves; i++) await page().waitForTimeout(100);
    assert.ok(Number(await data('viewSaves') || '0') > saves, 'the expanded group was sent to be kept');
    await diagramTab().hover();
    await diagramTab().locator('.tab-actions .action-label').click();
    await diagramTab().waitFor({ state: 'detached', timeout: 15_000 });
    await openDiagram();
    await diagram().locator(`g.group[data-group="${BACKEND}"]`).waitFor({ timeout: 30_000 });
    assert.equal(await diagram().locator('g.group').count(), 1, 'pods expanded, backend still collapsed');
  });
});

test('focus around a selection, the search text and the minimap toggle are kept too', async (t) => {
  await step(t, 'state-4-focus-search-minimap', async () => {
    await diagram().locator('g.sandbox[data-id="c/node2/pod-b"] text.box-name').click({ force: true });
    await diagram().locator('g.sandbox.selected[data-id="c/node2/pod-b"]').waitFor({ timeout: 10_000 });
    const saves = Number(await data('viewSaves') || '0');
    await diagram().locator('vscode-toolbar-button[data-action="target"]').click();
    await diagram().locator('vscode-textfield.search input').fill('pod');
    await diagram().locator('vscode-toolbar-button[data-action="map"]').click();
    const mapHidden = await diagram().locator('canvas.minimap').evaluate((c) => (c as HTMLCanvasElement).hidden);
    // Sent to be kept once the user stops: wait until the count of saves stops growing.
    let seen = -1;
    for (let i = 0; i < 100; i++) {
      const now = Number(await data('viewSaves') || '0');
      if (now > saves && now === seen) break;
      seen = now;
      await page().waitForTimeout(1000);
    }
    assert.ok(seen > saves, 'the focus, search and minimap were sent to be kept');
    await screenshot(page(), 'state-4-as-left');
    await diagramTab().hover();
    await diagramTab().locator('.tab-actions .action-label').click();
    await diagramTab().waitFor({ state: 'detached', timeout: 15_000 });
    await openDiagram();
    await diagram().locator('body[data-view-extras="focus search minimap"]').waitFor({ timeout: 30_000 });
    assert.equal(await diagram().locator('g.sandbox.selected[data-id="c/node2/pod-b"]').count(), 1, 'the focused selection');
    assert.ok(Number(await data('focus')) > 0, 'focus mode is on');
    assert.equal(await diagram().locator('vscode-toolbar-button[data-action="target"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await diagram().locator('g.sandbox.in-focus[data-id="c/node2/pod-b"]').count(), 1);
    assert.equal(await diagram().locator('vscode-textfield.search input').inputValue(), 'pod');
    assert.ok(Number(await data('searchHits')) > 0, 'the search runs again');
    assert.equal(await diagram().locator('canvas.minimap').evaluate((c) => (c as HTMLCanvasElement).hidden), mapHidden);
    await page().waitForTimeout(400);
    await screenshot(page(), 'state-4-reopened');
  });
});
