// The diagram of a 2,000-container topology (bigTopology.ts) in the standalone webview (fake host):
// big network groups start collapsed with their counts, expand and collapse; search finds a container
// inside a collapsed group, expands it and centres on it; focus fades all but a neighbourhood; the
// minimap moves the view; keyboard navigation; and a step-through trace across hosts (MASQUERADE on
// node2, DNAT on node1) with the headers at each hop. Screenshots: test-results/screenshots/big-*.png.
import * as assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildSnapshot } from '../../src/extension/diagramSnapshot';
import { engineTracerFor } from '../../src/extension/engineTracer';
import { destinationOf, traceForDiagram } from '../../src/extension/tracing';
import type { DiagramSnapshot } from '../../src/protocol/diagram';
import type { TraceView } from '../../src/protocol/trace';
import { loadTopology } from '../../src/topology';
import { BIG_CONTAINERS, bigTopology } from './bigTopology';
import { screenshot } from './support';
import { harnessPage, openHarness, type Harness } from './webviewHarness';

let h: Harness;
let snapshot: DiagramSnapshot;
const SOURCE = 'c/node2/app-node2-1';
let portTarget = '';
const traces: Record<string, TraceView> = {};

before(async () => {
  const loaded = loadTopology(bigTopology());
  const built = buildSnapshot(loaded.engine.state, 'big-2000.cnm.yaml');
  snapshot = built.snapshot;
  const tracer = engineTracerFor(loaded.spec);
  // Traces from app-node2-1 to node1's first published port (the one the test steps through) and to
  // a container on node1 across the overlay-less path.
  const node1 = snapshot.hosts.find((x) => x.name === 'node1')!;
  portTarget = node1.ports[0]!.id;
  for (const target of [portTarget, 'c/node2/app-node2-2']) {
    const dest = destinationOf(snapshot, target, 'name');
    if ('error' in dest) throw new Error(dest.error);
    const proto = dest.proto ?? 'icmp';
    const r = traceForDiagram(tracer, loaded.engine.state, built.index, { host: 'node2', from: 'app-node2-1', to: dest.to, proto, ...(proto !== 'icmp' && dest.defaultPort ? { port: dest.defaultPort } : {}) });
    if ('trace' in r) traces[`${SOURCE}|${target}`] = r.trace;
  }
  h = await openHarness(harnessPage(snapshot, traces), { width: 1400, height: 900 });
  await h.page.waitForFunction(() => document.body.dataset.paintedRevision === '1', undefined, { timeout: 60_000 });
});

after(async () => {
  await h?.close();
});

const body = (k: string) => h.page.evaluate((key) => document.body.dataset[key] ?? '', k);

test('2,000 containers open as groups: the big networks collapsed with their counts, the small ones drawn', async () => {
  assert.equal(snapshot.hosts.reduce((n, x) => n + x.sandboxes.filter((s) => s.mode !== 'ingress').length, 0), BIG_CONTAINERS);
  const groups = await h.page.locator('g.group').evaluateAll((els) => els.map((e) => e.querySelector('.group-name')?.textContent ?? ''));
  assert.ok(groups.some((t) => /^▸ 500 containers · web-node1$/.test(t)), groups.join(' | '));
  assert.ok(groups.some((t) => /^▸ 350 containers · app-node2$/.test(t)), groups.join(' | '));
  // Only the bands of 60 or fewer are drawn as boxes: db (40), the teams (12 each) and the overlay's
  // (each swarm node's ingress-sbox is a box of its own besides, not a container).
  const boxes = await h.page.locator('g.sandbox:not(.mode-ingress)').count();
  assert.ok(boxes <= 300, `${boxes} boxes drawn`);
  assert.match(await h.page.locator('g.group').first().getAttribute('aria-label') ?? '', /containers, collapsed/);
  assert.ok(Number(await body('paintedMs')) < 2000, `first paint ${await body('paintedMs')} ms`);
  await screenshot(h.page, 'big-1-groups');
});

test('a group expands on a click and collapses from its toggle', async () => {
  await h.page.locator('g.group[data-group="n/node1/db-node1"], g.group').first().waitFor();
  const key = 'n/node1/app-node1';
  await h.page.locator(`g.group[data-group="${key}"] rect.group-box`).click({ force: true });
  await h.page.locator('g.sandbox[data-id="c/node1/app-node1-349"]').waitFor();
  assert.equal(await h.page.locator(`g.group[data-group="${key}"]`).count(), 0);
  await h.page.locator(`text.group-toggle[data-group="${key}"]`).dispatchEvent("click");
  await h.page.locator(`g.group[data-group="${key}"]`).waitFor();
  assert.equal(await h.page.locator('g.sandbox[data-id="c/node1/app-node1-349"]').count(), 0);
});

