// The host's edge: its uplink (hosts.<h>.gateway), the default route, MASQUERADE and the source a packet
// leaves with; what the engine cannot know beyond it (`unknown`, never a guessed delivery); the real
// answers of internal networks, unmasqueraded bridges, none mode and ip_forward=0; the way in from a
// client on the LAN or the internet (published ports by DNAT, userland-proxy off, a port nobody
// publishes); and a service of the host itself (hosts.<h>.listen).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { listeningFromSpec } from '../../../src/cli/commands/tracing';
import { loadTopology } from '../../../src/topology';
import { Tracer, TraceInputError } from '../../../src/engine/trace';
import { assertVerdict, hop, lab } from './helpers';

const EDGE = (extra = '', daemon = '{ version: "20.10" }') => `
hosts:
  host1:
    interfaces: { eth0: 192.168.50.10/24 }
    ${extra}
    daemon: ${daemon}
networks:
  appnet: { subnet: 10.10.0.0/24 }
  closed: { subnet: 10.20.0.0/24, internal: true }
  nomasq: { subnet: 10.30.0.0/24, driver_opts: { com.docker.network.bridge.enable_ip_masquerade: "false" } }
containers:
  b1: { image: busybox }
  web: { image: busybox, networks: [appnet], ports: ["8080:80"], expose: ["80"] }
  lonely: { image: busybox, networks: [closed] }
  raw: { image: busybox, networks: [nomasq] }
  nobody: { image: busybox, network_mode: none }
`;
const WITH_GW = EDGE('gateway: 192.168.50.1\n    listen: ["5432/tcp", "127.0.0.1:6379"]');

