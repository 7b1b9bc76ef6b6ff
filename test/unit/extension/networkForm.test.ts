// The Create Network form's logic: the fields offered per driver come from the drivers' descriptors,
// answers land in the network as the file will say it, and the engine has the last word (Docker's refusals).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SHIPPED_DESCRIPTORS } from '../../../src/engine';
import { checkFieldValue, checkNetworkOnEngine, fieldValue, keepOnly, networkFields, networkSummary, parsePairs, setFieldValue, type NetworkField } from '../../../src/extension/networkForm';
import { parsePortsAnswer } from '../../../src/extension/topologyChanges';
import { loadTopology } from '../../../src/topology';
import { addNetwork, type NewNetwork } from '../../../src/topology/edit';

const descriptor = (name: string) => SHIPPED_DESCRIPTORS.find((d) => d.name === name);
const ids = (fields: NetworkField[]) => fields.map((f) => f.id);
const plain = (n: NewNetwork) => JSON.parse(JSON.stringify(n)) as NewNetwork;
const field = (fields: NetworkField[], id: string) => fields.find((f) => f.id === id)!;

const SWARM = `hosts:
  node1:
    interfaces: { eth0: 192.168.50.10/24 }
    daemon: { version: "20.10" }
    swarm: manager
  node2:
    interfaces: { eth0: 192.168.50.11/24 }
    daemon: { version: "20.10" }
    swarm: worker
`;

const LAN = `hosts:
  node1:
    interfaces: { eth0: 192.168.50.10/24 }
    daemon: { version: "20.10" }
`;

describe('networkFields', () => {
  it('offers each driver the options its descriptor lists, and only those', () => {
    for (const d of SHIPPED_DESCRIPTORS) {
      const fields = networkFields(d.name, d);
      for (const o of d.options) assert.ok(ids(fields).includes(`opt:${o.name}`), `${d.name}: ${o.name}`);
      assert.equal(fields.filter((f) => f.id.startsWith('opt:')).length, d.options.length, d.name);
    }
  });

  it('macvlan: parent and the four modes; IPAM keys; no swarm keys', () => {
    const fields = networkFields('macvlan', descriptor('macvlan'));
    assert.deepEqual(field(fields, 'opt:macvlan_mode').values, ['bridge', 'vepa', 'private', 'passthru']);
    assert.equal(field(fields, 'opt:parent').kind, 'text');
    assert.equal(field(fields, 'opt:com.docker.network.driver.mtu').kind, 'integer');
    for (const id of ['ip_range', 'aux_addresses', 'internal', 'enable_ipv6']) assert.ok(ids(fields).includes(id), id);
    for (const id of ['attachable', 'ingress', 'driver_opts', 'ipam_driver']) assert.ok(!ids(fields).includes(id), id);
  });

  it('overlay: attachable, ingress, encrypted (a flag) and the VXLAN id (an integer)', () => {
    const fields = networkFields('overlay', descriptor('overlay'));
    for (const id of ['attachable', 'ingress', 'ip_range']) assert.ok(ids(fields).includes(id), id);
    assert.equal(field(fields, 'opt:encrypted').kind, 'boolean');
    assert.equal(field(fields, 'opt:com.docker.network.driver.overlay.vxlanid_list').kind, 'integer');
  });

  it('host and null take no addresses; a plug-in without a descriptor takes its options as key=value', () => {
    for (const d of ['host', 'null']) assert.ok(!ids(networkFields(d, descriptor(d))).includes('ip_range'), d);
    assert.deepEqual(ids(networkFields('acme', undefined)).slice(-1), ['driver_opts']);
  });

  it('the IPAM driver is offered when a plug-in brought one; Compose gets the keys Compose\'s networks: has', () => {
    assert.deepEqual(field(networkFields('bridge', descriptor('bridge'), { ipamDrivers: ['flannel'] }), 'ipam_driver').values, ['default', 'flannel']);
    const compose = ids(networkFields('overlay', descriptor('overlay'), { compose: true, ipamDrivers: ['flannel'] }));
    assert.ok(!compose.includes('ingress'), 'Compose cannot declare an ingress network');
    for (const id of ['ip_range', 'aux_addresses', 'ipam_driver', 'internal', 'attachable', 'enable_ipv6', 'labels', 'opt:encrypted']) assert.ok(compose.includes(id), id);
    // A Compose file always offers ipam.driver (the key exists there), even with only the default driver.
    assert.deepEqual(field(networkFields('bridge', descriptor('bridge'), { compose: true }), 'ipam_driver').values, ['default']);
    assert.ok(!ids(networkFields('bridge', descriptor('bridge'))).includes('labels'), 'a topology file\'s networks take no labels');
    const net: NewNetwork = { name: 'n' };
    setFieldValue(net, field(networkFields('bridge', descriptor('bridge'), { compose: true }), 'labels'), 'team=payments, tier=back');
    assert.deepEqual(net.labels, { team: 'payments', tier: 'back' });
    assert.match(networkSummary(net), /--label team=payments --label tier=back n$/);
  });
});

