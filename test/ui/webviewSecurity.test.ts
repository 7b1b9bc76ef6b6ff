// The diagram's Content-Security-Policy, proved in the real webview of code-server: a script injected
// inline does not run, and remote content (an image, a fetch, a stylesheet) is blocked before any
// request leaves. The only address used is loopback port 9 (discard), and CSP stops it in the page.
import * as assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { Frame } from 'playwright-core';
import { openWorkbench, stepWithScreenshot, type Workbench } from './support';

const FILE = '02-custom-bridge.cnm.yaml';
const REMOTE = 'http://127.0.0.1:9/cnm-csp-probe';

let wb: Workbench;
let diagram: Frame;

before(async () => {
  wb = await openWorkbench({ viewport: { width: 1400, height: 860 } });
});

after(async () => {
  await wb?.close();
});

const step = (t: TestContext, name: string, body: () => Promise<void>) => stepWithScreenshot(wb.page, t, name, body);
const page = () => wb.page;

/** The frame that holds the diagram's own page (two frames down from the workbench). */
async function diagramFrame(): Promise<Frame> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const f of page().frames()) {
      if (await f.locator('#app svg, #app .diagram').count().catch(() => 0)) return f;
    }
    await page().waitForTimeout(250);
  }
  throw new Error('the diagram webview did not render');
}

test('the diagram opens in its webview', async (t) => {
  await step(t, 'csp-open', async () => {
    const entry = page().locator('.activitybar .action-label[aria-label^="CNM Explorer"]');
    await entry.waitFor({ timeout: 90_000 });
    await entry.click();
    const row = page().locator('.sidebar .monaco-list-row', { has: page().locator('.label-name', { hasText: FILE }) }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.hover();
    await row.locator('.action-label[aria-label="Open Diagram"]').click();
    diagram = await diagramFrame();
  });
});

test('an inline script does not run, and the browser reports the violation', async (t) => {
  await step(t, 'csp-inline-script', async () => {
    const outcome = await diagram.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));
      const s = document.createElement('script');
      s.textContent = 'window.__cnmInlineRan = true;';
      document.body.append(s);
      await new Promise((r) => setTimeout(r, 300));
      return { ran: (window as unknown as { __cnmInlineRan?: boolean }).__cnmInlineRan === true, violations };
    });
    assert.equal(outcome.ran, false, 'the inline script ran');
    assert.ok(outcome.violations.some((v) => v.startsWith('script-src')), `no script-src violation reported: ${outcome.violations.join('; ')}`);
  });
});

test('remote content is blocked: image, fetch and stylesheet', async (t) => {
  await step(t, 'csp-remote', async () => {
    const outcome = await diagram.evaluate(async (remote) => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
      const img = document.createElement('img');
      const imgDone = new Promise<string>((r) => { img.onload = () => r('loaded'); img.onerror = () => r('blocked'); });
      img.src = `${remote}.png`;
      document.body.append(img);
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = `${remote}.css`;
      document.head.append(link);
      const fetched = await fetch(`${remote}.json`).then(() => 'fetched', () => 'blocked');
      const image = await imgDone;
      await new Promise((r) => setTimeout(r, 300));
      img.remove();
      link.remove();
      return { image, fetched, violations };
    }, REMOTE);
    assert.equal(outcome.image, 'blocked');
    assert.equal(outcome.fetched, 'blocked');
    for (const directive of ['img-src', 'connect-src', 'style-src']) {
      assert.ok(outcome.violations.some((v) => v.startsWith(directive)), `no ${directive} violation: ${outcome.violations.join(', ')}`);
    }
  });
});
