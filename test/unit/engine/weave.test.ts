// Weave Net's plug-in as the engine models it. Each fact is checked against the weaveworks/weave source
// file it comes from (cited per assertion), since weave cannot be installed on this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WEAVE, weaveShare, weaveVeth, parseCidr, makeNet, formatAddr } from '../../../src/engine';
import { engineRules, formatIptablesSave } from '../../../src/engine/netfilter';
import { loadTopology } from '../../../src/topology';

const TWO_HOSTS = `hosts:
  node1: { interfaces: { eth0: 192.168.60.10/24 }, daemon: { version: "20.10" } }
  node2: { interfaces: { eth0: 192.168.60.11/24 }, daemon: { version: "20.10" } }
networks:
  wn: { driver: weave, host: node1 }
containers:
  web: { host: node1, image: busybox, networks: [wn] }
  db: { host: node2, image: busybox, networks: [wn] }
`;

test('device and port names are weave\'s own', () => {
  // net/bridge.go: WeaveBridgeName = "weave", DatapathName = "datapath", DatapathIfName = "vethwe-datapath", BridgeIfName = "vethwe-bridge", PcapIfName = "vethwe-pcap"
  assert.deepEqual([WEAVE.bridge, WEAVE.datapath, WEAVE.datapathPort, WEAVE.bridgePort, WEAVE.pcap], ['weave', 'datapath', 'vethwe-datapath', 'vethwe-bridge', 'vethwe-pcap']);
  // vendor/github.com/weaveworks/mesh/router.go: Port = 6783; router/fastdp.go: mainVxlanUDPPort = port + 1, vport name fmt.Sprintf("vxlan-%d", udpPort)
  assert.deepEqual([WEAVE.port, WEAVE.fastdpPort, WEAVE.vxlanDev], [6783, 6784, 'vxlan-6784']);
  // net/veth.go: VethName = "ethwe" (the container side, DstPrefix in plugin/net/driver.go); plugin/net/driver.go vethPair: "vethwl" + id[:IFNAMSIZ-7]
  assert.equal(WEAVE.containerPrefix, 'ethwe');
  assert.equal(weaveVeth('0123456789abcdef'), 'vethwl012345678');
  // net/bridge.go: config.MTU = 1376 (fast datapath default); nameserver/nameserver.go: DefaultDomain = "weave.local."
  assert.equal(WEAVE.mtu, 1376);
  assert.equal(WEAVE.dnsDomain, 'weave.local');
  // weave (the script): IPRANGE="10.32.0.0/12" when --ipalloc-range is not given
  assert.equal(WEAVE.defaultRange, '10.32.0.0/12');
});

test('a weave network: the weave bridge and vxlan-6784 on every host, ethwe0 at MTU 1376 on vethwl…, no gateway, so docker_gwbridge', () => {
  const l = loadTopology(TWO_HOSTS);
  assert.deepEqual(l.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  for (const [name, ctr, addr] of [['node1', 'web', '10.32.0.1'], ['node2', 'db', '10.40.0.0']] as const) {
    const host = l.engine.state.hosts.get(name)!;
    assert.ok(host.bridges.has('weave'), `${name}: weave bridge`);
    assert.equal(host.links.get('vxlan-6784')?.vxlan?.port, 6784);
    const c = [...host.containers.values()].find((x) => x.name === ctr)!;
    const sb = host.sandboxes.get(c.sandboxId!)!;
    const ethwe = sb.interfaces.find((i) => i.name === 'ethwe0')!;
    assert.equal(ethwe.ipv4?.address, addr);
    assert.equal(ethwe.mtu, 1376);
    assert.match(ethwe.hostPeer ?? '', /^vethwl[0-9a-f]{9}$/);
    assert.equal(host.veths.get(ethwe.hostPeer!)?.bridge, 'weave');
    // plugin/net/driver.go JoinEndpoint: no Gateway in the response → libnetwork's docker_gwbridge for the default route.
    assert.deepEqual(sb.routes.filter((r) => r.destination === 'default').map((r) => r.dev), ['eth0']);
    assert.ok(sb.endpoints.some((e) => e.networkName === 'docker_gwbridge'));
  }
});

test('IPAM: the default subnet is the allocation range, split among the peers; the "gateway" is the faked subnet address', () => {
  const l = loadTopology(TWO_HOSTS);
  const net = [...l.engine.state.hosts.get('node1')!.networks.values()].find((n) => n.name === 'wn')!;
  assert.equal(net.ipv4[0]!.subnet.prefix, 12);
  // plugin/ipam/driver.go: data = map[string]string{netlabel.Gateway: subnet.String()}
  assert.equal(formatAddr({ family: 4, value: net.ipv4[0]!.gateway!.value }), '10.32.0.0');
  const n = parseCidr('10.32.0.0/12')!;
  const s = weaveShare(makeNet(4, n.base, n.prefix), 1, 2);
  assert.deepEqual([formatAddr({ family: 4, value: s.first }), formatAddr({ family: 4, value: s.last })], ['10.40.0.0', '10.47.255.255']);
});

test("weave's iptables rules (net/bridge.go): FORWARD at the top, WEAVE-EXPOSE, nat POSTROUTING -j WEAVE; WEAVE-NPC with the policy controller", () => {
  const l = loadTopology(TWO_HOSTS);
  const text = formatIptablesSave(engineRules(l.engine.state, 'node1')[0]!);
  for (const line of ['-A FORWARD -i weave -o weave -j ACCEPT', '-A FORWARD -o weave -j WEAVE-EXPOSE', '-A FORWARD -i weave ! -o weave -j ACCEPT', '-A POSTROUTING -j WEAVE', ':WEAVE - [0:0]', ':WEAVE-EXPOSE - [0:0]']) {
    assert.ok(text.includes(line), `${line}\n${text}`);
  }
  const npc = loadTopology(TWO_HOSTS.replace('{ driver: weave, host: node1 }', '{ driver: weave, host: node1, driver_opts: { npc: "true" } }'));
  const npcText = formatIptablesSave(engineRules(npc.engine.state, 'node1')[0]!);
  for (const line of ['-A FORWARD -i weave -j WEAVE-NPC-EGRESS', '-A FORWARD -o weave -j WEAVE-NPC', '-A FORWARD -o weave -j DROP']) assert.ok(npcText.includes(line), `${line}\n${npcText}`);
  assert.ok(!npcText.includes('WEAVE-EXPOSE'));
});

test('weaveDNS: <name>.weave.local answers; a bad datapath option is refused on the option', () => {
  const l = loadTopology(TWO_HOSTS);
  const host = l.engine.state.hosts.get('node2')!;
  const ep = [...[...host.networks.values()].find((n) => n.name === 'wn')!.endpoints.values()].find((e) => e.name === 'db')!;
  assert.ok(ep.dnsNames.includes('db.weave.local'));
  const bad = loadTopology(TWO_HOSTS.replace('{ driver: weave, host: node1 }', '{ driver: weave, host: node1, driver_opts: { datapath: udp } }'));
  assert.ok(bad.diagnostics.some((d) => d.severity === 'error' && /unknown datapath "udp"/.test(d.message)));
});
