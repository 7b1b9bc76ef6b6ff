// Runs the extension-host suite (out/test/index.js) inside code-server: the workbench is opened in
// Debian's Chromium with a `payload` that names the extension under development and the tests, the
// way @vscode/test-electron starts desktop VS Code. Used by `node scripts/test.mjs extension`;
// standalone: `node scripts/build.mjs && node test/extension/run-code-server.mjs`.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../scripts/lib/browser.mjs';
import { startCodeServer } from '../../scripts/lib/code-server.mjs';
import { root } from '../../scripts/lib/paths.mjs';
import { isCI } from '../support/ci.mjs';

const TIMEOUT_MS = 600_000; // a deadline for a hung run, not a speed check: a loaded 2-core machine needs several minutes

/** @returns {Promise<{ passed: number, failed: number, skipped: number, tests: { title: string, state: string }[] }>} */
export async function runExtensionTests({ log = console.log, examples = join(root, 'examples') } = {}) {
  const testsEntry = join(root, 'out', 'test', 'index.js');
  if (!existsSync(testsEntry)) throw new Error(`${testsEntry} is missing: run \`npm run build\` first`);
  const scratch = mkdtempSync(join(tmpdir(), 'cnm-ext-tests-'));
  // The tests create and delete files in their workspace, so they get a copy of examples/.
  const workspace = join(scratch, 'examples');
  cpSync(examples, workspace, { recursive: true });
  const resultsFile = join(scratch, 'results.json');
  let codeServer;
  let browser;
  try {
    codeServer = await startCodeServer({ workspace, env: { CNM_TEST_RESULTS: resultsFile } });
    const remote = (path) => `vscode-remote://127.0.0.1:${codeServer.port}${path}`;
    const payload = [['extensionDevelopmentPath', remote(root)], ['extensionTestsPath', remote(testsEntry)]];
    const url = `${codeServer.url}?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // The workbench calls this when run() has settled: 0 when it resolved, 1 when it threw.
    let exitCode;
    await page.exposeFunction('codeAutomationExit', (code) => { exitCode = code; });
    // A loaded machine can take longer than the default 30 s to load the workbench (as in test/ui/support.ts).
    await page.goto(url, { timeout: 120_000 });

    const deadline = Date.now() + TIMEOUT_MS;
    while (exitCode === undefined && !existsSync(resultsFile)) {
      if (Date.now() > deadline) {
        throw new Error(`the extension tests did not finish within ${TIMEOUT_MS / 1000} s\n` +
          `page errors: ${pageErrors.slice(-5).join('\n') || 'none'}\ncode-server log:\n${codeServer.logTail()}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    // The results file is written just before run() returns; give codeAutomationExit a moment too.
    const settle = Date.now() + 5000;
    while (exitCode === undefined && Date.now() < settle) await new Promise((r) => setTimeout(r, 100));

    if (!existsSync(resultsFile)) {
      throw new Error(`run() ended (exit ${exitCode}) without writing results: it failed before Mocha ran.\n` +
        `code-server log:\n${codeServer.logTail()}`);
    }
    /** @type {{ passed: number, failed: number, skipped: number, tests: { title: string, state: string, durationMs?: number, error?: string }[] }} */
    const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    for (const t of results.tests) {
      const mark = { passed: '✔', failed: '✖', skipped: '-' }[t.state] ?? '?';
      log(`  ${mark} ${t.title}${t.durationMs !== undefined ? ` (${t.durationMs} ms)` : ''}`);
    }
    for (const t of results.tests.filter((x) => x.state === 'failed')) log(`\n  ✖ ${t.title}\n${indent(t.error ?? '')}`);
    if (exitCode !== undefined && (exitCode !== 0) !== (results.failed > 0)) {
      log(`  (the workbench reported exit code ${exitCode})`);
    }
    return { passed: results.passed, failed: results.failed, skipped: results.skipped, tests: results.tests };
  } finally {
    await browser?.close();
    await codeServer?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function indent(text) {
  return text.split('\n').map((l) => `      ${l}`).join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const r = await runExtensionTests();
    console.log(`${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
    // Under CI a pending test is a failure, as in scripts/test.mjs (Mocha's skips carry no exclusion).
    process.exitCode = r.failed > 0 || (isCI() && r.skipped > 0) ? 1 : 0;
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  }
}
