// The third-party drivers' diagrams in code-server with Chromium: examples 12 (pipework), 13 (weave) and
// 14 (calico) opened from the CNM Explorer view, each diagram showing the driver's own devices — pipework's
// hand-made links, the weave router, calico's tunl0 with its routes — and the tunnels between the hosts;
// a trace across the hosts lights the encapsulation hop and its tunnel. Screenshots:
// test-results/screenshots/drivers-*.png.
import * as assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { FrameLocator, Locator } from 'playwright-core';
import { openWorkbench, screenshot, type Workbench } from './support';

let wb: Workbench;

before(async () => {
  wb = await openWorkbench({ viewport: { width: 1600, height: 960 } });
  const entry = wb.page.locator('.activitybar .action-label[aria-label^="CNM Explorer"]');
  await entry.waitFor({ timeout: 90_000 });
  await entry.click();
});

after(async () => {
  await wb?.close();
});

const page = () => wb.page;
const row = (label: string): Locator => page().locator('.sidebar .monaco-list-row', { has: page().locator('.label-name', { hasText: label }) }).first();
// Only the diagram in front: the previous ones are closed before the next opens.
const diagram = (): FrameLocator => page().frameLocator('iframe.webview:visible').frameLocator('iframe');

async function step(t: TestContext, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
    await page().mouse.move(10, 940);
    await page().waitForTimeout(1500); // the hop-by-hop animation
    await screenshot(page(), `drivers-${name}`);
  } catch (e) {
    const path = await screenshot(page(), `FAILED-drivers-${name}`).catch(() => '(no screenshot)');
    t.diagnostic(`screenshot: ${path}`);
    throw e;
  }
}

/** Closes every editor (the previous diagram), then opens `file`'s diagram from its row in the view. */
async function openDiagram(file: string): Promise<void> {
  await page().keyboard.press('Control+Shift+P');
  const input = page().locator('.quick-input-widget input.input').first();
  await input.waitFor({ timeout: 10_000 });
  await input.fill('>View: Close All Editors');
  await page().locator('.quick-input-widget .monaco-list-row', { hasText: 'View: Close All Editors' }).first().waitFor({ timeout: 10_000 });
  await page().keyboard.press('Enter');
  await page().locator('iframe.webview:visible').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
  // Selections in a diagram reveal their rows in the tree: collapse it so the next file's row is in view.
  await page().locator('.sidebar .title-actions .action-label[aria-label^="Collapse All"]').click();
  await row(file).waitFor({ timeout: 30_000 });
  await row(file).hover();
  await row(file).locator('.action-label[aria-label="Open Diagram"]').click();
  await diagram().locator('g.sandbox').first().waitFor({ timeout: 30_000 });
}

/** Picks a container as the trace source, then hovers a target (a container's id, or a selector). */
async function trace(source: string, target: string, verdict: 'delivered' | 'dropped'): Promise<void> {
  // A double-click on a box makes it the source (also while another source is picked).
  await diagram().locator(`g.sandbox[data-id="${source}"] text.box-name`).dblclick({ force: true });
  await diagram().locator('.source-name', { hasText: source.split('/').at(-1)! }).waitFor({ timeout: 20_000 });
  await diagram().locator(target.startsWith('c/') ? `g.sandbox[data-id="${target}"] text.box-name` : target).hover({ force: true });
  await diagram().locator(`.verdict-${verdict}`).waitFor({ timeout: 20_000 });
}

const texts = async (l: Locator) => (await l.allTextContents()).map((s) => s.trim());

