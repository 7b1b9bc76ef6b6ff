// Shared by the UI tier's tests: a code-server with the built extension installed from its folder
// (as a user's VS Code would load it), the examples/ workspace (a copy), and Chromium on top.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/lib/browser.mjs';
import { installExtensionFolder, startCodeServer, type CodeServer } from '../../scripts/lib/code-server.mjs';
import { root, screenshotsDir } from '../../scripts/lib/paths.mjs';

export interface Workbench {
  page: Page;
  workspace: string;
  codeServer: CodeServer;
  close(): Promise<void>;
}

/**
 * `untrusted`: workspace trust is on and the folder is not trusted (Restricted Mode), without asking.
 * `folder`: the workspace is a copy of this folder (relative to the repository) instead of examples/.
 * `settings`: user settings beside the defaults; `env`: code-server's environment beside this process's
 * (e.g. DOCKER_HOST: the default Docker host the extension shows).
 */
export async function openWorkbench(opts: { viewport?: { width: number; height: number }; untrusted?: boolean; folder?: string; settings?: Record<string, unknown>; env?: Record<string, string> } = {}): Promise<Workbench> {
  const scratch = mkdtempSync(join(tmpdir(), 'cnm-ui-'));
  const from = opts.folder ?? 'examples';
  const workspace = join(scratch, from.slice(from.lastIndexOf('/') + 1));
  cpSync(join(root, from), workspace, { recursive: true });
  const extensionsDir = join(scratch, 'extensions');
  installExtensionFolder(extensionsDir);
  let codeServer: CodeServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await codeServer?.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    const trust = opts.untrusted ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never' } : {};
    codeServer = await startCodeServer({ workspace, extensionsDir, workspaceTrust: opts.untrusted === true, settings: { 'workbench.colorTheme': 'Default Dark Modern', ...trust, ...opts.settings }, ...(opts.env ? { env: opts.env } : {}) });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1280, height: 800 } });
    // A loaded machine (CI beside the docker tier) can take longer than the default 30 s to load the workbench.
    await page.goto(codeServer.url, { timeout: 120_000 });
    return { page, workspace, codeServer, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Saves what the user sees now as test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotsDir, { recursive: true });
  const path = join(screenshotsDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** What media/screenshot.json records beside the README screenshot: test/unit/readmeScreenshot.test.ts
 * fails when the workspace it showed is no longer what examples/ holds (the picture went stale). */
export interface ReadmeScreenshotRecord {
  takenBy: string;
  /** The topology files of the workspace shown (examples/, relative), sorted. */
  sources: string[];
  /** The status bar's CNM entry as the user read it, e.g. "CNM: 12 topologies". */
  statusBar: string;
}

/**
 * Writes the README's picture (media/screenshot.png) from what the user sees now, and its record.
 * The UI tier takes it on every run, so committing after a UI run keeps it current.
 */
export async function readmeScreenshot(page: Page, workspace: string, takenBy: string): Promise<void> {
  const item = await page.locator('.statusbar-item', { hasText: /CNM: \d+ topolog/ }).first().innerText();
  const statusBar = /CNM: \d+ topolog\w*/.exec(item)?.[0] ?? item.trim();
  await page.screenshot({ path: join(root, 'media', 'screenshot.png') });
  const record: ReadmeScreenshotRecord = { takenBy, sources: topologyFiles(workspace), statusBar };
  writeFileSync(join(root, 'media', 'screenshot.json'), `${JSON.stringify(record, null, 2)}\n`);
}

/** Topology files under `dir`, as paths relative to it, sorted. */
export function topologyFiles(dir: string, prefix = ''): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') found.push(...topologyFiles(dir, relative));
    else if (entry.isFile() && /\.cnm\.ya?ml$/.test(entry.name)) found.push(relative);
  }
  return found.sort();
}

/** Runs a step of a UI test; when it fails, keeps a screenshot named after it (its path in the test's output). */
/** A step whose end state is a screenshot `name` (the pointer moved away first, so no tooltip covers it); a failure's screenshot is FAILED-`name`. */
export async function stepEndingInScreenshot(page: Page, t: TestContext, name: string, body: () => Promise<void>): Promise<void> {
  await stepWithScreenshot(page, t, name, async () => {
    await body();
    await page.mouse.move(1200, 900);
    await page.waitForTimeout(300);
    await screenshot(page, name);
  });
}

export async function stepWithScreenshot(page: Page, t: TestContext, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    const path = await screenshot(page, `FAILED-${name}`).catch(() => '(no screenshot)');
    t.diagnostic(`screenshot: ${path}`);
    throw e;
  }
}

/**
 * Right-clicks `target` and runs the context menu's `entry`. On a busy machine the menu can miss the click
 * while it settles: then Enter runs the highlighted entry — only then, since an Enter that reaches the tree
 * would collapse the row. `opened` is what the entry opens (a quick input, a dialog): once it shows, the
 * menu's closing is not waited for.
 */
export async function runContextMenuEntry(page: Page, target: Locator, entry: string, opened: Locator): Promise<void> {
  await target.click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu');
  const item = menu.locator('.action-item', { hasText: entry }).first();
  await item.waitFor({ timeout: 10_000 });
  await item.hover();
  await item.locator('.action-label').click();
  const closed = await menu.waitFor({ state: 'hidden', timeout: 8_000 }).then(() => true, () => false);
  if (!closed && !(await opened.isVisible())) {
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden', timeout: 10_000 });
  }
}
