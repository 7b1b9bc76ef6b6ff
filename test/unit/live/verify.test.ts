// The parts of trace verification that need no Docker: reading busybox nslookup's answer, and the
// sentence that sets the prediction beside what really happened.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explain, resolvedAddresses, verifyOutcome, verifyTrace, VerifyInputError } from '../../../src/live/verify';
import type { DockerClient } from '../../../src/docker/types';
import { formatVerify, verifyJson } from '../../../src/cli/commands/tracing';

test('the addresses of an nslookup answer are those after "Name:", not the server\'s own', () => {
  const out = 'Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\nName:\tweb\nAddress: 10.249.1.10\nName:\tweb\nAddress: 10.249.1.12\n';
  assert.deepEqual(resolvedAddresses(out), ['10.249.1.10', '10.249.1.12']);
  assert.deepEqual(resolvedAddresses(';; connection timed out; no servers could be reached\n'), []);
  assert.deepEqual(resolvedAddresses("Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n** server can't find nosuch: NXDOMAIN\n"), []);
});

test('a disagreement names the rule that predicted the drop and what really happened', () => {
  const predicted = { verdict: 'dropped' as const, reason: 'isolated', rule: '-A DOCKER-ISOLATION-STAGE-2 -o br-1 -j DROP', hops: [] };
  const observed = { verdict: 'delivered' as const, detail: '10.0.0.2 answered the ping', command: 'docker exec a ping -c1 -W2 10.0.0.2', exitCode: 0, output: '' };
  assert.equal(explain(predicted, observed), 'predicted dropped by DOCKER-ISOLATION-STAGE-2, but the packet was delivered: 10.0.0.2 answered the ping');
  assert.equal(explain({ ...predicted, verdict: 'delivered' }, observed), 'observed delivered, as predicted: 10.0.0.2 answered the ping');
  assert.match(explain(predicted, { ...observed, verdict: 'inconclusive', detail: 'UDP cannot be observed reliably' }), /^predicted dropped by DOCKER-ISOLATION-STAGE-2; not observed: UDP/);
});

test('a prediction of unknown never agrees with what was observed: its own outcome, with the engine\'s reason', () => {
  const predicted = { verdict: 'unknown' as const, reason: 'no one in the topology has 203.0.113.5: host1 sends it out eth0, beyond what the topology describes', hops: [] };
  const observed = { verdict: 'dropped' as const, detail: '203.0.113.5: no answer within 2 s', command: 'docker exec a ping -c1 -W2 203.0.113.5', exitCode: 1, output: '' };
  assert.equal(verifyOutcome(predicted, observed), 'unpredicted');
  assert.equal(verifyOutcome(predicted, { ...observed, verdict: 'inconclusive' }), 'unpredicted');
  assert.equal(verifyOutcome({ ...predicted, verdict: 'dropped' }, observed), 'agree');
  assert.equal(verifyOutcome({ ...predicted, verdict: 'delivered' }, observed), 'disagree');
  assert.equal(verifyOutcome({ ...predicted, verdict: 'delivered' }, { ...observed, verdict: 'inconclusive' }), 'inconclusive');
  assert.equal(explain(predicted, observed), 'no prediction to compare: the engine cannot know (no one in the topology has 203.0.113.5: host1 sends it out eth0, beyond what the topology describes); the real probe observed dropped: 203.0.113.5: no answer within 2 s');
  // `cnm trace --verify`: NOT PREDICTED, never AGREE; --json says agree: false and the outcome.
  const v = { predicted, observed, agree: false, outcome: 'unpredicted' as const, explanation: explain(predicted, observed) };
  assert.match(formatVerify(v), /\n {2}predicted {2}UNKNOWN {2}no one in the topology.*\n {2}observed {3}DROPPED {2}203\.0\.113\.5: no answer within 2 s\n.*\nNOT PREDICTED: no prediction to compare/);
  assert.deepEqual([(verifyJson(v) as { agree: boolean }).agree, (verifyJson(v) as { outcome: string }).outcome], [false, 'unpredicted']);
});

test('nothing malformed is run: bad names, addresses and ports are refused before any request', async () => {
  const calls: string[] = [];
  const client = new Proxy({}, { get: (_t, p) => (...args: unknown[]) => { calls.push(String(p)); void args; return Promise.reject(new Error('must not be called')); } }) as unknown as DockerClient;
  const predicted = { verdict: 'delivered' as const, reason: '', hops: [] };
  for (const req of [
    { from: 'a; rm -rf /', to: '10.0.0.2', proto: 'icmp' as const },
    { from: 'app', to: '-c99', proto: 'icmp' as const },
    { from: 'app', to: 'web $(id)', proto: 'icmp' as const },
    { from: 'app', to: '10.0.0.2', proto: 'tcp' as const, port: 70000 },
    { from: 'app', to: 'fe80::1%eth0', proto: 'icmp' as const },
  ]) await assert.rejects(verifyTrace(client, req, predicted), VerifyInputError);
  assert.deepEqual(calls, []);
});
