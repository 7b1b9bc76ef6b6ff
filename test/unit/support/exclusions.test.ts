// The rule that keeps a green run honest: under CI a skipped test fails its tier unless its skip names
// an entry of test/EXCLUSIONS.md. Checked on the real TAP report of node's test runner, which is what
// scripts/test.mjs reads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { isCI } from '../../support/ci.mjs';
import { EXCLUSIONS_FILE, exclude, exclusionId, exclusions, judgeSkips, tapSkips } from '../../support/exclusions.mjs';
import { refusedForNoIpvlan } from '../../docker/harness/machineLimits';
import type { PlayStep } from '../../docker/harness/play';

describe('isCI', () => {
  it('is true for CI=true and CI=1 only', () => {
    const old = process.env.CI;
    try {
      const seen = Object.fromEntries(['true', '1', 'false', '0', ''].map((v) => { process.env.CI = v; return [v, isCI()]; }));
      delete process.env.CI;
      assert.deepEqual({ ...seen, unset: isCI() }, { true: true, 1: true, false: false, 0: false, '': false, unset: false });
    } finally {
      if (old === undefined) delete process.env.CI;
      else process.env.CI = old;
    }
  });
});

describe('test/EXCLUSIONS.md', () => {
  it('lists each exclusion with what, why and how to tell it applies', () => {
    const list = exclusions();
    assert.ok(list.has('kernel-no-ipvlan'));
    for (const [id, e] of list) {
      for (const field of ['what', 'why', 'howToTell'] as const) assert.ok(e[field].length > 20, `${id}: ${field} is written out`);
    }
  });

  it('exclude() skips with the id; an id the list does not have is an error', () => {
    const skipped: (string | undefined)[] = [];
    const t = { skip: (m?: string) => void skipped.push(m) };
    exclude(t, 'kernel-no-ipvlan', 'container i1\nof probe-ipvlan-l2');
    assert.deepEqual(skipped, ['excluded[kernel-no-ipvlan]: container i1 of probe-ipvlan-l2']);
    assert.throws(() => exclude(t, 'flaky-network', 'x'), /exclusion "flaky-network" is not in test\/EXCLUSIONS\.md/);
    assert.equal(skipped.length, 1);
    assert.equal(exclusionId('excluded[kernel-no-ipvlan]: x'), 'kernel-no-ipvlan');
    assert.equal(exclusionId('excluded[flaky-network]: x'), undefined);
    assert.equal(exclusionId('dockerd is not reachable'), undefined);
  });
});

describe('skips read back from a real TAP report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnm-skips-'));
  const file = join(dir, 'skips.test.mjs');
  const lib = pathToFileURL(join(EXCLUSIONS_FILE, '..', 'support', 'exclusions.mjs')).href;
  writeFileSync(file, `
import { describe, it, test } from 'node:test';
import { exclude } from ${JSON.stringify(lib)};
test('passes', () => {});
test('excluded # with a hash', (t) => exclude(t, 'kernel-no-ipvlan', 'container a # of s'));
test('no daemon', (t) => t.skip('dockerd is not reachable'));
test('unknown id', (t) => t.skip('excluded[flaky-network]: x'));
test('later', { todo: 'write it' }, () => {});
test('scenario', async (t) => {
  await t.test('b: not started', (st) => exclude(st, 'kernel-no-ipvlan', 'container b'));
  await t.test('compared', () => {});
});
describe.skip('a whole suite', () => { it('hidden', () => {}); });
`);
  // Without NODE_TEST_CONTEXT, which would make the inner runner report to this one instead of printing TAP.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', file], { encoding: 'utf8', timeout: 60_000, env });
  rmSync(dir, { recursive: true, force: true });

  it('finds every skip and todo with its test path and message, skipped suites too', () => {
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(tapSkips(r.stdout), [
      { name: 'excluded # with a hash', kind: 'skip', message: 'excluded[kernel-no-ipvlan]: container a # of s' },
      { name: 'no daemon', kind: 'skip', message: 'dockerd is not reachable' },
      { name: 'unknown id', kind: 'skip', message: 'excluded[flaky-network]: x' },
      { name: 'later', kind: 'todo', message: 'write it' },
      { name: 'scenario › b: not started', kind: 'skip', message: 'excluded[kernel-no-ipvlan]: container b' },
      { name: 'a whole suite', kind: 'skip', message: '' },
    ]);
  });

  it('under CI every skip but the exclusions fails; outside CI they stay skips', () => {
    const skips = tapSkips(r.stdout);
    const inCI = judgeSkips(skips, true);
    assert.deepEqual(inCI.excluded.map((e) => [e.id, e.name, e.detail]), [
      ['kernel-no-ipvlan', 'excluded # with a hash', 'container a # of s'],
      ['kernel-no-ipvlan', 'scenario › b: not started', 'container b'],
    ]);
    assert.deepEqual(inCI.failed.map((s) => s.name), ['no daemon', 'unknown id', 'later', 'a whole suite']);
    assert.deepEqual(inCI.skipped, []);
    const outside = judgeSkips(skips, false);
    assert.equal(outside.excluded.length, 2);
    assert.deepEqual(outside.failed, []);
    assert.deepEqual(outside.skipped.map((s) => s.name), ['no daemon', 'unknown id', 'later', 'a whole suite']);
  });
});

describe('kernel-no-ipvlan: only dockerd\'s own answer excludes a container', () => {
  const step = (name: string, error?: string): PlayStep => ({
    kind: 'run', object: ['containers', name], argv: [], ok: !error, ...(error ? { error } : {}), warnings: [], ms: 0,
  });
  it('takes the containers dockerd refused for want of ipvlan, and no others', () => {
    const refused = refusedForNoIpvlan({
      containerIds: new Map(),
      steps: [
        step('i1', 'failed to create the ipvlan port: operation not supported'),
        step('ok'),
        step('clash', 'Address already in use'),
        { ...step('i2', 'failed to create the ipvlan port: operation not supported'), kind: 'connect', network: 'ivl2' },
        { ...step('ivl2', 'failed to create the ipvlan port: operation not supported'), object: ['networks', 'ivl2'] },
      ],
    });
    assert.deepEqual([...refused.keys()], ['i1', 'i2']);
  });
});
