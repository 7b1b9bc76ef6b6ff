// Remove Container in code-server, as a user does it (test/fixtures/remove-container): right-click a
// container of a topology file in the CNM view; the container is named by an expect entry, so a modal asks
// first. Cancel changes nothing; Remove takes out its entry and nothing else (the comments stay), the tree
// drops it and shows the addresses Docker would now give. A screenshot at every step
// (test-results/screenshots/remove-container-*.png).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Locator } from 'playwright-core';
import { root } from '../../scripts/lib/paths.mjs';
import { openWorkbench, runContextMenuEntry, stepEndingInScreenshot, type Workbench } from './support';

let wb: Workbench;
const FILE = 'remove-lab.cnm.yaml';
const original = readFileSync(join(root, 'test/fixtures/remove-container', FILE), 'utf8');
// What the file says once probe is gone: its five lines, nothing else (the comment above it is the user's and stays).
const removed = original.replace('  probe:\n    image: busybox\n    networks: [appnet]        # 10.20.0.3\n', '');

before(async () => {
  wb = await openWorkbench({ viewport: { width: 1600, height: 960 }, folder: 'test/fixtures/remove-container' });
});

after(async () => {
  await wb?.close();
});

const step = (t: TestContext, name: string, body: () => Promise<void>): Promise<void> => stepEndingInScreenshot(wb.page, t, `remove-container-${name}`, body);

const page = () => wb.page;
const row = (label: string | RegExp): Locator => page().locator('.sidebar .monaco-list-row', { has: page().locator('.label-name', { hasText: label }) }).first();
const dialog = () => page().locator('.monaco-dialog-box');
const onDisk = () => readFileSync(join(wb.workspace, FILE), 'utf8');

const contextMenu = (target: Locator, entry: string): Promise<void> => runContextMenuEntry(page(), target, entry, dialog());

/** The editor's whole text, its last (empty) line included: the short file fits in view; Monaco draws spaces as non-breaking ones. */
async function editorText(): Promise<string> {
  const lines = await page().locator('.monaco-editor .view-lines .view-line').evaluateAll((els) =>
    els.map((e) => ({ top: parseFloat((e as HTMLElement).style.top || '0'), text: (e.textContent ?? '').replace(/\u00a0/g, ' ') })));
  return lines.sort((a, b) => a.top - b.top).map((l) => l.text).join('\n');
}

async function askToRemoveProbe(): Promise<void> {
  await contextMenu(row(/^probe$/), 'Remove Container');
  await dialog().waitFor({ timeout: 15_000 });
  assert.match(await dialog().innerText(), /Remove container "probe" from remove-lab\.cnm\.yaml\?/);
  assert.match(await dialog().innerText(), /1 expect entry names it\./);
}

test('open the file: probe, web and db under host1', async (t) => {
  await step(t, '1-file', async () => {
    const entry = page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]');
    await entry.waitFor({ timeout: 90_000 });
    await entry.click();
    await row(FILE).waitFor({ timeout: 30_000 });
    await row(FILE).click();
    await page().locator('.tabs-container .tab.active', { hasText: FILE }).waitFor({ timeout: 15_000 });
    await row(FILE).locator('.monaco-tl-twistie').click();
    await row(/^probe$/).waitFor({ timeout: 15_000 });
    assert.match(await row(/^probe$/).innerText(), /10\.20\.0\.3/);
    assert.match(await row(/^db$/).innerText(), /10\.20\.0\.4/);
  });
});

test('Remove Container asks first; Cancel changes nothing', async (t) => {
  await step(t, '2-confirm', async () => {
    await askToRemoveProbe();
  });
  await step(t, '3-cancelled', async () => {
    await dialog().locator('.monaco-button', { hasText: /^Cancel$/ }).click();
    await dialog().waitFor({ state: 'hidden', timeout: 10_000 });
    await page().waitForTimeout(1_000); // anything the command would do, it would have done by now
    assert.equal(await row(/^probe$/).count(), 1, 'probe is still in the tree');
    assert.equal(await page().locator('.tabs-container .tab.active.dirty').count(), 0, 'the file is not changed');
    assert.equal(await editorText(), original);
    assert.equal(onDisk(), original);
  });
});

test('Remove takes out the container\'s entry only, comments kept; the tree follows', async (t) => {
  await step(t, '4-removed', async () => {
    await askToRemoveProbe();
    await dialog().locator('.monaco-button', { hasText: /^Remove$/ }).click();
    await dialog().waitFor({ state: 'hidden', timeout: 10_000 });
    await row(/^probe$/).waitFor({ state: 'detached', timeout: 15_000 });
    // db takes the address probe had (containers start in file order).
    await row(/^db$/).filter({ hasText: '10.20.0.3' }).waitFor({ timeout: 15_000 });
    assert.match(await row(/^web$/).innerText(), /10\.20\.0\.2/);
    assert.equal(await editorText(), removed);
    // The expect entry stays, flagged, until the user changes it.
    await row('Problems').waitFor({ timeout: 15_000 });
  });
  await step(t, '5-saved', async () => {
    // VS Code may save an extension's edit by itself (files.refactoring.autoSave); else the user saves it.
    if (await page().locator('.tabs-container .tab.active.dirty').count()) {
      await page().locator('.monaco-editor .view-lines').first().click();
      await page().keyboard.press('Control+S');
    }
    for (let i = 0; i < 40 && onDisk() !== removed; i++) await page().waitForTimeout(250);
    assert.equal(onDisk(), removed);
    assert.match(removed, /# probe checks the web server from the same network\n\n {2}db:/);
    assert.match(removed, /# stays, flagged, once probe is gone\n$/);
  });
});