test('pipework: the links made by hand are drawn with the names the script gives them', async (t) => {
  await step(t, '1-pipework', async () => {
    await openDiagram('12-pipework.cnm.yaml');
    const br1 = diagram().locator('g.device[data-id="d/node1/pipework%20br1"]');
    await br1.waitFor({ timeout: 20_000 });
    assert.equal(await br1.locator('.device-name').textContent(), 'pipework br1');
    assert.deepEqual(await texts(diagram().locator('g.sandbox[data-id="c/node1/db"] .if-row')), ['eth7 192.168.1.12'], "db's interface from pipework, not \"lo only\"");
    assert.deepEqual((await texts(br1.locator('.device-line'))).slice(1), [
      'veth1pl<pid:web> ⇄ web eth1 192.168.1.10/24',
      'veth1pl<pid:api> ⇄ api eth1 192.168.1.11/24',
      'veth7pl<pid:db> ⇄ db eth7 192.168.1.12/24 @192.168.1.254',
    ]);
    assert.match(await diagram().locator('g.device[data-id="d/node1/pipework%20eth0"] .device-line').nth(1).textContent() ?? '', /macvlan \(bridge\) on eth0 ⇄ cam eth1 dhcp/);
    assert.equal(await diagram().locator('path.link.driver-pipework').count(), 4, 'one hand-made link per attachment, drawn dashed');
    // By address (no name resolves for pipework interfaces): api's eth1 on br1.
    await trace('c/node1/web', 'circle.endpoint[data-id="e/node1/br1/api"]', 'dropped');
    assert.equal(await diagram().locator('path.link.lit[data-id="l/node1/br1/web"]').count(), 1, "web's pipework link is on the path");
    assert.match(await diagram().locator('.verdict .fix').textContent() ?? '', /iptables -I DOCKER-USER -i br1 -o br1 -j ACCEPT/);
  });
});

test('weave: a router on each host, fast datapath and sleeve between them; web → db lights the VXLAN hop and its tunnel', async (t) => {
  await step(t, '2-weave', async () => {
    await openDiagram('13-weave.cnm.yaml');
    await diagram().locator('g.device[data-id="d/node2/weave%20router"]').waitFor({ timeout: 20_000 });
    assert.equal(await diagram().locator('g.device').count(), 2);
    assert.ok((await texts(diagram().locator('g.device[data-id="d/node1/weave%20router"] .device-line'))).includes('weavenet: fast datapath, vxlan-6784 (VXLAN UDP 6784)'));
    assert.deepEqual(await texts(diagram().locator('g.device-tunnel text')), ['fast datapath: VXLAN UDP 6784', 'sleeve: UDP 6783']);
    await trace('c/node1/web', 'c/node2/db', 'delivered');
    const encap = diagram().locator('.hops .hop', { hasText: /encap.*node1 vxlan-6784/ }).first();
    await encap.waitFor({ timeout: 10_000 });
    assert.match(await encap.textContent() ?? '', /VXLAN with VNI \d+: outer UDP 192\.168\.60\.10 → 192\.168\.60\.11:6784/);
    await diagram().locator('g.device-tunnel.lit', { hasText: 'fast datapath' }).waitFor({ timeout: 10_000 });
    assert.equal(await diagram().locator('g.device-tunnel.lit', { hasText: 'sleeve' }).count(), 0);
    assert.equal(await diagram().locator('g.device.lit[data-id="d/node2/weave%20router"]').count(), 1, "the far router decapsulates");
  });
});

test("calico: tunl0 with its BGP routes on each host, IP-in-IP between them; a trace across lights it, a policy's drop says what to change", async (t) => {
  await step(t, '3-calico', async () => {
    await openDiagram('14-calico.cnm.yaml');
    const tunl0 = diagram().locator('g.device[data-id="d/node1/tunl0"]');
    await tunl0.waitFor({ timeout: 20_000 });
    assert.ok((await texts(tunl0.locator('.device-line'))).includes('192.168.0.64/26 via 10.0.0.2 dev tunl0 proto bird onlink'));
    assert.deepEqual(await texts(diagram().locator('g.device-tunnel text')), ['IP-in-IP (protocol 4)']);
    await trace('c/node2/db', 'c/node1/web', 'delivered');
    const encap = diagram().locator('.hops .hop', { hasText: /encap.*node2 tunl0/ }).first();
    await encap.waitFor({ timeout: 10_000 });
    assert.match(await encap.textContent() ?? '', /protocol 4 \(IP-in-IP\): 10\.0\.0\.2 → 10\.0\.0\.1/);
    await diagram().locator('g.device-tunnel.lit').waitFor({ timeout: 10_000 });
    assert.equal(await diagram().locator('g.device.lit[data-id="d/node2/tunl0"]').count(), 1);
  });
  await step(t, '4-calico-policy-drop', async () => {
    await trace('c/node1/batch', 'c/node2/db', 'dropped');
    assert.match(await diagram().locator('.verdict .reason').textContent() ?? '', /calico policy db-ingress's ingress, \{ action: deny \}, denies it/);
    assert.match(await diagram().locator('.verdict .fix').textContent() ?? '', /Fix: if this traffic should pass, change ingress rule 2 of policy db-ingress \(networks\.calinet\.policies: db-ingress\)/);
    await diagram().locator('.drop-mark').waitFor();
  });
});
