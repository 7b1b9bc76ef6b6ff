// The tracer on the cases a user meets: network modes, internal networks, icc off, published ports
// from the host, from another network and over loopback, the gateway address, addresses of no one,
// names that do not resolve — each with the reason and the fix a newcomer can act on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TraceInputError } from '../../../src/engine/trace';
import { assertVerdict, hop, lab } from './helpers';

const LAB = `
hosts: { host1: { daemon: { version: "20.10" }, listen: [] } }  # nothing of the host's own listens
networks:
  lan: { subnet: 10.111.0.0/24 }
  other: { subnet: 10.112.0.0/24 }
  vault: { subnet: 10.113.0.0/24, internal: true }
  quiet: { subnet: 10.114.0.0/24, driver_opts: { com.docker.network.bridge.enable_icc: "false" } }
containers:
  app: { networks: [lan], listen: ["80", "9090"], ports: ["18080:80", "127.0.0.1:18081:80", "18082:81"] }
  sidecar: { network_mode: "container:app" }
  client: { networks: [lan] }
  far: { networks: [other] }
  hosty: { network_mode: host, expose: ["18161"] }
  lonely: { network_mode: none }
  safe: { networks: [vault], expose: ["80"] }
  q1: { networks: [quiet], expose: ["80"] }
  q2: { networks: [quiet], expose: ["80"] }
  d1: {}
  d2: { expose: ["80"] }
`;

