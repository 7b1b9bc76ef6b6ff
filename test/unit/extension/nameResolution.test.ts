// Name resolution from a chosen container, as the diagram shows it on hover: getaddrinfo's answer
// (/etc/hosts first: links), the DNS server's (`cnm resolve`), and which resolver answered.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../../src/engine';
import { engineTracerFor } from '../../../src/extension/engineTracer';
import { resolveFrom } from '../../../src/extension/nameResolution';
import { isWebviewMessage, LIMITS, PROTOCOL_VERSION } from '../../../src/protocol/messages';
import { loadTopology } from '../../../src/topology';

const load = (name: string) => loadTopology(readFileSync(join(import.meta.dirname, '../../../examples', name), 'utf8'));

test('a service name: its VIP from the embedded DNS, as cnm resolve answers; tasks.<service> every task', () => {
  const t = load('07-swarm-overlay.cnm.yaml');
  const r = resolveFrom(t.engine.state, engineTracerFor(t.spec), 'node2', 'probe', 'api');
  assert.deepEqual(r.addresses, ['10.0.1.9']);
  assert.deepEqual(r.dns, (t.engine as Engine).resolve('node2', 'probe', 'api'), 'the same answer as cnm resolve');
  assert.match(r.how, /Docker's embedded DNS: service api \(endpoint_mode vip\) answers its virtual IP on backend/);
  assert.deepEqual(resolveFrom(t.engine.state, engineTracerFor(t.spec), 'node2', 'probe', 'tasks.api').addresses, ['10.0.1.10', '10.0.1.11']);
});

test('the default bridge has no embedded DNS: a container name does not resolve, and the reason says why', () => {
  const t = load('01-default-bridge.cnm.yaml');
  const host = t.spec.hosts[0]!.name;
  const [a, b] = t.spec.containers.filter((c) => c.host === host).map((c) => c.name);
  const r = resolveFrom(t.engine.state, engineTracerFor(t.spec), host, a!, b!);
  assert.deepEqual(r.addresses, []);
  assert.match(r.how, /no embedded DNS/);
  assert.equal(resolveFrom(t.engine.state, engineTracerFor(t.spec), host, a!, 'localhost').addresses[0], '127.0.0.1');
});

test('an alias on a user-defined network: the embedded DNS record; the container\'s own name: /etc/hosts', () => {
  const t = loadTopology([
    'hosts:', '  h1: {}', 'networks:', '  app: { driver: bridge, subnet: 10.5.0.0/24 }', 'containers:',
    '  db: { image: busybox, networks: { app: { aliases: [database] } } }', '  web: { image: busybox, networks: [app] }',
  ].join('\n'));
  assert.deepEqual(t.diagnostics.filter((d) => d.severity === 'error'), []);
  const r = resolveFrom(t.engine.state, engineTracerFor(t.spec), 'h1', 'web', 'database');
  assert.deepEqual(r.addresses, ['10.5.0.2']);
  assert.deepEqual(r.dns, ['10.5.0.2']);
  assert.match(r.how, /embedded DNS at 127\.0\.0\.11, record on network app/);
  const own = resolveFrom(t.engine.state, engineTracerFor(t.spec), 'h1', 'web', 'web');
  assert.deepEqual(own.addresses, ['10.5.0.3']);
});

test('bad input: not a name, a host as the source, and the guard on the webview message', () => {
  const t = load('07-swarm-overlay.cnm.yaml');
  assert.match(resolveFrom(t.engine.state, engineTracerFor(t.spec), 'node2', 'probe', 'a b;rm').error ?? '', /is not a name/);
  assert.match(resolveFrom(t.engine.state, engineTracerFor(t.spec), 'node2', 'node2', 'api').error ?? '', /node2 is a host/);
  const ok = { protocol: PROTOCOL_VERSION, type: 'resolve', requestId: 1, revision: 0, source: 'c/node2/probe', names: ['api'] };
  assert.ok(isWebviewMessage(ok));
  for (const bad of [{ ...ok, names: [] }, { ...ok, names: ['x'.repeat(LIMITS.nameLength + 1)] }, { ...ok, names: Array(LIMITS.names + 1).fill('a') }, { ...ok, names: [3] }, { ...ok, source: '' }, { ...ok, requestId: -1 }]) {
    assert.equal(isWebviewMessage(bad), false, JSON.stringify(bad).slice(0, 80));
  }
});
