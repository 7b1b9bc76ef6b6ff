// The diagram webview alone in Chromium with a fake host (webviewHarness.ts): what it draws for an
// example, what it sends (and never sends), selection both ways, hover-to-trace, edits that keep the
// user's zoom and selection, bad messages from the host, SVG export, a light theme.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { root } from '../../scripts/lib/paths.mjs';
import { addNetwork } from '../../src/topology/edit';
import { diagramFixture, type DiagramFixture } from './diagramFixtures';
import { screenshot } from './support';
import { harnessPage, openHarness, type Harness } from './webviewHarness';

const example = readFileSync(join(root, 'examples', '02-custom-bridge.cnm.yaml'), 'utf8');
let fixture: DiagramFixture;
let h: Harness;

interface Sent { type: string; [k: string]: unknown }
const sent = async (): Promise<Sent[]> => h.page.evaluate(() => (window as unknown as { __sent: Sent[] }).__sent);
const lastOf = async (type: string) => (await sent()).filter((m) => m.type === type).at(-1);
const hostSends = (message: unknown) => h.page.evaluate((m) => (window as unknown as { __host: { post(m: unknown): void } }).__host.post(m), message);

before(async () => {
  fixture = diagramFixture(example, '02-custom-bridge.cnm.yaml');
  h = await openHarness(harnessPage(fixture.snapshot, fixture.traces));
  await h.page.waitForSelector('g.sandbox');
});

after(async () => {
  await h?.close();
});

test('it says it is ready, then draws the host, its networks as buses and every sandbox with its interfaces', async () => {
  assert.equal((await sent())[0]?.type, 'ready');
  // Sandboxes sit with the network of their first interface: b1 (eth0 on bridge) first.
  assert.deepEqual(await h.page.locator('g.sandbox').evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))), ['c/host1/b1', 'c/host1/10_b1', 'c/host1/web']);
  // The predefined host and none networks have nothing on them: no bus for them.
  assert.deepEqual(await h.page.locator('g.bus').evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))), ['n/host1/bridge', 'n/host1/mybridge10']);
  assert.equal(await h.page.locator('g.sandbox[data-id="c/host1/b1"] .if-row').allTextContents().then((t) => t.join(' | ')), 'eth0 172.17.0.2 | eth1 10.10.0.3');
  assert.equal(await h.page.locator('path.link').count(), 4, 'one veth link per endpoint');
  assert.match(await h.page.locator('g.bus[data-id="n/host1/mybridge10"] .bus-label').textContent() ?? '', /10\.10\.0\.0\/16 · gw 10\.10\.0\.1 · br-[0-9a-f]{12}/);
  await screenshot(h.page, 'webview-1-drawn');
});

test('a click selects and tells the host; a selection from the host (the tree) shows', async () => {
  await h.page.locator('g.bus[data-id="n/host1/mybridge10"] .bus-hit').click({ force: true });
  assert.deepEqual(await lastOf('selected'), { protocol: 2, type: 'selected', id: 'n/host1/mybridge10' });
  assert.equal(await h.page.locator('g.bus.selected').count(), 1);
  await hostSends({ protocol: 2, type: 'select', id: 'c/host1/web' });
  await h.page.locator('g.sandbox.selected[data-id="c/host1/web"]').waitFor();
  assert.equal(await h.page.locator('g.bus.selected').count(), 0);
  assert.match(await h.page.locator('.details h2').textContent() ?? '', /Container web/);
});

test('pick a source, hover a target: the webview asks for traces, lights the path hop by hop and lists the hops', async () => {
  await h.page.locator('g.sandbox[data-id="c/host1/10_b1"] text.box-name').dblclick({ force: true });
  const request = await lastOf('trace');
  assert.equal(request?.source, 'c/host1/10_b1');
  assert.ok((request?.targets as string[]).includes('c/host1/web'), 'every target is asked for at once');
  await h.page.locator('g.sandbox[data-id="c/host1/web"] text.box-name').hover({ force: true });
  await h.page.locator('.verdict-delivered').waitFor();
  await h.page.locator('.hops .hop').first().waitFor();
  const hops = await h.page.locator('.hops .hop .hop-action').allTextContents();
  assert.deepEqual(hops.slice(0, 3), ['resolve', 'route', 'send']);
  assert.equal(await h.page.locator('g.bus.lit[data-id="n/host1/mybridge10"]').count(), 1);
  assert.equal(await h.page.locator('g.bus.lit[data-id="n/host1/bridge"]').count(), 0, 'the other bridge is not on the path');
  // Later hops light later (their animation delay grows with the hop).
  const delays = await h.page.locator('.lit').evaluateAll((els) => els.map((e) => Number((e as SVGElement).style.getPropertyValue('--hop'))));
  assert.ok(Math.max(...delays) > 0);
  await h.page.waitForTimeout(1200);
  await screenshot(h.page, 'webview-2-trace');
});

