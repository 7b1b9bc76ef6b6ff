// A live host's ip6tables rules in IPv6 traces (ip6tables-save parsed, evaluated on IPv6 packets: a
// DOCKER-USER DROP stops a ping and is named; dockerd's own rules stay dockerd's), and the reading that
// costs: a command reads only what it shows, a socket table is read only where the namespace has sockets.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inUseOf, socketsInUse } from '../../../src/docker/listeners';
import { compileRules, evaluateChain } from '../../../src/engine/netfilter/evaluate';
import { dockerdWrote, markDockerdRules, parseIptablesSave } from '../../../src/engine/netfilter/parse';
import { observationFor } from '../../../src/live';
import { lab } from '../trace/helpers';

const SIX = `
hosts:
  host1: { interfaces: { eth0: 192.168.50.10/24 }, daemon: { version: "26.1" } }
networks:
  six-a: { enable_ipv6: true, ipam: { config: [ { subnet: 10.113.0.0/24 }, { subnet: "fd00:113::/64" } ] } }
  six-b: { enable_ipv6: true, ipam: { config: [ { subnet: 10.114.0.0/24 }, { subnet: "fd00:114::/64" } ] } }
containers:
  a1: { networks: { six-a: { ipv6_address: "fd00:113::10" } } }
  a2: { networks: { six-a: { ipv6_address: "fd00:113::11" } }, listen: ["80/tcp"] }
  b1: { networks: { six-b: { ipv6_address: "fd00:114::10" } }, listen: ["80/tcp"] }
`;

