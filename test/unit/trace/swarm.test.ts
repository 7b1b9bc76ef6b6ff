// Swarm services in the tracer: a service name (VIP) lands on one replica — the engine's deterministic
// replicaForConnection, which the hop explains; tasks.<svc> and dnsrr answer task addresses; the ingress
// routing mesh takes a published port on any node to a replica through ingress-sbox and IPVS (as data).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadTopology } from '../../../src/topology';
import { assertVerdict, hop, lab } from './helpers';

const SWARM = (mode = 'vip', ports = '') => `
hosts:
  node1:
    interfaces: { eth0: 192.168.50.10/24 }
    daemon: { version: "20.10" }
    swarm: manager
  node2:
    interfaces: { eth0: 192.168.50.11/24 }
    daemon: { version: "20.10" }
    swarm: worker
  node3:
    interfaces: { eth0: 192.168.50.12/24 }
    daemon: { version: "20.10" }
    swarm: worker
networks:
  app: { driver: overlay, host: node1, attachable: true }
services:
  web:
    image: nginx
    replicas: 3
    endpoint_mode: ${mode}
    networks: [app]
    expose: ["80"]
    ${ports}
containers:
  client: { host: node2, networks: [app] }
`;

describe('VIP mode', () => {
  it('the name resolves to the VIP; IPVS in the client sends connection 0 to task 1 (replicaForConnection)', () => {
    const r = lab(SWARM()).t('client', 'web:80');
    assertVerdict(r, 'delivered', /web\.1\.\w+ accepts .*through service web's virtual IP 10\.0\.1\.\d+: IPVS sent the connection to web\.1\.\w+ at 10\.0\.1\.\d+ on node1/);
    assert.match(hop(r, 'resolve')!.detail, /service web \(endpoint_mode vip\) answers its virtual IP on app/);
    const ipvs = hop(r, 'ipvs')!;
    assert.equal(ipvs.node, 'client');
    assert.match(ipvs.detail, /is the virtual IP of service web on app: .*IPVS \(scheduler rr, NAT mode\).*task web\.1\.\w+ .* on node1 — IPVS round robin walks the 3 tasks in slot order and a trace is the first connection \(tasks\[\(firstBackend 0 \+ 0\) mod 3\]\); connection 2 would go to web\.2, connection 3 to web\.3/);
    assert.ok(hop(r, 'encapsulate'), 'node2 → node1 over VXLAN');
  });

  it('tasks.<svc> answers every task address', () => {
    const r = lab(SWARM()).t('client', 'tasks.web');
    assertVerdict(r, 'delivered');
    assert.match(hop(r, 'resolve')!.detail, /tasks\.web → 10\.0\.1\.\d+, 10\.0\.1\.\d+, 10\.0\.1\.\d+ \(Docker's embedded DNS: tasks\.web answers every task's address on app \(3 tasks\)\)/);
    assert.equal(hop(r, 'ipvs'), undefined, 'no VIP, no IPVS');
  });
});

describe('dnsrr mode', () => {
  it('the service name itself answers the task addresses: no VIP, no IPVS', () => {
    const r = lab(SWARM('dnsrr')).t('client', 'web:80');
    assertVerdict(r, 'delivered');
    assert.match(hop(r, 'resolve')!.detail, /endpoint_mode dnsrr, so its name answers every task's address on app \(no virtual IP\)/);
    assert.equal(hop(r, 'ipvs'), undefined);
  });

  it('dnsrr with an ingress-published port is refused with swarmkit\'s error', () => {
    const loaded = loadTopology(SWARM('dnsrr', 'ports: ["8080:80"]'));
    assert.ok(loaded.diagnostics.some((d) => d.severity === 'error' && /port published with ingress mode can't be used with dnsrr mode/.test(d.message)),
      loaded.diagnostics.map((d) => d.message).join('\n'));
  });
});

describe('the ingress routing mesh', () => {
  it('a published port on a node without a task of its own still reaches a replica', () => {
    const l = lab(SWARM('vip', 'ports: ["8080:80"]'));
    const r = l.t('node3', '192.168.50.12:8080');
    assertVerdict(r, 'delivered', /routing mesh: 192\.168\.50\.12:8080 → ingress-sbox → IPVS → web\.1\.\w+ \(10\.0\.0\.\d+:80 on node1\)/);
    assert.match(hop(r, 'nat OUTPUT')!.detail, /-A OUTPUT -m addrtype --dst-type LOCAL -j DOCKER-INGRESS → -A DOCKER-INGRESS -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172\.18\.0\.2:8080/);
    const ipvs = hop(r, 'ipvs')!;
    assert.equal(ipvs.node, 'ingress-sbox on node3');
    assert.match(ipvs.detail, /IPVS on that mark has 3 real servers \(web\.1 .* on node1, web\.2 .* on node2, web\.3 .* on node3\)/);
    assert.match(hop(r, 'SNAT')!.detail, /-m ipvs --ipvs -j SNAT --to-source 10\.0\.0\.\d+/);
    assert.ok(hop(r, 'encapsulate', /VNI 4096/), 'the ingress overlay carries it to node1');
  });

  it('from another machine on the LAN: PREROUTING DNAT, FORWARD by DOCKER-INGRESS', () => {
    const r = lab(SWARM('vip', 'ports: ["8080:80"]')).t('node2', '192.168.50.10:8080');
    assertVerdict(r, 'delivered');
    assert.ok(hop(r, 'nat PREROUTING', /DOCKER-INGRESS/));
    assert.ok(hop(r, 'filter FORWARD', /-A DOCKER-INGRESS -p tcp -m tcp --dport 8080 -j ACCEPT/));
  });

  it('a port no service publishes: refused by the node', () => {
    // node1 says nothing of its own listens (listen: []); without it, the answer is unknown.
    const swarm = SWARM('vip', 'ports: ["8080:80"]');
    assertVerdict(lab(swarm.replace('swarm: manager', 'swarm: manager\n    listen: []')).t('node2', '192.168.50.10:8081'), 'refused');
    assertVerdict(lab(swarm).t('node2', '192.168.50.10:8081'), 'unknown', /what node1's own processes listen on/);
  });
});
