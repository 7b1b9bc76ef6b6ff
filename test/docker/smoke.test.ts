// The Docker tier's foundation: the suite can reach the real dockerd, make a network carrying its
// label, see it, and remove it again — leaving nothing behind.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TEST_LABEL_ARG, requireDaemon } from './harness/daemon';
import { docker, dockerCli } from './harness/exec';

test('creates and removes a labelled network on the real dockerd', { timeout: 120_000 }, async (t) => {
  const st = await requireDaemon();
  if (!st.reachable) return t.skip('dockerd is not reachable');
  console.log(`  dockerd ${st.version}, CLI ${dockerCli()}`);
  const name = `cnm-smoke-${process.pid}`;
  const created = await docker(['network', 'create', '--label', TEST_LABEL_ARG, '--subnet', '10.99.99.0/24', name], { timeoutMs: 30_000 });
  try {
    assert.equal(created.code, 0, created.stderr);
    const listed = await docker(['network', 'ls', '--filter', `label=${TEST_LABEL_ARG}`, '--format', '{{.Name}}'], { timeoutMs: 30_000 });
    assert.ok(listed.stdout.split('\n').includes(name), `network ${name} is listed with the suite's label`);
    const inspected = await docker(['network', 'inspect', '--format', '{{(index .IPAM.Config 0).Subnet}}', name], { timeoutMs: 30_000 });
    assert.equal(inspected.stdout.trim(), '10.99.99.0/24');
  } finally {
    const removed = await docker(['network', 'rm', name], { timeoutMs: 30_000 });
    assert.equal(removed.code, 0, removed.stderr);
  }
  const gone = await docker(['network', 'inspect', name], { timeoutMs: 30_000 });
  assert.notEqual(gone.code, 0, 'the network is gone after rm');
});
