// The create forms in code-server, as a user fills them: the seed's macvlan LAN (lan-bridge: parent eth0,
// bridge mode, an ip_range) and its ingress overlay (myingress11: --ingress, MTU 1200) through Create
// Network's driver options, Docker's refusal shown in the form while the answers are still there, then the
// seed's service through Create Service. A screenshot at every step (test-results/screenshots/forms-*.png).
import * as assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { Locator } from 'playwright-core';
import { openWorkbench, runContextMenuEntry, screenshot, type Workbench } from './support';

let wb: Workbench;
const FILE = 'swarm-lab.cnm.yaml';

before(async () => {
  wb = await openWorkbench({ viewport: { width: 1600, height: 960 }, folder: 'test/fixtures/forms-lab' });
});

after(async () => {
  await wb?.close();
});

async function step(t: TestContext, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
    await wb.page.mouse.move(1200, 900); // no tooltip over what the step shows
    await wb.page.waitForTimeout(300);
    await screenshot(wb.page, `forms-${name}`);
  } catch (e) {
    const path = await screenshot(wb.page, `FAILED-forms-${name}`).catch(() => '(no screenshot)');
    t.diagnostic(`screenshot: ${path}`);
    throw e;
  }
}

const page = () => wb.page;
const row = (label: string | RegExp): Locator => page().locator('.sidebar .monaco-list-row', { has: page().locator('.label-name', { hasText: label }) }).first();
const quickInput = () => page().locator('.quick-input-widget');
const quickInputBox = () => quickInput().locator('input.input').first();
/** A row of the quick pick whose label is exactly `label`. */
const pickRow = (label: string | RegExp): Locator => quickInput().locator('.monaco-list-row', { has: page().locator('.label-name', { hasText: typeof label === 'string' ? new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : label }) }).first();

const contextMenu = (target: Locator, entry: string): Promise<void> => runContextMenuEntry(page(), target, entry, quickInput());

async function atStep(n: number): Promise<void> {
  await quickInput().locator('.quick-input-title', { hasText: new RegExp(`\\(${n}/\\d+\\)`) }).waitFor({ timeout: 15_000 });
}

/** Answers input box step `n` (the box's prompt containing `prompt`): types the value and presses Enter. */
async function answer(n: number, prompt: RegExp, value: string): Promise<void> {
  await atStep(n);
  await quickInput().locator('.quick-input-message, .quick-input-description', { hasText: prompt }).first().waitFor({ timeout: 10_000 });
  await quickInputBox().fill(value);
  await page().keyboard.press('Enter');
}

/** Picks `label` in a pick step: narrows the list by typing, then clicks the row. */
async function choose(label: string, filter = label): Promise<void> {
  await quickInputBox().fill(filter);
  await pickRow(label).waitFor({ timeout: 10_000 });
  await pickRow(label).click();
}

/** The options step: waits for the list with the Create row. */
async function optionsList(name: string): Promise<void> {
  await atStep(5);
  await pickRow(new RegExp(`Create Network ${name}$`)).waitFor({ timeout: 15_000 });
  // The list is shown anew just after an answer (a timer in the form): let the new one settle first.
  await page().waitForTimeout(400);
}

/** Sets a text option of the options step: picks it, types the value, Enter. */
async function setOption(name: string, field: string, value: string): Promise<void> {
  await choose(field);
  await quickInput().locator('.quick-input-message, .quick-input-description', { hasText: `${field}:` }).first().waitFor({ timeout: 10_000 });
  await quickInputBox().fill(value);
  await page().keyboard.press('Enter');
  await optionsList(name);
  await shows(field, value);
}

/** The options list shows `field` = `value` (filtered to it: the list draws only the rows in view), then unfiltered again. */
async function shows(field: string, value: string): Promise<void> {
  // The list comes back as a new quick pick a moment after the answer: a filter typed into the old one is
  // lost with it, so type it again until the row shows.
  for (let attempt = 1; ; attempt++) {
    await quickInputBox().fill(field);
    const seen = await pickRow(field).filter({ hasText: `= ${value}` }).waitFor({ timeout: 4_000 }).then(() => true, () => false);
    if (seen) break;
    if (attempt === 4) throw new Error(`the options list does not show ${field} = ${value}`);
  }
  await quickInputBox().fill('');
}

async function startCreateNetwork(host: string, name: string, driver: string, subnet: string, gateway: string): Promise<void> {
  await contextMenu(row(new RegExp(`^${host}$`)), 'Create Network');
  await answer(1, /network's name/, name);
  await atStep(2);
  await choose(driver);
  await answer(3, /subnet/, subnet);
  await answer(4, /gateway/, gateway);
}

test('open the lab', async (t) => {
  await step(t, '1-lab', async () => {
    const entry = page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]');
    await entry.waitFor({ timeout: 90_000 });
    await entry.click();
    // A wider side bar, as a user would drag it, so the descriptions can be read.
    const sidebar = await page().locator('.part.sidebar').boundingBox();
    if (sidebar) {
      const edge = sidebar.x + sidebar.width;
      await page().mouse.move(edge + 1, 400);
      await page().mouse.down();
      await page().mouse.move(edge + 160, 400, { steps: 8 });
      await page().mouse.up();
    }
    await row(FILE).waitFor({ timeout: 30_000 });
    await row(FILE).click();
    await page().locator('.tabs-container .tab.active', { hasText: FILE }).waitFor({ timeout: 15_000 });
    await row(FILE).locator('.monaco-tl-twistie').click();
    await row(/^node1$/).waitFor({ timeout: 15_000 });
  });
});

