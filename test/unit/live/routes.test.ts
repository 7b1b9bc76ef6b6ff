// A live host's routes and reverse-path filters in its traces, from a recorded snapshot: the host's
// table (/proc/net/route) replaces the routes its interfaces imply, so the real default route is the
// uplink a trace to the outside names; a container's own table (a default route deleted by hand) and
// reject routes decide, named in the hop; rp_filter as read drops a martian source; what could not be
// read is said to be modelled. Also: which containers' sockets one `trace --docker` reads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseProcRoute, type HostReading, type KernelRoute, type Snapshot } from '../../../src/docker';
import { parseContainerInspect, parseNetworkInspect, parseVersionAnswer } from '../../../src/docker/validate';
import { engineRules, formatIptablesSave, listeningFromTopology, trace, type TraceResult } from '../../../src/engine';
import { involvedContainers, liveTopology, snapshotToEngine } from '../../../src/live';

const recorded = JSON.parse(readFileSync(join(__dirname, '../docker/fixtures/host-20.10.json'), 'utf8')) as { version: unknown; networks: unknown[]; containers: unknown[] };

function snapshot(extra: Partial<Snapshot> = {}): Snapshot {
  return {
    endpoint: 'unix:///var/run/docker.sock',
    daemon: parseVersionAnswer(recorded.version),
    networks: recorded.networks.map(parseNetworkInspect),
    containers: recorded.containers.map(parseContainerInspect),
    takenAt: '2026-11-28T07:54:00.000Z',
    hostInterfaces: { eth0: '192.0.2.10/24' },
    ...extra,
  };
}

const idOf = (s: Snapshot, name: string) => s.containers.find((c) => c.name === name)!.id;

/** The host's table as the kernel prints it: default via 192.0.2.1 on eth0, docker0 and the two user bridges. */
const HOST_TABLE = [
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
  'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
  'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
  'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
];

function hostReading(snap: Snapshot, table: string[], rpFilter: Record<string, number> = { all: 0, default: 0 }, sysctls: Record<string, string | null> = { 'net.ipv4.ip_forward': '1', 'net.bridge.bridge-nf-call-iptables': '1' }): HostReading {
  const model = snapshotToEngine(snap);
  const text = formatIptablesSave(engineRules(model.engine.state)[0]!);
  // The user bridges' routes carry their real device names (br-<12 hex of the network id>).
  const bridges = snap.networks.filter((n) => n.driver === 'bridge' && n.name !== 'bridge').map((n) => {
    const pool = n.ipamConfig[0]!.subnet.split('/');
    const [a, b, c, d] = pool[0]!.split('.').map(Number) as [number, number, number, number];
    const hex = (x: number) => x.toString(16).padStart(2, '0').toUpperCase();
    const mask = (0xffffffff << (32 - Number(pool[1]))) >>> 0;
    const m = [mask >>> 24, (mask >>> 16) & 255, (mask >>> 8) & 255, mask & 255];
    return `br-${n.id.slice(0, 12)}\t${hex(d)}${hex(c)}${hex(b)}${hex(a)}\t00000000\t0001\t0\t0\t0\t${hex(m[3]!)}${hex(m[2]!)}${hex(m[1]!)}${hex(m[0]!)}\t0\t0\t0`;
  });
  const routes = parseProcRoute([...table, ...bridges].join('\n'));
  return { iptables: { text, command: 'iptables-save' }, ip6tables: { error: 'not read' }, sysctls, routing: { routes: { state: 'read', via: 'proc', routes }, rpFilter, mtu: { docker0: 1500 } } };
}

function liveTrace(s: Snapshot, from: string, to: string, proto: 'tcp' | 'udp' | 'icmp', port?: number): TraceResult {
  const model = snapshotToEngine(s);
  const live = liveTopology(s, model);
  return trace(live.engine.state, { from, to, proto, ...(port !== undefined ? { port } : {}) }, { listening: listeningFromTopology(live.spec.containers) });
}

/** fx-b2's table as Docker sets it (172.17.0.0/16 on eth0, default via 172.17.0.1), less what `drop` names. */
function b2Table(drop: 'none' | 'default'): KernelRoute[] {
  const all = parseProcRoute(['Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT', 'eth0\t00000000\t010011AC\t0003\t0\t0\t0\t00000000\t0\t0\t0', 'eth0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0'].join('\n'));
  return drop === 'default' ? all.filter((r) => r.prefix !== 0) : all;
}