/** An ip6tables-save as dockerd 26.1 with --ip6tables writes it, with lines added to DOCKER-USER. */
function save6(bridgeA: string, bridgeB: string, added: string[] = []): string {
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':DOCKER - [0:0]',
    ':DOCKER-ISOLATION-STAGE-1 - [0:0]',
    ':DOCKER-ISOLATION-STAGE-2 - [0:0]',
    ':DOCKER-USER - [0:0]',
    '-A FORWARD -j DOCKER-USER',
    '-A FORWARD -j DOCKER-ISOLATION-STAGE-1',
    ...[bridgeA, bridgeB].flatMap((br) => [
      `-A FORWARD -o ${br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
      `-A FORWARD -o ${br} -j DOCKER`,
      `-A FORWARD -i ${br} ! -o ${br} -j ACCEPT`,
      `-A FORWARD -i ${br} -o ${br} -j ACCEPT`,
    ]),
    ...[bridgeA, bridgeB].map((br) => `-A DOCKER-ISOLATION-STAGE-1 -i ${br} ! -o ${br} -j DOCKER-ISOLATION-STAGE-2`),
    '-A DOCKER-ISOLATION-STAGE-1 -j RETURN',
    ...[bridgeA, bridgeB].map((br) => `-A DOCKER-ISOLATION-STAGE-2 -o ${br} -j DROP`),
    '-A DOCKER-ISOLATION-STAGE-2 -j RETURN',
    ...added,
    '-A DOCKER-USER -j RETURN',
    'COMMIT',
    '',
  ].join('\n');
}

function liveLab(added: string[], sysctl?: boolean) {
  const l = lab(SIX);
  const host = l.loaded.engine.state.hosts.get('host1')!;
  const text = save6(l.bridge('six-a'), l.bridge('six-b'), added);
  host.observed = { rules6: markDockerdRules(parseIptablesSave(text, 'host1', { host: 'host1', layout: 'legacy', tables: new Map() })), ...(sysctl !== undefined ? { bridgeNfCallIp6tables: sysctl } : {}) };
  return l;
}

describe("the host's ip6tables rules in IPv6 traces", () => {
  it('ip6tables rules are evaluated on IPv6 addresses (prefixes, negation), not as IPv4', () => {
    const rs = parseIptablesSave(['*filter', ':FORWARD ACCEPT [0:0]', '-A FORWARD -s fd00:113::/64 -d fd00:114::10/128 -p tcp -m tcp --dport 80 -j DROP', '-A FORWARD ! -s fd00:113::/64 -p ipv6-icmp -j DROP', 'COMMIT', ''].join('\n'), 'h', { host: 'h', layout: 'legacy', tables: new Map() });
    const c = compileRules(rs);
    const pkt = (src: bigint, dst: bigint, proto: 'tcp' | 'icmp', dport: number) => evaluateChain(c, 'filter', 'FORWARD', { inIf: 'x', outIf: 'y', src: 0, dst: 0, src6: src, dst6: dst, proto, sport: 1, dport, srcLocal: false, dstLocal: false, ct: 'NEW' }).verdict;
    const a = 0xfd000113n << 96n, b = 0xfd000114n << 96n;
    assert.equal(pkt(a | 5n, b | 0x10n, 'tcp', 80), 'DROP');
    assert.equal(pkt(a | 5n, b | 0x11n, 'tcp', 80), 'ACCEPT', 'another /128');
    assert.equal(pkt(a | 5n, b | 0x10n, 'icmp', 0), 'ACCEPT', 'from inside the negated prefix');
    assert.equal(pkt(b | 5n, a | 0x10n, 'icmp', 0), 'DROP', 'ipv6-icmp is the ping protocol');
  });

  it('dockerd\'s own rules are told apart from the host\'s', () => {
    const rs = parseIptablesSave(save6('br-aaaaaaaaaaaa', 'br-bbbbbbbbbbbb', ['-A DOCKER-USER -d fd00:113::11/128 -j DROP']), 'h', { host: 'h', layout: 'legacy', tables: new Map() });
    const rules = [...rs.tables.get('filter')!.chains.values()].flatMap((c) => c.rules);
    assert.deepEqual(rules.filter((r) => !dockerdWrote(r)).map((r) => r.text), ['-A DOCKER-USER -d fd00:113::11/128 -j DROP']);
  });

  it('a DOCKER-USER DROP stops a ping between two containers of one bridge, and the hop that decides names it', () => {
    const r = liveLab(['-A DOCKER-USER -s fd00:113::10/128 -d fd00:113::11/128 -j DROP']).t('a1', 'fd00:113::11');
    assert.equal(r.verdict, 'dropped', r.reason);
    assert.match(r.reason, /^dropped by -A DOCKER-USER -s fd00:113::10\/128 -d fd00:113::11\/128 -j DROP \(ip6tables filter FORWARD, the host's rule \(not dockerd's\), read from host1\)$/);
    assert.equal(r.rule, '-A DOCKER-USER -s fd00:113::10/128 -d fd00:113::11/128 -j DROP');
    assert.match(r.fix!, /^ip6tables -D DOCKER-USER -s fd00:113::10\/128 -d fd00:113::11\/128 -j DROP on host1/);
    const hop = r.hops.find((h) => h.action === 'filter6 FORWARD')!;
    assert.match(hop.detail, /-A FORWARD -j DOCKER-USER → -A DOCKER-USER -s fd00:113::10\/128 -d fd00:113::11\/128 -j DROP \[the host's rule, not dockerd's\] \(the host's ip6tables rules, read by ip6tables-save\)/);
  });

  it('the other direction loses its replies to the same rule (no conntrack match), unless the rule is for NEW packets only; bridge-nf-call-ip6tables=0 skips it', () => {
    const rule = ['-A DOCKER-USER -s fd00:113::10/128 -d fd00:113::11/128 -j DROP'];
    const back = liveLab(rule).t('a2', 'fd00:113::10');
    assert.equal(back.verdict, 'dropped', back.reason);
    assert.match(back.reason, /^the echo reply from fd00:113::10 is lost on the way back: dropped by -A DOCKER-USER -s fd00:113::10\/128 -d fd00:113::11\/128 -j DROP/);
    const onlyNew = liveLab(['-A DOCKER-USER -s fd00:113::10/128 -d fd00:113::11/128 -m conntrack --ctstate NEW -j DROP']).t('a2', 'fd00:113::10');
    assert.equal(onlyNew.verdict, 'delivered', onlyNew.reason);
    const skipped = liveLab(rule, false).t('a1', 'fd00:113::11');
    assert.equal(skipped.verdict, 'delivered', skipped.reason);
    assert.ok(skipped.hops.some((h) => /bridge-nf-call-ip6tables is 0/.test(h.detail)));
  });

  it('across bridges dockerd\'s isolation rule read from the host decides; a DOCKER-USER ACCEPT before it lets the packet through', () => {
    const l = liveLab([]);
    const isolated = l.t('a1', '[fd00:114::10]:80');
    assert.equal(isolated.verdict, 'dropped', isolated.reason);
    assert.match(isolated.reason, new RegExp(`^dropped by -A DOCKER-ISOLATION-STAGE-2 -o ${l.bridge('six-b')} -j DROP \\(ip6tables filter FORWARD, dockerd's rule`));
    // One way only: the replies meet dockerd's isolation on the way back (as the kernel does it).
    const oneWay = liveLab(['-A DOCKER-USER -s fd00:113::/64 -d fd00:114::/64 -j ACCEPT']).t('a1', '[fd00:114::10]:80');
    assert.equal(oneWay.verdict, 'dropped', oneWay.reason);
    assert.match(oneWay.reason, /^the reply from fd00:114::10 is lost on the way back: dropped by -A DOCKER-ISOLATION-STAGE-2 -o /);
    const open = liveLab(['-A DOCKER-USER -s fd00:113::/64 -d fd00:114::/64 -j ACCEPT', '-A DOCKER-USER -s fd00:114::/64 -d fd00:113::/64 -j ACCEPT']).t('a1', '[fd00:114::10]:80');
    assert.equal(open.verdict, 'delivered', open.reason);
  });

  it('a rule the engine cannot evaluate (REJECT) makes the fate unknown, never a guess', () => {
    const r = liveLab(['-A DOCKER-USER -d fd00:113::11/128 -j REJECT --reject-with icmp6-port-unreachable']).t('a1', 'fd00:113::11');
    assert.equal(r.verdict, 'unknown', r.reason);
    assert.match(r.reason, /REJECT/);
  });
});

