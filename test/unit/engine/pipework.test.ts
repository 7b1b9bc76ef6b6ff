// pipework attachments (github.com/jpetazzo/pipework, the `pipework` script) as the engine models them:
// what each step of the script makes (bridge, veth names, the container's interface, address, routes)
// and the script's own refusals. test/docker/pipework.test.ts compares the same with a real dockerd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostRoutes, type SandboxState } from '../../../src/engine';
import { engineRules, formatIptablesSave } from '../../../src/engine/netfilter';
import { loadTopology } from '../../../src/topology';

const HEAD = 'hosts:\n  node1:\n    interfaces: { eth0: 192.168.50.10/24, br1: 192.168.1.254/24 }\n    daemon: { version: "20.10" }\ncontainers:\n';

function load(containers: string) {
  return loadTopology(HEAD + containers);
}

function sandbox(l: ReturnType<typeof load>, name: string): SandboxState {
  const host = l.engine.state.hosts.get('node1')!;
  const c = [...host.containers.values()].find((x) => x.name === name)!;
  return host.sandboxes.get(c.sandboxId!)!;
}

const errors = (l: ReturnType<typeof load>) => l.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);

test('bridge mode: veth v<if>pl<pid> on the host bridge, eth1 with the address in the container, Docker not told', () => {
  const l = load('  web:\n    image: busybox\n    pipework:\n      - { bridge: br1, ip: 192.168.1.10/24 }\n');
  assert.deepEqual(errors(l), []);
  const host = l.engine.state.hosts.get('node1')!;
  const sb = sandbox(l, 'web');
  // pipework: LOCAL_IFNAME="v${CONTAINER_IFNAME}pl${NSPID}", CONTAINER_IFNAME=${CONTAINER_IFNAME:-eth1}
  assert.deepEqual(sb.interfaces.map((i) => [i.name, i.ipv4?.address ?? null, i.hostPeer]), [
    ['lo', '127.0.0.1', null], ['eth0', '172.17.0.2', sb.interfaces[1]!.hostPeer], ['eth1', '192.168.1.10', 'veth1pl<pid:web>'],
  ]);
  assert.deepEqual([...host.bridges.get('br1')!.ports], ['veth1pl<pid:web>']);
  assert.equal(host.bridges.get('br1')!.ipv4?.address, '192.168.1.254', "the host's declared address on br1");
  assert.equal(host.veths.get('veth1pl<pid:web>')?.containerIfname, 'eth1');
  // `ip addr add` adds the on-link route; Docker's default route stays (no @gateway).
  assert.deepEqual(sb.routes.filter((r) => r.family === 4).map((r) => `${r.destination} ${r.gateway ?? ''} ${r.dev}`), [
    'default 172.17.0.1 eth0', '172.17.0.0/16  eth0', '192.168.1.0/24  eth1',
  ]);
  // Docker does not know it: NetworkSettings and DNS are unchanged, and dockerd writes no rule for br1.
  const ctr = [...host.containers.values()].find((c) => c.name === 'web')!;
  assert.deepEqual(ctr.networks.map((n) => n.key), ['bridge']);
  assert.doesNotMatch(formatIptablesSave(engineRules(l.engine.state, 'node1')[0]!), /br1/);
  assert.ok(hostRoutes(host).some((r) => r.destination === '192.168.1.0/24' && r.dev === 'br1'));
});

test('@gateway replaces the default route; an off-link gateway gets a /32 route first', () => {
  const l = load([
    '  db:\n    image: busybox\n    network_mode: none\n    pipework:\n      - { bridge: br1, ip: 192.168.1.12/24, gateway: 192.168.1.254, iface: eth7 }',
    '  far:\n    image: busybox\n    pipework:\n      - { bridge: br1, ip: 192.168.1.13/32, gateway: 192.168.1.254 }\n',
  ].join('\n'));
  assert.deepEqual(errors(l), []);
  assert.deepEqual(sandbox(l, 'db').routes.map((r) => `${r.destination} ${r.gateway ?? '-'} ${r.dev}`), ['default 192.168.1.254 eth7', '192.168.1.0/24 - eth7']);
  // `ip route get $GATEWAY || ip route add $GATEWAY/32 dev eth1`; Docker's default via docker0 is gone.
  assert.deepEqual(sandbox(l, 'far').routes.filter((r) => r.family === 4).map((r) => `${r.destination} ${r.gateway ?? '-'} ${r.dev}`), [
    'default 192.168.1.254 eth1', '172.17.0.0/16 - eth0', '192.168.1.13/32 - eth1', '192.168.1.254/32 - eth1',
  ]);
});