describe('field values', () => {
  const fields = networkFields('overlay', descriptor('overlay'), { ipamDrivers: ['flannel'] });

  it('sets and clears each kind; a flag set false is left out, as Docker\'s default', () => {
    const net: NewNetwork = { name: 'n', driver: 'overlay' };
    setFieldValue(net, field(fields, 'ingress'), 'true');
    setFieldValue(net, field(fields, 'opt:com.docker.network.driver.mtu'), '1200');
    setFieldValue(net, field(fields, 'aux_addresses'), 'router=10.11.0.254, printer=10.11.0.253');
    setFieldValue(net, field(fields, 'ipam_driver'), 'flannel');
    setFieldValue(net, field(fields, 'opt:encrypted'), 'true');
    assert.deepEqual(net, { name: 'n', driver: 'overlay', ingress: true, driverOpts: { 'com.docker.network.driver.mtu': '1200', encrypted: 'true' }, auxAddresses: { router: '10.11.0.254', printer: '10.11.0.253' }, ipamDriver: 'flannel' });
    assert.equal(fieldValue(net, field(fields, 'aux_addresses')), 'router=10.11.0.254, printer=10.11.0.253');
    setFieldValue(net, field(fields, 'opt:encrypted'), 'false');
    setFieldValue(net, field(fields, 'ingress'), '');
    setFieldValue(net, field(fields, 'ipam_driver'), 'default');
    setFieldValue(net, field(fields, 'aux_addresses'), '');
    assert.deepEqual(plain(net), { name: 'n', driver: 'overlay', driverOpts: { 'com.docker.network.driver.mtu': '1200' } });
    assert.equal(networkSummary(net), '--driver overlay -o com.docker.network.driver.mtu=1200 n');
  });

  it('checks what is typed, in the CLI\'s words', () => {
    assert.equal(checkFieldValue(field(fields, 'ip_range'), '10.11.5.0/33'), 'invalid CIDR address: 10.11.5.0/33');
    assert.equal(checkFieldValue(field(fields, 'ip_range'), ''), undefined);
    assert.match(checkFieldValue(field(fields, 'opt:com.docker.network.driver.mtu'), 'big') ?? '', /an integer/);
    assert.equal(checkFieldValue(field(fields, 'aux_addresses'), 'router=10.11.0.x'), 'non parsable secondary ip address (router:10.11.0.x)');
    assert.equal(checkFieldValue(field(fields, 'aux_addresses'), 'router'), '"router" is not key=value');
    assert.deepEqual(parsePairs('a=1,b=2'), { a: '1', b: '2' });
  });

  it('forgets what another driver took when the driver changes', () => {
    const net: NewNetwork = { name: 'n', driver: 'bridge', ingress: true, internal: true, driverOpts: { 'com.docker.network.bridge.enable_icc': 'false', 'com.docker.network.driver.mtu': '1400' } };
    keepOnly(net, networkFields('macvlan', descriptor('macvlan')));
    assert.deepEqual(plain(net), { name: 'n', driver: 'bridge', internal: true, driverOpts: { 'com.docker.network.driver.mtu': '1400' } });
  });
});

