// The walkthrough (package.json contributes.walkthroughs) in code-server: it lists a step for every view
// and feature, and each step's button does something a user sees (a view, a diagram, a picker, a form).
// Screenshots: test-results/screenshots/walkthrough-*.png.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator } from 'playwright-core';
import { root } from '../../scripts/lib/paths.mjs';
import { openWorkbench, screenshot, stepWithScreenshot, type Workbench } from './support';

interface Step { id: string; title: string; description: string }
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { walkthroughs: { title: string; steps: Step[] }[] } };
const walkthrough = manifest.contributes.walkthroughs[0]!;

let wb: Workbench;

before(async () => {
  wb = await openWorkbench({ viewport: { width: 1500, height: 900 } });
});

after(async () => {
  await wb?.close();
});

const page = () => wb.page;
const quickInput = () => page().locator('.quick-input-widget');
const stepRow = (title: string): Locator => page().locator('.getting-started-step', { has: page().locator('.step-title', { hasText: title }) }).first();

/** What a user sees change: the tabs, a visible quick input, the sidebar's title. */
async function seen(): Promise<string> {
  const tabs = (await page().locator('.tabs-container .tab').allInnerTexts()).join('|');
  const pick = await quickInput().isVisible() ? `pick:${await quickInput().locator('.quick-input-title, input.input').first().getAttribute('placeholder').catch(() => '')}` : '';
  const side = await page().locator('.sidebar .composite.title h2').first().textContent().catch(() => '');
  return `${tabs}#${pick}#${side}`;
}

test('the walkthrough lists a step for every view and feature', async (t) => {
  await stepWithScreenshot(page(), t, 'walkthrough-1-open', async () => {
    await page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]').waitFor({ timeout: 90_000 });
    await page().keyboard.press('F1');
    await quickInput().locator('input.input').first().fill('>Welcome: Open Walkthrough');
    await quickInput().locator('.monaco-list-row.focused').first().waitFor({ timeout: 15_000 });
    await page().keyboard.press('Enter');
    await quickInput().locator('.monaco-list-row', { hasText: walkthrough.title }).first().click({ timeout: 15_000 });
    for (const s of walkthrough.steps) await stepRow(s.title).waitFor({ timeout: 20_000 });
    const ids = walkthrough.steps.map((s) => s.id);
    for (const id of ['lenses', 'trace', 'outside', 'services', 'step', 'big', 'names', 'matrix', 'rules', 'forms']) assert.ok(ids.includes(id), id);
    await screenshot(page(), 'walkthrough-1-steps');
  });
});

test("each step's button runs its command: the user sees a view, a file, a diagram, a picker or a form", async (t) => {
  for (const s of walkthrough.steps) {
    await stepWithScreenshot(page(), t, `walkthrough-step-${s.id}`, async () => {
      const walkthroughTab = page().locator('.tabs-container .tab', { hasText: /Walkthrough|Get started with CNM/ }).first();
      if (await walkthroughTab.count()) await walkthroughTab.click();
      await stepRow(s.title).click();
      const buttons = stepRow(s.title).locator('.monaco-button, .button-link').filter({ hasText: /\S/ });
      const n = await buttons.count();
      assert.ok(n >= 1, `step ${s.id} has a button`);
      // The sidebar on another view first, so that a step that opens CNM's own view has something to change.
      if (s.id === 'open') await page().keyboard.press('Control+Shift+E');
      await page().waitForTimeout(300);
      const before = await seen();
      await buttons.first().click();
      let after = before;
      // Up to 45 s: a picker lists every topology's containers, slow on a loaded CI machine.
      for (let i = 0; i < 180 && after === before; i++) {
        await page().waitForTimeout(250);
        after = await seen();
      }
      assert.notEqual(after, before, `step ${s.id}: nothing changed after its button (tabs#picker#sidebar: ${before})`);
      await page().waitForTimeout(400);
      await screenshot(page(), `walkthrough-step-${s.id}`);
      // Leave a picker or form the step opened.
      for (let i = 0; i < 4 && await quickInput().isVisible(); i++) await page().keyboard.press('Escape');
    });
  }
});
