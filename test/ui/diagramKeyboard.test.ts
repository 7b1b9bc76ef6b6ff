// The diagram by keyboard, inside code-server (the standalone harness has its own test in
// bigDiagram.test.ts): a topology with a small network (a web server with a published port, an api) and a
// crowd of 61 containers on another network (drawn as a collapsed group). Tab from the diagram's search
// box reaches a node; the arrow keys move between nodes; Enter on the group draws its containers; every
// node tells a screen reader what it is. The file is written into the test's own workspace.
// Screenshots: test-results/screenshots/diagram-keyboard-*.png.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { root } from '../../scripts/lib/paths.mjs';
import { openWorkbench, screenshot, stepWithScreenshot, type Workbench } from './support';

const FILE = 'keyboard.cnm.yaml';
const CROWD = 61; // more than the diagram draws one by one in a band (COLLAPSE_AT = 60)
let wb: Workbench;
let scratch = '';

function topology(): string {
  const lines = [
    'name: keyboard',
    'hosts:',
    '  host1:',
    '    daemon: { version: "20.10" }',
    'networks:',
    '  front:',
    '    subnet: 10.30.0.0/24',
    '  crowd:',
    '    subnet: 10.31.0.0/24',
    'containers:',
    '  web:',
    '    image: nginx',
    '    networks: [front]',
    '    ports: ["8080:80"]',
    '    listen: ["80"]',
    '  api:',
    '    image: busybox',
    '    networks: [front]',
  ];
  for (let i = 0; i < CROWD; i++) lines.push(`  worker${String(i).padStart(2, '0')}: { image: busybox, networks: [crowd] }`);
  return `${lines.join('\n')}\n`;
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'cnm-keys-'));
  const folder = join(scratch, 'keyboard');
  mkdirSync(folder);
  writeFileSync(join(folder, FILE), topology());
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
/** What has the keyboard focus in the diagram: its classes and its aria-label. */
const focused = () => diagram().locator('body').evaluate(() => {
  const el = document.activeElement;
  return { node: !!el?.closest('svg.diagram') && el?.getAttribute('role') === 'button', cls: el?.getAttribute('class') ?? '', label: el?.getAttribute('aria-label') ?? '', group: el?.getAttribute('data-group') ?? '' };
});

test('the diagram opens in code-server with the crowd as a collapsed group', async (t) => {
  await stepWithScreenshot(page(), t, 'diagram-keyboard-1-open', async () => {
    const entry = page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]');
    await entry.waitFor({ timeout: 90_000 });
    await entry.click();
    await row(FILE).waitFor({ timeout: 60_000 });
    await row(FILE).hover();
    await row(FILE).locator('.action-label[aria-label="Open Diagram"]').click();
    await diagram().locator('g.group').first().waitFor({ timeout: 60_000 });
    assert.equal(await diagram().locator('g.group').count(), 1);
  });
});

test('every node says what it is, for a screen reader', async (t) => {
  await stepWithScreenshot(page(), t, 'diagram-keyboard-2-labels', async () => {
    const labels = await diagram().locator('svg.diagram [role="button"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    assert.ok(labels.every((l) => l.trim() !== ''), `a node without a label: ${JSON.stringify(labels)}`);
    const has = (re: RegExp) => assert.ok(labels.some((l) => re.test(l)), `no node labelled ${re}; labels: ${labels.join(' | ')}`);
    has(/^host host1, Docker 20\.10, 63 sandboxes, \d+ networks$/);
    has(/^network front, bridge, 10\.30\.0\.0\/24, gateway 10\.30\.0\.1$/);
    has(/^network crowd, bridge, 10\.31\.0\.0\/24, gateway 10\.31\.0\.1$/);
    has(/^container web: eth0 10\.30\.0\.2 on front; listens on 80/);
    has(/^container api: eth0 10\.30\.0\.3 on front$/);
    has(/^published port 0\.0\.0\.0:8080\/tcp to web port 80$/);
    has(new RegExp(`^crowd: ${CROWD} containers, collapsed\\. Enter expands\\.$`));
    assert.equal(await diagram().locator('svg.diagram').getAttribute('aria-label'), 'Topology diagram: Tab enters it, the arrow keys move between containers, networks and ports, Enter selects or expands a group');
  });
});

test('Tab from the search box reaches a node; the arrow keys move between nodes', async (t) => {
  await stepWithScreenshot(page(), t, 'diagram-keyboard-3-tab', async () => {
    await diagram().locator('vscode-textfield.search input').click();
    let at = await focused();
    for (let i = 0; i < 25 && !at.node; i++) {
      await page().keyboard.press('Tab');
      at = await focused();
    }
    assert.ok(at.node, `Tab never reached a node of the drawing (focus on: ${at.cls || 'nothing'})`);
    assert.notEqual(at.label, '');
    const seen = new Set([at.label]);
    for (const key of ['ArrowDown', 'ArrowRight', 'ArrowDown', 'ArrowLeft']) {
      await page().keyboard.press(key);
      const now = await focused();
      assert.ok(now.node, `after ${key} the focus left the drawing`);
      seen.add(now.label);
    }
    assert.ok(seen.size >= 3, `the arrows moved between nodes: ${[...seen].join(' | ')}`);
    // The node with the focus is marked for sighted keyboard users too.
    assert.equal(await diagram().locator('svg.diagram .kb-current').count(), 1);
    await page().waitForTimeout(400);
    await screenshot(page(), 'diagram-keyboard-3-arrows');
  });
});

test('Enter on the collapsed group draws its containers', async (t) => {
  await stepWithScreenshot(page(), t, 'diagram-keyboard-4-enter', async () => {
    const drawn = await diagram().locator('g.sandbox').count();
    await page().keyboard.press('Home');
    let at = await focused();
    for (let i = 0; i < 40 && !at.group; i++) {
      await page().keyboard.press('ArrowDown');
      at = await focused();
    }
    if (!at.group) {
      for (let i = 0; i < 40 && !at.group; i++) {
        await page().keyboard.press('ArrowRight');
        at = await focused();
      }
    }
    assert.ok(at.group, 'the arrow keys reach the collapsed group');
    assert.match(at.label, /^crowd: 61 containers, collapsed\. Enter expands\.$/);
    await page().waitForTimeout(300);
    await screenshot(page(), 'diagram-keyboard-4-on-group');
    await page().keyboard.press('Enter');
    await diagram().locator('g.group').first().waitFor({ state: 'detached', timeout: 20_000 });
    await diagram().locator('g.sandbox[aria-label^="container worker60: eth0 10.31.0.62 on crowd"]').waitFor({ state: 'attached', timeout: 20_000 });
    assert.equal(await diagram().locator('g.sandbox').count(), drawn + CROWD);
    await page().waitForTimeout(500);
    await screenshot(page(), 'diagram-keyboard-5-expanded');
  });
});
