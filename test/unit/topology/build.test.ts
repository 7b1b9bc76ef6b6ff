// Building a topology on the engine: Docker's order decides addresses; every engine error and every
// silent surprise lands on the line that caused it; one failure does not stop the rest.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTopology, loadTopology, parseTopology } from '../../../src/topology';
import { diagnosticsAt, positionOf, show } from './helpers';

const V20 = 'hosts:\n  host1:\n    daemon: { version: "20.10" }\n';

function endpoints(text: string) {
  const { engine, diagnostics } = loadTopology(text);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), [], show(diagnostics));
  const out: Record<string, string> = {};
  for (const c of engine.inspect().containers) for (const ep of c.endpoints) out[`${c.name}.${ep.network}`] = `${ep.interface} ${ep.ipv4_address}`;
  return out;
}

describe('build order decides addresses, as in Docker', () => {
  it('networks get the default pools in file order; containers the next free address in file order', () => {
    const a = endpoints(`${V20}networks:\n  first: {}\n  second: {}\ncontainers:\n  c1: { networks: [second, first] }\n  c2: { networks: [first] }\n`);
    assert.deepEqual(a, {
      'c1.second': 'eth0 172.19.0.2',
      'c1.first': 'eth1 172.18.0.2', // connected after start: second interface
      'c2.first': 'eth0 172.18.0.3',
    });
    // The same file with the containers swapped: c2 is started first and gets .2.
    const b = endpoints(`${V20}networks:\n  first: {}\n  second: {}\ncontainers:\n  c2: { networks: [first] }\n  c1: { networks: [second, first] }\n`);
    assert.equal(b['c2.first'], 'eth0 172.18.0.2');
    assert.equal(b['c1.first'], 'eth1 172.18.0.3');
    // And with the networks swapped, so are their subnets.
    const c = endpoints(`${V20}networks:\n  second: {}\n  first: {}\ncontainers:\n  c2: { networks: [first] }\n`);
    assert.equal(c['c2.first'], 'eth0 172.19.0.2');
  });

  it('a container without networks is on the default bridge; a static address is kept', () => {
    const a = endpoints(`${V20}networks:\n  n: { subnet: 10.10.0.0/16 }\ncontainers:\n  plain: {}\n  fixed:\n    networks:\n      n: { ipv4_address: 10.10.0.50 }\n`);
    assert.deepEqual(a, { 'plain.bridge': 'eth0 172.17.0.2', 'fixed.n': 'eth0 10.10.0.50' });
  });
});

describe('engine errors on the range that caused them', () => {
  const text = [
    V20.trimEnd(),
    'networks:',
    '  n1: { subnet: 10.5.0.0/16 }',
    '  n2: { subnet: 10.5.1.0/24 }',
    '  bridge: {}',
    'containers:',
    '  a1:',
    '    networks:',
    '      n1: { ipv4_address: 10.6.0.5 }',
    '  a2:',
    '    networks: [n2]',
    '  a3:',
    '    networks: [n1]',
    '    ports: ["8080:80"]',
    '  a4:',
    '    ports: ["9090:90", "8080:81"]',
    '  a5:',
    '    network_mode: container:a6',
    '  a6:',
    '    networks:',
    '      bridge: { aliases: [x] }',
    '  a7:',
    '    network_mode: container:a3',
    '    ports: ["1:1"]',
    '',
  ].join('\n');
  const loaded = loadTopology(text);
  const at = (needle: string, nth = 0) => diagnosticsAt(loaded.diagnostics, positionOf(text, needle, nth));

  it('a network whose subnet overlaps: on the subnet, in Docker\'s words', () => {
    assert.deepEqual(at('10.5.1.0/24').map((d) => [d.severity, d.message]), [['error', 'Pool overlaps with other one on this address space']]);
  });

  it('redefining a built-in network: on its name', () => {
    assert.equal(at('bridge: {}')[0]!.message, 'operation is not permitted on predefined bridge network ');
  });

  it('a static address outside the subnet: on the address', () => {
    assert.equal(at('10.6.0.5')[0]!.message, "Invalid address 10.6.0.5: It does not belong to any of this network's subnets");
  });

  it('the containers of a network that failed get an error that names it; the others are built', () => {
    const d = at('n2]')[0]!;
    assert.equal(d.code, 'dependency');
    assert.match(d.message, /Network "n2" was not created \(Pool overlaps with other one on this address space\), so container "a2" was not created/);
    const names = loaded.engine.inspect().containers.map((c) => c.name);
    assert.ok(names.includes('a3') && names.includes('a4') && !names.includes('a2'), names.join());
  });

  it('a port already allocated: on the ports entry that asked for it', () => {
    const d = at('"8080:81"')[0]!;
    assert.match(d.message, /Bind for 0.0.0.0:8080 failed: port is already allocated$/);
  });

  it('container mode: a later container, and ports, are Docker errors on the right line', () => {
    assert.equal(at('container:a6')[0]!.message, 'No such container: a6');
    assert.equal(at('"1:1"')[0]!.message, 'conflicting options: port publishing and the container type network mode');
  });

  it('aliases on the default bridge: on the alias list, and the built-in bridge is still usable', () => {
    // `docker run --network bridge --network-alias x`: the docker CLI refuses it first, in its own words
    // (seen on the real CLI: test/docker scenario 22).
    assert.equal(at('[x]')[0]!.message, 'network-scoped aliases are only supported for user-defined networks');
    assert.ok(!loaded.diagnostics.some((d) => /"bridge" was not created/.test(d.message)), show(loaded.diagnostics));
  });

  it('without a parsed file the diagnostics still carry the YAML path', () => {
    const parsed = parseTopology(text);
    const { diagnostics } = buildTopology(parsed.spec);
    const overlap = diagnostics.find((d) => d.message.startsWith('Pool overlaps'))!;
    assert.deepEqual(overlap.path, ['networks', 'n2', 'subnet']);
    assert.deepEqual(overlap.range.start, { line: 0, character: 0 });
  });

  it('one error per mistake: the engine does not repeat what the parser said', () => {
    const t = 'containers:\n  c1:\n    ports: ["99999:80"]\n';
    const found = diagnosticsAt(loadTopology(t).diagnostics, positionOf(t, '"99999:80"'));
    assert.equal(found.length, 1, show(found));
    assert.equal(found[0]!.message, 'Invalid hostPort: 99999');
  });

  it('a host whose daemon cannot start: the error on its daemon options, and what runs on it is not built', () => {
    const t = 'hosts:\n  h1:\n    daemon: { version: "20.10", bip: 172.17.0.0/16 }\n  h2: {}\ncontainers:\n  c1: { host: h1 }\n  c2: { host: h2 }\n';
    const { diagnostics, engine } = loadTopology(t);
    assert.match(diagnosticsAt(diagnostics, positionOf(t, 'daemon'))[0]!.message, /failed to allocate gateway \(172.17.0.0\)/);
    assert.match(diagnosticsAt(diagnostics, positionOf(t, 'c1'))[0]!.message, /Container "c1" was not created: host "h1" did not start/);
    assert.deepEqual(engine.inspect().containers.map((c) => c.name), ['c2']);
  });
});