test('changing the protocol and port traces again with them', async () => {
  await h.page.locator('g.sandbox[data-id="c/host1/b1"] text.box-name').dblclick({ force: true });
  await h.page.locator('.port input').fill('81');
  await h.page.locator('.proto').evaluate((el) => {
    (el as HTMLElement & { value: string }).value = 'tcp';
    el.dispatchEvent(new Event('change'));
  });
  const request = await lastOf('trace');
  assert.equal(request?.source, 'c/host1/b1');
  assert.equal(request?.proto, 'tcp');
  assert.equal(request?.port, 81);
  await h.page.locator('.proto').evaluate((el) => {
    (el as HTMLElement & { value: string }).value = 'icmp';
    el.dispatchEvent(new Event('change'));
  });
  await h.page.locator('.port input').fill('');
});

test('a trace that ends undelivered is marked where the packet ends', async () => {
  await hostSends({ protocol: 2, type: 'showTrace', revision: 1, source: 'c/host1/b1', target: 'c/host1/web', trace: {
    from: 'b1', to: 'web', port: 81, proto: 'tcp', verdict: 'refused', reason: 'nothing in web listens on 81/tcp',
    hops: [{ node: 'b1', action: 'route', detail: 'on-link', elements: ['e/host1/mybridge10/b1'] }, { node: 'web', action: 'deliver', detail: 'RST', elements: ['e/host1/mybridge10/web'], drop: true }],
  } });
  await h.page.locator('.verdict-refused').waitFor();
  await h.page.locator('.drop-mark').waitFor({ state: 'attached' });
  assert.equal(await h.page.locator('circle.endpoint.lit-drop[data-id="e/host1/mybridge10/web"]').count(), 1);
  await h.page.locator('.hops .hop-drop').waitFor();
  assert.equal(await h.page.locator('.hops .hop-drop').count(), 1);
  await h.page.waitForTimeout(600);
  await screenshot(h.page, 'webview-3-refused');
});

test('a trace the engine cannot follow (unknown) is its own state: not the drop colour, a dashed "?" mark, a legend entry', async () => {
  await hostSends({ protocol: 2, type: 'showTrace', revision: 1, source: 'c/host1/b1', target: 'c/host1/web', trace: {
    from: 'b1', to: '203.0.113.5', proto: 'icmp', verdict: 'unknown', reason: 'no one in the topology has 203.0.113.5: host1 sends it out eth0, beyond what the topology describes, so the engine cannot know whether it is answered',
    hops: [{ node: 'b1', action: 'route', detail: 'default route', elements: ['e/host1/mybridge10/b1'] }, { node: 'web', action: 'unknown', detail: 'beyond the topology', elements: ['e/host1/mybridge10/web'], unknown: true }],
  } });
  await h.page.locator('.verdict-unknown').waitFor();
  assert.match(await h.page.locator('.verdict-unknown .verdict-title').textContent() ?? '', /^UNKNOWN — the engine cannot know$/);
  await h.page.locator('.unknown-mark').waitFor({ state: 'attached' });
  assert.equal(await h.page.locator('.unknown-mark text').textContent(), '?');
  assert.equal(await h.page.locator('circle.endpoint.lit-unknown[data-id="e/host1/mybridge10/web"]').count(), 1);
  assert.equal(await h.page.locator('.lit-drop').count(), 0, 'nothing in the drop colour');
  await h.page.locator('.hops .hop-unknown').waitFor();
  assert.equal(await h.page.locator('.hops .hop-drop').count(), 0);
  // The drawing's colour for unknown is not the drop colour, in the light theme and the dark one.
  const colours = await h.page.evaluate(() => {
    const out: string[][] = [];
    for (const theme of ['light', 'dark']) {
      document.body.dataset['theme'] = theme;
      const css = getComputedStyle(document.body);
      out.push([css.getPropertyValue('--cnm-unknown').trim(), css.getPropertyValue('--cnm-drop').trim()]);
      out.push([getComputedStyle(document.querySelector('circle.endpoint.lit-unknown')!).fill, getComputedStyle(document.querySelector('.verdict-unknown')!).borderLeftStyle, getComputedStyle(document.querySelector('.unknown-mark circle')!).stroke]);
    }
    delete document.body.dataset['theme'];
    return out;
  });
  assert.deepEqual(colours.map((c) => c[0]), ['#0598bc', 'rgb(5, 152, 188)', '#11a8cd', 'rgb(17, 168, 205)']);
  for (const [unknown, drop] of [colours[0]!, colours[2]!]) assert.notEqual(unknown, drop);
  assert.equal(colours[1]![1], 'dashed');
  assert.deepEqual([colours[1]![2], colours[3]![2]], ['rgb(5, 152, 188)', 'rgb(17, 168, 205)'], 'the "?" mark is drawn in the unknown colour');
  const legend = await h.page.locator('.verdict-legend li').evaluateAll((els) => els.map((e) => `${e.textContent}${e.classList.contains('current') ? ' *' : ''}`));
  assert.deepEqual(legend, ['delivered reaches a listener', 'refused answered: nothing listens', 'dropped discarded on the way', 'unresolved the name does not resolve', 'unknown the engine cannot know *']);
  assert.equal(await h.page.locator('.verdict-legend li.current .legend-meaning').isVisible(), true);
  await h.page.waitForTimeout(600);
  await screenshot(h.page, 'webview-3b-unknown');
});

