// Right-click actions on a Compose source: each edit writes only the lines it must (comments, block and
// flow styles stay), and the project read back (as `docker compose up` would play it) has what was asked.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { addComposeNetwork, attachServiceToNetwork, publishServicePort } from '../../../src/topology/compose/edit';
import { YamlEditError } from '../../../src/topology/edit';
import { endpoints, load, messages } from './helpers';

const example = readFileSync(join(import.meta.dirname, '../../../examples/11-compose-web-api-db/compose.yaml'), 'utf8');

const comments = (t: string) => t.split('\n').filter((l) => l.includes('#'));

/** Lines of `after` that are not in `before`. */
function added(before: string, after: string): string[] {
  const a = new Set(before.split('\n'));
  return after.split('\n').filter((l) => !a.has(l));
}

function play(text: string) {
  const l = load({ '/p/shop/compose.yaml': text });
  assert.deepEqual(messages(l, 'error'), []);
  return l;
}

describe('Compose edits', () => {
  it('creates a network under networks:, block style, with its IPAM config, every comment kept', () => {
    const after = addComposeNetwork(example, { key: 'admin', subnet: '10.40.0.0/24', gateway: '10.40.0.1', internal: true });
    assert.deepEqual(comments(after), comments(example));
    // Right after the last network, before volumes:; nothing else changed.
    const block = '        - subnet: 10.30.0.0/24\n  admin:\n    internal: true\n    ipam:\n      config:\n        - subnet: 10.40.0.0/24\n          gateway: 10.40.0.1\n\nvolumes:';
    assert.ok(after.includes(block), after);
    assert.equal(after.replace(block, block.replace(/\n {2}admin:[\s\S]*gateway: 10\.40\.0\.1/, '')), example);
    // No service uses it yet: Compose does not create it. Attached, it is shop_admin with that subnet.
    const used = attachServiceToNetwork(after, 'db', 'admin');
    const net = play(used).engine.inspect().networks.find((n) => n.name === 'shop_admin');
    assert.equal(net?.subnet, '10.40.0.0/24');
    assert.equal(net?.internal, true);
  });

  it('writes every key Compose\'s networks: takes: ipam driver, aux_addresses, ip_range, driver_opts, labels, attachable; comments kept', () => {
    const after = addComposeNetwork(example, {
      key: 'lab', driver: 'bridge', subnet: '10.41.0.0/24', gateway: '10.41.0.1', ipRange: '10.41.0.128/25', auxAddresses: { router: '10.41.0.254', printer: '10.41.0.253' },
      ipamDriver: 'default', attachable: true, driverOpts: { 'com.docker.network.driver.mtu': '1400' }, labels: { team: 'payments' },
    });
    assert.deepEqual(comments(after), comments(example));
    assert.ok(after.includes([
      '  lab:', '    driver: bridge', '    driver_opts: { com.docker.network.driver.mtu: "1400" }', '    attachable: true', '    labels: { team: "payments" }',
      '    ipam:', '      driver: default', '      config:', '        - subnet: 10.41.0.0/24', '          ip_range: 10.41.0.128/25', '          gateway: 10.41.0.1',
      '          aux_addresses: { router: 10.41.0.254, printer: 10.41.0.253 }',
    ].join('\n')), after);
    // Read back as Compose reads it: every key where it belongs.
    const net = play(attachServiceToNetwork(after, 'db', 'lab')).project.networks.get('lab');
    assert.equal(net?.ipamDriver, 'default');
    assert.deepEqual(net?.ipamConfig.map(({ subnet, gateway, ipRange, auxAddresses }) => ({ subnet, gateway, ipRange, auxAddresses })), [{ subnet: '10.41.0.0/24', gateway: '10.41.0.1', ipRange: '10.41.0.128/25', auxAddresses: { router: '10.41.0.254', printer: '10.41.0.253' } }]);
    assert.deepEqual(net?.labels, { team: 'payments' });
    // An IPAM driver alone still gets its ipam: block; in a flow map, the same keys in flow style.
    assert.ok(addComposeNetwork(example, { key: 'p', ipamDriver: 'flannel' }).includes('  p:\n    ipam:\n      driver: flannel\n'));
    assert.equal(addComposeNetwork('networks: { n1: {} }\n', { key: 'n2', subnet: '10.42.0.0/24', auxAddresses: { r: '10.42.0.9' }, ipamDriver: 'default' }),
      'networks: { n1: {}, n2: { ipam: { driver: default, config: [{ subnet: 10.42.0.0/24, aux_addresses: { r: 10.42.0.9 } }] } } }\n');
  });

  it('creates a network in a flow map, and a networks: section when there is none', () => {
    const flowText = 'services:\n  a: { image: x, networks: [n1] }\nnetworks: { n1: {} }   # flow\n';
    assert.equal(addComposeNetwork(flowText, { key: 'n2', driver: 'bridge' }), 'services:\n  a: { image: x, networks: [n1] }\nnetworks: { n1: {}, n2: { driver: bridge } }   # flow\n');
    const none = '# my app\nservices:\n  a:\n    image: x   # the app\n\nvolumes:\n  data: {}\n';
    assert.equal(addComposeNetwork(none, { key: 'back' }), '# my app\nservices:\n  a:\n    image: x   # the app\n\nnetworks:\n  back: {}\n\nvolumes:\n  data: {}\n');
    assert.throws(() => addComposeNetwork(example, { key: 'front' }), (e: Error) => e instanceof YamlEditError && /already has a network "front"/.test(e.message));
    assert.throws(() => addComposeNetwork(example, { key: '-bad' }), YamlEditError);
  });

  it('attaches a service to a network: appended to a flow list, or to a block list', () => {
    const after = attachServiceToNetwork(example, 'web', 'back');
    assert.deepEqual(added(example, after), ['    networks: [front, back]']);
    assert.deepEqual(comments(after), comments(example));
    assert.match(endpoints(play(after))['shop-web-1 shop_back']!, /^eth\d 10\.30\.0\.\d+ \[shop-web-1,web\]$/);
    const block = 'services:\n  a:\n    image: x\n    networks:\n      - n1   # first\nnetworks:\n  n1: {}\n  n2: {}\n';
    assert.equal(attachServiceToNetwork(block, 'a', 'n2'), 'services:\n  a:\n    image: x\n    networks:\n      - n1   # first\n      - n2\nnetworks:\n  n1: {}\n  n2: {}\n');
  });

  it('switches a short list to a map when the entry needs options, keeping comments (block and flow)', () => {
    const block = 'services:\n  a:\n    image: x\n    networks:\n      - n1   # first\n      - n2\nnetworks:\n  n1: {}\n  n2: {}\n  n3:\n    ipam: { config: [{ subnet: 10.7.0.0/24 }] }\n';
    const after = attachServiceToNetwork(block, 'a', 'n3', { ipv4Address: '10.7.0.9', aliases: ['api'] });
    assert.equal(after, 'services:\n  a:\n    image: x\n    networks:\n      n1:   # first\n      n2:\n      n3: { ipv4_address: 10.7.0.9, aliases: [api] }\nnetworks:\n  n1: {}\n  n2: {}\n  n3:\n    ipam: { config: [{ subnet: 10.7.0.0/24 }] }\n');
    const l = load({ '/p/shop/compose.yaml': after });
    assert.match(endpoints(l)['shop-a-1 shop_n3']!, /10\.7\.0\.9 \[shop-a-1,a,api\]/);
    const flowText = block.replace('    networks:\n      - n1   # first\n      - n2\n', '    networks: [n1, n2]   # both\n');
    assert.equal(attachServiceToNetwork(flowText, 'a', 'n3', { ipv4Address: '10.7.0.9' }).split('\n')[3], '    networks: { n1: {}, n2: {}, n3: { ipv4_address: 10.7.0.9 } }   # both');
  });

  it('adds to a map of networks as a map entry; a service without networks keeps default', () => {
    assert.throws(() => attachServiceToNetwork(example, 'api', 'front'), /already on the network front/);
    const withAdmin = addComposeNetwork(example, { key: 'admin' });
    const mapAdd = attachServiceToNetwork(withAdmin, 'api', 'admin', { aliases: ['internal-api'] });
    assert.deepEqual(added(withAdmin, mapAdd), ['      admin: { aliases: [internal-api] }']);
    assert.match(endpoints(play(mapAdd))['shop-api-1 shop_admin']!, /\[shop-api-1,api,internal-api\]$/);
    const bare = 'services:\n  a:\n    image: x\nnetworks:\n  n1: {}\n';
    const attached = attachServiceToNetwork(bare, 'a', 'n1');
    assert.equal(attached, 'services:\n  a:\n    image: x\n    networks: [default, n1]\nnetworks:\n  n1: {}\n');
    const eps = endpoints(play(attached));
    assert.ok(eps['shop-a-1 shop_default'] && eps['shop-a-1 shop_n1'], JSON.stringify(eps));
  });

  it('refuses what Compose refuses, in its words', () => {
    assert.throws(() => attachServiceToNetwork(example, 'web', 'nowhere'), /service "web" refers to undefined network nowhere: invalid compose project/);
    const mode = 'services:\n  a:\n    image: x\n    network_mode: host\nnetworks:\n  n1: {}\n';
    assert.throws(() => attachServiceToNetwork(mode, 'a', 'n1'), /service a declares mutually exclusive `network_mode` and `networks`/);
    assert.throws(() => attachServiceToNetwork(example, 'nope', 'front'), /no service "nope"/);
    assert.throws(() => publishServicePort(example, 'web', 'eighty'), /invalid port/);
    assert.throws(() => addComposeNetwork('services: [\n', { key: 'x' }), /YAML syntax error/);
  });

  it('publishes a port: appended to a block list, quoted; a new ports: in the service\'s style', () => {
    const after = publishServicePort(example, 'web', '9090:90');
    assert.deepEqual(added(example, after), ['      - "9090:90"']);
    assert.deepEqual(comments(after), comments(example));
    const ports = play(after).engine.inspect().containers.find((c) => c.name === 'shop-web-1')!.ports;
    assert.ok(ports.some((p) => p.host_port === 9090 && p.container_port === 90 && p.host_ip === '0.0.0.0'));
    const api = publishServicePort(example, 'api', '127.0.0.1:3000:3000');
    assert.deepEqual(added(example, api), ['    ports: ["127.0.0.1:3000:3000"]']);
    const flowSvc = 'services:\n  a: { image: x, ports: ["80"] }   # one line\n';
    assert.equal(publishServicePort(flowSvc, 'a', '8080:80/udp'), 'services:\n  a: { image: x, ports: ["80", "8080:80/udp"] }   # one line\n');
    assert.equal(publishServicePort('services:\n  a: { image: x }\n', 'a', '53:53/udp'), 'services:\n  a: { image: x, ports: ["53:53/udp"] }\n');
    assert.throws(() => publishServicePort(example, 'web', '8080:80'), /already publishes 8080:80/);
  });
});
