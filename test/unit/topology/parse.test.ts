// The topology parser: what a user writes becomes the right spec, and every mistake gets a diagnostic
// on the exact place it was made.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { parseTopology, parseTopologyDocument } from '../../../src/topology/parse';
import { diagnosticsAt, positionOf, rangeOfText, show } from './helpers';

const SEED = `name: seed-lab
hosts:
  host1:
    interfaces: { eth0: 192.168.50.10/24 }
    daemon: { version: 20.10, bip: 172.17.0.1/16, icc: true, userland-proxy: false, default-address-pools: [{ base: 10.99.0.0/16, size: 24 }] }
    swarm: manager
networks:
  mybridge10:
    driver: bridge
    subnet: 10.10.0.0/16
    gateway: 10.10.0.1
    ip_range: 10.10.5.0/24
    aux_addresses: { router: 10.10.0.254 }
    driver_opts: { com.docker.network.bridge.enable_icc: false }
  composed:
    ipam:
      driver: default
      config:
        - subnet: 10.20.0.0/16
          gateway: 10.20.0.1
        - subnet: 2001:db8:1::/64
    enable_ipv6: true
containers:
  10_b1:
    image: busybox
    networks:
      mybridge10: { ipv4_address: 10.10.0.5, aliases: [web] }
      composed:
    ports: ["8080:80", "127.0.0.1:9090:90/udp", 8000]
    expose: ["80/tcp"]
  b1:
    networks: [composed, mybridge10]
  c1:
    network_mode: container:b1
services:
  hostname:
    image: xlbubble/hostname:1.0
    replicas: 3
    networks: [composed]
    ports: ["8080:8000"]
    endpoint_mode: dnsrr
expect:
  - { from: b1, to: "10_b1:80", verdict: delivered }
`;