test('an edit (a new snapshot) keeps the zoom, the selection and the source', async () => {
  await h.page.locator('svg.diagram').hover({ position: { x: 300, y: 300 } });
  await h.page.mouse.wheel(0, -300);
  await h.page.waitForTimeout(200);
  const zoomed = await h.page.locator('g.viewport').getAttribute('transform');
  await hostSends({ protocol: 2, type: 'select', id: 'n/host1/mybridge10' });
  await h.page.evaluate(() => { (document.querySelector('g.sandbox[data-id="c/host1/web"]') as unknown as { __mark: number }).__mark = 1; });
  const next = diagramFixture(addNetwork(example, { name: 'backend', subnet: '10.30.0.0/24' }));
  await h.page.evaluate((s) => (window as unknown as { __host: { snapshot(s: unknown, r: number): void } }).__host.snapshot(s, 2), next.snapshot);
  await h.page.locator('g.bus[data-id="n/host1/backend"]').waitFor();
  assert.equal(await h.page.locator('g.viewport').getAttribute('transform'), zoomed);
  assert.equal(await h.page.locator('g.bus.selected').getAttribute('data-id'), 'n/host1/mybridge10');
  assert.equal(await h.page.locator('g.sandbox.trace-source').getAttribute('data-id'), 'c/host1/b1');
  assert.equal(await h.page.evaluate(() => document.body.dataset.revision), '2');
  // The same elements were updated in place, not redrawn.
  assert.equal(await h.page.evaluate(() => (document.querySelector('g.sandbox[data-id="c/host1/web"]') as unknown as { __mark?: number }).__mark), 1);
});

test('messages that are not the host\'s are ignored, and the drawing survives them', async () => {
  for (const bad of [null, 'snapshot', { type: 'snapshot' }, { protocol: 1, type: 'snapshot', revision: 3, snapshot: { hosts: [] } },
    { protocol: 2, type: 'snapshot', revision: -1, snapshot: {} }, { protocol: 2, type: 'select', id: 42 }, { protocol: 2, type: 'traceResults', requestId: 'x' }]) {
    await hostSends(bad);
  }
  await h.page.waitForTimeout(200);
  assert.equal(await h.page.locator('g.sandbox').count(), 3);
  assert.equal(await h.page.evaluate(() => document.body.dataset.revision), '2');
});

test('Export SVG sends a standalone SVG with the theme colours written in, nothing else', async () => {
  await h.page.locator('vscode-toolbar-button[data-action="export"]').click();
  const m = await lastOf('exportSvg');
  const svg = String(m?.svg);
  assert.match(svg, /^<\?xml[^>]*>\n<svg/);
  assert.ok(svg.includes('mybridge10'));
  assert.ok(!/class="/.test(svg) && !/<script/i.test(svg), 'no classes or scripts: styles are inline');
  assert.match(svg, /stroke:\s*rgb\(/, 'colours are resolved, not CSS variables');
  assert.ok(!svg.includes('var(--'));
});

test('the webview checks its Content-Security-Policy: no inline script without the nonce runs', async () => {
  const ran = await h.page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = true';
    document.body.appendChild(s);
    await new Promise((r) => setTimeout(r, 50));
    return (window as unknown as { __inline?: boolean }).__inline === true;
  });
  assert.equal(ran, false);
});

test('the cnm.diagram.theme setting forces a light drawing in a dark VS Code', async () => {
  await hostSends({ protocol: 2, type: 'theme', theme: 'light' });
  const box = await h.page.locator('g.sandbox rect.box').first().evaluate((el) => getComputedStyle(el).fill);
  assert.equal(box, 'rgb(248, 248, 248)');
  await hostSends({ protocol: 2, type: 'theme', theme: 'auto' });
  assert.equal(await h.page.locator('g.sandbox rect.box').first().evaluate((el) => getComputedStyle(el).fill), 'rgb(37, 37, 38)');
});