describe('network modes', () => {
  const l = lab(LAB);

  it('container: mode shares the namespace: its loopback is the other container\'s', () => {
    assertVerdict(l.t('sidecar', 'localhost:80'), 'delivered', /app accepts 127\.0\.0\.1:80/);
    assertVerdict(l.t('sidecar', 'client'), 'delivered');
    const r = l.t('client', 'sidecar');
    assertVerdict(r, 'unresolved', /network_mode container:app: it has no endpoint of its own/);
    assert.match(r.fix!, /\(app\)/);
  });

  it('host mode: the container is the host; its process listens on the host\'s ports', () => {
    assertVerdict(l.t('client', `${l.gateway('lan')}:18161`), 'delivered', /hosty accepts/);
    assertVerdict(l.t('hosty', `${l.ip('client', 'lan')}`), 'delivered');
    assertVerdict(l.t('hosty', 'client'), 'unresolved', /uses the host's network and its resolver/);
    assertVerdict(l.t('hosty', '127.0.0.1:18081'), 'delivered', /docker-proxy on 127\.0\.0\.1:18081/);
  });

  it('none mode: only the loopback', () => {
    assertVerdict(l.t('lonely', '127.0.0.1'), 'delivered');
    const r = l.t('lonely', l.ip('client', 'lan'));
    assertVerdict(r, 'dropped', /no network but its loopback \(network_mode: none\).*Network is unreachable/);
    assert.match(r.fix!, /remove network_mode: none/);
  });
});

describe('isolation', () => {
  const l = lab(LAB);

  it('an internal network keeps its containers in, and others out', () => {
    const out = l.t('safe', l.ip('client', 'lan'));
    assertVerdict(out, 'dropped', /vault is an internal network/);
    assert.match(out.rule!, /^-A DOCKER-ISOLATION-STAGE-1 ! -d 10\.113\.0\.0\/24 -i br-\w+ -j DROP$/);
    const into = l.t('client', `${l.ip('safe', 'vault')}:80`);
    assertVerdict(into, 'dropped', /coming into it from outside its subnet/);
    assert.match(into.fix!, /docker network connect vault client/);
  });

  it('20.10 internal containers still reach their gateway (the host)', () => {
    assertVerdict(l.t('safe', l.gateway('vault')), 'delivered', /host1 answered/);
    assertVerdict(l.t('host1', `${l.ip('safe', 'vault')}:80`), 'delivered');
  });

  it('icc off: containers on the same bridge are dropped by the FORWARD DROP rule', () => {
    const r = l.t('q1', 'q2:80');
    assertVerdict(r, 'dropped', /inter-container communication is off on network quiet/);
    assert.match(r.rule!, /^-A FORWARD -i (br-\w+) -o \1 -j DROP$/);
    assert.match(r.fix!, /enable_icc=false/);
    assertVerdict(l.t('host1', `${l.ip('q2', 'quiet')}:80`), 'delivered', /q2 accepts/);
  });
});

describe('published ports', () => {
  const l = lab(LAB);

  it('from the host over loopback: docker-proxy, also for a 127.0.0.1-bound port', () => {
    assertVerdict(l.t('host1', '127.0.0.1:18080'), 'delivered', /docker-proxy on 0\.0\.0\.0:18080 relays the connection to app/);
    assertVerdict(l.t('host1', '127.0.0.1:18081'), 'delivered', /docker-proxy on 127\.0\.0\.1:18081/);
  });

  it('from another network through the host (its gateway address)', () => {
    assertVerdict(l.t('far', `${l.gateway('other')}:18080`), 'delivered', /docker-proxy/);
  });

  it('a 127.0.0.1-bound port is not reachable from a container', () => {
    const r = l.t('far', `${l.gateway('other')}:18081`);
    assertVerdict(r, 'refused', /published only on 127\.0\.0\.1 \(by app\)/);
    assert.match(r.fix!, /publish it on every address \("18081:80"\)/);
  });

  it('127.0.0.1 inside a container is the container itself', () => {
    const r = l.t('client', '127.0.0.1:18080');
    assertVerdict(r, 'refused', /inside a container is the container itself/);
  });

  it('a published port whose container does not listen: docker-proxy accepts, then closes', () => {
    const r = l.t('host1', '127.0.0.1:18082');
    assertVerdict(r, 'delivered', /accepts the connection, but its own connection to app .* is refused/);
    assert.match(r.fix!, /listen on 81\/tcp/);
  });

  it('a port nobody publishes is refused by the host', () => {
    assertVerdict(l.t('host1', '127.0.0.1:18999'), 'refused', /no container publishes 18999\/tcp/);
  });
});

describe('addresses and names', () => {
  const l = lab(LAB);

  it('the gateway address is the host: it answers pings, refuses closed ports', () => {
    assertVerdict(l.t('client', l.gateway('lan')), 'delivered', /host1 answered the ping/);
    assertVerdict(l.t('client', `${l.gateway('lan')}:1`), 'refused', /nothing listens on 10\.111\.0\.1:1\/tcp on host host1/);
    // Another network's gateway is the host too: no FORWARD on the way.
    assertVerdict(l.t('client', l.gateway('other')), 'delivered');
  });

  it('an address nobody has: ARP gets no answer', () => {
    const r = l.t('client', '10.111.0.77');
    assertVerdict(r, 'dropped', /nobody on network lan \(br-\w+\) has 10\.111\.0\.77: ARP gets no answer/);
    assert.match(r.fix!, /app \(10\.111\.0\.2\)/);
    assertVerdict(l.t('host1', '10.111.0.77'), 'dropped', /ARP gets no answer/);
  });

  it('names on the default bridge do not resolve', () => {
    const r = l.t('d1', 'd2');
    assertVerdict(r, 'unresolved', /only on the default bridge, where Docker runs no embedded DNS/);
    assert.match(r.fix!, /docker network create shared && docker network connect shared d1 && docker network connect shared d2, or use d2's address 172\.17\.0\.3/);
    assertVerdict(l.t('d1', '172.17.0.3:80'), 'delivered');
  });

  it('a container on another network does not resolve; the host resolves no container', () => {
    assertVerdict(l.t('client', 'far'), 'unresolved', /far is not on any network client is on/);
    assertVerdict(l.t('host1', 'app'), 'unresolved', /host1's own resolver does not know "app"/);
  });

  it('the resolve hop says where the answer came from', () => {
    const r = l.t('client', 'app');
    assert.ok(hop(r, 'resolve', /app → 10\.111\.0\.2 \(Docker's embedded DNS at 127\.0\.0\.11, record on network lan\)/));
  });
});

describe('changes and bad questions', () => {
  it('a stopped container: its name no longer resolves, its static address answers no ARP', () => {
    const l = lab(`
hosts: { host1: { daemon: { version: "20.10" } } }
networks:
  lan: { subnet: 10.120.0.0/24 }
containers:
  web: { networks: { lan: { ipv4_address: 10.120.0.50 } }, expose: ["80"] }
  client: { networks: [lan] }
`);
    assertVerdict(l.t('client', 'web:80'), 'delivered');
    l.loaded.engine.stopContainer('host1', 'web');
    assertVerdict(l.t('client', 'web:80'), 'unresolved', /web is not running/);
    const r = l.t('client', '10.120.0.50');
    assertVerdict(r, 'dropped', /web, which has 10\.120\.0\.50, is not running/);
    assert.equal(r.fix, 'start it: docker start web');
    assertVerdict(l.t('web', 'client'), 'dropped', /web is not running/);
  });

  it('malformed questions are errors, not verdicts', () => {
    const l = lab(LAB);
    assert.throws(() => l.tracer.trace({ from: 'nobody-here', to: 'app', proto: 'icmp' }), TraceInputError);
    assert.throws(() => l.tracer.trace({ from: 'client', to: 'app', proto: 'tcp' }), /TCP needs a port/);
  });
});

describe('macvlan: children of a host link', () => {
  const l = lab(`
hosts:
  host1:
    interfaces: { eth0: 192.168.50.10/24 }
    daemon: { version: "20.10" }
  host2:
    interfaces: { eth0: 192.168.50.11/24 }
    daemon: { version: "20.10" }
networks:
  lan:
    driver: macvlan
    subnet: 192.168.50.0/24
    gateway: 192.168.50.1
    ip_range: 192.168.50.128/26
    driver_opts: { parent: eth0 }
  priv:
    driver: macvlan
    subnet: 10.44.0.0/24
    driver_opts: { macvlan_mode: private }
containers:
  m1: { networks: [lan], expose: ["80"] }
  m2: { networks: [lan], expose: ["80"] }
  p1: { networks: [priv] }
  p2: { networks: [priv] }
`);

  it('children of one parent reach each other directly, without the host\'s iptables', () => {
    const r = l.t('m1', 'm2:80');
    assertVerdict(r, 'delivered');
    assert.ok(hop(r, 'switch', /macvlan bridge: .* another child of eth0/));
    assert.ok(!hop(r, 'filter FORWARD'));
  });

  it('the host cannot reach its own macvlan children, nor they the host', () => {
    const toChild = l.t('host1', l.ip('m1', 'lan'));
    assertVerdict(toChild, 'dropped', /a host cannot reach its own macvlan children/);
    assert.match(toChild.fix!, /macvlan interface of its own on eth0/);
    assertVerdict(l.t('m1', '192.168.50.10'), 'dropped', /host1's own address/);
  });

  it('another machine on the LAN reaches them', () => {
    assertVerdict(l.t('host2', `${l.ip('m1', 'lan')}:80`), 'delivered', /m1 accepts/);
    assertVerdict(l.t('m1', '192.168.50.11'), 'delivered', /host2 answered/);
  });

  it('private mode keeps the children apart', () => {
    assertVerdict(l.t('p1', l.ip('p2', 'priv')), 'dropped', /private mode/);
  });
});

describe('listen entries bound to one address', () => {
  const b = lab(`
hosts: { host1: { daemon: { version: "20.10" } } }
networks:
  lan: { subnet: 10.119.0.0/24 }
containers:
  db: { networks: [lan], listen: ["127.0.0.1:6379", "10.119.0.50:5432", "0.0.0.0:8080"] }
  client: { networks: [lan] }
`);

  it('a 127.0.0.1-only listener is refused from outside the container, and the fix says to listen on every address', () => {
    const r = b.t('client', 'db:6379');
    assertVerdict(r, 'refused', /listens on 6379\/tcp only on 127\.0\.0\.1, which is not reachable from outside the container/);
    assert.match(r.fix!, /listen: \["6379\/tcp"\] instead of "127\.0\.0\.1:6379\/tcp"/);
    assertVerdict(b.t('db', '127.0.0.1:6379'), 'delivered', /db accepts 127\.0\.0\.1:6379/);
  });

  it('a listener bound to another address is refused; 0.0.0.0 takes every IPv4 address', () => {
    assertVerdict(b.t('client', 'db:5432'), 'refused', /only on 10\.119\.0\.50/);
    assertVerdict(b.t('client', 'db:8080'), 'delivered', /db accepts/);
  });
});
