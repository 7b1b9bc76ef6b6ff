// Overlay networks in the tracer: a container on host A to one on host B through the overlay namespace's
// bridge, the VXLAN device (VNI), UDP 4789 between the hosts' underlay addresses, decapsulation on B;
// MTU 1450 (1424 encrypted); outside traffic through docker_gwbridge with MASQUERADE.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertVerdict, hop, lab } from './helpers';

const TWO = (opts = '') => `
hosts:
  node1:
    interfaces: { eth0: 192.168.50.10/24 }
    daemon: { version: "20.10" }
    swarm: manager
  node2:
    interfaces: { eth0: 192.168.50.11/24 }
    daemon: { version: "20.10" }
    swarm: worker
networks:
  backend:
    driver: overlay
    host: node1
    attachable: true
    ${opts}
containers:
  api: { host: node1, networks: [backend] }
  db: { host: node2, networks: [backend], expose: ["5432"] }
  cache: { host: node1, networks: [backend], expose: ["6379"] }
`;

describe('overlay across hosts', () => {
  it('container on node1 → container on node2: eth → br0 → vxlan0 (VNI) → UDP 4789 node1 → node2 → decap → delivery', () => {
    const l = lab(TWO());
    const r = l.t('api', 'db:5432');
    assertVerdict(r, 'delivered', /db accepts 10\.0\.1\.4:5432\/tcp/);
    const actions = r.hops.map((h) => h.action);
    const order = ['resolve', 'route', 'send', 'switch', 'encapsulate', 'filter OUTPUT', 'underlay', 'filter INPUT', 'decapsulate', 'switch', 'receive', 'deliver', 'reply'];
    assert.deepEqual(actions, order, 'the hop sequence of an overlay crossing');
    assert.match(hop(r, 'send')!.detail, /out eth0 \(MTU 1450\), through its veth pair to veth\w+ in backend's overlay namespace \/var\/run\/docker\/netns\/1-\w{10}, a port of bridge br0: the host's iptables never see it/);
    assert.match(hop(r, 'switch')!.detail, /10\.0\.1\.4 is db .* on node2: the bridge's forwarding table .* sends its MAC to the VXLAN device vxlan0/);
    const encap = hop(r, 'encapsulate')!;
    assert.equal(encap.node, 'node1');
    assert.match(encap.detail, /in VXLAN with VNI 4097: outer UDP 192\.168\.50\.10 → 192\.168\.50\.11:4789; .*inner MTU is 1500 − 50/);
    const decap = hop(r, 'decapsulate')!;
    assert.equal(decap.node, 'node2');
    assert.match(decap.detail, /UDP 4789 to 192\.168\.50\.11 is the VXLAN socket: VNI 4097 is overlay backend/);
    assert.equal(hop(r, 'receive')!.node, 'db');
  });

  it('the reply crosses back the same way', () => {
    const r = lab(TWO()).t('db', 'api');
    assertVerdict(r, 'delivered');
    assert.match(hop(r, 'encapsulate')!.detail, /outer UDP 192\.168\.50\.11 → 192\.168\.50\.10:4789/);
  });

  it('same host: switched in the overlay namespace, no VXLAN', () => {
    const r = lab(TWO()).t('api', 'cache:6379');
    assertVerdict(r, 'delivered');
    assert.ok(hop(r, 'switch', /on this host \(no VXLAN\)/));
    assert.equal(hop(r, 'encapsulate'), undefined);
  });

  it('encrypted: MTU 1424 and IPsec ESP around the VXLAN packets', () => {
    const r = lab(TWO('driver_opts: { encrypted: "" }')).t('api', 'db');
    assertVerdict(r, 'delivered');
    assert.match(hop(r, 'send')!.detail, /MTU 1424, encrypted: 1500 − 50 − 26 rounded down to a multiple of 4/);
    assert.match(hop(r, 'encapsulate')!.detail, /inside IPsec ESP \(encrypted overlay\)/);
  });

  it('an address nobody holds on the overlay: dropped with the addresses in use', () => {
    const r = lab(TWO()).t('api', '10.0.1.99');
    assertVerdict(r, 'dropped', /nobody on overlay backend has 10\.0\.1\.99/);
  });

  it('outside traffic leaves through docker_gwbridge, masqueraded to the host address', () => {
    const r = lab(TWO()).t('api', '192.168.50.11');
    assertVerdict(r, 'delivered', /node2 answered/);
    assert.ok(hop(r, 'send', /a port of bridge docker_gwbridge/));
    assert.ok(hop(r, 'nat POSTROUTING', /-A POSTROUTING -s 172\.18\.0\.0\/16 ! -o docker_gwbridge -j MASQUERADE/));
    assert.ok(hop(r, 'MASQUERADE', /source 172\.18\.0\.\d+ → 192\.168\.50\.10/));
  });

  it('hosts whose underlay addresses share no LAN: the VXLAN packets cannot get there', () => {
    const r = lab(TWO().replace('192.168.50.11/24', '192.168.77.11/24')).t('api', 'db');
    assertVerdict(r, 'dropped', /underlay address 192\.168\.77\.11 is not on a LAN node1 is on/);
  });
});