test('a light theme draws with the light theme\'s colours', async () => {
  const light = await openHarness(harnessPage(fixture.snapshot, fixture.traces, { theme: 'light' }));
  try {
    await light.page.waitForSelector('g.sandbox');
    const bg = await light.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(255, 255, 255)');
    await screenshot(light.page, 'webview-4-light');
  } finally {
    await light.close();
  }
});

test('a live host\'s diagram offers no "Show in file": its elements are written in no file', async () => {
  await hostSends({ protocol: 2, type: 'select', id: 'c/host1/web' });
  await h.page.locator('.details .reveal').waitFor();
  await hostSends({ protocol: 2, type: 'snapshot', revision: 1000, snapshot: { ...fixture.snapshot, live: true }, file: 'cnm-live:/default' });
  await hostSends({ protocol: 2, type: 'select', id: 'c/host1/web' });
  await h.page.locator('g.sandbox.selected[data-id="c/host1/web"]').waitFor();
  assert.match(await h.page.locator('.details h2').textContent() ?? '', /Container web/);
  assert.equal(await h.page.locator('.details .reveal').count(), 0);
});

test('a high-contrast theme: boxes drawn with the theme\'s contrast border, thicker, on the editor background', async () => {
  const hc = await openHarness(harnessPage(fixture.snapshot, fixture.traces));
  try {
    await hc.page.waitForSelector('g.sandbox');
    // VS Code marks the body; the page has no --vscode-contrastBorder here, so the stylesheet's fallback (HC Black's) applies.
    await hc.page.evaluate(() => document.body.classList.add('vscode-high-contrast'));
    const box = await hc.page.locator('g.sandbox rect.box').first().evaluate((el) => ({ stroke: getComputedStyle(el).stroke, width: getComputedStyle(el).strokeWidth }));
    assert.deepEqual(box, { stroke: 'rgb(111, 195, 223)', width: '2px' });
    await screenshot(hc.page, 'webview-5-high-contrast');
  } finally {
    await hc.close();
  }
});

test('a trace shown from outside (Verify Trace over TCP) sets the protocol and port: a live refresh traces again with them, not ICMP', async () => {
  await hostSends({ protocol: 2, type: 'snapshot', revision: 2000, snapshot: { ...fixture.snapshot, live: true }, file: 'cnm-live:/default' });
  await hostSends({ protocol: 2, type: 'showTrace', revision: 2000, source: 'c/host1/b1', target: 'e/host1/mybridge10/web', trace: {
    from: 'b1', to: 'web', port: 80, proto: 'tcp', verdict: 'delivered', reason: 'web listens on 80/tcp',
    hops: [{ node: 'b1', action: 'route', detail: 'on-link', elements: ['e/host1/mybridge10/b1'] }, { node: 'web', action: 'deliver', detail: 'accepted', elements: ['e/host1/mybridge10/web'] }],
  } });
  await h.page.locator('.verdict-route', { hasText: 'b1 → web:80/tcp' }).waitFor();
  assert.equal(await h.page.locator('.proto').evaluate((el) => (el as HTMLElement & { value: string }).value), 'tcp');
  assert.equal(await h.page.locator('.port input').inputValue(), '80');
  // The live host changes (a new snapshot): the shown target is traced again, with TCP port 80.
  const before = (await sent()).length;
  await hostSends({ protocol: 2, type: 'snapshot', revision: 2001, snapshot: { ...fixture.snapshot, live: true }, file: 'cnm-live:/default' });
  await h.page.waitForFunction((n) => (window as unknown as { __sent: { type: string; targets?: string[] }[] }).__sent.slice(n).some((m) => m.type === 'trace' && m.targets?.includes('e/host1/mybridge10/web')), before);
  const again = (await sent()).slice(before).filter((m) => m.type === 'trace' && (m.targets as string[]).includes('e/host1/mybridge10/web'));
  assert.deepEqual(again.map((m) => `${m.proto} ${m.port}`), again.map(() => 'tcp 80'));
  // An ICMP trace shown later puts the controls back to ICMP with no port.
  await hostSends({ protocol: 2, type: 'showTrace', revision: 2001, source: 'c/host1/b1', target: 'e/host1/mybridge10/web', trace: {
    from: 'b1', to: 'web', proto: 'icmp', verdict: 'delivered', reason: 'echo reply',
    hops: [{ node: 'web', action: 'deliver', detail: 'echo reply', elements: ['e/host1/mybridge10/web'] }],
  } });
  await h.page.locator('.verdict-route', { hasText: 'b1 → web/icmp' }).waitFor();
  assert.equal(await h.page.locator('.proto').evaluate((el) => (el as HTMLElement & { value: string }).value), 'icmp');
  assert.equal(await h.page.locator('.port input').inputValue(), '');
  await screenshot(h.page, 'webview-6-verified-tcp-kept');
});
