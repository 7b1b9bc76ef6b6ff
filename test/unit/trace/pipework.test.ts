// Traces over pipework's interfaces: the veth v<if>pl<pid> into the host bridge, switched or up into the
// host, and dockerd's FORWARD policy DROP, which covers a bridge it does not manage (br_netfilter).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tracer } from '../../../src/engine/trace';
import { loadTopology } from '../../../src/topology';

const l = loadTopology(`hosts:
  node1:
    interfaces: { eth0: 192.168.50.10/24, br1: 192.168.1.254/24 }
    daemon: { version: "20.10" }
containers:
  web:
    image: busybox
    pipework: [{ bridge: br1, ip: 192.168.1.10/24 }]
  db:
    image: busybox
    network_mode: none
    pipework: [{ bridge: br1, ip: 192.168.1.12/24, gateway: 192.168.1.254, iface: eth7 }]
`);
const tracer = new Tracer(l.engine.state);

test('container to container over br1: switched, then dropped by FORWARD policy DROP, with the DOCKER-USER fix', () => {
  const r = tracer.trace({ host: 'node1', from: 'web', to: '192.168.1.12', proto: 'icmp' });
  assert.equal(r.verdict, 'dropped');
  assert.match(r.hops.map((h) => `${h.node} ${h.interface} ${h.action}`).join('\n'), /web eth1 send\nbr1 veth1pl<pid:web> switch/);
  assert.match(r.reason, /policy is DROP: dockerd set that policy, and with br_netfilter it covers br1, a bridge it does not manage/);
  assert.match(r.fix ?? '', /iptables -I DOCKER-USER -i br1 -o br1 -j ACCEPT/);
});

test("the host reaches an attachment through its address on br1, and db's default route goes to the host", () => {
  const r = tracer.trace({ host: 'node1', from: 'node1', to: '192.168.1.12', proto: 'icmp' });
  assert.equal(r.verdict, 'delivered');
  assert.ok(r.hops.some((h) => h.action === 'receive' && /veth7pl<pid:db> → eth7/.test(h.detail)), JSON.stringify(r.hops));
  const out = tracer.trace({ host: 'node1', from: 'db', to: '192.168.50.10', proto: 'icmp' });
  assert.equal(out.verdict, 'delivered');
  assert.match(out.hops[0]!.detail, /default via 192\.168\.1\.254 dev eth7/);
});
