// Files changed under an open diagram, as a user sees it in code-server: the file renamed on disk by
// another tool (a delete and a create with the same text) and renamed in VS Code's Explorer — each time
// the diagram's tab takes the new name and later edits of the new file are drawn — then deleted on disk:
// the tab says "(deleted on disk)"; a file open in an editor with unsaved changes, renamed on disk: the
// diagram follows it, a warning says where the changes are, the old editor keeps them. (That a drift
// comparison of a deleted file stops is the extension host's test: test/extension/underUs.test.ts.)
// Screenshots: test-results/screenshots/underus-{open,renamed-on-disk,renamed-in-explorer,deleted,open-renamed-on-disk}.png.
import * as assert from 'node:assert/strict';
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { FrameLocator, Locator } from 'playwright-core';
import { openWorkbench, screenshot, stepWithScreenshot, type Workbench } from './support';

const FIRST = '00-moving.cnm.yaml';
const ON_DISK = '00-moved-on-disk.cnm.yaml';
const IN_EXPLORER = '00-renamed-in-explorer.cnm.yaml';
const OPEN_FIRST = '00-open-moving.cnm.yaml';
const OPEN_MOVED = '00-open-moved.cnm.yaml';
const text = (nets: string[]) => [
  'name: moving', '', 'hosts:', '  host1:', '    daemon: { version: "20.10" }', '', 'networks:',
  ...nets.flatMap((n, i) => [`  ${n}:`, '    driver: bridge', `    subnet: 10.77.${i + 1}.0/24`]),
  '', 'containers:', '  web:', '    image: busybox', `    networks: [${nets.join(', ')}]`, '',
].join('\n');

let wb: Workbench;
const page = () => wb.page;
const step = (t: TestContext, name: string, body: () => Promise<void>) => stepWithScreenshot(wb.page, t, name, async () => {
  await body();
  await page().mouse.move(1300, 20);
  t.diagnostic(`screenshot: ${await screenshot(page(), name)}`);
});
const row = (label: string): Locator => page().locator('.sidebar .monaco-list-row', { has: page().locator('.label-name', { hasText: label }) }).first();
const diagram = (): FrameLocator => page().frameLocator('iframe.webview:visible').frameLocator('iframe');
const tab = (title: string): Locator => page().locator('.tabs-container .tab', { has: page().locator('.label-name', { hasText: new RegExp(`^${title.replace(/[.()]/g, '\\$&')}$`) }) }).first();
const bus = (net: string) => diagram().locator(`g.bus[data-id="n/host1/${net}"]`);

before(async () => {
  // VS Code in the browser saves after a delay by default: unsaved changes stay unsaved here, as on the desktop.
  wb = await openWorkbench({ viewport: { width: 1400, height: 860 }, settings: { 'files.autoSave': 'off' } });
  writeFileSync(join(wb.workspace, FIRST), text(['movenet']));
});
after(async () => {
  await wb?.close();
});

test('the diagram of a file is open', async (t) => {
  await step(t, 'underus-open', async () => {
    const entry = page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]');
    await entry.waitFor({ timeout: 90_000 });
    await entry.click();
    await row(FIRST).waitFor({ timeout: 30_000 });
    await row(FIRST).hover();
    await row(FIRST).locator('.action-label[aria-label="Open Diagram"]').click();
    await bus('movenet').waitFor({ timeout: 30_000 });
    await tab(`Diagram: ${FIRST}`).waitFor({ timeout: 10_000 });
  });
});

test('renamed on disk by another tool: the diagram takes the new name and draws its later edits', async (t) => {
  await step(t, 'underus-renamed-on-disk', async () => {
    renameSync(join(wb.workspace, FIRST), join(wb.workspace, ON_DISK));
    await tab(`Diagram: ${ON_DISK}`).waitFor({ timeout: 20_000 });
    writeFileSync(join(wb.workspace, ON_DISK), text(['movenet', 'latenet']));
    await bus('latenet').waitFor({ timeout: 20_000 });
    assert.equal(await tab(`Diagram: ${FIRST}`).count(), 0, 'no tab of the old name');
    assert.equal(await page().locator('.tabs-container .tab', { hasText: 'deleted on disk' }).count(), 0, 'not said to be deleted');
  });
});