describe('parseTopology: a valid file', () => {
  const parsed = parseTopology(SEED);
  const { spec } = parsed;

  it('has no diagnostics', () => {
    assert.deepEqual(parsed.diagnostics, [], show(parsed.diagnostics));
  });

  it('reads hosts with daemon options (the version as written, not as a float)', () => {
    assert.equal(spec.hosts.length, 1);
    const h = spec.hosts[0]!;
    assert.equal(h.name, 'host1');
    assert.deepEqual(h.interfaces, { eth0: '192.168.50.10/24' });
    assert.deepEqual(h.daemon, {
      version: '20.10',
      bip: '172.17.0.1/16',
      icc: true,
      userlandProxy: false,
      defaultAddressPools: [{ base: '10.99.0.0/16', size: 24 }],
    });
    assert.equal(h.swarm, 'manager');
  });

  it('reads the short IPAM form as ipam.config[0] and the Compose form as the list', () => {
    const [short, composed] = spec.networks;
    assert.deepEqual(short!.ipamConfig, [{ subnet: '10.10.0.0/16', gateway: '10.10.0.1', ipRange: '10.10.5.0/24', auxAddresses: { router: '10.10.0.254' } }]);
    assert.equal(short!.ipamForm, 'short');
    assert.deepEqual(short!.driverOpts, { 'com.docker.network.bridge.enable_icc': 'false' });
    assert.deepEqual(composed!.ipamConfig, [{ subnet: '10.20.0.0/16', gateway: '10.20.0.1' }, { subnet: '2001:db8:1::/64' }]);
    assert.equal(composed!.ipamForm, 'compose');
    assert.equal(composed!.ipamDriver, 'default');
    assert.equal(composed!.enableIpv6, true);
    assert.equal(composed!.host, 'host1', 'a network without host: lives on the first host');
  });

  it('reads both forms of a container\'s networks, in file order', () => {
    const [b10, b1, c1] = spec.containers;
    assert.deepEqual(
      b10!.networks.map((n) => [n.network, n.ipv4Address, n.aliases]),
      [
        ['mybridge10', '10.10.0.5', ['web']],
        ['composed', undefined, undefined],
      ],
    );
    assert.deepEqual(b1!.networks.map((n) => n.network), ['composed', 'mybridge10']);
    assert.deepEqual(b1!.networks[1]!.path, ['containers', 'b1', 'networks', 1]);
    assert.equal(c1!.networkMode, 'container:b1');
    assert.deepEqual(c1!.networks, []);
  });

  it('keeps ports as written, one entry per list item (numbers too)', () => {
    assert.deepEqual(spec.containers[0]!.ports, ['8080:80', '127.0.0.1:9090:90/udp', '8000']);
    assert.deepEqual(spec.containers[0]!.expose, ['80/tcp']);
  });

  it('reads services and expect entries', () => {
    assert.deepEqual(
      spec.services.map((s) => [s.name, s.image, s.replicas, s.networks, s.ports, s.endpointMode]),
      [['hostname', 'xlbubble/hostname:1.0', 3, ['composed'], ['8080:8000'], 'dnsrr']],
    );
    assert.deepEqual(spec.expect.map((e) => [e.from, e.to, e.verdict]), [['b1', '10_b1:80', 'delivered']]);
  });

  it('locates keys and values of any path', () => {
    assert.deepEqual(parsed.rangeOf(['networks', 'mybridge10'], 'key'), rangeOfText(SEED, 'mybridge10'));
    assert.deepEqual(parsed.rangeOf(['networks', 'mybridge10', 'subnet']), rangeOfText(SEED, '10.10.0.0/16'));
    assert.deepEqual(parsed.rangeOf(['containers', 'b1', 'networks', 1]), rangeOfText(SEED, 'mybridge10', 2));
    assert.deepEqual(parsed.rangeOf(['networks', 'composed', 'ipam', 'config', 1, 'subnet']), rangeOfText(SEED, '2001:db8:1::/64'));
    assert.deepEqual(parsed.rangeOf(['containers', '10_b1', 'ports', 2]), rangeOfText(SEED, '8000'));
  });

  it('falls back to the closest existing key for a path that does not exist, and to the key of an empty value', () => {
    assert.deepEqual(parsed.rangeOf(['networks', 'mybridge10', 'nothing', 'here']), rangeOfText(SEED, 'mybridge10'));
    // `composed:` with nothing after it, under 10_b1's networks.
    assert.deepEqual(parsed.rangeOf(['containers', '10_b1', 'networks', 'composed']), rangeOfText(SEED, 'composed', 1));
  });
});

describe('parseTopology: defaults', () => {
  it('an empty file is one host, host1, and nothing else', () => {
    for (const text of ['', '# just a comment\n', 'name: x\n']) {
      const { spec, diagnostics } = parseTopology(text);
      assert.deepEqual(diagnostics, []);
      assert.deepEqual(spec.hosts.map((h) => h.name), ['host1']);
      assert.equal(spec.networks.length + spec.containers.length, 0);
    }
  });

  it('networks and containers go to the first host unless they name one', () => {
    const { spec, diagnostics } = parseTopology('hosts:\n  a: {}\n  b: {}\nnetworks:\n  n1: {}\n  n2: { host: b }\ncontainers:\n  c1: {}\n  c2: { host: b }\n');
    assert.deepEqual(diagnostics, [], show(diagnostics));
    assert.deepEqual(spec.networks.map((n) => n.host), ['a', 'b']);
    assert.deepEqual(spec.containers.map((c) => c.host), ['a', 'b']);
    assert.deepEqual(spec.containers[0]!.networks, [], 'no networks: the default bridge, decided at build time');
  });

  it('accepts Compose\'s long port syntax and x- extension keys, and merge keys', () => {
    const text = 'x-common: &common\n  image: busybox\ncontainers:\n  web:\n    <<: *common\n    ports: [{ target: 80, published: 8080, host_ip: 127.0.0.1, protocol: udp }, { target: 81 }]\n';
    const { spec, diagnostics } = parseTopology(text);
    assert.deepEqual(diagnostics, [], show(diagnostics));
    assert.equal(spec.containers[0]!.image, 'busybox');
    assert.deepEqual(spec.containers[0]!.ports, ['127.0.0.1:8080:80/udp', '81']);
  });
});

