// A folder that holds only a compose.yaml, opened in code-server: the CNM view shows the Compose
// project (Docker's names for its networks and containers, the start-order warnings), the diagram
// draws it, and traces go between services — hovered in the diagram, and "Trace From Here…" on a
// service with its destination picked from the services. Screenshots: test-results/screenshots/compose-*.png.
import * as assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { FrameLocator, Locator } from 'playwright-core';
import { openWorkbench, screenshot, type Workbench } from './support';

let wb: Workbench;

before(async () => {
  wb = await openWorkbench({ folder: 'test/fixtures/compose-only', viewport: { width: 1600, height: 960 } });
});

after(async () => {
  await wb?.close();
});

/** Runs a step and keeps what the user sees after it (or, when it fails, what they saw then). */
async function step(t: TestContext, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
    await wb.page.waitForTimeout(400);
    await screenshot(wb.page, `compose-${name}`);
  } catch (e) {
    const path = await screenshot(wb.page, `FAILED-compose-${name}`).catch(() => '(no screenshot)');
    t.diagnostic(`screenshot: ${path}`);
    throw e;
  }
}

const page = () => wb.page;
const row = (label: string | RegExp): Locator => page().locator('.sidebar .monaco-list-row', { has: page().locator('.label-name', { hasText: label }) }).first();
const diagram = (): FrameLocator => page().frameLocator('iframe.webview').frameLocator('iframe');
const quickInput = () => page().locator('.quick-input-widget');

test('the view shows the Compose project of a folder that holds only a compose.yaml', async (t) => {
  await step(t, 'tree', async () => {
    const entry = page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]');
    await entry.waitFor({ timeout: 90_000 });
    await entry.click();
    // A wider side bar, so the descriptions (addresses, warnings) can be read.
    const sidebar = await page().locator('.part.sidebar').boundingBox();
    if (sidebar) {
      const edge = sidebar.x + sidebar.width;
      await page().mouse.move(edge + 1, 400);
      await page().mouse.down();
      await page().mouse.move(edge + 220, 400, { steps: 8 });
      await page().mouse.up();
    }
    await row(/^compose\.yaml$/).waitFor({ timeout: 30_000 });
    assert.match(await row(/^compose\.yaml$/).innerText(), /project demo · 5 containers/);
    await page().locator('.statusbar-item', { hasText: 'CNM: 0 topologies · 1 Compose project' }).waitFor({ timeout: 15_000 });
    await row(/^compose\.yaml$/).locator('.monaco-tl-twistie').click();
    await row(/^demo$/).waitFor({ timeout: 15_000 });
    assert.match(await row(/^demo$/).innerText(), /Compose project/);
    // Services → their replicas' containers, with Docker's names and addresses.
    await row(/^demo-web-1$/).waitFor({ timeout: 15_000 });
    assert.match(await row(/^demo-web-1$/).innerText(), /172\.18\.0\.3/);
    await row(/^demo-worker-2$/).waitFor();
    assert.match(await row(/^worker$/).innerText(), /2 containers · demo_back · ⚠ depends on start order/);
    // Networks under Docker's names.
    await row(/^demo_back$/).waitFor();
    assert.match(await row(/^demo_back$/).innerText(), /10\.40\.0\.0\/24 · internal/);
    await row(/^demo_front$/).waitFor();
    await page().mouse.move(1200, 900);
  });
});

test('the diagram draws the project', async (t) => {
  await step(t, 'diagram', async () => {
    await row(/^compose\.yaml$/).hover();
    await row(/^compose\.yaml$/).locator('.action-label[aria-label="Open Diagram"]').click();
    await diagram().locator('g.sandbox[data-id="c/host1/demo-web-1"]').waitFor({ timeout: 30_000 });
    await diagram().locator('g.bus[data-id="n/host1/demo_back"]').waitFor();
    await diagram().locator('g.bus[data-id="n/host1/demo_front"]').waitFor();
    assert.equal(await diagram().locator('g.sandbox').count(), 5);
  });
});

