// Remove Container on a live host, in code-server: a lab dockerd (Docker 26.1, a namespace of its own) is
// the default Docker host; right-clicking its running container asks first (docker rm -f cannot be undone);
// Cancel leaves it running, Remove takes it off the daemon and out of the tree. Only a lab host (no docker
// lock; the browser lock). Screenshots: test-results/screenshots/live-remove-*.png.
//
//   node scripts/build.mjs && CI=true flock /tmp/cnm-browser.lock node --import tsx --test test/ui/liveRemoveContainer.test.ts
import * as assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { Locator } from 'playwright-core';
import { labMissing, startLab, type Lab } from '../docker/harness/lab';
import { isCI } from '../support/ci.mjs';
import { openWorkbench, screenshot, type Workbench } from './support';

const VERSION = '26.1' as const;
const NAME = 'rmme';

let lab: Lab | undefined;
let wb: Workbench | undefined;
let missing: string[] = [];

before(async () => {
  missing = labMissing([VERSION]);
  if (missing.length) return;
  try {
    lab = await startLab({ hosts: [{ name: 'node1', version: VERSION }] });
    const h = lab.host('node1');
    await h.dockerOk(['network', 'create', '--subnet', '10.77.0.0/24', 'rmnet']);
    await h.dockerOk(['run', '-d', '--name', NAME, '--network', 'rmnet', 'busybox:local', 'sleep', '3600'], { timeoutMs: 120_000 });
    wb = await openWorkbench({ viewport: { width: 1280, height: 900 }, folder: 'schemas', env: { DOCKER_HOST: h.dockerHost, DOCKER_CONTEXT: '' } });
  } catch (e) {
    await wb?.close();
    await lab?.stop();
    wb = undefined;
    lab = undefined;
    throw e;
  }
});

after(async () => {
  await wb?.close();
  await lab?.stop();
});

function skipOrFail(t: TestContext): boolean {
  if (!missing.length) return false;
  const msg = `lab hosts of Docker ${VERSION} cannot run here: ${missing.join('; ')}`;
  if (isCI()) throw new Error(msg);
  t.skip(msg);
  return true;
}

const page = () => wb!.page;
const row = (label: string): Locator => page().locator('.sidebar .monaco-list-row').filter({ has: page().locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first();
const dialog = () => page().locator('.monaco-dialog-box');
const onDaemon = async () => (await lab!.host('node1').dockerOk(['ps', '-a', '--format', '{{.Names}}'])).split('\n').map((s) => s.trim()).filter(Boolean);

async function askToRemove(): Promise<void> {
  await row(NAME).click({ button: 'right' });
  const menu = page().locator('.context-view .monaco-menu');
  const item = menu.locator('.action-item', { hasText: 'Remove Container' }).first();
  await item.waitFor({ timeout: 10_000 });
  await item.hover();
  await item.locator('.action-label').click();
  await dialog().waitFor({ timeout: 15_000 });
  assert.match(await dialog().innerText(), new RegExp(`Remove container ${NAME} from unix://.*node1\\.sock\\?`));
  assert.match(await dialog().innerText(), /docker rm -f: it is running and is stopped first; its endpoints are released\. This cannot be undone\./);
}

async function shot(name: string): Promise<void> {
  await page().mouse.move(900, 850);
  await page().waitForTimeout(300);
  await screenshot(page(), `live-remove-${name}`);
}

test('Remove Container on a live host asks first; Cancel leaves it, Remove takes it off the daemon and the tree', { timeout: 600_000 }, async (t) => {
  if (skipOrFail(t)) return;
  try {
    await page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]').click({ timeout: 90_000 });
    await row(NAME).waitFor({ timeout: 60_000 });
    assert.match(await row(NAME).innerText(), /10\.77\.0\.2/);
    await askToRemove();
    await shot('1-confirm');
    await dialog().locator('.monaco-button', { hasText: /^Cancel$/ }).click();
    await dialog().waitFor({ state: 'hidden', timeout: 10_000 });
    await page().waitForTimeout(1_500);
    assert.ok((await onDaemon()).includes(NAME), 'Cancel: the container is still on the daemon');
    assert.equal(await row(NAME).count(), 1, 'Cancel: still in the tree');
    await askToRemove();
    await dialog().locator('.monaco-button', { hasText: /^Remove$/ }).click();
    await dialog().waitFor({ state: 'hidden', timeout: 10_000 });
    await row(NAME).waitFor({ state: 'detached', timeout: 30_000 });
    assert.ok(!(await onDaemon()).includes(NAME), 'Remove: gone from the daemon');
    await shot('2-removed');
  } catch (e) {
    await screenshot(page(), 'FAILED-live-remove').catch(() => undefined);
    throw e;
  }
});