describe('live routes', () => {
  it('/proc/net/route is parsed: gateways, prefixes, metrics, reject routes', () => {
    const routes = parseProcRoute([...HOST_TABLE, '*\t0064A8C0\t00000000\t0201\t0\t0\t0\t00FFFFFF\t0\t0\t0', 'eth0\t0A0A0A0A\t010200C0\t0007\t0\t0\t100\tFFFFFFFF\t0\t0\t0'].join('\n'));
    assert.deepEqual(routes[0], { destination: '0.0.0.0', prefix: 0, gateway: '192.0.2.1', dev: 'eth0', metric: 0, reject: false });
    assert.deepEqual(routes[2], { destination: '172.17.0.0', prefix: 16, gateway: null, dev: 'docker0', metric: 0, reject: false });
    assert.deepEqual(routes[3], { destination: '192.168.100.0', prefix: 24, gateway: null, dev: '*', metric: 0, reject: true });
    assert.deepEqual(routes[4], { destination: '10.10.10.10', prefix: 32, gateway: '192.0.2.1', dev: 'eth0', metric: 100, reject: false });
    assert.deepEqual(parseProcRoute('garbage\nmore garbage here and there 1 2 3'), []);
  });

  it("a trace to the outside leaves by the host's real default route, named with its gateway", () => {
    const s = snapshot();
    s.host = hostReading(s, HOST_TABLE);
    const r = liveTrace(s, 'fx-b2', '198.51.100.7', 'tcp', 443);
    assert.equal(r.verdict, 'unknown');
    assert.match(r.reason, /sends it out eth0 to its default gateway 192\.0\.2\.1 with source 192\.0\.2\.10/);
    assert.ok(r.hops.some((h) => h.action === 'route' && /default via 192\.0\.2\.1 dev eth0, read from host1's routing table/.test(h.detail)), JSON.stringify(r.hops));
  });

  it("a blackhole route on the host stops forwarded traffic, and the fix removes it; no route at all: unreachable", () => {
    const s = snapshot();
    s.host = hostReading(s, [...HOST_TABLE, '*\t006433C6\t00000000\t0201\t0\t0\t0\t00FFFFFF\t0\t0\t0']);
    const r = liveTrace(s, 'fx-b2', '198.51.100.7', 'tcp', 443);
    assert.equal(r.verdict, 'dropped', r.reason);
    assert.match(r.reason, /reject route for 198\.51\.100\.0\/24/);
    assert.match(r.fix ?? '', /^ip route del 198\.51\.100\.0\/24 type unreachable on host1/);
    const noDefault = snapshot();
    noDefault.host = hostReading(noDefault, HOST_TABLE.filter((l) => !l.includes('00000000\t010200C0')));
    const gone = liveTrace(noDefault, 'fx-b2', '198.51.100.7', 'tcp', 443);
    assert.equal(gone.verdict, 'dropped', gone.reason);
    assert.match(gone.reason, /host1 has no route to 198\.51\.100\.7/);
    assert.match(gone.fix ?? '', /ip route add/);
  });

  it("a container whose default route was deleted by hand cannot reach its gateway's other networks; the fix restores it", () => {
    const s = snapshot();
    s.host = hostReading(s, HOST_TABLE);
    s.routes = { [idOf(s, 'fx-b2')]: { state: 'read', via: 'proc', routes: b2Table('none') } };
    // 10.203.0.1: the host's address on fx-lan, reached through fx-b2's default route.
    const before = liveTrace(s, 'fx-b2', '10.203.0.1', 'icmp');
    assert.equal(before.verdict, 'delivered', before.reason);
    assert.ok(before.hops.some((h) => h.action === 'route' && /default via 172\.17\.0\.1 dev eth0, read from fx-b2's namespace/.test(h.detail)), JSON.stringify(before.hops));
    s.routes = { [idOf(s, 'fx-b2')]: { state: 'read', via: 'proc', routes: b2Table('default') } };
    const after = liveTrace(s, 'fx-b2', '10.203.0.1', 'icmp');
    assert.equal(after.verdict, 'dropped', after.reason);
    assert.match(after.reason, /fx-b2 has no route to 10\.203\.0\.1 in its routing table \(read from its namespace\)/);
    assert.match(after.fix ?? '', /^ip route add default via 172\.17\.0\.1 dev eth0 in fx-b2's namespace .*docker restart fx-b2/);
    assert.doesNotMatch(after.fix ?? '', /networks:|hosts\./, 'a live fix names commands, not file keys');
    // Its own bridge is still on-link.
    assert.equal(liveTrace(s, 'fx-b2', '172.17.0.4', 'icmp').verdict, 'delivered');
  });

  it('strict rp_filter drops a packet whose way back leaves by another interface; loose lets it through', () => {
    const s = snapshot();
    // A route to fx-b2's address via eth0, added by hand: the way back from the host no longer is docker0.
    const table = [...HOST_TABLE, 'eth0\t030011AC\t010200C0\t0007\t0\t0\t0\tFFFFFFFF\t0\t0\t0'];
    s.host = hostReading(s, table, { all: 0, default: 1, docker0: 1 });
    const r = liveTrace(s, 'fx-b2', '10.203.0.1', 'icmp');
    assert.equal(r.verdict, 'dropped', r.reason);
    assert.match(r.reason, /net\.ipv4\.conf\.docker0\.rp_filter=1 \(strict, read from the host\) and the route back to 172\.17\.0\.3 leaves by eth0/);
    assert.match(r.fix ?? '', /^sysctl -w net\.ipv4\.conf\.docker0\.rp_filter=2 on host1/);
    assert.ok(r.hops.some((h) => h.action === 'rp_filter'), JSON.stringify(r.hops));
    // Loose: a way back exists, so the request passes — and the reply follows the hand-made route out eth0.
    s.host = hostReading(s, table, { all: 2, default: 1, docker0: 0 });
    const loose = liveTrace(s, 'fx-b2', '10.203.0.1', 'icmp');
    assert.ok(loose.hops.some((h) => h.action === 'rp_filter' && /all\.rp_filter=2 \(loose, read from the host\).*passes/.test(h.detail)), JSON.stringify(loose.hops));
    assert.equal(loose.verdict, 'unknown', loose.reason);
    assert.match(loose.reason, /out eth0/);
  });

  it('routes that could not be read: the hops say they are modelled', () => {
    const s = snapshot();
    s.host = { unread: 'the Docker host (ssh://me@lab) is not this machine: its iptables rules and sysctls cannot be read from here' };
    s.routes = { [idOf(s, 'fx-b2')]: { state: 'unknown', why: 'the image has no `cat`' } };
    s.listeners = {};
    const r = liveTrace(s, 'fx-b2', '172.17.0.4', 'icmp');
    assert.equal(r.verdict, 'delivered');
    assert.ok(r.hops.some((h) => h.action === 'route' && /routes as modelled: fx-b2's routing table could not be read: the image has no `cat`/.test(h.detail)), JSON.stringify(r.hops));
    const out = liveTrace(s, 'fx-web', '10.203.0.1', 'icmp');
    assert.equal(out.verdict, 'delivered');
  });
});

describe('which containers one live trace reads', () => {
  it('the source, the destination (by name, alias or address) and those sharing their namespace; a host port: its publishers', () => {
    const s = snapshot();
    const names = (set: Set<string> | null) => (set === null ? null : s.containers.filter((c) => set.has(c.id)).map((c) => c.name).sort());
    assert.deepEqual(names(involvedContainers(s, 'fx-b2', 'fx-web:80')), ['fx-b2', 'fx-side', 'fx-web']);
    assert.deepEqual(names(involvedContainers(s, 'fx-b2', 'www:80')), ['fx-b2', 'fx-side', 'fx-web']);
    assert.deepEqual(names(involvedContainers(s, 'fx-web', '172.17.0.3:80')), ['fx-b2', 'fx-side', 'fx-web']);
    assert.deepEqual(names(involvedContainers(s, 'fx-web', '172.17.0.1:18081')), ['fx-b2', 'fx-side', 'fx-web']);
    assert.deepEqual(names(involvedContainers(s, 'fx-hostnet', '172.17.0.3')), ['fx-b2', 'fx-hostnet']);
    assert.equal(involvedContainers(s, 'fx-b2', 'bad/proto'), null);
  });

  it('a swarm service: its tasks on this node (by name, tasks.<name> or the VIP the manager reports); on a worker an unknown address reads every container', () => {
    const s = snapshot();
    const task = s.containers.find((c) => c.name === 'fx-side')!;
    task.labels = { ...task.labels, 'com.docker.swarm.service.name': 'web' };
    const names = (set: Set<string> | null) => (set === null ? null : s.containers.filter((c) => set.has(c.id)).map((c) => c.name).sort());
    assert.ok(names(involvedContainers(s, 'fx-hostnet', 'web:80'))!.includes('fx-side'));
    assert.ok(names(involvedContainers(s, 'fx-hostnet', 'tasks.web'))!.includes('fx-side'));
    const swarm = { localState: 'active', nodeId: 'n1', clusterId: 'c', manager: true, nodes: [], tasks: [],
      services: [{ id: 's', name: 'web', image: '', mode: 'replicated' as const, replicas: 1, endpointMode: 'vip' as const, vips: [{ networkId: 'x', address: '10.0.9.2' }], ports: [], networks: [] }] };
    assert.ok(names(involvedContainers({ ...s, swarm }, 'fx-hostnet', '10.0.9.2:80'))!.includes('fx-side'));
    assert.equal(involvedContainers({ ...s, swarm: { ...swarm, manager: false, services: [] } }, 'fx-hostnet', '10.0.9.2:80'), null);
  });
});