describe('reading only what a command uses', () => {
  it('inspect and resolve read neither sockets nor rules; rules reads the rules; trace and matrix read both', () => {
    assert.deepEqual(observationFor('inspect'), { listeners: false, rules: false });
    assert.deepEqual(observationFor('resolve'), { listeners: false, rules: false });
    assert.deepEqual(observationFor('rules'), { listeners: false, rules: true });
    assert.deepEqual(observationFor('trace'), { listeners: true, rules: true });
    assert.deepEqual(observationFor('matrix'), { listeners: true, rules: true });
  });

  it('sockstat tells which socket tables a namespace has anything in', async () => {
    assert.equal(inUseOf('sockets: used 2\nTCP: inuse 3 orphan 0 tw 0 alloc 11 mem 147\nUDP: inuse 0 mem 0\n', 'TCP'), 3);
    assert.equal(inUseOf('TCP6: inuse 1\nUDP6: inuse 0\n', 'UDP6'), 0);
    const dir = mkdtempSync(join(tmpdir(), 'cnm-sockstat-'));
    try {
      mkdirSync(join(dir, 'net'));
      writeFileSync(join(dir, 'net/sockstat'), 'sockets: used 2\nTCP: inuse 1 orphan 0 tw 0 alloc 1 mem 0\nUDP: inuse 0 mem 0\n');
      assert.deepEqual(await socketsInUse(join(dir, 'net')), { tcp: 1, udp: 0, tcp6: undefined, udp6: undefined }, 'no sockstat6 (IPv6 off): its tables are read, or found missing');
      writeFileSync(join(dir, 'net/sockstat6'), 'TCP6: inuse 0\nUDP6: inuse 2\n');
      assert.deepEqual(await socketsInUse(join(dir, 'net')), { tcp: 1, udp: 0, tcp6: 0, udp6: 2 });
      assert.equal(await socketsInUse(join(dir, 'nothing')), null, 'unreadable: every table is read');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
