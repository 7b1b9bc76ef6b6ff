// The Compose Create Network form in code-server, as a user fills it (test/fixtures/compose-form): from
// the compose.yaml's row in the CNM view, the key, the driver, the subnet and gateway, then Compose's own
// options — an aux address (one outside the subnet refused first), the IPAM driver, labels, internal — in
// the options list; the network is written into the open compose.yaml with its comments kept, and once a
// service is connected to it the tree shows it with the service's container. A screenshot at every step
// (test-results/screenshots/compose-form-*.png).
import * as assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { Locator } from 'playwright-core';
import { openWorkbench, runContextMenuEntry, stepEndingInScreenshot, type Workbench } from './support';

let wb: Workbench;

before(async () => {
  wb = await openWorkbench({ viewport: { width: 1600, height: 960 }, folder: 'test/fixtures/compose-form' });
});

after(async () => {
  await wb?.close();
});

const step = (t: TestContext, name: string, body: () => Promise<void>): Promise<void> => stepEndingInScreenshot(wb.page, t, `compose-form-${name}`, body);

const page = () => wb.page;
const row = (label: string | RegExp): Locator => page().locator('.sidebar .monaco-list-row', { has: page().locator('.label-name', { hasText: label }) }).first();
const quickInput = () => page().locator('.quick-input-widget');
const quickInputBox = () => quickInput().locator('input.input').first();
const pickRow = (label: string | RegExp): Locator => quickInput().locator('.monaco-list-row', { has: page().locator('.label-name', { hasText: typeof label === 'string' ? new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : label }) }).first();
/** A line of the open editor (all of the short file is in view). */
const editorLine = (text: string): Locator => page().locator('.monaco-editor .view-lines .view-line', { hasText: text }).first();

const contextMenu = (target: Locator, entry: string): Promise<void> => runContextMenuEntry(page(), target, entry, quickInput());

async function atStep(n: number): Promise<void> {
  await quickInput().locator('.quick-input-title', { hasText: new RegExp(`\\(${n}/\\d+\\)`) }).waitFor({ timeout: 15_000 });
}

async function answer(n: number, prompt: RegExp, value: string): Promise<void> {
  await atStep(n);
  await quickInput().locator('.quick-input-message, .quick-input-description', { hasText: prompt }).first().waitFor({ timeout: 10_000 });
  await quickInputBox().fill(value);
  await page().keyboard.press('Enter');
}

async function choose(label: string, filter = label): Promise<void> {
  await quickInputBox().fill(filter);
  await pickRow(label).waitFor({ timeout: 10_000 });
  await pickRow(label).click();
}

async function optionsList(): Promise<void> {
  await atStep(5);
  await pickRow(/Create Network back$/).waitFor({ timeout: 15_000 });
  await page().waitForTimeout(400); // the list is shown anew just after an answer
}

/** The options list shows `field` = `value` (typed again until the new list has it), then unfiltered. */
async function shows(field: string, value: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await quickInputBox().fill(field);
    const seen = await pickRow(field).filter({ hasText: `= ${value}` }).waitFor({ timeout: 4_000 }).then(() => true, () => false);
    if (seen) break;
    if (attempt === 4) throw new Error(`the options list does not show ${field} = ${value}`);
  }
  await quickInputBox().fill('');
}

async function setOption(field: string, value: string): Promise<void> {
  await choose(field);
  await quickInput().locator('.quick-input-message, .quick-input-description', { hasText: `${field}:` }).first().waitFor({ timeout: 10_000 });
  await quickInputBox().fill(value);
  await page().keyboard.press('Enter');
  await optionsList();
  await shows(field, value);
}

test('open the Compose project and its compose.yaml', async (t) => {
  await step(t, '1-project', async () => {
    const entry = page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]');
    await entry.waitFor({ timeout: 90_000 });
    await entry.click();
    const sidebar = await page().locator('.part.sidebar').boundingBox();
    if (sidebar) {
      const edge = sidebar.x + sidebar.width;
      await page().mouse.move(edge + 1, 400);
      await page().mouse.down();
      await page().mouse.move(edge + 160, 400, { steps: 8 });
      await page().mouse.up();
    }
    await row(/^compose\.yaml$/).waitFor({ timeout: 30_000 });
    await row(/^compose\.yaml$/).click();
    await page().locator('.tabs-container .tab.active', { hasText: 'compose.yaml' }).waitFor({ timeout: 15_000 });
    await row(/^compose\.yaml$/).locator('.monaco-tl-twistie').click();
    await row(/^shop_front$/).waitFor({ timeout: 15_000 });
    assert.equal(await row(/^shop_back$/).count(), 0);
  });
});