describe('the engine\'s word on the form', () => {
  it('the seed\'s overlay: myingress11, --ingress, MTU 1200, on a manager', () => {
    const loaded = loadTopology(SWARM);
    const net: NewNetwork = { name: 'myingress11', driver: 'overlay', subnet: '10.11.0.0/16', gateway: '10.11.0.1', ingress: true, driverOpts: { 'com.docker.network.driver.mtu': '1200' } };
    assert.equal(checkNetworkOnEngine(SWARM, loaded, net), undefined);
    const after = loadTopology(addNetwork(SWARM, net));
    // On the manager that made it; a worker sees it only with its first endpoint on an overlay (as lab swarms do).
    const view = after.engine.inspect().networks.find((n) => n.name === 'myingress11' && n.host === 'node1');
    assert.ok(view, 'on the manager');
    assert.equal(after.engine.inspect().networks.some((n) => n.name === 'myingress11' && n.host === 'node2'), false, 'not yet on the idle worker');
    assert.equal(view.ingress, true);
    assert.equal(view.options['com.docker.network.driver.mtu'], '1200');
  });

  it('an overlay on a worker: Docker\'s refusal', () => {
    const net: NewNetwork = { name: 'ov', driver: 'overlay', host: 'node2' };
    assert.match(checkNetworkOnEngine(SWARM, loadTopology(SWARM), net) ?? '', /This node is not a swarm manager/);
  });

  it('the seed\'s macvlan (lan-bridge): parent eth0, bridge mode, an ip_range; a second one on eth0 is refused', () => {
    const loaded = loadTopology(LAN);
    const net: NewNetwork = { name: 'lan-bridge', driver: 'macvlan', subnet: '192.168.50.0/24', gateway: '192.168.50.1', ipRange: '192.168.50.192/27', driverOpts: { parent: 'eth0', macvlan_mode: 'bridge' } };
    assert.equal(checkNetworkOnEngine(LAN, loaded, net), undefined);
    const text = addNetwork(LAN, net);
    assert.match(text, /lan-bridge:\n {4}driver: macvlan\n {4}subnet: 192\.168\.50\.0\/24\n {4}gateway: 192\.168\.50\.1\n {4}ip_range: 192\.168\.50\.192\/27\n {4}driver_opts: \{ parent: "eth0", macvlan_mode: "bridge" \}\n/);
    assert.match(checkNetworkOnEngine(text, loadTopology(text), { name: 'second', driver: 'macvlan', driverOpts: { parent: 'eth0' } }) ?? '', /already using parent interface eth0/);
    assert.match(checkNetworkOnEngine(LAN, loaded, { ...net, driverOpts: { parent: 'eth0', macvlan_mode: 'hairpin' } }) ?? '', /requested macvlan mode 'hairpin' is not valid/);
  });

  it('an aux address outside the subnet: Docker\'s refusal', () => {
    const net: NewNetwork = { name: 'back', subnet: '10.40.0.0/24', auxAddresses: { router: '10.99.0.254' } };
    assert.match(checkNetworkOnEngine(LAN, loadTopology(LAN), net) ?? '', /^no matching subnet for aux-address 10\.99\.0\.254 \(line 10 of the changed file\)$/);
    assert.equal(checkNetworkOnEngine(LAN, loadTopology(LAN), { ...net, auxAddresses: { router: '10.40.0.254' } }), undefined);
  });

  it('an IPAM driver is written in the Compose form beside the short keys, and read back', () => {
    const text = addNetwork(LAN, { name: 'n', subnet: '10.40.0.0/24', ipamDriver: 'nope' });
    assert.match(text, /n:\n {4}driver: bridge\n {4}subnet: 10\.40\.0\.0\/24\n {4}ipam: \{ driver: nope \}\n/);
    assert.equal(loadTopology(text).spec.networks[0]?.ipamDriver, 'nope');
    assert.match(checkNetworkOnEngine(LAN, loadTopology(LAN), { name: 'n', ipamDriver: 'nope' }) ?? '', /plugin "nope" not found/);
  });
});

describe('Run Container\'s ports answer', () => {
  it('takes -p specs, --expose and -P, comma separated; names what it cannot read', () => {
    assert.deepEqual(parsePortsAnswer('8080:80, 127.0.0.1:5353:53/udp, --expose 9000, -P'), { ports: ['8080:80', '127.0.0.1:5353:53/udp'], expose: ['9000'], publishAll: true });
    assert.deepEqual(parsePortsAnswer(''), { ports: [], expose: [], publishAll: false });
    assert.equal(parsePortsAnswer('80, eighty').bad, 'eighty');
  });
});
