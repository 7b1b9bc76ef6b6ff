// The 2,000-container topology (bigTopology.ts) opened in code-server as a user would: the diagram
// opens as groups (big networks collapsed with their counts) at a readable zoom with a minimap; search
// finds a container in a collapsed group and centres it; and a trace across the hosts, computed by the
// extension, is followed step by step (MASQUERADE on node2, DNAT on node1). The file is written into
// the test's own temporary workspace, not examples/ (see bigTopology.ts). Screenshots:
// test-results/screenshots/bigwb-*.png.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { root } from '../../scripts/lib/paths.mjs';
import { bigTopology } from './bigTopology';
import { openWorkbench, screenshot, stepWithScreenshot, type Workbench } from './support';

const FILE = 'big-2000.cnm.yaml';
let wb: Workbench;
let scratch = '';

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'cnm-big-'));
  const folder = join(scratch, 'big');
  mkdirSync(folder);
  writeFileSync(join(folder, FILE), bigTopology());
  // openWorkbench copies a folder named relative to the repository.
  wb = await openWorkbench({ viewport: { width: 1600, height: 960 }, folder: relative(root, folder) });
});

after(async () => {
  await wb?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const page = () => wb.page;
const diagram = (): FrameLocator => page().frameLocator('iframe.webview').frameLocator('iframe');
const row = (label: string) => page().locator('.sidebar .monaco-list-row', { has: page().locator('.label-name', { hasText: label }) }).first();
const data = (key: string) => diagram().locator('body').evaluate((b, k) => (b as HTMLElement).dataset[k] ?? '', key);

test('the 2,000-container file opens in the diagram as groups, readable, with a minimap', async (t) => {
  await stepWithScreenshot(page(), t, 'bigwb-1-open', async () => {
    const entry = page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]');
    await entry.waitFor({ timeout: 90_000 });
    await entry.click();
    await row(FILE).waitFor({ timeout: 60_000 });
    await row(FILE).hover();
    await row(FILE).locator('.action-label[aria-label="Open Diagram"]').click();
    await diagram().locator('g.group[data-group="n/node1/web-node1"]').waitFor({ timeout: 90_000 });
    assert.match(await diagram().locator('g.group[data-group="n/node1/web-node1"] .group-name').textContent() ?? '', /500 containers · web-node1/);
    assert.equal(await diagram().locator('g.group').count(), 4, 'web and app on both hosts');
    assert.ok(await diagram().locator('canvas.minimap').isVisible());
    // Readable: names are drawn (not the zoomed-out level of detail).
    assert.equal(await diagram().locator('svg.diagram.lod-min').count(), 0);
    await page().waitForTimeout(500);
    await screenshot(page(), 'bigwb-1-groups');
  });
});

test('search finds a container in a collapsed group, expands it and centres it', async (t) => {
  await stepWithScreenshot(page(), t, 'bigwb-2-search', async () => {
    await diagram().locator('vscode-textfield.search input').fill('web-node1-250');
    await diagram().locator('g.sandbox.search-current[data-id="c/node1/web-node1-250"]').waitFor({ timeout: 20_000 });
    assert.match(await diagram().locator('.search-count').textContent() ?? '', /1 of 1/);
    await page().waitForTimeout(400);
    await screenshot(page(), 'bigwb-2-search');
    await diagram().locator('vscode-textfield.search input').fill('mesh-node2-0');
    await diagram().locator('g.sandbox.search-current[data-id="c/node2/mesh-node2-0"]').waitFor({ timeout: 20_000 });
    await diagram().locator('vscode-textfield.search input').press('Escape');
  });
});

test('a trace across the hosts, step by step: MASQUERADE on node2, DNAT on node1, TTL down per router', async (t) => {
  await stepWithScreenshot(page(), t, 'bigwb-3-step', async () => {
    await diagram().locator('g.sandbox[data-id="c/node2/mesh-node2-0"] rect.box').dblclick({ force: true });
    await diagram().locator('.source-name', { hasText: 'mesh-node2-0' }).waitFor({ timeout: 20_000 });
    // node1's first published port (web-node1-0's 8000): a click traces to it and keeps the trace.
    await diagram().locator('vscode-toolbar-button[data-action="screen-full"]').click();
    await diagram().locator('g.port').first().dispatchEvent('click');
    await diagram().locator('.verdict-delivered').waitFor({ timeout: 60_000 });
    const actions = await diagram().locator('.hops .hop .hop-action').allTextContents();
    const masq = actions.indexOf('MASQUERADE');
    const dnat = actions.indexOf('DNAT');
    assert.ok(masq > 0 && dnat > masq, actions.join(', '));
    for (let i = 0; i <= masq; i++) await diagram().locator('.stepper vscode-button.step-forward').click();
    await diagram().locator('.step-rewrite', { hasText: /MASQUERADE: source 172\.18\.\d+\.\d+ → 192\.168\.60\.11/ }).waitFor({ timeout: 10_000 });
    await page().waitForTimeout(600);
    await screenshot(page(), 'bigwb-3-step-masquerade');
    // A click on a hop in the list steps there.
    await diagram().locator(`.hops .hop[data-hop="${dnat}"]`).click();
    await diagram().locator('.step-rewrite', { hasText: /DNAT: destination 192\.168\.60\.10:8000 → 10\.60\.0\.2:80/ }).waitFor({ timeout: 10_000 });
    assert.match(await diagram().locator('.packet-headers tr[data-field="ttl"]').textContent() ?? '', /63/);
    assert.equal(await data('step'), String(dnat));
    await page().waitForTimeout(600);
    await screenshot(page(), 'bigwb-4-step-dnat');
  });
});