test('search: a container inside a collapsed group is found, its group expanded, the view centred on it', async () => {
  await h.page.locator('vscode-textfield.search input').fill('web-node2-417');
  await h.page.waitForFunction(() => document.body.dataset.searchCurrent === 'c/node2/web-node2-417');
  await h.page.locator('g.sandbox.search-current[data-id="c/node2/web-node2-417"]').waitFor();
  assert.match(await h.page.locator('.search-count').textContent() ?? '', /^1 of 1: container web-node2-417/);
  const box = await h.page.locator('g.sandbox[data-id="c/node2/web-node2-417"] rect.box').boundingBox();
  const view = await h.page.locator('svg.diagram').boundingBox();
  assert.ok(box && view && Math.abs(box.x + box.width / 2 - (view.x + view.width / 2)) < 40 && Math.abs(box.y + box.height / 2 - (view.y + view.height / 2)) < 40, 'centred');
  await screenshot(h.page, 'big-2-search');
  // An address finds its container; Enter steps through the matches.
  await h.page.locator('vscode-textfield.search input').fill('10.61.16.');
  // db-node2's 40 containers and the network itself (its subnet).
  await h.page.waitForFunction(() => Number(document.body.dataset.searchHits) === 41);
  const first = await body('searchCurrent');
  await h.page.locator('vscode-textfield.search input').press('Enter');
  await h.page.waitForFunction((f) => document.body.dataset.searchCurrent !== f, first);
  assert.match(await h.page.locator('.search-count').textContent() ?? '', /^2 of 41/);
  await h.page.locator('vscode-textfield.search input').press('Escape');
  await h.page.waitForFunction(() => document.body.dataset.searchHits === '0');
});

test('focus: the selection\'s neighbourhood stays, the rest fades and the view fits it', async () => {
  await h.page.locator('g.sandbox[data-id="c/node1/db-node1-3"] rect.box').dispatchEvent('click');
  await h.page.locator('vscode-toolbar-button[data-action="target"]').click();
  await h.page.waitForFunction(() => Number(document.body.dataset.focus) > 40);
  assert.equal(await h.page.locator('svg.diagram.focus-mode').count(), 1);
  assert.equal(await h.page.locator('g.sandbox.in-focus[data-id="c/node1/db-node1-7"]').count(), 1, 'a neighbour on db-node1');
  assert.equal(await h.page.locator('g.sandbox.in-focus[data-id="c/node1/team0-node1-1"]').count(), 0);
  await screenshot(h.page, 'big-3-focus');
  await h.page.locator('vscode-toolbar-button[data-action="target"]').click();
  await h.page.waitForFunction(() => document.body.dataset.focus === '');
});

test('the minimap shows the whole layout and a click there moves the view', async () => {
  const map = h.page.locator('canvas.minimap');
  assert.ok(await map.isVisible());
  const before = await h.page.evaluate(() => document.querySelector('g.viewport')!.getAttribute('transform'));
  const b = (await map.boundingBox())!;
  await h.page.mouse.click(b.x + b.width * 0.8, b.y + b.height * 0.5);
  await h.page.waitForFunction((t) => document.querySelector('g.viewport')!.getAttribute('transform') !== t, before);
  await screenshot(h.page, 'big-4-minimap');
});

test('keyboard: Tab reaches a node, arrows move between nodes, Enter on a group expands it', async () => {
  await h.page.locator('vscode-toolbar-button[data-action="screen-full"]').click();
  await h.page.locator('svg.diagram [tabindex="0"]').focus();
  const start = await h.page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.getAttribute('data-id'));
  assert.ok(start, 'a node has the focus and a label');
  await h.page.keyboard.press('ArrowDown');
  const next = await h.page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
  assert.notEqual(next, start);
  // Down the first host's groups until a collapsed one has the focus; Enter expands it.
  await h.page.keyboard.press('Home');
  const groupsBefore = await h.page.locator('g.group').count();
  let onGroup = '';
  for (let i = 0; i < 40 && !onGroup; i++) {
    await h.page.keyboard.press('ArrowDown');
    onGroup = await h.page.evaluate(() => (document.activeElement?.matches('g.group') ? document.activeElement.getAttribute('data-group') ?? '' : ''));
  }
  assert.ok(onGroup, 'the arrow keys reach a collapsed group');
  await h.page.keyboard.press('Enter');
  await h.page.waitForFunction((n) => document.querySelectorAll('g.group').length === n - 1, groupsBefore);
  assert.equal(await h.page.locator(`g.group[data-group="${onGroup}"]`).count(), 0);
  await h.page.locator('vscode-toolbar-button[data-action="screen-full"]').click();
});