describe('the way out: a container to the internet through the host\'s uplink', () => {
  it('a trace to 1.1.1.1:443 ends at the uplink after MASQUERADE, with the source it leaves with; beyond it is unknown', () => {
    const r = lab(WITH_GW).t('b1', '1.1.1.1:443');
    assertVerdict(r, 'unknown', /^no one in the topology has 1\.1\.1\.1: host1 sends it out eth0 to its default gateway 192\.168\.50\.1 with source 192\.168\.50\.10 \(MASQUERADE of 172\.17\.0\.2\), beyond what the topology describes, so the engine cannot know whether it is answered$/);
    assert.ok(hop(r, 'route', /^1\.1\.1\.1 is not the host's: forwarded .*default via 192\.168\.50\.1 dev eth0 src 192\.168\.50\.10$/), 'the host routes it by its default route');
    assert.ok(hop(r, 'nat POSTROUTING', /-A POSTROUTING -s 172\.17\.0\.0\/16 ! -o docker0 -j MASQUERADE/), 'the MASQUERADE rule dockerd writes');
    assert.ok(hop(r, 'MASQUERADE', /172\.17\.0\.2 → 192\.168\.50\.10/));
    const { packet, ...uplink } = r.hops.at(-2)!;
    assert.deepEqual(uplink, { node: 'host1', interface: 'eth0', action: 'uplink', detail: 'out eth0 to the gateway 192.168.50.1: 1.1.1.1:443/tcp leaves host1 with source 192.168.50.10 (MASQUERADE of 172.17.0.2)' });
    // The headers as it leaves (the step-through shows them): masqueraded source, one router passed.
    assert.deepEqual(packet && { src: packet.src, dst: packet.dst, dport: packet.dport, ttl: packet.ttl }, { src: '192.168.50.10', dst: '1.1.1.1', dport: 443, ttl: 63 });
    const { packet: _last, ...end } = r.hops.at(-1)!;
    assert.deepEqual(end, { node: 'host1', interface: 'eth0', action: 'unknown', detail: r.reason }, 'it ends at the uplink');
    assert.notEqual(r.verdict, 'delivered', 'never a guessed delivery');
  });

  it('without a gateway the default route is unknown, but the packet is still filtered and masqueraded', () => {
    const r = lab(EDGE()).t('b1', '1.1.1.1:443');
    assertVerdict(r, 'unknown', /the topology gives host1 no route to it: a real host would send it by its own default route, which the topology does not describe, .*it would leave with source the address of the interface that route leaves by, which the topology does not name \(MASQUERADE of 172\.17\.0\.2\)$/);
    assert.ok(hop(r, 'filter FORWARD', /-A FORWARD -i docker0 ! -o docker0 -j ACCEPT/), 'FORWARD lets it out');
    assert.ok(hop(r, 'MASQUERADE', /unknown: the topology gives host1 no gateway/));
    assert.match(r.fix!, /hosts\.host1\.gateway/);
  });

  it('the host itself sends by its default route with its own address', () => {
    const r = lab(WITH_GW).t('host1', '1.1.1.1:53/udp');
    assertVerdict(r, 'unknown', /host1 sends it out eth0 to its default gateway 192\.168\.50\.1 with source 192\.168\.50\.10, beyond/);
  });

  it('an address on the host\'s LAN leaves on-link (no gateway) with the masqueraded source', () => {
    const r = lab(WITH_GW).t('b1', '192.168.50.77:22');
    assertVerdict(r, 'unknown', /^no one in the topology has 192\.168\.50\.77: host1 sends it out eth0 with source 192\.168\.50\.10 \(MASQUERADE of 172\.17\.0\.2\), beyond/);
  });

  it('an internal network: Docker 20.10 drops it in DOCKER-ISOLATION-STAGE-1, a real drop that names the rule', () => {
    const r = lab(WITH_GW).t('lonely', '1.1.1.1:443');
    assertVerdict(r, 'dropped', /^dropped by -A DOCKER-ISOLATION-STAGE-1 ! -d 10\.20\.0\.0\/24 -i br-\w+ -j DROP .*closed is an internal network/);
    assert.equal(hop(r, 'uplink'), undefined, 'it never reaches the uplink');
  });

  it('none mode: only the loopback, a real drop', () => {
    assertVerdict(lab(WITH_GW).t('nobody', '1.1.1.1'), 'dropped', /network_mode: none/);
  });

  it('enable_ip_masquerade=false: it leaves with the container\'s own address, and the answer needs a route back', () => {
    const r = lab(WITH_GW).t('raw', '1.1.1.1:443');
    assertVerdict(r, 'unknown', /with source 10\.30\.0\.2, raw's own address \(not masqueraded\), .*masquerading is off \(network nomasq has com\.docker\.network\.bridge\.enable_ip_masquerade=false\), so an answer can come back only if the routers beyond host1 route 10\.30\.0\.0\/24 to it$/);
    assert.equal(hop(r, 'MASQUERADE'), undefined, 'no MASQUERADE hop');
    assert.match(r.fix!, /turn masquerading on for nomasq/);
  });

  it('dockerd --ip-masq=false: the default bridge leaves unmasqueraded', () => {
    const r = lab(EDGE('gateway: 192.168.50.1', '{ version: "20.10", ip-masq: false }')).t('b1', '1.1.1.1:443');
    assertVerdict(r, 'unknown', /with source 172\.17\.0\.2, b1's own address \(not masqueraded\).*dockerd runs with --ip-masq=false/);
  });

  it('ip_forward=0 read from the host: the packet is not routed out, a real drop', () => {
    const l = lab(WITH_GW);
    l.loaded.engine.state.hosts.get('host1')!.observed = { ipForward: false };
    const r = new Tracer(l.loaded.engine.state, { listening: listeningFromSpec(l.loaded.spec) }).trace({ from: 'b1', to: '1.1.1.1', proto: 'tcp', port: 443 });
    assertVerdict(r, 'dropped', /net\.ipv4\.ip_forward is 0 on host1.*from docker0 to eth0/);
    assert.match(r.fix!, /sysctl -w net\.ipv4\.ip_forward=1/);
  });
});

describe('a service on the host itself (hosts.<h>.listen)', () => {
  it('a container reaches the host\'s own 5432 through its gateway', () => {
    const r = lab(WITH_GW).t('b1', '192.168.50.10:5432');
    assertVerdict(r, 'delivered', /a process on host1 accepts 192\.168\.50\.10:5432\/tcp \(the host's own service\)/);
    assert.ok(hop(r, 'reply', /gets back to b1/));
  });

  it('a host process bound to 127.0.0.1 is refused from a container', () => {
    const r = lab(WITH_GW).t('b1', '192.168.50.10:6379');
    assertVerdict(r, 'refused', /listens on 6379\/tcp only on 127\.0\.0\.1 \(loopback/);
  });

  it('without listen, a host port no container publishes is unknown, and the fix says how to declare a host service', () => {
    const r = lab(EDGE()).t('b1', '192.168.50.10:5432');
    assertVerdict(r, 'unknown', /no container publishes 5432\/tcp on host1, and nothing in the topology says what host1's own processes listen on \(no listen\)/);
    assert.match(r.fix!, /hosts\.host1\.listen: \["5432\/tcp"\] \(or listen: \[\] when nothing listens\)/);
  });

  it('listen: [] says nothing of the host listens: refused, and the reset gets back', () => {
    const r = lab(EDGE('listen: []')).t('b1', '192.168.50.10:5432');
    assertVerdict(r, 'refused', /no container publishes 5432\/tcp there and the host's own processes listen on nothing \(its listen\)/);
  });

  it('a bad listen entry or gateway is an error on its value', () => {
    const loaded = loadTopology(`hosts:\n  host1:\n    interfaces: { eth0: 192.168.50.10/24 }\n    gateway: 10.9.9.9\n    listen: ["http"]\n`);
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    assert.ok(errors.some((m) => /gateway 10\.9\.9\.9 of host host1 is on none of its interfaces \(eth0 192\.168\.50\.10\/24\)/.test(m)), errors.join('\n'));
  });
});

describe('the way in: a client outside the topology', () => {
  it('a client on the internet reaches a published port: DNAT on the uplink, the reply goes back the same way', () => {
    const r = lab(WITH_GW).t('203.0.113.7', '192.168.50.10:8080');
    assertVerdict(r, 'delivered', /^web accepts 10\.10\.0\.2:80\/tcp \(published port 192\.168\.50\.10:8080 → 10\.10\.0\.2:80 by DNAT on host1\)$/);
    assert.match(r.hops[0]!.detail, /^a client outside the topology at 203\.0\.113\.7, beyond host1's default gateway 192\.168\.50\.1 .*it comes in on eth0/);
    assert.ok(hop(r, 'nat PREROUTING', /-A DOCKER ! -i br-\w+ -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10\.10\.0\.2:80/), 'the DNAT rule decides');
    assert.ok(hop(r, 'reply', /10\.10\.0\.2 → 203\.0\.113\.7 gets back to client 203\.0\.113\.7/));
  });

  it('a client on the LAN names the host: it comes in on the LAN interface', () => {
    const r = lab(WITH_GW).t('192.168.50.20', 'host1:8080');
    assertVerdict(r, 'delivered', /web accepts/);
    assert.match(r.hops[0]!.detail, /on host1's LAN \(192\.168\.50\.0\/24 on eth0\)/);
    assert.equal(r.address, '192.168.50.10');
  });

  it('userland-proxy off changes nothing from outside: the DNAT rule carries it', () => {
    const r = lab(EDGE('gateway: 192.168.50.1', '{ version: "20.10", userland-proxy: false }')).t('203.0.113.7', '192.168.50.10:8080');
    assertVerdict(r, 'delivered', /by DNAT on host1/);
    assert.equal(hop(r, 'docker-proxy'), undefined);
  });

  it('a port nobody publishes is refused by the host, and the reset gets back to the client', () => {
    const r = lab(WITH_GW).t('203.0.113.7', '192.168.50.10:9999');
    assertVerdict(r, 'refused', /nothing listens on 192\.168\.50\.10:9999\/tcp on host host1/);
    assert.ok(hop(r, 'reply', /gets back to client 203\.0\.113\.7/));
  });

  it('the host\'s own service is reached from the LAN; its loopback-only one is not', () => {
    const l = lab(WITH_GW);
    assertVerdict(l.t('192.168.50.20', '192.168.50.10:5432'), 'delivered', /the host's own service/);
    assertVerdict(l.t('192.168.50.20', '192.168.50.10:6379'), 'refused', /only on 127\.0\.0\.1/);
  });

  it('without a gateway a client on the internet still reaches a published port (by an interface the topology does not name)', () => {
    const r = lab(EDGE()).t('203.0.113.7', '192.168.50.10:8080');
    assertVerdict(r, 'delivered', /web accepts/);
    assert.match(r.hops[0]!.detail, /the topology gives host1 no gateway, so which interface it comes in by is unknown/);
  });

  it('a container\'s own address from outside: unknown, the client\'s routers decide', () => {
    assertVerdict(lab(WITH_GW).t('203.0.113.7', '10.10.0.2:80'), 'unknown', /10\.10\.0\.2 is web's address on appnet \(host1\), inside host1: a client outside sends it to its own router/);
  });

  it('a container name from outside does not resolve', () => {
    assertVerdict(lab(WITH_GW).t('203.0.113.7', 'web:80'), 'unresolved', /resolves only inside containers/);
  });

  it('an address the topology has is not outside: a clear error', () => {
    const l = lab(WITH_GW);
    assert.throws(() => l.t('192.168.50.10', '1.1.1.1'), (e: unknown) => e instanceof TraceInputError && /host1's own address \(eth0\): trace from host1/.test(e.message));
    assert.throws(() => l.t('10.10.0.2', '1.1.1.1'), (e: unknown) => e instanceof TraceInputError && /web's address on appnet/.test(e.message));
    assert.throws(() => l.t('127.0.0.1', 'host1'), (e: unknown) => e instanceof TraceInputError && /loopback/.test(e.message));
  });
});

describe('cnm trace at the edge, as a user runs it', () => {
  const ROOT = join(__dirname, '../../..');
  const dir = mkdtempSync(join(tmpdir(), 'cnm-edge-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'edge.cnm.yaml');
  writeFileSync(file, WITH_GW);
  const cnm = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

  it('--to 1.1.1.1:443 --json: unknown, the last hop at the uplink, the masqueraded source in the reason', () => {
    const r = cnm('trace', file, '--from', 'b1', '--to', '1.1.1.1:443', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { verdict: string; reason: string; hops: { node: string; interface: string; action: string }[] };
    assert.equal(j.verdict, 'unknown');
    assert.match(j.reason, /with source 192\.168\.50\.10 \(MASQUERADE of 172\.17\.0\.2\)/);
    assert.deepEqual(j.hops.at(-2), { node: 'host1', interface: 'eth0', action: 'uplink', detail: 'out eth0 to the gateway 192.168.50.1: 1.1.1.1:443/tcp leaves host1 with source 192.168.50.10 (MASQUERADE of 172.17.0.2)' });
  });

  it('--from an address outside the topology: the way in to a published port', () => {
    const r = cnm('trace', file, '--from', '203.0.113.7', '--to', 'host1:8080');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^DELIVERED: web accepts 10\.10\.0\.2:80\/tcp \(published port 192\.168\.50\.10:8080 → 10\.10\.0\.2:80 by DNAT on host1\)$/m);
  });

  it('--from an address the topology has: exit 2 with one clear line', () => {
    const r = cnm('trace', file, '--from', '192.168.50.10', '--to', '1.1.1.1');
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr.trim(), /^cnm: trace: 192\.168\.50\.10 is host1's own address \(eth0\): trace from host1 in /);
  });
});