test('a missing bridge is created like pipework creates it (no address); macvlan with @vlan gets eth0.<vlan>; dhcp leaves the address unknown', () => {
  const l = load('  aa:\n    image: busybox\n    network_mode: none\n    pipework:\n      - { bridge: br9, ip: 10.9.0.2/24 }\n      - { macvlan: eth0, vlan: 10, ip: dhcp, iface: eth2 }\n');
  assert.deepEqual(errors(l), []);
  const host = l.engine.state.hosts.get('node1')!;
  assert.equal(host.bridges.get('br9')?.ipv4, null);
  assert.equal(host.links.get('eth0.10')?.kind, 'vlan');
  const eth2 = sandbox(l, 'aa').interfaces.find((i) => i.name === 'eth2')!;
  assert.equal(eth2.ipv4, null);
  const net = [...host.networks.values()].find((n) => n.name === 'eth0.10')!;
  assert.equal(net.driver, 'pipework');
  assert.equal(net.parentLink?.mode, 'bridge');
});

test("pipework's own refusals, on the attachment's key", () => {
  const cases: [string, RegExp][] = [
    ['{ bridge: br1, ip: 192.168.1.10 }', /The IP address should include a netmask\. Maybe you meant 192\.168\.1\.10\/24 \?/],
    ['{ bridge: br1, ip: 192.168.1.10/24, vlan: 5 }', /VLAN configuration currently unsupported for Linux bridge\./],
    ['{ bridge: lan1, ip: 192.168.1.10/24 }', /I do not know how to setup interface lan1\./],
    ['{ macvlan: eth5, ip: 192.168.1.10/24 }', /I do not know how to setup interface eth5\./],
    ['{ bridge: br1, ip: 192.168.1.10/24, iface: eth0 }', /already has an interface eth0/],
    ['{ bridge: docker0, ip: 192.168.1.10/24 }', /bridge Docker manages/],
    ['{ ip: 192.168.1.10/24 }', /needs its host interface/],
  ];
  for (const [entry, re] of cases) {
    const l = load(`  web:\n    image: busybox\n    pipework:\n      - ${entry}\n`);
    assert.ok(errors(l).some((m) => re.test(m)), `${entry}: ${JSON.stringify(errors(l))}`);
  }
  const host = load('  hh:\n    image: busybox\n    network_mode: host\n    pipework:\n      - { bridge: br1, ip: 192.168.1.10/24 }\n');
  assert.ok(errors(host).some((m) => /host's network namespace/.test(m)));
});

test('a driver: pipework network declares the bridge and the host address on it; Docker cannot connect containers to it', () => {
  const l = loadTopology([
    'hosts:\n  node1: { daemon: { version: "20.10" } }',
    'networks:\n  lan:\n    driver: pipework\n    subnet: 10.30.0.0/24\n    gateway: 10.30.0.1\n    driver_opts: { bridge: br30 }',
    'containers:\n  aa:\n    image: busybox\n    network_mode: none\n    pipework:\n      - { bridge: br30, ip: 10.30.0.5/24 }',
    '  bb:\n    image: busybox\n    networks: [lan]\n',
  ].join('\n'));
  const host = l.engine.state.hosts.get('node1')!;
  assert.equal(host.bridges.get('br30')?.ipv4?.address, '10.30.0.1');
  const lan = [...host.networks.values()].find((n) => n.name === 'lan')!;
  assert.deepEqual([...lan.endpoints.values()].map((e) => [e.name, e.ipv4?.address, e.ifname]), [['aa', '10.30.0.5', 'eth1']]);
  assert.ok(errors(l).some((m) => /pipework attaches interfaces by hand/.test(m)), JSON.stringify(errors(l)));
});
