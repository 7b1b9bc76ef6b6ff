// `listen` beside `expose`: what a container's processes listen on (default: expose plus the published
// container ports) is the file's `listen`; `expose` is Docker's metadata, with Docker's refusal in
// container mode. Parse, build, the engine's model and the tracer, including a `container:` joiner whose
// process listens in its owner's namespace.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { engine, H, throwsDocker } from '../engine/helpers';
import { tracerFor } from '../../../src/engine/trace';
import { listenPortsOf } from '../../../src/engine/trace/listening';
import { loadTopology } from '../../../src/topology';
import { parseTopology } from '../../../src/topology/parse';
import { assertVerdict, lab } from '../trace/helpers';
import { diagnosticsAt, positionOf, rangeOfText, show } from './helpers';

const ports = (list: readonly { port: number; proto: string }[]) => list.map((p) => `${p.port}/${p.proto}`);

describe('listen: parse', () => {
  it('keeps listen as written, on containers and services; absent means the default', () => {
    const text = [
      'containers:',
      '  a: { listen: ["8081", "53/udp", "8000-8002/tcp"] }',
      '  b: { expose: ["80"] }',
      '  c: { listen: [] }',
      'services:',
      '  s: { image: x, listen: ["8000"] }',
      '',
    ].join('\n');
    const { spec, diagnostics } = parseTopology(text);
    assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), [], show(diagnostics));
    assert.deepEqual(spec.containers.map((c) => c.listen), [['8081', '53/udp', '8000-8002/tcp'], undefined, []]);
    assert.deepEqual(spec.services[0]!.listen, ['8000']);
  });

  it('a bad entry is an error on that entry; the others stay', () => {
    const text = 'containers:\n  app:\n    listen: ["8081", "80/sctp", "0", "90-80", "a:80", "70000"]\n';
    const { spec, diagnostics } = parseTopology(text);
    const at = (needle: string) => diagnosticsAt(diagnostics, positionOf(text, needle)).map((d) => d.message);
    assert.deepEqual(at('"8081"'), []);
    assert.match(at('"80/sctp"')[0]!, /invalid listen entry "80\/sctp": the protocol is tcp or udp/);
    assert.match(at('"0"')[0]!, /ports are 1 to 65535/);
    assert.match(at('"90-80"')[0]!, /ports are 1 to 65535, a range low-high/);
    assert.match(at('"a:80"')[0]!, /invalid listen entry "a:80": a port or a range/);
    assert.match(at('"70000"')[0]!, /ports are 1 to 65535/);
    assert.equal(spec.containers[0]!.listen!.length, 6, 'one entry per item, so indexes map back to the file');
    // The container is still built, listening on the good entry.
    const loaded = loadTopology(text);
    assert.deepEqual(ports(loaded.engine.containerNamed('host1', 'app')!.listening), ['8081/tcp']);
  });

  it('listen in container mode is fine; expose there is Docker\'s error, on the expose key', () => {
    const text = [
      'networks: { pod: { subnet: 10.131.0.0/24 } }',
      'containers:',
      '  owner: { networks: [pod] }',
      '  joiner:',
      '    network_mode: container:owner',
      '    listen: ["8081"]',
      '  meta:',
      '    network_mode: container:owner',
      '    expose: ["8082"]',
      '',
    ].join('\n');
    const loaded = loadTopology(text);
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 1, show(loaded.diagnostics));
    assert.equal(errors[0]!.message, 'conflicting options: port exposing and the container type network mode');
    assert.deepEqual(errors[0]!.range, rangeOfText(text, 'expose'));
    assert.ok(loaded.engine.containerNamed('host1', 'joiner'), 'the joiner with listen is created');
    assert.equal(loaded.engine.containerNamed('host1', 'meta'), undefined, 'dockerd refuses the one with expose');
  });
});

describe('listen: the engine model', () => {
  it('default: what is exposed (the -p container ports and --expose); listen replaces it, ExposedPorts stays Docker\'s', () => {
    const e = engine('20.10');
    e.createContainer(H, { name: 'dflt', ports: ['8080:80', '9090:90/udp'], expose: ['443'] });
    e.createContainer(H, { name: 'lsn', ports: ['8080:80'], expose: ['443'], listen: ['8081', '53/udp'] });
    const d = e.containerNamed(H, 'dflt')!;
    const l = e.containerNamed(H, 'lsn')!;
    assert.deepEqual(ports(d.listening), ['80/tcp', '90/udp', '443/tcp']);
    assert.deepEqual(ports(l.listening), ['8081/tcp', '53/udp']);
    assert.deepEqual(ports(l.exposedPorts), ['80/tcp', '443/tcp'], 'listen is not Docker metadata');
  });

  it('the file-side lookup gives the same default as the engine', () => {
    assert.deepEqual(ports(listenPortsOf({ ports: ['8080:80', '127.0.0.1::90/udp'], expose: ['443'] })), ['80/tcp', '90/udp', '443/tcp']);
    assert.deepEqual(ports(listenPortsOf({ ports: ['8080:80'], expose: [], listen: [] })), []);
  });

  it('a container-mode joiner may listen (no expose, no -p): dockerd\'s errors for those stay', () => {
    const e = engine('20.10');
    e.runContainer(H, { name: 'owner' });
    e.runContainer(H, { name: 'jn', networkMode: 'container:owner', listen: ['8081'] });
    assert.deepEqual(ports(e.containerNamed(H, 'jn')!.listening), ['8081/tcp']);
    const refused = throwsDocker(() => e.createContainer(H, { name: 'xx', networkMode: 'container:owner', expose: ['80'] }), 'conflicting options: port exposing and the container type network mode', 400);
    assert.deepEqual(refused.hint, { field: 'expose' });
    throwsDocker(() => e.createContainer(H, { name: 'yy', networkMode: 'container:owner', ports: ['80'] }), 'conflicting options: port publishing and the container type network mode', 400);
  });
});

