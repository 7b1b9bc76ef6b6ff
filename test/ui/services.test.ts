// Swarm services in code-server with Chromium (example 07): the tree's Services group (service → VIPs,
// the routing mesh's ports, tasks on their nodes) and the diagram's service boxes above the hosts with a
// line to each task; a trace from a container to a service by its name lights the path of connection 1
// and lists every task IPVS can send a connection to, each with its own verdict; a trace from a node to
// the routing mesh's port does the same through the ingress-sbox, its DNAT drawn on the node it lands on. Screenshots:
// test-results/screenshots/services-*.png.
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
const row = (label: string | RegExp): Locator => page().locator('.sidebar .monaco-list-row', { has: page().locator('.label-name', { hasText: label }) }).first();
const diagram = (): FrameLocator => page().frameLocator('iframe.webview:visible').frameLocator('iframe');
const texts = async (l: Locator) => (await l.allTextContents()).map((s) => s.trim());

async function step(t: TestContext, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
    await page().waitForTimeout(1500); // the hop-by-hop animation
    await screenshot(page(), `services-${name}`);
  } catch (e) {
    const path = await screenshot(page(), `FAILED-services-${name}`).catch(() => '(no screenshot)');
    t.diagnostic(`screenshot: ${path}`);
    throw e;
  }
}

test('the tree: Services → hostname and api, with their VIPs, the mesh port and the tasks on their nodes', async (t) => {
  await step(t, '1-tree', async () => {
    const file = row('07-swarm-overlay.cnm.yaml');
    await file.waitFor({ timeout: 60_000 });
    await file.locator('.monaco-tl-twistie').click();
    await row(/^Services$/).waitFor({ timeout: 20_000 });
    // Collapse the hosts so the services are in view.
    for (const host of ['node1', 'node2']) {
      const r = row(new RegExp(`^${host}$`));
      if ((await r.getAttribute('aria-expanded')) === 'true') await r.locator('.monaco-tl-twistie').click();
    }
    await row(/^hostname$/).waitFor();
    const desc = await page().locator('.sidebar .monaco-list-row', { has: page().locator('.label-name', { hasText: /^api$/ }) }).first().locator('.label-description').textContent();
    assert.equal(desc?.trim(), 'replicated 2/2 · endpoint_mode vip · VIP 10.0.1.9');
    await row('VIP 10.0.1.4').waitFor();
    await row('8080 → 8000/tcp').waitFor();
    await row(/^hostname\.2$/).waitFor();
    assert.match(await row(/^hostname\.2$/).locator('.label-description').textContent() ?? '', /on node2 · 10\.11\.0\.5 \(myingress11\) · 10\.0\.1\.6 \(backend\)/);
  });
});

test('the diagram: a box per service above the hosts, a line to each task; hovering api from probe lists both tasks IPVS can pick', async (t) => {
  await step(t, '2-diagram-vip', async () => {
    await row('07-swarm-overlay.cnm.yaml').hover();
    await row('07-swarm-overlay.cnm.yaml').locator('.action-label[aria-label="Open Diagram"]').click();
    await diagram().locator('g.service').first().waitFor({ timeout: 30_000 });
    assert.deepEqual(await texts(diagram().locator('g.service text.service-name')), ['service hostname', 'service api']);
    assert.deepEqual(await texts(diagram().locator('g.service[data-id="s/node1/hostname"] text.service-vip')), ['VIP 10.11.0.3 · myingress11 (ingress)', 'VIP 10.0.1.4 · backend']);
    assert.deepEqual(await texts(diagram().locator('g.service text.mesh-port')), ['mesh :8080 → 8000/tcp on every node']);
    assert.equal(await diagram().locator('path.service-link').count(), 5, 'a line from each service to each of its 5 tasks');
    // probe (node2) as the source, TCP; then the service api by its name.
    await diagram().locator('g.sandbox[data-id="c/node2/probe"] text.box-name').dblclick({ force: true });
    await diagram().locator('.source-name', { hasText: 'probe' }).waitFor({ timeout: 20_000 });
    await diagram().locator('g.service[data-id="s/node1/api"] text.service-name').hover({ force: true });
    await diagram().locator('.verdict-delivered').waitFor({ timeout: 20_000 });
    assert.match(await diagram().locator('.verdict .spread-title').textContent() ?? '', /Service api: 2 tasks can be reached/);
    const tasks = await texts(diagram().locator('.spread-task'));
    assert.equal(tasks.length, 2);
    assert.match(tasks[0]!, /^connection 1 → api\.1 on node2 \(10\.0\.1\.10\): delivered$/);
    assert.match(tasks[1]!, /^connection 2 → api\.2 on node1 \(10\.0\.1\.11\): delivered$/);
    assert.equal(await diagram().locator('.hops .hop', { hasText: 'IPVS' }).count(), 1);
    // Both tasks' boxes are marked on the drawing, on both nodes, and the service's lines to them.
    assert.equal(await diagram().locator('g.sandbox.lit-backend').count(), 2);
    assert.equal(await diagram().locator('path.service-link.lit-backend').count(), 2);
    assert.equal(await diagram().locator('g.service.lit[data-id="s/node1/api"]').count(), 1);
  });
});

