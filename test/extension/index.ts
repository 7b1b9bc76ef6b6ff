// The extension-host test suite's entry point: VS Code (desktop through @vscode/test-electron, or
// code-server through the `payload` URL) loads this file in the real extension host and calls run().
// It runs every *.test.js bundled next to it with Mocha, prints the spec report, and, when
// CNM_TEST_RESULTS names a file, writes the results there as JSON for scripts/test.mjs.
import Mocha from 'mocha';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ExtensionTestResults {
  passed: number;
  failed: number;
  skipped: number;
  tests: { title: string; state: 'passed' | 'failed' | 'skipped'; durationMs?: number; error?: string }[];
}

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30_000 });
  // CNM_EXTENSION_TESTS=a,b runs only a.test.js and b.test.js (while working on them; CI runs all).
  const only = (process.env.CNM_EXTENSION_TESTS ?? '').split(',').map((f) => f.trim()).filter(Boolean);
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.test.js') && (!only.length || only.includes(f.replace(/\.test\.js$/, '')))).sort()) {
    mocha.addFile(join(__dirname, file));
  }
  const results: ExtensionTestResults = { passed: 0, failed: 0, skipped: 0, tests: [] };
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', (t) => {
      results.passed++;
      results.tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration });
    });
    runner.on('fail', (t, err: Error) => {
      results.failed++;
      results.tests.push({ title: t.fullTitle(), state: 'failed', error: err.stack ?? String(err) });
    });
    runner.on('pending', (t) => {
      results.skipped++;
      results.tests.push({ title: t.fullTitle(), state: 'skipped' });
    });
  });
  if (process.env.CNM_TEST_RESULTS) writeFileSync(process.env.CNM_TEST_RESULTS, JSON.stringify(results, null, 2));
  if (results.failed > 0) throw new Error(`${results.failed} extension test(s) failed`);
}
