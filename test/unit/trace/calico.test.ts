// The calico plug-in (src/engine/drivers/calico), checked against what Project Calico's sources say.
// Each test names the file a fact comes from: projectcalico/calico (felix, node, api, libcalico-go,
// cni-plugin) and projectcalico/libnetwork-plugin (driver/).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostRoutes } from '../../../src/engine';
import { loadTopology } from '../../../src/topology';
import { lengthLimitedId, parseSelector, selects } from '../../../src/engine/drivers/calico/policy';
import { assertVerdict, hop, lab } from './helpers';

const LAB = (opts = '', policies = '', hosts = '10.0.0.1/24', second = '10.0.0.2/24') => `
hosts:
  node1: { interfaces: { eth0: ${hosts} } }
  node2: { interfaces: { eth0: ${second} } }
networks:
  calinet:
    driver: calico
    host: node1
    subnet: 192.168.0.0/16
    driver_opts: { ${opts} }
${policies}
containers:
  web: { host: node1, labels: { role: web }, networks: [calinet] }
  batch: { host: node1, labels: { role: batch }, networks: [calinet], expose: ["80"] }
  db: { host: node2, labels: { role: db }, networks: [calinet], expose: ["5432"] }
`;

const DENY = `    policies:
      - name: db-ingress
        selector: role == 'db'
        ingress:
          - { action: allow, protocol: tcp, source: "role == 'web'", port: 5432 }
          - { action: deny }`;

function view(l: ReturnType<typeof lab>, host: string) {
  return l.loaded.engine.state.hosts.get(host)!;
}