test('name resolution: hovering from probe shows what probe resolves the name to; a name typed in the search too', async (t) => {
  await step(t, '2b-resolution', async () => {
    // Hovering the service (above) resolved its name from probe: the VIP, and how.
    const res = diagram().locator('section.resolution');
    await res.locator('.resolution-addresses').waitFor({ timeout: 20_000 });
    assert.match(await res.textContent() ?? '', /probe resolves api → 10\.0\.1\.9.*embedded DNS: service api \(endpoint_mode vip\) answers its virtual IP on backend/);
    // tasks.api typed in the search: every task's address, as cnm resolve answers it.
    await diagram().locator('vscode-textfield.search input').fill('tasks.api');
    await diagram().locator('section.resolution[data-name="tasks.api"] .resolution-addresses').waitFor({ timeout: 20_000 });
    assert.equal((await res.locator('.resolution-addresses').textContent())?.trim(), '10.0.1.10, 10.0.1.11');
    await diagram().locator('vscode-textfield.search input').fill('');
  });
});

test('the routing mesh: from node2, the mesh port 8080 reaches all three hostname tasks in turn', async (t) => {
  await step(t, '3-mesh', async () => {
    // A host as the source: stop tracing from probe, select node2, "Trace from here".
    await diagram().locator('.clear-source').click();
    await diagram().locator('tspan.host-name[data-id="h/node2"]').click({ force: true });
    await diagram().locator('.trace-from-selection').click();
    await diagram().locator('.source-name', { hasText: 'node2' }).waitFor({ timeout: 20_000 });
    await diagram().locator('text.mesh-port').hover({ force: true });
    await diagram().locator('.verdict-delivered').waitFor({ timeout: 20_000 });
    assert.match(await diagram().locator('.verdict .spread-title').textContent() ?? '', /Service hostname: 3 tasks can be reached/);
    assert.match(await diagram().locator('.verdict .spread-how').textContent() ?? '', /ingress-sbox/);
    assert.equal(await diagram().locator('g.sandbox.lit-backend').count(), 3);
  });
});

test("the ingress-sbox on each node is drawn with its two legs; stepping the mesh trace (to node1's address) shows the packet in node1's", async (t) => {
  await step(t, '4-ingress-sbox', async () => {
    assert.equal(await diagram().locator('g.sandbox.mode-ingress').count(), 2, 'one per node');
    const sbox = diagram().locator('g.sandbox[data-id="c/node2/ingress-sbox"]');
    assert.match(await sbox.locator('text.box-mode').textContent() ?? '', /mesh IPVS 8080\/tcp/);
    // node2's sandbox came with probe, before the service (lab swarms give node2's docker_gwbridge order
    // either way: the engine's order here).
    assert.deepEqual(await texts(sbox.locator('text.if-row')), ['eth0 10.11.0.2', 'eth1 172.18.0.3']);
    // Pin the mesh trace (a click), then step to the hop where IPVS in the sbox picks a task.
    await diagram().locator('text.mesh-port').click({ force: true });
    await diagram().locator('.verdict-delivered').waitFor({ timeout: 20_000 });
    assert.ok(await diagram().locator('[data-id="e/node1/docker_gwbridge/ingress-sbox"].lit').count() > 0, 'the path lights its docker_gwbridge leg');
    assert.ok(await diagram().locator('[data-id="e/node1/myingress11/ingress-sbox"].lit').count() > 0, 'and its ingress leg');
    await diagram().locator('.hops .hop', { hasText: 'IPVS' }).first().click();
    await diagram().locator('circle.endpoint.hop-current[data-id="e/node1/docker_gwbridge/ingress-sbox"]').waitFor({ timeout: 10_000 });
    assert.match(await diagram().locator('.hops .hop.hop-current').textContent() ?? '', /ingress-sbox on node1/);
  });
});

test("stepping the mesh trace from node2 to node1's published port: the DNAT hop is lit at node1's eth0, where the packet came in", async (t) => {
  await step(t, '5-mesh-dnat', async () => {
    await diagram().locator('.hops .hop', { hasText: /^DNAT/ }).first().click();
    assert.match(await diagram().locator('.hops .hop.hop-current .hop-node').textContent() ?? '', /^node1 eth0$/);
    await diagram().locator('[data-id="i/node1/eth0"].hop-current').waitFor({ timeout: 10_000 });
    assert.equal(await diagram().locator('[data-id="i/node2/eth0"].hop-current').count(), 0, "not at the source node's eth0");
  });
});
