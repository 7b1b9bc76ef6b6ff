// The packet walks of reference §3.1.5, each with its verdict and the rule that decided it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertVerdict, hop, lab } from './helpers';

const TWO_NETS = (daemon = '') => `
hosts:
  host1:
    interfaces: { eth0: 192.168.50.10/24 }
    daemon: { version: "20.10"${daemon} }
  host2:
    interfaces: { eth0: 192.168.50.11/24 }
    daemon: { version: "20.10" }
networks:
  neta: { subnet: 10.81.0.0/24 }
  netb: { subnet: 10.82.0.0/24 }
containers:
  a1: { networks: [neta], expose: ["80"] }
  a2: { networks: [neta], expose: ["80"] }
  b1: { networks: [netb], ports: ["8080:80"], expose: ["80"] }
  d1: { expose: ["80"] }
`;

describe('packet walks of Docker 20.10 (reference §3.1.5)', () => {
  it('container in net A → container in net B: routed via the host, dropped by DOCKER-ISOLATION-STAGE-2', () => {
    const l = lab(TWO_NETS());
    const r = l.t('a1', `${l.ip('b1', 'netb')}:80`);
    assertVerdict(r, 'dropped', /isolates bridge networks/);
    assert.equal(r.rule, `-A DOCKER-ISOLATION-STAGE-2 -o ${l.bridge('netb')} -j DROP`);
    const fwd = hop(r, 'filter FORWARD');
    assert.ok(fwd, 'the FORWARD chain is traversed');
    assert.match(fwd.detail, /-A FORWARD -j DOCKER-USER → -A DOCKER-USER -j RETURN → -A FORWARD -j DOCKER-ISOLATION-STAGE-1 → -A DOCKER-ISOLATION-STAGE-1 -i br-\w+ ! -o br-\w+ -j DOCKER-ISOLATION-STAGE-2 → -A DOCKER-ISOLATION-STAGE-2 -o br-\w+ -j DROP/);
    assert.match(r.fix!, /docker network connect netb a1/);
  });

  it('the same between docker0 and a user network', () => {
    const l = lab(TWO_NETS());
    assertVerdict(l.t('d1', l.ip('a1', 'neta')), 'dropped', /isolates bridge networks/);
    assertVerdict(l.t('a1', l.ip('d1', 'bridge')), 'dropped', /isolates bridge networks/);
  });

  it('container → same-bridge container: switched, and FORWARD still applies through br_netfilter', () => {
    const l = lab(TWO_NETS());
    const r = l.t('a1', 'a2:80');
    assertVerdict(r, 'delivered', /a2 accepts/);
    assert.ok(hop(r, 'switch', /ARP: 10\.81\.0\.3 is at/), 'switched by the bridge');
    const fwd = hop(r, 'filter FORWARD', /br_netfilter/);
    assert.ok(fwd && fwd.detail.endsWith(`-A FORWARD -i ${l.bridge('neta')} -o ${l.bridge('neta')} -j ACCEPT`));
    assert.ok(hop(r, 'reply', /ESTABLISHED/), 'the SYN-ACK comes back');
  });

  it('container → outside: FORWARD -i br ! -o br ACCEPT, then MASQUERADE to the host address; beyond the LAN the engine cannot know', () => {
    const l = lab(TWO_NETS());
    const r = l.t('a1', '192.168.50.99');
    assertVerdict(r, 'unknown', /no one in the topology has 192\.168\.50\.99: host1 sends it out eth0 with source 192\.168\.50\.10 \(MASQUERADE of 10\.81\.0\.2\), beyond what the topology describes, so the engine cannot know whether it is answered/);
    assert.deepEqual(r.hops.at(-1), { node: 'host1', interface: 'eth0', action: 'unknown', detail: r.reason }, 'the last hop is where it leaves the topology');
    assert.ok(hop(r, 'filter FORWARD', new RegExp(`-A FORWARD -i ${l.bridge('neta')} ! -o ${l.bridge('neta')} -j ACCEPT`)));
    assert.ok(hop(r, 'MASQUERADE', /10\.81\.0\.2 → 192\.168\.50\.10/));
  });

  it('external client → hostIP:8080: PREROUTING DNAT, FORWARD accepted by the DOCKER chain', () => {
    const l = lab(TWO_NETS());
    const r = l.t('host2', '192.168.50.10:8080');
    assertVerdict(r, 'delivered', /b1 accepts .* by DNAT on host1/);
    assert.ok(hop(r, 'nat PREROUTING', /-A DOCKER ! -i br-\w+ -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10\.82\.0\.2:80/));
    assert.ok(hop(r, 'filter FORWARD', /-A FORWARD -o br-\w+ -j DOCKER → -A DOCKER -d 10\.82\.0\.2\/32 ! -i br-\w+ -o br-\w+ -p tcp -m tcp --dport 80 -j ACCEPT/));
  });

  it('host → container IP: OUTPUT only, no FORWARD: any listening port', () => {
    const l = lab(TWO_NETS());
    const r = l.t('host1', `${l.ip('a1', 'neta')}:80`);
    assertVerdict(r, 'delivered');
    assert.ok(!hop(r, 'filter FORWARD'));
    assertVerdict(l.t('host1', `${l.ip('a1', 'neta')}:81`), 'refused', /nothing in a1 listens on 81\/tcp/);
  });

  it('host → 127.0.0.1:8080: nat OUTPUT skips 127/8, so docker-proxy answers and connects to the container', () => {
    const l = lab(TWO_NETS());
    const r = l.t('host1', '127.0.0.1:8080');
    assertVerdict(r, 'delivered', /docker-proxy on 0\.0\.0\.0:8080 relays the connection to b1/);
    assert.ok(hop(r, 'docker-proxy'));
    assert.ok(!hop(r, 'DNAT'));
  });

  it('host → hostIP:8080: nat OUTPUT → DOCKER DNAT straight to the container', () => {
    const l = lab(TWO_NETS());
    const r = l.t('host1', '192.168.50.10:8080');
    assertVerdict(r, 'delivered', /DNAT on host1/);
    assert.ok(hop(r, 'nat OUTPUT', /-A OUTPUT ! -d 127\.0\.0\.0\/8 -m addrtype --dst-type LOCAL -j DOCKER/));
    assert.ok(!hop(r, 'docker-proxy'));
  });

  it('container → its own published port via a host address: RETURN, then docker-proxy (hairpin through the proxy)', () => {
    const l = lab(TWO_NETS());
    const r = l.t('b1', `${l.gateway('netb')}:8080`);
    assertVerdict(r, 'delivered', /docker-proxy/);
    assert.ok(hop(r, 'nat PREROUTING', /-A DOCKER -i br-\w+ -j RETURN/));
  });

  it('…and with userland-proxy=false: DNAT plus the hairpin MASQUERADE -s ctr -d ctr', () => {
    const l = lab(TWO_NETS(', userland-proxy: false'));
    const r = l.t('b1', `${l.gateway('netb')}:8080`);
    assertVerdict(r, 'delivered', /DNAT/);
    assert.ok(hop(r, 'nat POSTROUTING', /-A POSTROUTING -s 10\.82\.0\.2\/32 -d 10\.82\.0\.2\/32 -p tcp -m tcp --dport 80 -j MASQUERADE/));
  });

  it('container in A → host address:published port of B: docker-proxy with the proxy; DNAT then isolation without it', () => {
    const withProxy = lab(TWO_NETS());
    assertVerdict(withProxy.t('a1', `${withProxy.gateway('neta')}:8080`), 'delivered', /docker-proxy/);
    const hairpin = lab(TWO_NETS(', userland-proxy: false'));
    const r = hairpin.t('a1', `${hairpin.gateway('neta')}:8080`);
    assertVerdict(r, 'dropped', /isolates bridge networks/);
    assert.ok(hop(r, 'DNAT', /→ 10\.82\.0\.2:80/));
  });
});