describe('Docker\'s silent surprises become warnings', () => {
  it('ports under network_mode host are discarded', () => {
    const t = 'containers:\n  web:\n    network_mode: host\n    ports: ["8080:80"]\n';
    const d = diagnosticsAt(loadTopology(t).diagnostics, positionOf(t, 'ports'));
    assert.deepEqual(d.map((x) => [x.severity, x.message]), [['warning', 'Published ports are discarded when using host network mode']]);
  });

  it('ports on an internal network are ignored', () => {
    const t = 'networks:\n  inner: { internal: true }\ncontainers:\n  c1:\n    networks: [inner]\n    ports: ["7000:70"]\n';
    const d = diagnosticsAt(loadTopology(t).diagnostics, positionOf(t, 'ports'));
    assert.match(d[0]!.message, /Published ports are ignored: network "inner" is internal/);
  });

  it('ports go to the network whose name sorts first, not the first listed', () => {
    const t = 'networks:\n  zeta: {}\n  alpha: {}\ncontainers:\n  c1:\n    networks: [zeta, alpha]\n    ports: ["7001:70"]\n';
    const d = diagnosticsAt(loadTopology(t).diagnostics, positionOf(t, 'ports'));
    assert.equal(d[0]!.severity, 'information');
    assert.match(d[0]!.message, /published on network "alpha", not "zeta"/);
  });

  it('a name looked up from the default bridge will not resolve', () => {
    const t = 'containers:\n  b1: {}\n  b2: {}\nexpect:\n  - { from: b1, to: "b2:80", verdict: delivered }\n  - { from: b1, to: b2, verdict: unresolved }\n';
    const { diagnostics } = loadTopology(t);
    const d = diagnosticsAt(diagnostics, positionOf(t, '"b2:80"'));
    assert.match(d[0]!.message, /"b2" will not resolve from "b1": "b1" is only on the default bridge network, which has no embedded DNS/);
    assert.equal(diagnostics.filter((x) => x.code === 'unresolvable-name').length, 1, 'an entry expecting "unresolved" is not warned about');
  });

  it('Docker 20.10 quirks: host bits of a subnet dropped, an IPv6 subnet ignored without enable_ipv6', () => {
    const t = `${V20}networks:\n  sloppy: { subnet: 10.77.1.0/16 }\n  v6: { subnet: "2001:db8::/64" }\n`;
    const { diagnostics } = loadTopology(t);
    assert.match(diagnosticsAt(diagnostics, positionOf(t, '10.77.1.0/16'))[0]!.message, /Docker 20.10 uses 10.77.0.0\/16/);
    assert.match(diagnosticsAt(diagnostics, positionOf(t, '"2001:db8::/64"'))[0]!.message, /ignores the IPv6 subnet 2001:db8::\/64 unless enable_ipv6 is true/);
  });
});