describe('calico: devices, addresses and routes', () => {
  it("libnetwork-plugin driver/network_driver.go: host side cali + endpoint id[:11], container side cali0 (driver/package.go IFPrefix), /32 address, default via 169.254.1.1", () => {
    const l = lab(LAB());
    const h = view(l, 'node1');
    const ep = [...[...h.networks.values()].find((n) => n.name === 'calinet')!.endpoints.values()].find((e) => e.name === 'web')!;
    assert.equal(ep.hostIfname, 'cali' + ep.id.slice(0, 11));
    assert.equal(ep.ifname, 'cali0');
    assert.equal(ep.ipv4!.prefixLength, 32, 'ipam_driver.go RequestAddress answers IP/32');
    const sb = h.sandboxes.get(ep.sandboxId!)!;
    assert.deepEqual(sb.routes.filter((r) => r.family === 4).map((r) => `${r.destination} ${r.gateway ?? ''} ${r.dev}`), ['default 169.254.1.1 cali0', '169.254.1.1/32  cali0']);
    assert.ok(hostRoutes(h).some((r) => r.destination === `${ep.ipv4!.address}/32` && r.dev === ep.hostIfname), "felix's /32 route to the workload");
    assert.equal([...h.bridges.keys()].filter((b) => b !== 'docker0').length, 0, 'no bridge');
  });

  it('node/pkg/lifecycle/startup/startup.go: default pool 192.168.0.0/16 split in /26 blocks (DEFAULT_IPV4_POOL_BLOCK_SIZE), one per host', () => {
    const l = lab(LAB());
    assert.equal(l.ip('web', 'calinet'), '192.168.0.0');
    assert.equal(l.ip('db', 'calinet'), '192.168.0.64');
    const r = hostRoutes(view(l, 'node1')).find((x) => x.proto === 'bird')!;
    assert.equal(`${r.destination} via ${r.gateway} dev ${r.dev} proto ${r.proto}`, '192.168.0.64/26 via 10.0.0.2 dev eth0 proto bird');
  });

  it('api/pkg/apis/projectcalico/v3/ippool.go: blockSize 20–32, and ipipMode and vxlanMode cannot both be enabled', () => {
    const l = lab(LAB('block_size: 28'));
    assert.equal(l.ip('db', 'calinet'), '192.168.0.16');
    const bad = (opts: string) => loadTopology(LAB(opts)).diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    assert.ok(bad('ipip_mode: Always, vxlan_mode: Always').some((x) => /ipipMode and vxlanMode cannot both be enabled/.test(x)));
    assert.ok(bad('block_size: 19').some((x) => /between 20 and 32/.test(x)));
    assert.ok(bad('mtu: 1400').some((x) => /Calico driver does not support the flag mtu \(1400\)/.test(x)), 'network_driver.go CreateNetwork rejects other options');
  });

  it("felix dataplane_defs.go: tunl0 for IP-in-IP (proto bird, onlink), vxlan.calico for VXLAN (config_params.go VXLANPort 4789, VXLANVNI 4096; routes proto 80)", () => {
    const ipip = lab(LAB('ipip_mode: Always'));
    const t = ipip.t('web', 'db:5432');
    assertVerdict(t, 'delivered');
    assert.ok(hop(t, 'route', /192\.168\.0\.64\/26 via 10\.0\.0\.2 dev tunl0 proto bird onlink/));
    assert.match(hop(t, 'encapsulate')!.detail, /protocol 4 \(IP-in-IP\): 10\.0\.0\.1 → 10\.0\.0\.2/);
    assert.equal(hop(t, 'decapsulate')!.node, 'node2');
    assert.equal(view(ipip, 'node1').links.get('tunl0')!.ipv4!.address, '192.168.0.0', 'the tunnel takes the first address of the block');
    const vx = lab(LAB('vxlan_mode: Always'));
    const v = vx.t('web', 'db:5432');
    assertVerdict(v, 'delivered');
    assert.ok(hop(v, 'route', /192\.168\.0\.64\/26 via 192\.168\.0\.64 dev vxlan\.calico proto 80 onlink/));
    assert.match(hop(v, 'encapsulate')!.detail, /VNI 4096: outer UDP 10\.0\.0\.1 → 10\.0\.0\.2:4789/);
  });

  it('CrossSubnet encapsulates only between hosts on different subnets', () => {
    const same = lab(LAB('ipip_mode: CrossSubnet'));
    const t = same.t('web', 'db:5432');
    assert.equal(hop(t, 'encapsulate'), undefined);
    assert.ok(hop(t, 'route', /via 10\.0\.0\.2 dev eth0 proto bird/));
    const apart = lab(LAB('ipip_mode: CrossSubnet', '', '10.0.0.1/24', '10.0.1.2/24'));
    assert.ok(hostRoutes(view(apart, 'node1')).some((r) => r.dev === 'tunl0' && r.proto === 'bird'));
  });

  it('the trace shows the routed hops: proxy ARP for 169.254.1.1, the BGP-learned route, the /32 route on the far host', () => {
    const t = lab(LAB()).t('web', 'db:5432');
    assertVerdict(t, 'delivered');
    assert.match(hop(t, 'send', /proxy ARP/)!.detail, /learned over BGP from node2's BIRD \(proto bird\)/);
    assert.ok(hop(t, 'route', /192\.168\.0\.64 dev cali[0-9a-f]{11} scope link/));
    assert.equal(t.hops.some((h) => h.action === 'switch'), false, 'no bridge on the path');
  });
});

describe("calico: felix's chains", () => {
  it('felix/rules/rule_defs.go chain names: cali-FORWARD, cali-from-wl-dispatch, cali-to-wl-dispatch, cali-tw-/cali-fw-<iface>, cali-pri-/cali-pro-<profile>', () => {
    const rules = lab(LAB()).rules('node1');
    assert.match(rules, /^-A FORWARD -j cali-FORWARD$/m, 'felix inserts its FORWARD jump first');
    assert.match(rules, /^-A cali-FORWARD -i cali\+ -j cali-from-wl-dispatch$/m);
    assert.match(rules, /^-A cali-FORWARD -o cali\+ -j cali-to-wl-dispatch$/m);
    assert.match(rules, /^-A cali-from-wl-dispatch -i (cali[0-9a-f]{11}) -g cali-fw-\1$/m);
    assert.match(rules, /^-A cali-to-wl-dispatch -m comment --comment "Unknown interface" -j DROP$/m, 'felix/rules/dispatch.go');
    assert.match(rules, /^-A cali-tw-cali[0-9a-f]{11} -j cali-pri-calinet$/m);
    assert.match(rules, /^-A cali-fw-cali[0-9a-f]{11} -m comment --comment "Drop if no profiles matched" -j DROP$/m, 'felix/rules/endpoints.go');
    assert.match(rules, /^-A FORWARD -m comment --comment "Policy explicitly accepted packet\." -m mark --mark 0x10000\/0x10000 -j ACCEPT$/m, 'felix/rules/static.go StaticFilterForwardAppendRules');
  });

  it("libnetwork-plugin's profile per network: all egress, ingress from has(<network>)", () => {
    const rules = lab(LAB()).rules('node1');
    assert.match(rules, /^-A cali-pri-calinet -m set --match-set cali40s:\S+ src -j MARK --set-xmark 0x10000\/0x10000$/m);
    assert.match(rules, /^-A cali-pro-calinet -j MARK --set-xmark 0x10000\/0x10000$/m);
  });

  it('a policy decides in its cali-pi- chain, named as felix names it (felix/rules/policy.go PolicyChainName)', () => {
    const l = lab(LAB('', DENY));
    const ok = l.t('web', 'db:5432');
    assertVerdict(ok, 'delivered');
    assert.match(hop(ok, 'filter FORWARD', /cali-pi-gnp\/db-ingress/)!.detail, /-A cali-pi-gnp\/db-ingress -p tcp -m tcp --dport 5432 -m set --match-set cali40s:\S+ src -j MARK --set-xmark 0x10000\/0x10000/);
    const no = l.t('batch', 'db:5432');
    assertVerdict(no, 'dropped', /-A cali-pi-gnp\/db-ingress -j DROP/);
    assert.equal(no.hops.at(-1)!.node, 'node2', 'dropped on the destination host, on the way into the workload');
    assertVerdict(l.t('db', 'batch:80'), 'delivered', undefined);
  });

  it('an egress policy decides on the source host, in its cali-po- chain; a top-level policy with order runs first', () => {
    const egress = `policies:
  - name: web-out
    selector: role == 'web'
    order: 10
    egress:
      - { action: deny, destination: "role == 'db'" }
      - { action: allow }`;
    const l = lab(LAB() + egress);
    const no = l.t('web', 'db:5432');
    assertVerdict(no, 'dropped', /-A cali-po-gnp\/web-out -m set --match-set cali40s:\S+ dst -j DROP/);
    assert.equal(no.hops.at(-1)!.node, 'node1');
    assertVerdict(l.t('web', 'batch:80'), 'delivered');
  });

  it('every felix drop says what to change, in the file\'s words: the deny rule, the policy with no allow, the profile', () => {
    const l = lab(LAB('', DENY));
    const deny = l.t('batch', 'db:5432');
    assertVerdict(deny, 'dropped', /rule 2 of calico policy db-ingress's ingress, \{ action: deny \}, denies it/);
    assert.equal(deny.fix, 'if this traffic should pass, change ingress rule 2 of policy db-ingress (networks.calinet.policies: db-ingress): narrow its source, protocol or port, or put an allow rule for this traffic before it');

    // A top-level policy with no deny rule: the end of the tier drops what it does not allow.
    const onlyWeb = `policies:
  - name: db-only-web
    selector: role == 'db'
    ingress:
      - { action: allow, source: "role == 'web'" }`;
    const tier = lab(LAB() + onlyWeb).t('batch', 'db:5432');
    assertVerdict(tier, 'dropped', /End of tier default.*calico policy db-only-web selects db for ingress, and none of its rules allows this packet/);
    assert.equal(tier.fix, 'if this traffic should pass, add an allow rule for it to the ingress of policy policies: db-only-web');

    // The profile: ingress only from endpoints of the same calico network.
    const two = lab(`
hosts:
  node1: { interfaces: { eth0: 10.0.0.1/24 } }
networks:
  front: { driver: calico, host: node1, subnet: 192.168.0.0/16 }
  back: { driver: calico, host: node1, subnet: 10.99.0.0/16 }
containers:
  web: { host: node1, networks: [front] }
  api: { host: node1, networks: [back], expose: ["80"] }
`);
    const prof = two.t('web', `${two.ip('api', 'back')}:80`);
    assertVerdict(prof, 'dropped', /Drop if no profiles matched.*the profile of calico network back .* accepts ingress only from endpoints on back \(source has\(back\)\)/);
    assert.match(prof.fix ?? '', /^connect the source to back, or allow it with a policy that selects api/);
  });

  it('libcalico-go/lib/hash/unique_id.go GetLengthLimitedID: names over 28 characters (felix/iptables/table.go) are hashed after "_"', () => {
    assert.equal(lengthLimitedId('cali-pi-', 'gnp/short', 28), 'cali-pi-gnp/short');
    const long = lengthLimitedId('cali-pi-', 'gnp/a-very-long-policy-name-indeed', 28);
    assert.equal(long.length, 28);
    assert.match(long, /^cali-pi-_[A-Za-z0-9_-]{19}$/);
  });

  it('selectors (libcalico-go/lib/selector): all(), has(), ==, !=, && and ||', () => {
    const l = { role: 'db', tier: 'back' };
    assert.equal(selects(parseSelector("role == 'db' && has(tier)"), l), true);
    assert.equal(selects(parseSelector("role != 'db' || !has(tier)"), l), false);
    assert.equal(selects(parseSelector('all()'), {}), true);
    assert.throws(() => parseSelector('role ~ db'), /cannot parse selector/);
  });
});

describe('calico: the host view', () => {
  it("the host's interfaces list each workload's cali veth (no master: no bridge) and tunl0", async () => {
    const { hostInterfaces } = await import('../../../src/engine/hostView');
    const ifs = hostInterfaces(view(lab(LAB('ipip_mode: Always')), 'node1'));
    const cali = ifs.filter((i) => i.name.startsWith('cali'));
    assert.equal(cali.length, 2);
    assert.ok(cali.every((i) => i.kind === 'veth' && i.master === null && i.peer?.ifname === 'cali0'));
    assert.equal(ifs.find((i) => i.name === 'tunl0')?.kind, 'ipip');
  });
});

describe('calico: examples/14-calico.cnm.yaml in the CLI', () => {
  it('cnm trace shows the routed hops, the BGP-learned route through tunl0 and the policy rule that dropped it', async () => {
    const { spawnSync } = await import('node:child_process');
    const { join } = await import('node:path');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'trace', 'examples/14-calico.cnm.yaml', '--from', 'batch', '--to', 'db:5432'], { cwd: join(import.meta.dirname, '../../..'), encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /proxy ARP on cali[0-9a-f]{11} with ee:ee:ee:ee:ee:ee/);
    assert.match(r.stdout, /192\.168\.0\.64\/26 via 10\.0\.0\.2 dev tunl0 proto bird onlink/);
    assert.match(r.stdout, /encapsulate: tunl0 \(ipipMode Always\)/);
    assert.match(r.stdout, /DROPPED: dropped by -A cali-pi-gnp\/db-ingress -j DROP \(filter cali-pi-gnp\/db-ingress\)/);
    assert.match(r.stdout, /fix: if this traffic should pass, change ingress rule 2 of policy db-ingress \(networks\.calinet\.policies: db-ingress\)/);
  });
});
