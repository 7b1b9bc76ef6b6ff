// A live host's own truth in its traces, from a recorded snapshot: the containers' real sockets (not
// their expose lists; 127.0.0.1-only ones; unreadable ones → unknown), the host's iptables-save parsed
// into the rules the tracer evaluates (dockerd's rules keep their meaning; a DOCKER-USER DROP added by
// hand decides and is named), rules it cannot evaluate (unknown), and the sysctls that stop routing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { HostReading, ListenerReading, Snapshot } from '../../../src/docker';
import { parseContainerInspect, parseNetworkInspect, parseVersionAnswer } from '../../../src/docker/validate';
import { engineRules, formatIptablesSave, listeningFromTopology, parseIptablesSave, trace, type TraceResult } from '../../../src/engine';
import { computeDrift, importTopology, liveTopology, snapshotToEngine } from '../../../src/live';
import { loadTopology } from '../../../src/topology';

const recorded = JSON.parse(readFileSync(join(__dirname, '../docker/fixtures/host-20.10.json'), 'utf8')) as { version: unknown; networks: unknown[]; containers: unknown[] };

function snapshot(extra: Partial<Snapshot> = {}): Snapshot {
  return {
    endpoint: 'unix:///var/run/docker.sock',
    daemon: parseVersionAnswer(recorded.version),
    networks: recorded.networks.map(parseNetworkInspect),
    containers: recorded.containers.map(parseContainerInspect),
    takenAt: '2026-11-28T07:54:00.000Z',
    ...extra,
  };
}

const idOf = (s: Snapshot, name: string) => s.containers.find((c) => c.name === name)!.id;

/** fx-web (172.17.0.4) listens on 8080 everywhere and 6379 on loopback; fx-b2 (172.17.0.3, exposes 80) could not be read. */
function listeners(s: Snapshot): Record<string, ListenerReading> {
  return {
    [idOf(s, 'fx-web')]: { state: 'read', via: 'proc', sockets: [{ proto: 'tcp', address: '0.0.0.0', port: 8080 }, { proto: 'tcp', address: '127.0.0.1', port: 6379 }, { proto: 'tcp', address: '127.0.0.11', port: 40000 }] },
    [idOf(s, 'fx-b2')]: { state: 'unknown', why: 'the image has no `cat` to run through docker exec' },
  };
}

/** The host's iptables-save as dockerd wrote it (the model's own rules), with lines added by hand. */
function hostSave(added: string[] = [], sysctls: Record<string, string | null> = { 'net.ipv4.ip_forward': '1', 'net.bridge.bridge-nf-call-iptables': '1' }): HostReading {
  const model = snapshotToEngine(snapshot());
  let text = formatIptablesSave(engineRules(model.engine.state)[0]!);
  for (const line of added) text = text.replace('-A DOCKER-USER -j RETURN', `${line}\n-A DOCKER-USER -j RETURN`);
  return { iptables: { text, command: 'iptables-save' }, ip6tables: { error: 'not read' }, sysctls };
}

function liveTrace(s: Snapshot, from: string, to: string, proto: 'tcp' | 'udp' | 'icmp', port?: number): TraceResult {
  const model = snapshotToEngine(s);
  const live = liveTopology(s, model);
  return trace(live.engine.state, { from, to, proto, ...(port !== undefined ? { port } : {}) }, { listening: listeningFromTopology(live.spec.containers) });
}