const POD = `
hosts: { host1: { daemon: { version: "20.10" } } }
networks:
  pod: { subnet: 10.132.0.0/24 }
containers:
  owner: { networks: [pod], expose: ["80"] }
  joiner: { network_mode: "container:owner", listen: ["8081"] }
  peer: { networks: [pod] }
  web: { networks: [pod], ports: ["18132:8000"] }
  quiet: { networks: [pod], ports: ["18133:8000"], listen: [] }
`;

describe('listen: the tracer', () => {
  const l = lab(POD);

  it('a joiner\'s listen port is the owner\'s namespace\'s: owner:8081 is delivered, as on dockerd', () => {
    assertVerdict(l.t('peer', 'owner:8081'), 'delivered');
    assertVerdict(l.t('peer', `${l.ip('owner', 'pod')}:8081`), 'delivered');
    assertVerdict(l.t('peer', 'owner:80'), 'delivered');
    assertVerdict(l.t('joiner', '127.0.0.1:80'), 'delivered');
    assertVerdict(l.t('owner', '127.0.0.1:8081'), 'delivered');
  });

  it('another port is refused, and the fix says listen, not expose', () => {
    const r = l.t('peer', 'owner:8082');
    assertVerdict(r, 'refused', /nothing in owner \(shared with joiner\) listens on 8082\/tcp \(it listens on 80\/tcp, 8081\/tcp\)/);
    assert.match(r.fix!, /make its process listen on 8082\/tcp \(listen: \["80\/tcp", "8082\/tcp"\]\)/);
    assert.doesNotMatch(r.fix!, /expose/);
    const none = l.t('owner', `${l.ip('peer', 'pod')}:80`);
    assertVerdict(none, 'refused', /it listens on nothing/);
    assert.equal(none.fix, 'make its process listen on 80/tcp (listen: ["80/tcp"])');
  });

  it('a published container port listens by default; `listen: []` says nothing does', () => {
    assertVerdict(l.t('peer', 'web:8000'), 'delivered');
    assertVerdict(l.t('peer', 'quiet:8000'), 'refused', /it listens on nothing/);
    assertVerdict(l.t('host1', '127.0.0.1:18133'), 'delivered', /its own connection to quiet .* is refused/);
  });

  it('without the file\'s lookup the engine\'s own model answers the same', () => {
    const t = tracerFor(l.loaded.engine.state, {});
    assert.equal(t.trace({ from: 'peer', to: 'owner', proto: 'tcp', port: 8081 }).verdict, 'delivered');
    assert.equal(t.trace({ from: 'peer', to: 'owner', proto: 'tcp', port: 8082 }).verdict, 'refused');
    assert.equal(t.trace({ from: 'peer', to: 'web', proto: 'tcp', port: 8000 }).verdict, 'delivered');
  });

  it('the example and the differential scenario with a listening joiner hold', () => {
    for (const file of ['examples/05-container-mode.cnm.yaml', 'test/docker/scenarios/probe-container-listen.cnm.yaml']) {
      const loaded = loadTopology(readText(file));
      const t = tracerFor(loaded.engine.state, {});
      for (const e of loaded.spec.expect) {
        const [name, port] = e.to.split(':');
        const r = t.trace({ from: e.from, to: name!, proto: port ? 'tcp' : 'icmp', ...(port ? { port: Number(port) } : {}) });
        assert.equal(r.verdict, e.verdict, `${file}: ${e.from} → ${e.to}: ${r.reason}`);
      }
    }
  });
});

function readText(path: string): string {
  return readFileSync(join(import.meta.dirname, '../../..', path), 'utf8');
}

const SWARM = (web: string) => `
hosts:
  node1: { interfaces: { eth0: 192.168.50.10/24 }, daemon: { version: "20.10" }, swarm: manager }
  node2: { interfaces: { eth0: 192.168.50.11/24 }, daemon: { version: "20.10" }, swarm: worker }
networks:
  app: { driver: overlay, host: node1, attachable: true }
services:
  web: { image: nginx, replicas: 2, networks: [app], ports: ["8080:8000"]${web} }
containers:
  client: { host: node2, networks: [app] }
`;

describe('listen: services', () => {
  it('a task listens on the targets of the service\'s ports by default, on `listen` when given', () => {
    assertVerdict(lab(SWARM('')).t('client', 'web:8000'), 'delivered');
    const given = lab(SWARM(', listen: ["9000"]'));
    assertVerdict(given.t('client', 'web:9000'), 'delivered');
    const r = given.t('client', 'web:8000');
    assertVerdict(r, 'refused', /listens on 8000\/tcp \(it listens on 9000\/tcp\)/);
    assert.match(r.fix!, /listen: \["9000\/tcp", "8000\/tcp"\]/);
  });
});