describe('parseTopology: every mistake is positioned', () => {
  /** Parses, and returns the diagnostics starting at `needle` (nth occurrence). */
  function at(text: string, needle: string, nth = 0) {
    const parsed = parseTopology(text);
    return { found: diagnosticsAt(parsed.diagnostics, positionOf(text, needle, nth)), all: parsed.diagnostics };
  }

  it('YAML syntax errors, never a throw', () => {
    const text = 'networks:\n  n1: { subnet: 10.0.0.0/24\ncontainers:\n  c1: "unterminated\n';
    const { diagnostics } = parseTopology(text);
    assert.ok(diagnostics.some((d) => d.code === 'yaml-syntax' && d.severity === 'error'), show(diagnostics));
    assert.ok(!diagnostics.some((d) => / at line \d+/.test(d.message)), 'the message does not repeat the position');
  });

  it('unknown keys, with a suggestion', () => {
    const { found } = at('netwroks:\n  n1: {}\n', 'netwroks');
    assert.equal(found.length, 1);
    assert.equal(found[0]!.code, 'unknown-key');
    assert.match(found[0]!.message, /Unknown key "netwroks".*Did you mean "networks"\?/);
    assert.deepEqual(found[0]!.range, rangeOfText('netwroks:\n', 'netwroks'));

    const deep = at('containers:\n  c1:\n    networks: [a]\n    prots: ["80"]\n', 'prots');
    assert.match(deep.found[0]!.message, /in container "c1".*Did you mean "ports"/);
  });

  it('unknown keys without a close match list what is allowed', () => {
    const { found } = at('hosts:\n  h1:\n    zzzzzzzz: 1\n', 'zzzzzzzz');
    assert.match(found[0]!.message, /Allowed: interfaces, gateway, listen, daemon, swarm/);
  });

  it('wrong types', () => {
    const text = 'networks:\n  n1:\n    internal: "yes"\n    subnet: [10.0.0.0/8]\ncontainers:\n  c1:\n    ports: "80:80"\n';
    assert.match(at(text, '"yes"').found[0]!.message, /Internal must be true or false, not the string "yes"/);
    assert.match(at(text, '[10.0.0.0/8]').found[0]!.message, /Subnet must be a string, not a list/);
    assert.match(at(text, '"80:80"').found[0]!.message, /Ports must be a list/);
    assert.match(at('containers: [a, b]\n', '[a, b]').found[0]!.message, /Containers must be a map/);
  });

  it('bad IPv4 and IPv6 addresses and CIDRs, in Docker\'s words where it has them', () => {
    const text = [
      'networks:',
      '  n1:',
      '    subnet: 10.10.0.0/33',
      '    gateway: 10.10.0.256',
      '    ip_range: 10.10.1.0',
      '    aux_addresses: { r: 10.1 }',
      'containers:',
      '  c1:',
      '    networks:',
      '      n1: { ipv4_address: 010.10.0.5, ipv6_address: "2001:db8::g", mac_address: 02:42:zz:00:00:01 }',
      '',
    ].join('\n');
    assert.match(at(text, '10.10.0.0/33').found[0]!.message, /Subnet "10.10.0.0\/33" is not a CIDR address/);
    assert.equal(at(text, '10.10.0.256').found[0]!.message, 'invalid gateway address 10.10.0.256 in Ipam configuration');
    assert.match(at(text, '10.10.1.0').found[0]!.message, /Ip_range "10.10.1.0" is not a CIDR/);
    assert.equal(at(text, '10.1 ').found[0]!.message, 'non parsable secondary ip address (r:10.1) passed for network n1');
    assert.equal(at(text, '010.10.0.5').found[0]!.message, 'invalid IPv4 address: 010.10.0.5');
    assert.equal(at(text, '"2001:db8::g"').found[0]!.message, 'invalid IPv6 address: 2001:db8::g');
    assert.equal(at(text, '02:42:zz').found[0]!.message, 'address 02:42:zz:00:00:01: invalid MAC address');
  });

  it('bad port specs, with the docker run message, on the list item', () => {
    const text = 'containers:\n  c1:\n    ports: ["8080:80", "99999:80", "1.2.3:80:80", "80/xtp", "8000-8001:80-82"]\n    expose: ["80-70"]\n';
    assert.equal(at(text, '"99999:80"').found[0]!.message, 'Invalid hostPort: 99999');
    assert.equal(at(text, '"1.2.3:80:80"').found[0]!.message, 'Invalid ip address: 1.2.3');
    assert.equal(at(text, '"80/xtp"').found[0]!.message, 'Invalid proto: xtp');
    assert.equal(at(text, '"8000-8001:80-82"').found[0]!.message, 'Invalid ranges specified for container and host Ports: 80-82 and 8000-8001');
    assert.match(at(text, '"80-70"').found[0]!.message, /^Invalid range format for --expose: 80-70/);
    assert.deepEqual(at(text, '"8080:80"').found, []);
  });

  it('network_mode together with networks', () => {
    const text = 'networks:\n  n1: {}\ncontainers:\n  c1:\n    network_mode: host\n    networks: [n1]\n';
    const { found } = at(text, 'networks', 1);
    assert.equal(found[0]!.code, 'network-mode-conflict');
    assert.match(found[0]!.message, /both network_mode and networks/);
  });

  it('references to undefined networks, containers and hosts', () => {
    const text = [
      'hosts:',
      '  h1: {}',
      'networks:',
      '  mybridge10: { host: h2 }',
      'containers:',
      '  a1:',
      '    networks: [mybrige10]',
      '  a2:',
      '    network_mode: container:a3',
      '  a3:',
      '    host: hh1',
      '    networks:',
      '      nope: {}',
      'services:',
      '  s1: { networks: [gone] }',
      'expect:',
      '  - { from: a9, to: a1, verdict: delivered }',
      '',
    ].join('\n');
    const h2 = at(text, 'h2 }').found[0]!;
    assert.equal(h2.code, 'undefined-host');
    assert.match(h2.message, /Host "h2" is not defined under hosts. Did you mean "h1"\?/);
    assert.match(at(text, 'mybrige10').found[0]!.message, /Network "mybrige10" is not defined in this file. Did you mean "mybridge10"\?/);
    assert.match(at(text, 'container:a3').found[0]!.message, /Container "a3" runs on host "hh1"/);
    assert.match(at(text, 'hh1').found[0]!.message, /Host "hh1" is not defined.*Did you mean "h1"/);
    assert.match(at(text, 'gone').found[0]!.message, /Network "gone" is not defined/);
    assert.match(at(text, 'a9').found[0]!.message, /"a9" is neither a container nor a host/);
  });

  it('a container network on another host', () => {
    const text = 'hosts:\n  h1: {}\n  h2: {}\nnetworks:\n  n2: { host: h2 }\ncontainers:\n  c1:\n    networks: [n2]\n';
    assert.match(at(text, 'n2]').found[0]!.message, /Network "n2" lives on host "h2", but this container runs on host "h1"/);
  });

  it('duplicate keys: the second is flagged with the line of the first, the first one counts', () => {
    const text = 'containers:\n  c1: { image: one }\n  c1: { image: two }\n';
    const parsed = parseTopology(text);
    const found = diagnosticsAt(parsed.diagnostics, positionOf(text, 'c1', 1));
    assert.equal(found.length, 1, show(parsed.diagnostics));
    assert.equal(found[0]!.code, 'duplicate-key');
    assert.match(found[0]!.message, /Duplicate key "c1" in containers \(first defined on line 2\)/);
    assert.deepEqual(parsed.spec.containers.map((c) => c.image), ['one']);
  });

  it('a network listed twice in a container', () => {
    const text = 'networks:\n  n1: {}\ncontainers:\n  c1:\n    networks: [n1, n1]\n';
    assert.equal(at(text, 'n1]').found[0]!.message, 'network "n1" is specified multiple times');
  });

  it('both IPAM forms at once', () => {
    const text = 'networks:\n  n1:\n    subnet: 10.1.0.0/16\n    ipam: { config: [{ subnet: 10.2.0.0/16 }] }\n';
    assert.match(at(text, 'subnet').found[0]!.message, /sets both subnet and ipam.config/);
  });

  it('bad enum values, with a suggestion', () => {
    const text = 'hosts:\n  h1: { swarm: manger }\nexpect:\n  - { from: h1, to: x, verdict: deliverd }\n';
    assert.match(at(text, 'manger').found[0]!.message, /Swarm must be one of manager, worker, not "manger". Did you mean "manager"\?/);
    assert.match(at(text, 'deliverd').found[0]!.message, /Did you mean "delivered"\?/);
  });

  it('an incomplete expect entry says what is missing', () => {
    const text = 'containers:\n  c1: {}\nexpect:\n  - { from: c1 }\n';
    assert.match(at(text, '{ from').found[0]!.message, /missing: to, verdict/);
  });

  it('daemon options', () => {
    const text = 'hosts:\n  h1:\n    daemon: { version: "twenty", bip: 172.17.0.1, mtu: 20, default-address-pools: [{ base: 10.0.0.0/8 }] }\n';
    assert.match(at(text, '"twenty"').found[0]!.message, /must be a Docker release such as "20.10"/);
    assert.match(at(text, '172.17.0.1,').found[0]!.message, /Bip "172.17.0.1" is not a CIDR/);
    assert.match(at(text, '20,').found[0]!.message, /Mtu must be between 68 and 65535/);
    assert.match(at(text, '{ base').found[0]!.message, /needs both base .* and size/);
  });
});

