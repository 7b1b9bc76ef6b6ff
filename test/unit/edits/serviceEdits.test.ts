// Create Service's edit: the service goes under `services:` (made before `expect:` when missing), written
// as the format reads it, and the file plays with Docker's result (VIP, tasks on the nodes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadTopology } from '../../../src/topology';
import { addService } from '../../../src/topology/edit';

const SWARM = `# two nodes
hosts:
  node1:
    interfaces: { eth0: 192.168.50.10/24 }
    swarm: manager
  node2:
    interfaces: { eth0: 192.168.50.11/24 }
    swarm: worker
networks:
  appnet: { driver: overlay, host: node1, subnet: 10.20.0.0/24 }

expect:
  - { from: node1, to: "192.168.50.11:8080", verdict: delivered }   # the mesh
`;

describe('addService', () => {
  it('makes the services section before expect, with replicas as a number and ports quoted', () => {
    const text = addService(SWARM, { name: 'web', image: 'nginx', replicas: 3, networks: ['appnet'], ports: ['8080:80'] });
    assert.equal(text, SWARM.replace('\nexpect:', '\nservices:\n  web:\n    image: nginx\n    replicas: 3\n    networks: [appnet]\n    ports: ["8080:80"]\n\nexpect:'));
    const loaded = loadTopology(text);
    assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
    const svc = [...loaded.engine.state.swarm.services.values()].find((s) => s.name === 'web');
    assert.equal(svc?.tasks.length, 3);
    assert.equal(svc?.vips.length, 2, 'a VIP on ingress (ports published) and one on appnet');
  });

  it('adds to an existing section; dnsrr and expose are written, vip and one replica are not', () => {
    const one = addService(SWARM, { name: 'a', image: 'busybox', replicas: 1, endpointMode: 'vip' });
    const two = addService(one, { name: 'b', image: 'busybox', endpointMode: 'dnsrr', expose: ['53/udp'], networks: ['appnet'] });
    assert.match(two, /services:\n {2}a:\n {4}image: busybox\n {2}b:\n {4}image: busybox\n {4}networks: \[appnet\]\n {4}endpoint_mode: dnsrr\n {4}expose: \["53\/udp"\]\n/);
    assert.throws(() => addService(two, { name: 'a', image: 'x' }), /already has a service named "a"/);
    assert.deepEqual(loadTopology(two).diagnostics.filter((d) => d.severity === 'error'), []);
  });
});