test('step-through: play, pause, step forward and back; the packet moves and the headers show each rewrite', async () => {
  // The source sits in a collapsed group: search finds it (and expands the group), a double-click picks it.
  await h.page.locator('vscode-textfield.search input').fill('app-node2-1');
  await h.page.waitForFunction((s) => document.body.dataset.searchCurrent === s, SOURCE);
  await h.page.locator('vscode-textfield.search input').press('Escape');
  await h.page.locator(`g.sandbox[data-id="${SOURCE}"]`).waitFor({ state: 'attached', timeout: 5000 });
  await h.page.evaluate((id) => document.querySelector(`g.sandbox[data-id="${id}"] rect.box`)!.dispatchEvent(new MouseEvent('dblclick', { bubbles: true })), SOURCE);
  await h.page.waitForFunction((s) => document.body.dataset.traceSource === s, SOURCE);
  await h.page.evaluate((id) => document.querySelector(`g.port[data-id="${id}"]`)!.dispatchEvent(new MouseEvent('click', { bubbles: true })), portTarget);
  await h.page.locator('.verdict-delivered').waitFor();
  await h.page.locator('.stepper vscode-button.step-forward').waitFor();
  const steps = traces[`${SOURCE}|${portTarget}`]!.hops;
  const at = (action: string) => steps.findIndex((x) => x.action === action);
  // Forward to the MASQUERADE on node2: the source is rewritten to node2's address.
  for (let i = 0; i <= at('MASQUERADE'); i++) await h.page.locator('.stepper vscode-button.step-forward').click();
  await h.page.waitForFunction((i) => document.body.dataset.step === String(i), at('MASQUERADE'));
  assert.match(await h.page.locator('.step-rewrite').textContent() ?? '', /MASQUERADE: source 10\.61\.8\.3 → 192\.168\.60\.11/);
  assert.match(await h.page.locator('.packet-headers tr.changed[data-field="source"]').textContent() ?? '', /192\.168\.60\.11 \(was 10\.61\.8\.3\)/);
  assert.equal(await h.page.locator('g.packet').count(), 1, 'the packet is on the drawing');
  const onNode2 = await h.page.evaluate(() => document.querySelector('g.packet')!.getAttribute('transform'));
  await screenshot(h.page, 'big-5-step-masquerade');
  // Forward to the DNAT on node1: the destination becomes web-node1-0's address and port; TTL went down by one per router.
  for (let i = at('MASQUERADE'); i < at('DNAT'); i++) await h.page.locator('.stepper vscode-button.step-forward').click();
  await h.page.waitForFunction((i) => document.body.dataset.step === String(i), at('DNAT'));
  assert.match(await h.page.locator('.step-rewrite').textContent() ?? '', /DNAT: destination 192\.168\.60\.10:8000 → 10\.60\.0\.2:80/);
  assert.match(await h.page.locator('.packet-headers tr[data-field="ttl"]').textContent() ?? '', /63/);
  assert.notEqual(await h.page.evaluate(() => document.querySelector('g.packet')!.getAttribute('transform')), onNode2, 'the packet moved to node1');
  await h.page.locator('.stepper vscode-button.step-back').click();
  await h.page.waitForFunction((i) => document.body.dataset.step === String(i - 1), at('DNAT'));
  assert.match(await h.page.locator('.step-chain').textContent() ?? '', /Chain: nat PREROUTING/);
  await screenshot(h.page, 'big-6-step-dnat-chain');
  // Play runs to the end by itself; pause stops it.
  await h.page.locator('.stepper vscode-button.step-play').click();
  await h.page.waitForFunction(() => Number(document.body.dataset.step) > 0 && document.querySelector('.stepper.playing') !== null);
  const n = steps.length;
  await h.page.waitForFunction((last) => document.body.dataset.step === String(last), n - 1, { timeout: n * 1500 });
  await h.page.locator('.stepper vscode-button.step-play').click();
  await h.page.locator('.stepper vscode-button.step-play').click();
  await h.page.waitForFunction(() => document.querySelector('.stepper.playing') !== null);
  await h.page.locator('.stepper vscode-button.step-play').click();
  await h.page.waitForFunction(() => document.querySelector('.stepper.playing') === null);
  const paused = await body('step');
  await h.page.waitForTimeout(1300);
  assert.equal(await body('step'), paused, 'paused: no further step');
  await screenshot(h.page, 'big-7-step-end');
});