test('hovering a service from another traces between them, with the verdict', async (t) => {
  await step(t, 'trace-delivered', async () => {
    await diagram().locator('g.sandbox[data-id="c/host1/demo-web-1"] text.box-name').click({ force: true });
    await diagram().locator('vscode-button.trace-from-selection').click();
    await diagram().locator('.source-name', { hasText: 'demo-web-1' }).waitFor({ timeout: 20_000 });
    await diagram().locator('g.sandbox[data-id="c/host1/demo-api-1"] text.box-name').hover({ force: true });
    await diagram().locator('.verdict-delivered').waitFor({ timeout: 20_000 });
    assert.match(await diagram().locator('.verdict-route').textContent() ?? '', /demo-web-1 → demo-api-1/);
    assert.ok(await diagram().locator('g.bus.lit[data-id="n/host1/demo_front"]').count() === 1, 'the network on the way is lit');
    await page().waitForTimeout(1200); // the hop-by-hop animation
  });
  await step(t, 'trace-unresolved', async () => {
    // db is on `back` only: from web, its name has no answer.
    await diagram().locator('g.sandbox[data-id="c/host1/demo-db-1"] text.box-name').hover({ force: true });
    await diagram().locator('.verdict-unresolved').waitFor({ timeout: 20_000 });
  });
});

test('"Trace From Here…" on a service offers the services as destinations and shows the verdict', async (t) => {
  await step(t, 'trace-from-service-pick', async () => {
    await row(/^web$/).hover();
    await row(/^web$/).locator('.action-label[aria-label^="Trace From Here"]').click();
    await quickInput().locator('.monaco-list-row', { hasText: 'Compose service' }).first().waitFor({ timeout: 20_000 });
    const services = await quickInput().locator('.monaco-list-row', { hasText: 'Compose service' }).allInnerTexts();
    assert.ok(services.some((s) => /\bapi\b/.test(s)) && services.some((s) => /\bworker\b/.test(s)), services.join(' | '));
    assert.ok(!services.some((s) => /^\W*web\b/.test(s)), 'not the source itself');
  });
  await step(t, 'trace-from-service-verdict', async () => {
    await quickInput().locator('input.input').first().fill('api');
    await quickInput().locator('.monaco-list-row', { hasText: 'Compose service' }).first().click();
    // The port: api listens on 3000, offered as the default.
    await quickInput().locator('input.input').first().waitFor();
    await page().waitForFunction(() => (document.querySelector('.quick-input-widget input.input') as HTMLInputElement | null)?.value === '3000/tcp', undefined, { timeout: 15_000 });
    await page().keyboard.press('Enter');
    await page().locator('.notifications-toasts .notification-toast', { hasText: /demo-web-1 → api:3000\/tcp: delivered/ }).waitFor({ timeout: 20_000 });
    await diagram().locator('.verdict-delivered').waitFor({ timeout: 20_000 });
  });
});

test('in the editor: "Trace ▸" lenses on the services, and a networking mistake in Compose\'s words in the Problems panel', async (t) => {
  const editorLines = () => page().locator('.monaco-editor .view-lines').first();
  await step(t, 'editor-lenses', async () => {
    await row(/^compose\.yaml$/).click();
    await page().locator('.tabs-container .tab.active', { hasText: 'compose.yaml' }).waitFor({ timeout: 15_000 });
    await page().locator('.monaco-editor .codelens-decoration a', { hasText: /^Trace ▸$/ }).first().waitFor({ timeout: 60_000 });
  });
  await step(t, 'editor-mistake', async () => {
    // web's `networks: [front]` (line 9) names a network the file does not define.
    await editorLines().click();
    await page().keyboard.press('Control+G');
    await quickInput().locator('input.input').first().fill(':9');
    await page().keyboard.press('Enter');
    await page().keyboard.press('End');
    await page().keyboard.press('ArrowLeft');
    await page().keyboard.type(', nowhere');
    await page().locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
    await page().locator('.statusbar-item[id="status.problems"]').click();
    const problem = page().locator('.panel .markers-panel .monaco-list-row', { hasText: 'refers to undefined network nowhere' }).first();
    await problem.waitFor({ timeout: 30_000 });
    assert.match(await problem.innerText(), /service "web" refers to undefined network nowhere: invalid compose project/);
    assert.match(await problem.innerText(), /\[Ln 9, Col 23\]/);
    await editorLines().click({ position: { x: 400, y: 5 } });
    await page().mouse.move(700, 20);
  });
});
