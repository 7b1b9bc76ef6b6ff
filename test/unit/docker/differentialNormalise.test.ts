// The differential suite's normalisation of what it reads in a container (test/docker/harness/observe.ts):
// only what the engine cannot know is replaced, everything else stays as dockerd wrote it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { portSets } from '../../docker/harness/compare';
import { normaliseResolvConf, normaliseRoute } from '../../docker/harness/observe';
import { DAEMON_NAMESERVERS } from '../../../src/engine/sandboxView';

test('routes lose metric, proto, pref, expiry and linkdown, nothing else', () => {
  assert.equal(normaliseRoute('fd00:231::/64 dev eth0  metric 256 '), 'fd00:231::/64 dev eth0');
  assert.equal(normaliseRoute('10.231.0.0/24 dev eth0 scope link  src 10.231.0.2 '), '10.231.0.0/24 dev eth0 scope link src 10.231.0.2');
  assert.equal(normaliseRoute('default via fd00::1 dev eth1 proto static metric 1024 pref medium'), 'default via fd00::1 dev eth1');
  assert.equal(normaliseRoute('10.1.0.0/24 dev eth2 scope link src 10.1.0.5 linkdown'), '10.1.0.0/24 dev eth2 scope link src 10.1.0.5');
});

test("resolv.conf: the daemon's --dns servers become one placeholder; the host's search/options lines go", () => {
  const host = ['nameserver 10.255.255.53', 'search corp.example', 'options edns0'];
  assert.deepEqual(normaliseResolvConf(['nameserver 127.0.0.1', 'search corp.example', 'options edns0'], ['127.0.0.1'], host), [DAEMON_NAMESERVERS]);
  // The embedded server is Docker's own: kept as written.
  assert.deepEqual(normaliseResolvConf(['search corp.example', 'nameserver 127.0.0.11', 'options ndots:0'], ['127.0.0.1'], host), ['nameserver 127.0.0.11', 'options ndots:0']);
  // No --dns: the host's non-loopback servers are the machine's.
  assert.deepEqual(normaliseResolvConf(['nameserver 10.255.255.53'], [], ['nameserver 127.0.0.53', 'nameserver 10.255.255.53']), [DAEMON_NAMESERVERS]);
  // Anything else is compared as it is.
  assert.deepEqual(normaliseResolvConf(['nameserver 8.8.8.8', 'options ndots:2'], ['127.0.0.1'], host), ['nameserver 8.8.8.8', 'options ndots:2']);
});

test('published ports the engine gives as one of a set match dockerd in either order, never both on one port', () => {
  const c = (ports: { ip: string; hp: number; cp: number; oneOf?: number[] }[]) => ({
    name: 'web', host: 'host1', id: '', network_mode: 'pub', running: true, endpoints: [], default_gateway_network: null, warnings: [],
    ports: ports.map((p) => ({ container_port: p.cp, protocol: 'tcp' as const, host_ip: p.ip, host_port: p.hp, ...(p.oneOf ? { host_port_one_of: p.oneOf } : {}) })),
  });
  const engineSide = c([{ ip: '0.0.0.0', hp: 32769, cp: 80, oneOf: [32768, 32769] }, { ip: '::', hp: 32768, cp: 80 }, { ip: '127.0.0.1', hp: 32768, cp: 92, oneOf: [32768, 32769] }]);
  for (const [a, b] of [[32769, 32768], [32768, 32769]]) {
    const r = portSets(c([{ ip: '0.0.0.0', hp: a!, cp: 80 }, { ip: '::', hp: 32768, cp: 80 }, { ip: '127.0.0.1', hp: b!, cp: 92 }]), engineSide);
    assert.deepEqual(r.dockerd, r.engine);
    assert.deepEqual(r.picked.dockerd, r.picked.engine);
  }
  // Both on 32768: the sets' forms agree, the ports picked do not.
  const both = portSets(c([{ ip: '0.0.0.0', hp: 32768, cp: 80 }, { ip: '::', hp: 32768, cp: 80 }, { ip: '127.0.0.1', hp: 32768, cp: 92 }]), engineSide);
  assert.notDeepEqual(both.picked.dockerd, both.picked.engine);
  // A port outside the set is compared as it is.
  const outside = portSets(c([{ ip: '0.0.0.0', hp: 32770, cp: 80 }, { ip: '::', hp: 32768, cp: 80 }, { ip: '127.0.0.1', hp: 32768, cp: 92 }]), engineSide);
  assert.notDeepEqual(outside.dockerd, outside.engine);
});