test('renamed in the Explorer: the diagram takes the new name and draws its later edits', async (t) => {
  await step(t, 'underus-renamed-in-explorer', async () => {
    await page().keyboard.press('Control+Shift+E');
    const fileRow = page().locator('.explorer-folders-view .monaco-list-row', { hasText: ON_DISK }).first();
    await fileRow.waitFor({ timeout: 15_000 });
    await fileRow.click();
    await page().keyboard.press('F2');
    const input = page().locator('.explorer-folders-view .monaco-inputbox input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(IN_EXPLORER);
    await page().keyboard.press('Enter');
    await page().locator('.explorer-folders-view .monaco-list-row', { hasText: IN_EXPLORER }).first().waitFor({ timeout: 15_000 });
    await tab(`Diagram: ${IN_EXPLORER}`).waitFor({ timeout: 20_000 });
    // Clicking the file in the Explorer opened it in the editor: the diagram's tab comes forward again.
    await tab(`Diagram: ${IN_EXPLORER}`).click();
    writeFileSync(join(wb.workspace, IN_EXPLORER), text(['movenet', 'latenet', 'thirdnet']));
    await bus('thirdnet').waitFor({ timeout: 20_000 });
    assert.equal(await tab(`Diagram: ${ON_DISK}`).count(), 0, 'no tab of the old name');
  });
});

test('deleted on disk: the diagram says it is stale', async (t) => {
  await step(t, 'underus-deleted', async () => {
    unlinkSync(join(wb.workspace, IN_EXPLORER));
    await tab(`Diagram: ${IN_EXPLORER} (deleted on disk)`).waitFor({ timeout: 20_000 });
    // What it last showed stays in view, under the stale title.
    assert.equal(await bus('thirdnet').count(), 1);
  });
});

test('renamed on disk while open in an editor with unsaved changes: the diagram follows, the typed text stays in the old editor', async (t) => {
  await step(t, 'underus-open-renamed-on-disk', async () => {
    writeFileSync(join(wb.workspace, OPEN_FIRST), text(['opennet']));
    await page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]').click();
    await row(OPEN_FIRST).waitFor({ timeout: 30_000 });
    await row(OPEN_FIRST).click();
    const editorTab = page().locator('.tabs-container .tab', { has: page().locator('.label-name', { hasText: new RegExp(`^${OPEN_FIRST.replace(/\./g, '\\.')}$`) }) }).first();
    await editorTab.waitFor({ timeout: 15_000 });
    await row(OPEN_FIRST).hover();
    await row(OPEN_FIRST).locator('.action-label[aria-label="Open Diagram"]').click();
    await bus('opennet').waitFor({ timeout: 30_000 });
    // Typed in the editor, not saved.
    await editorTab.click();
    await page().locator('.monaco-editor .view-lines').first().click();
    await page().keyboard.press('Control+End');
    await page().keyboard.type('# typed, not saved\n');
    await page().locator('.tabs-container .tab.dirty', { hasText: OPEN_FIRST }).first().waitFor({ timeout: 10_000 });

    renameSync(join(wb.workspace, OPEN_FIRST), join(wb.workspace, OPEN_MOVED));
    await tab(`Diagram: ${OPEN_MOVED}`).waitFor({ timeout: 20_000 });
    assert.equal(await tab(`Diagram: ${OPEN_FIRST}`).count(), 0, 'no diagram tab of the old name');
    assert.equal(await tab(`Diagram: ${OPEN_FIRST} (deleted on disk)`).count(), 0, 'not said to be deleted');
    // Said, and nothing typed lost: the old name's editor keeps the unsaved text.
    await page().locator('.notifications-toasts .notification-toast', { hasText: 'unsaved changes are still in the editor' }).first().waitFor({ timeout: 10_000 });
    assert.equal(await page().locator('.tabs-container .tab.dirty', { hasText: OPEN_FIRST }).count(), 1, 'the old editor is still open with its changes');
  });
});
