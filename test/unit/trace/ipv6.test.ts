// IPv6 on dual-stack bridges: ping and TCP between containers over IPv6, names resolved to their AAAA
// answer, and what the daemon's ip6tables setting means: none in 20.10 (no isolation between IPv6
// networks), IPv4-like isolation from 27.0.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDestination } from '../../../src/engine/trace';
import { assertVerdict, hop, lab } from './helpers';

const DUAL = (version: string) => `
hosts:
  host1:
    daemon: { version: "${version}" }
networks:
  six-a:
    enable_ipv6: true
    ipam: { config: [ { subnet: 10.113.0.0/24 }, { subnet: "fd00:113::/64" } ] }
  six-b:
    enable_ipv6: true
    ipam: { config: [ { subnet: 10.114.0.0/24 }, { subnet: "fd00:114::/64" } ] }
  v4only: { subnet: 10.115.0.0/24 }
containers:
  a1: { networks: [six-a], expose: ["80"] }
  a2:
    networks:
      six-a: { ipv6_address: "fd00:113::99" }
  b1: { networks: [six-b] }
  c1: { networks: [v4only] }
  c2: { networks: [v4only] }
`;

describe('IPv6 between containers', () => {
  it('a name resolves to its IPv6 address with /icmp6; the ping is switched on the bridge', () => {
    const r = lab(DUAL('20.10')).t('a1', 'a2/icmp6');
    assertVerdict(r, 'delivered', /a2 answered the ping over IPv6 \(ICMPv6 echo reply from fd00:113::99\)/);
    assert.equal(r.address, 'fd00:113::99');
    assert.match(hop(r, 'resolve')!.detail, /a2 \(AAAA\) → fd00:113::99/);
    assert.deepEqual(r.hops.map((h) => h.action), ['resolve', 'route', 'send', 'switch', 'filter6 FORWARD', 'receive', 'deliver']);
    assert.match(hop(r, 'switch')!.detail, /neighbour discovery: fd00:113::99 is at/);
    assert.match(hop(r, 'filter6 FORWARD')!.detail, /Docker 20\.10 installs no ip6tables rules \(ip6tables is off by default and needs experimental/);
  });

  it('TCP over IPv6 to a literal: accepted by the listener, refused elsewhere', () => {
    const l = lab(DUAL('20.10'));
    assertVerdict(l.t('a2', '[fd00:113::2]:80'), 'delivered', /a1 accepts \[fd00:113::2\]:80\/tcp over IPv6/);
    assertVerdict(l.t('a1', '[fd00:113::99]:80'), 'refused', /nothing in a2 listens on 80\/tcp/);
  });

  it('20.10: two IPv6 networks are not isolated (no ip6tables), though their IPv4 addresses are', () => {
    const l = lab(DUAL('20.10'));
    const six = l.t('a1', 'fd00:114::2');
    assertVerdict(six, 'delivered');
    assert.match(hop(six, 'filter6 FORWARD', /-o br-/)!.detail, /IPv6 crosses between networks that IPv4 isolation keeps apart/);
    assertVerdict(l.t('a1', l.ip('b1', 'six-b')), 'dropped', /isolates bridge networks/);
  });

  it('27.0+: ip6tables is on, and IPv6 networks are isolated like IPv4 ones', () => {
    const r = lab(DUAL('28.0')).t('a1', 'fd00:114::2');
    assertVerdict(r, 'dropped', /ip6tables filter FORWARD.*isolates IPv6 bridge networks/);
    assert.equal(r.rule?.startsWith('-A DOCKER-ISOLATION-STAGE-2 -o br-'), true);
  });

  it('a name on a network without IPv6 has no AAAA answer', () => {
    const r = lab(DUAL('20.10')).t('c1', 'c2/icmp6');
    assertVerdict(r, 'unresolved', /"c2" has no IPv6 address: the AAAA answer is empty because the network they share is not enable_ipv6/);
  });

  it('the host reaches a container over IPv6 through the bridge', () => {
    assertVerdict(lab(DUAL('20.10')).t('host1', '[fd00:113::99]'), 'delivered');
  });

  it('the destination syntax: /icmp6, /tcp6, /udp6 ask for IPv6', () => {
    assert.deepEqual(parseDestination('a2/icmp6'), { to: 'a2', proto: 'icmp', family: 6 });
    assert.deepEqual(parseDestination('a2:80/tcp6'), { to: 'a2', port: 80, proto: 'tcp', family: 6 });
    assert.deepEqual(parseDestination('[fd00::1]:53/udp'), { to: 'fd00::1', port: 53, proto: 'udp' });
  });
});

describe('hop labels in the diagram trace list', () => {
  it('new hop kinds get readable labels; others show as written', async () => {
    const { hopLabel } = await import('../../../src/protocol/trace');
    assert.equal(hopLabel('encapsulate'), 'encap');
    assert.equal(hopLabel('decapsulate'), 'decap');
    assert.equal(hopLabel('ipvs'), 'IPVS');
    assert.equal(hopLabel('filter6 FORWARD'), 'ip6tables FORWARD');
    assert.equal(hopLabel('reply filter6 FORWARD'), 'reply ip6tables FORWARD');
    assert.equal(hopLabel('filter FORWARD'), 'filter FORWARD');
  });
});
