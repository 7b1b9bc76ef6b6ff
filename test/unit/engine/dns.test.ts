import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engine, H } from './helpers';

function lab(version = '20.10') {
  const e = engine(version);
  e.createNetwork(H, { name: 'front', ipam: { config: [{ subnet: '10.1.0.0/24' }] } });
  e.createNetwork(H, { name: 'back', ipam: { config: [{ subnet: '10.2.0.0/24' }] } });
  e.runContainer(H, { name: 'web', networkMode: 'front', hostname: 'webhost', endpoint: { aliases: ['www'] } });
  e.runContainer(H, { name: 'db', networkMode: 'back' });
  e.runContainer(H, { name: 'app', networkMode: 'front' });
  e.connect(H, 'back', 'app');
  return e;
}

test('container names resolve on a shared user network', () => {
  const e = lab();
  assert.deepEqual(e.resolve(H, 'app', 'web'), ['10.1.0.2']);
  assert.deepEqual(e.resolve(H, 'app', 'db'), ['10.2.0.2']);
});

test('names on networks the asker is not on do not resolve', () => {
  const e = lab();
  assert.deepEqual(e.resolve(H, 'web', 'db'), []);
  assert.deepEqual(e.resolve(H, 'db', 'web'), []);
});

test('aliases, the short id and the hostname resolve', () => {
  const e = lab();
  const host = e.state.hosts.get(H)!;
  const web = [...host.containers.values()].find((c) => c.name === 'web')!;
  assert.deepEqual(e.resolve(H, 'app', 'www'), ['10.1.0.2']);
  assert.deepEqual(e.resolve(H, 'app', web.id.slice(0, 12)), ['10.1.0.2']);
  assert.deepEqual(e.resolve(H, 'app', 'webhost'), ['10.1.0.2']);
});

test('lookups are case-insensitive and accept a trailing dot', () => {
  const e = lab();
  assert.deepEqual(e.resolve(H, 'app', 'WEB'), ['10.1.0.2']);
  assert.deepEqual(e.resolve(H, 'app', 'web.'), ['10.1.0.2']);
});

test('name.network restricts the lookup to that network', () => {
  const e = lab();
  assert.deepEqual(e.resolve(H, 'app', 'web.front'), ['10.1.0.2']);
  assert.deepEqual(e.resolve(H, 'app', 'web.back'), []);
  assert.deepEqual(e.resolve(H, 'app', 'app.back'), ['10.2.0.3']);
});

test('a name shared by several containers returns all their addresses, sorted', () => {
  const e = lab();
  e.runContainer(H, { name: 'web2', networkMode: 'front', endpoint: { aliases: ['www'] } });
  assert.deepEqual(e.resolve(H, 'app', 'www'), ['10.1.0.2', '10.1.0.4']);
});

test('a container on several networks finds a name on the network first in endpoint order', () => {
  const e = lab();
  e.runContainer(H, { name: 'twin', networkMode: 'front' });
  e.runContainer(H, { name: 'twin2', networkMode: 'back', endpoint: { aliases: ['twin'] } });
  // app's endpoints: back sorts before front, so `twin` is looked up on back first.
  assert.deepEqual(e.resolve(H, 'app', 'twin'), ['10.2.0.4']);
  assert.deepEqual(e.resolve(H, 'app', 'twin.front'), ['10.1.0.4']);
});

test('the default bridge has no embedded DNS: names do not resolve', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'b1' });
  e.runContainer(H, { name: 'b2' });
  assert.deepEqual(e.resolve(H, 'b1', 'b2'), []);
  assert.equal(e.state.hosts.get(H)!.sandboxes.size, 2);
});

test('a default-bridge container joined to a user network gets the embedded DNS', () => {
  const e = lab();
  e.runContainer(H, { name: 'b1' });
  assert.deepEqual(e.resolve(H, 'b1', 'web'), []);
  e.connect(H, 'front', 'b1');
  assert.deepEqual(e.resolve(H, 'b1', 'web'), ['10.1.0.2']);
  // Default-bridge containers are anonymous there: nobody finds b1 via the bridge.
  e.runContainer(H, { name: 'b2' });
  e.connect(H, 'front', 'b2');
  assert.deepEqual(e.resolve(H, 'b2', 'b1'), ['10.1.0.4']);
});

test('none and host mode resolve no container names', () => {
  const e = lab();
  e.runContainer(H, { name: 'nn', networkMode: 'none' });
  e.runContainer(H, { name: 'hh', networkMode: 'host' });
  assert.deepEqual(e.resolve(H, 'nn', 'web'), []);
  assert.deepEqual(e.resolve(H, 'hh', 'web'), []);
});

test('getaddrinfo (lookupHost) reads /etc/hosts first: localhost and the own hostname', () => {
  const e = lab();
  assert.deepEqual(e.lookupHost(H, 'web', 'localhost'), ['127.0.0.1']);
  assert.deepEqual(e.lookupHost(H, 'web', 'webhost'), ['10.1.0.2']);
  e.runContainer(H, { name: 'b1', hostname: 'bee' });
  assert.deepEqual(e.lookupHost(H, 'b1', 'bee'), ['172.17.0.2']);
  assert.deepEqual(e.lookupHost(H, 'b1', 'localhost'), ['127.0.0.1']);
});

test('resolve is DNS only (nslookup): no /etc/hosts, nothing on the default bridge', () => {
  const e = lab();
  // On a user network the hostname is a DNS alias of the endpoint.
  assert.deepEqual(e.resolve(H, 'web', 'webhost'), ['10.1.0.2']);
  assert.deepEqual(e.resolve(H, 'web', 'localhost'), []);
  e.runContainer(H, { name: 'b1', hostname: 'bee' });
  assert.deepEqual(e.resolve(H, 'b1', 'bee'), []);
  assert.deepEqual(e.resolve(H, 'b1', 'localhost'), []);
});

test('a stopped container is not found; a stopped asker resolves nothing', () => {
  const e = lab();
  e.stopContainer(H, 'web');
  assert.deepEqual(e.resolve(H, 'app', 'web'), []);
  assert.deepEqual(e.resolve(H, 'web', 'app'), []);
});

test('a disconnected container leaves the network\'s DNS', () => {
  const e = lab();
  e.disconnect(H, 'back', 'app');
  assert.deepEqual(e.resolve(H, 'db', 'app'), []);
  assert.deepEqual(e.resolve(H, 'web', 'app'), ['10.1.0.3']);
});

test('container mode resolves through the joined sandbox', () => {
  const e = lab();
  e.runContainer(H, { name: 'side', networkMode: 'container:app' });
  assert.deepEqual(e.resolve(H, 'side', 'db'), ['10.2.0.2']);
});

test('IPv6-enabled networks answer AAAA too; IPv4-only names give no AAAA', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'v6', enableIpv6: true, ipam: { config: [{ subnet: '10.6.0.0/24' }, { subnet: 'fd00:6::/64' }] } });
  e.runContainer(H, { name: 'aa', networkMode: 'v6' });
  e.runContainer(H, { name: 'bb', networkMode: 'v6' });
  assert.deepEqual(e.resolve(H, 'aa', 'bb'), ['10.6.0.3', 'fd00:6::3']);
});

test('unknown names and unknown askers', () => {
  const e = lab();
  assert.deepEqual(e.resolve(H, 'app', 'example.invalid'), []);
  assert.throws(() => e.resolve(H, 'ghost', 'web'), /No such container: ghost/);
});