describe('live listeners', () => {
  it('a port the process listens on is delivered though nothing exposes it; a loopback-only one is refused, said so, with a live fix', () => {
    const s = snapshot();
    s.listeners = listeners(s);
    const open = liveTrace(s, 'fx-b2', '172.17.0.4', 'tcp', 8080);
    assert.equal(open.verdict, 'delivered', open.reason);
    const loop = liveTrace(s, 'fx-b2', '172.17.0.4', 'tcp', 6379);
    assert.equal(loop.verdict, 'refused');
    assert.match(loop.reason, /listens on 6379\/tcp only on 127\.0\.0\.1, which is not reachable from outside the container/);
    assert.equal(loop.fix, 'make the process listen on 0.0.0.0:6379 (every address) instead of 127.0.0.1:6379');
    const closed = liveTrace(s, 'fx-b2', '172.17.0.4', 'tcp', 80);
    assert.equal(closed.verdict, 'refused');
    assert.doesNotMatch(closed.reason, /127\.0\.0\.11/, "Docker's embedded DNS sockets are not the container's");
    assert.doesNotMatch(closed.fix ?? '', /listen: \[|expose/);
  });

  it('a container whose sockets could not be read: the fate of its ports is unknown, with why (not its expose list)', () => {
    const s = snapshot();
    s.listeners = listeners(s);
    const r = liveTrace(s, 'fx-web', '172.17.0.3', 'tcp', 80);
    assert.equal(r.verdict, 'unknown');
    assert.match(r.reason, /what fx-b2 listens on could not be read \(the image has no `cat`/);
    assert.equal(r.hops.at(-1)?.action, 'unknown');
    // ICMP is the kernel's: still known.
    assert.equal(liveTrace(s, 'fx-web', '172.17.0.3', 'icmp').verdict, 'delivered');
  });

  it('without a reading the expose list stands in, as before; the imported file carries no observed listen', () => {
    const s = snapshot();
    assert.equal(liveTrace(s, 'fx-web', '172.17.0.3', 'tcp', 80).verdict, 'delivered');
    s.listeners = listeners(s);
    assert.doesNotMatch(importTopology(s), /listen/);
  });
});

describe("the host's real iptables rules", () => {
  it("dockerd's own rules parse back with their purpose: the same verdicts and reasons as the model", () => {
    const model = snapshotToEngine(snapshot());
    const modelled = engineRules(model.engine.state)[0]!;
    const parsed = parseIptablesSave(formatIptablesSave(modelled), 'host1', modelled);
    assert.equal(formatIptablesSave(parsed), formatIptablesSave(modelled));
    const purposes = (rs: typeof modelled) => [...rs.tables.values()].flatMap((t) => [...t.chains.values()].flatMap((c) => c.rules.map((r) => r.purpose)));
    assert.deepEqual(purposes(parsed), purposes(modelled));
  });

  it('a DOCKER-USER DROP added by hand decides, is named in the hop, and the fix is an iptables command', () => {
    const s = snapshot({ host: hostSave(['-A DOCKER-USER -s 172.17.0.3/32 -d 172.17.0.4/32 -j DROP']) });
    s.listeners = listeners(s);
    const r = liveTrace(s, 'fx-b2', '172.17.0.4', 'tcp', 8080);
    assert.equal(r.verdict, 'dropped');
    assert.match(r.reason, /^dropped by -A DOCKER-USER -s 172\.17\.0\.3\/32 -d 172\.17\.0\.4\/32 -j DROP \(filter DOCKER-USER\), a rule on host1 that dockerd did not write/);
    assert.equal(r.fix, 'if this traffic should pass, remove or narrow that rule: iptables -D DOCKER-USER -s 172.17.0.3/32 -d 172.17.0.4/32 -j DROP');
    assert.ok(r.hops.some((h) => h.action === 'filter FORWARD' && h.detail.includes("-j DROP [the host's rule, not dockerd's]")));
    // The rule has no conntrack match: the replies of a connection the other way are dropped too.
    const back = liveTrace(s, 'fx-web', '172.17.0.3', 'icmp');
    assert.equal(back.verdict, 'dropped');
    assert.match(back.reason, /echo reply is lost on the way back: dropped by -A DOCKER-USER/);
  });

  it('a rule the engine cannot evaluate (a match module, REJECT) makes the fate unknown where it could apply; comments and LOG do not', () => {
    const s = snapshot({ host: hostSave(['-A DOCKER-USER -m comment --comment "audit \\"all\\"" -j LOG --log-prefix "fw: "', '-A DOCKER-USER -s 172.17.0.3/32 -m set --match-set blocked src -j DROP']) });
    s.listeners = listeners(s);
    const r = liveTrace(s, 'fx-b2', '172.17.0.4', 'tcp', 8080);
    assert.equal(r.verdict, 'unknown');
    assert.match(r.reason, /cannot evaluate -m set --match-set blocked src/);
    assert.ok(r.hops.some((h) => h.detail.includes('-j LOG --log-prefix "fw: "')), 'the LOG rule is passed, and shown');
  });

  it('rules that could not be read: every netfilter hop says it rests on dockerd\'s modelled rules', () => {
    const s = snapshot({ host: { unread: 'the Docker host (ssh://h) is not this machine' } });
    const r = liveTrace(s, 'fx-web', '172.17.0.3', 'icmp');
    assert.equal(r.verdict, 'delivered');
    const filters = r.hops.filter((h) => h.action.startsWith('filter '));
    assert.ok(filters.length > 0 && filters.every((h) => /dockerd's rules as modelled: the host's real rules could not be read: the Docker host \(ssh:\/\/h\) is not this machine/.test(h.detail)));
  });

  it('net.ipv4.ip_forward=0 on the host: routed traffic (across bridges) is dropped, bridged traffic is not', () => {
    const s = snapshot({ host: hostSave([], { 'net.ipv4.ip_forward': '0', 'net.bridge.bridge-nf-call-iptables': '1' }) });
    const routed = liveTrace(s, 'fx-b2', '10.203.0.10', 'icmp');
    assert.equal(routed.verdict, 'dropped');
    assert.match(routed.reason, /net\.ipv4\.ip_forward is 0 on host1/);
    assert.match(routed.fix ?? '', /sysctl -w net\.ipv4\.ip_forward=1/);
    assert.equal(liveTrace(s, 'fx-b2', '172.17.0.4', 'icmp').verdict, 'delivered');
  });
});

describe('drift of what the host really has', () => {
  const fileOf = (s: Snapshot, edit: (text: string) => string = (t) => t) => loadTopology(edit(importTopology(s)));

  it('a listener the file does not declare, one its listen names that is not there, and DOCKER-USER entries: one line each', () => {
    const s = snapshot({ host: { ...hostSave(['-A DOCKER-USER -s 172.17.0.3/32 -d 172.17.0.4/32 -j DROP']), ip6tables: { text: '*filter\n:FORWARD ACCEPT [0:0]\n:DOCKER-USER - [0:0]\n-A FORWARD -j DOCKER-USER\n-A DOCKER-USER -d fd00::/64 -j DROP\n-A DOCKER-USER -j RETURN\nCOMMIT\n', command: 'ip6tables-save' } } });
    const before = fileOf(s);
    const base = computeDrift(before.spec, before.engine, snapshot()).map((i) => i.message);
    s.listeners = listeners(s);
    // fx-b2's sockets could not be read: nothing is said about them. fx-web's file says it listens on 9090 only.
    const file = fileOf(s, (t) => t.replace(/(\n {2}fx-web:\n)/, '$1    listen: ["9090/tcp"]\n'));
    const items = computeDrift(file.spec, file.engine, s).filter((i) => !base.includes(i.message));
    assert.deepEqual(items.map((i) => `${i.kind} ${i.message}`), [
      'extra container "fx-web" listens on 8080/tcp (0.0.0.0) on the host, which the file does not declare (listen or expose)',
      'extra container "fx-web" listens on 6379/tcp (127.0.0.1) on the host, which the file does not declare (listen or expose)',
      'missing container "fx-web" does not listen on 9090/tcp on the host, though its listen says so',
      "extra the host's iptables has a rule the file's engine would not write: -A DOCKER-USER -s 172.17.0.3/32 -d 172.17.0.4/32 -j DROP",
      "extra the host's ip6tables has a rule the file's engine would not write: -A DOCKER-USER -d fd00::/64 -j DROP",
    ]);
    assert.deepEqual(items[2]!.path.slice(-1), ['listen'], 'the missing listener points at the listen key');
  });

  it('a file that declares what the host listens on, and a host without rules of its own: no such drift', () => {
    const s = snapshot({ host: hostSave() });
    s.listeners = listeners(s);
    const file = fileOf(s, (t) => t.replace(/(\n {2}fx-web:\n)/, '$1    listen: ["8080/tcp", "127.0.0.1:6379/tcp"]\n'));
    const plain = fileOf(snapshot());
    const base = computeDrift(plain.spec, plain.engine, snapshot()).map((i) => i.message);
    assert.deepEqual(computeDrift(file.spec, file.engine, s).map((i) => i.message).filter((m) => !base.includes(m)), []);
  });
});