test('Create Network from the compose.yaml row: key, driver, subnet, gateway, then Compose\'s options', async (t) => {
  await step(t, '2-options', async () => {
    await contextMenu(row(/^compose\.yaml$/), 'Create Network');
    await answer(1, /key under networks:.*shop_KEY/, 'back');
    await atStep(2);
    await choose('bridge');
    await answer(3, /subnet/, '10.40.0.0/24');
    await answer(4, /gateway/, '10.40.0.1');
    await optionsList();
    // What Compose's networks: take for a bridge: labels and the IPAM driver too; nothing of swarm's ingress.
    // (The list draws only the rows in view: each is looked for through the filter.)
    for (const f of ['ipam.config aux_addresses', 'ipam.driver', 'labels', 'internal']) {
      await quickInputBox().fill(f);
      await pickRow(f).waitFor({ timeout: 10_000 });
    }
    await quickInputBox().fill('ingress');
    await page().waitForTimeout(500);
    assert.equal(await pickRow('ingress').count(), 0, 'Compose declares no ingress network');
    await quickInputBox().fill('');
  });
  await step(t, '2b-aux-refused', async () => {
    // An aux address outside the subnet: the project's dockerd (the newest modelled: the file names no version)
    // refuses it once a service joins the network, so the form says so now, in its words, and keeps the box open.
    await choose('ipam.config aux_addresses');
    await quickInput().locator('.quick-input-message, .quick-input-description', { hasText: 'ipam.config aux_addresses:' }).first().waitFor({ timeout: 10_000 });
    await quickInputBox().fill('router=10.99.0.254');
    await page().keyboard.press('Enter');
    await quickInput().locator('.quick-input-message', { hasText: "invalid auxiliary address router: parent subnet 10.40.0.0/24 doesn't contain this address" }).waitFor({ timeout: 10_000 });
    assert.equal(await quickInputBox().inputValue(), 'router=10.99.0.254');
  });
  await step(t, '3-options-set', async () => {
    await quickInputBox().fill('router=10.40.0.254');
    await page().keyboard.press('Enter');
    await optionsList();
    await shows('ipam.config aux_addresses', 'router=10.40.0.254');
    // The IPAM driver: Docker's default, the engine's plug-ins', or not set; default writes nothing.
    await choose('ipam.driver');
    await pickRow('not set').waitFor({ timeout: 10_000 });
    await pickRow('default').waitFor({ timeout: 10_000 });
    await choose('default');
    await optionsList();
    await setOption('labels', 'team=payments, tier=back');
    await choose('internal'); // a flag: toggles
    await optionsList();
    await shows('internal', 'true');
    assert.match(await quickInput().innerText(), /docker network create (--driver bridge )?--subnet 10\.40\.0\.0\/24 --gateway 10\.40\.0\.1 --aux-address router=10\.40\.0\.254 --internal --label team=payments --label tier=back back/);
  });
  await step(t, '4-created', async () => {
    await pickRow(/Create Network back$/).click();
    await quickInput().waitFor({ state: 'hidden', timeout: 15_000 });
    // Written under networks:, after front, in Compose's keys; the comments where they were.
    await editorLine('labels: { team: "payments", tier: "back" }').waitFor({ timeout: 15_000 });
    for (const line of ['back:', 'internal: true', '- subnet: 10.40.0.0/24', 'gateway: 10.40.0.1', 'aux_addresses: { router: 10.40.0.254 }',
      'front: {}              # the default bridge driver, a subnet from Docker\'s pools', 'image: nginx:1.25    # the storefront',
      '# A Compose project the UI test adds a network to through the Create Network form: the comments here,']) {
      assert.equal(await editorLine(line).count(), 1, line);
    }
    assert.equal(await editorLine('driver: default').count(), 0, 'the default IPAM driver is not written');
    // Compose creates a network only for the services on it: none yet, so not in the tree yet.
    assert.equal(await row(/^shop_back$/).count(), 0);
  });
});

test('connect api to the new network: the tree shows shop_back with api\'s container on it', async (t) => {
  await step(t, '5-tree', async () => {
    await contextMenu(row(/^api$/), 'Connect');
    await pickRow('back').waitFor({ timeout: 15_000 });
    await pickRow('back').click();
    await quickInput().locator('.quick-input-message, .quick-input-description', { hasText: /ipv4_address/ }).first().waitFor({ timeout: 10_000 });
    await page().keyboard.press('Enter');
    await row(/^shop_back$/).waitFor({ timeout: 20_000 });
    assert.match(await row(/^shop_back$/).innerText(), /10\.40\.0\.0\/24/);
    await editorLine('networks: [front, back]').waitFor({ timeout: 10_000 });
  });
});