test('the seed\'s macvlan LAN through the form: the driver\'s options, a parent Docker refuses, then eth0', async (t) => {
  await step(t, '2-macvlan-options', async () => {
    await startCreateNetwork('node1', 'lan-bridge', 'macvlan', '192.168.50.0/24', '192.168.50.1');
    await optionsList('lan-bridge');
    // What macvlan takes, from its descriptor; nothing of overlay's.
    for (const f of ['parent', 'macvlan_mode', 'ip_range', 'com.docker.network.driver.mtu']) assert.ok(await pickRow(f).count() > 0 || f === 'com.docker.network.driver.mtu', f);
    assert.equal(await pickRow('ingress').count(), 0, 'no swarm keys for macvlan');
  });
  await step(t, '3-macvlan-parent-refused', async () => {
    await choose('parent');
    await quickInput().locator('.quick-input-message, .quick-input-description', { hasText: 'parent:' }).first().waitFor({ timeout: 10_000 });
    await quickInputBox().fill('lo');
    await page().keyboard.press('Enter');
    // The engine's word, in Docker's: the box stays open with it.
    await quickInput().locator('.quick-input-message', { hasText: /loopback interface is not a valid macvlan parent link/ }).waitFor({ timeout: 10_000 });
  });
  await step(t, '4-macvlan-set', async () => {
    await quickInputBox().fill('eth0');
    await page().keyboard.press('Enter');
    await optionsList('lan-bridge');
    await shows('parent', 'eth0');
    await choose('macvlan_mode');
    await choose('bridge');
    await optionsList('lan-bridge');
    await shows('macvlan_mode', 'bridge');
    await setOption('lan-bridge', 'ip_range', '192.168.50.192/27');
    assert.match(await quickInput().innerText(), /docker network create --driver macvlan --subnet 192\.168\.50\.0\/24 --gateway 192\.168\.50\.1 --ip-range 192\.168\.50\.192\/27 -o parent=eth0 -o macvlan_mode=bridge lan-bridge/);
  });
  await step(t, '5-macvlan-created', async () => {
    await pickRow(/Create Network lan-bridge$/).click();
    await row('lan-bridge').waitFor({ timeout: 15_000 });
    assert.match(await row('lan-bridge').innerText(), /macvlan · 192\.168\.50\.0\/24/);
    await page().locator('.monaco-editor .view-lines', { hasText: 'driver_opts: { parent: "eth0", macvlan_mode: "bridge" }' }).first().waitFor({ timeout: 10_000 });
  });
});

test('the seed\'s ingress overlay: myingress11 with --ingress and MTU 1200, on the manager', async (t) => {
  await step(t, '6-overlay-options', async () => {
    await startCreateNetwork('node1', 'myingress11', 'overlay', '10.11.0.0/16', '10.11.0.1');
    await optionsList('myingress11');
    await choose('ingress'); // a flag: toggles
    await optionsList('myingress11');
    await shows('ingress', 'true');
    await setOption('myingress11', 'com.docker.network.driver.mtu', '1200');
    assert.match(await quickInput().innerText(), /--ingress -o com\.docker\.network\.driver\.mtu=1200 myingress11/);
  });
  await step(t, '7-overlay-created', async () => {
    await pickRow(/Create Network myingress11$/).click();
    await page().locator('.monaco-editor .view-lines', { hasText: 'ingress: true' }).first().waitFor({ timeout: 15_000 });
    // On the manager that made it (an idle worker sees a swarm network only with its first endpoint on an overlay).
    await page().locator('.sidebar .monaco-list-row', { hasText: 'myingress11' }).first().waitFor({ timeout: 15_000 });
    assert.match(await row('myingress11').innerText(), /overlay · 10\.11\.0\.0\/16/);
  });
});

test('the seed\'s service through Create Service on the manager', async (t) => {
  await step(t, '8-service-ports', async () => {
    await contextMenu(row(/^node1$/), 'Create Service');
    await answer(1, /service's name/, 'hostname');
    await answer(2, /image/, 'xlbubble/hostname:1.0');
    await answer(3, /replicas/, '3');
    await atStep(5); // no overlay but the ingress one: the networks step is skipped
    await page().keyboard.press('Enter'); // vip
    await atStep(6);
    await quickInputBox().fill('8080:8000');
  });
  await step(t, '9-service-created', async () => {
    await page().keyboard.press('Enter');
    await page().locator('.monaco-editor .view-lines', { hasText: 'image: xlbubble/hostname:1.0' }).first().waitFor({ timeout: 15_000 });
    await quickInput().waitFor({ state: 'hidden', timeout: 10_000 });
  });
});