describe('parseTopologyDocument: a document parsed elsewhere (the language server)', () => {
  it('gives the same spec, and reports a duplicate key once, with where the first one is', () => {
    const text = 'networks:\n  n1: {}\n  n1: {}\ncontainers:\n  c1: { networks: [n1] }\n';
    const parsed = parseTopologyDocument(text, parseDocument(text)); // yaml's defaults: uniqueKeys on
    const dups = parsed.diagnostics.filter((d) => /Duplicate|unique/i.test(d.message));
    assert.equal(dups.length, 1, show(parsed.diagnostics));
    assert.match(dups[0]!.message, /first defined on line 2/);
    assert.deepEqual(parsed.spec.containers[0]!.networks.map((n) => n.network), ['n1']);
  });
});

describe('positions in files the fast reader leaves to yaml', () => {
  it('CRLF line ends', () => {
    const text = 'networks:\r\n  n1:\r\n    subnet: 10.0.0.0/33\r\n';
    const { diagnostics } = parseTopology(text);
    assert.deepEqual(diagnostics.map((d) => [d.range.start, d.range.end]), [[{ line: 2, character: 12 }, { line: 2, character: 23 }]]);
  });

  it('a syntax error inside a multi-line token stays inside the document', () => {
    const text = 'name: a\n  b: c\nnetworks: {}\n';
    const { diagnostics } = parseTopology(text);
    assert.ok(diagnostics.length > 0);
    const lines = text.split('\n');
    for (const d of diagnostics) assert.ok(d.range.end.character <= lines[d.range.end.line]!.length, show(diagnostics));
  });
});
