// A Compose project played as `docker compose up` (v2.26) plays it on a fresh dockerd: names, networks,
// the network each container is created on, aliases, ports, network modes, and warnings where Compose's
// concurrency makes an address depend on timing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpoints, load, messages, noErrors } from './helpers';
import { reachabilityMatrix, trace } from '../../../src/engine/trace';

const V20 = 'x-cnm: { daemon: { version: "20.10" } }\n';

describe('names', () => {
  it('<project>_<key> networks (only used ones; name: and external as given), <project>-<service>-<n> containers, container_name', () => {
    const l = load({
      '/p/shop/compose.yaml': `${V20}services:\n  web: { image: x, deploy: { replicas: 2 }, networks: [front, ext] }\n  db: { image: y, container_name: the-db }\nnetworks:\n  front: {}\n  unused: {}\n  named: { name: custom }\n  ext: { external: true }\n`,
    });
    assert.deepEqual(
      l.engine.inspect().networks.map((n) => n.name).filter((n) => !['bridge', 'host', 'none'].includes(n)).sort(),
      ['ext', 'shop_default', 'shop_front'],
    );
    assert.deepEqual(l.spec.containers.map((c) => c.name), ['shop-web-1', 'shop-web-2', 'the-db']);
    assert.match(messages(l, 'warning').join('\n'), /Network "ext" is external: .* unknown/);
  });
});

describe('networks and endpoints', () => {
  it('created on the network first by priority then name, connected to the rest before start; aliases are container, service, aliases', () => {
    const l = load({
      '/p/shop/compose.yaml': `${V20}services:\n  api:\n    image: x\n    networks:\n      zeta: { priority: 10, aliases: [backend] }\n      alpha:\n      mid: { ipv4_address: 10.7.0.50 }\nnetworks:\n  zeta: { ipam: { config: [{ subnet: 10.5.0.0/24 }] } }\n  alpha: { ipam: { config: [{ subnet: 10.6.0.0/24 }] } }\n  mid: { ipam: { config: [{ subnet: 10.7.0.0/24 }] } }\n`,
    });
    noErrors(l);
    assert.deepEqual(endpoints(l), {
      'shop-api-1 shop_zeta': 'eth0 10.5.0.2 [shop-api-1,api,backend]',
      'shop-api-1 shop_alpha': 'eth1 10.6.0.2 [shop-api-1,api]',
      'shop-api-1 shop_mid': 'eth2 10.7.0.50 [shop-api-1,api]',
    });
  });

  it('depends_on orders starts, so addresses follow it; independent services get a warning naming both', () => {
    const l = load({ '/p/shop/compose.yaml': `${V20}services:\n  web: { image: x, depends_on: [db] }\n  db: { image: y }\n  cache: { image: z }\n` });
    noErrors(l);
    const e = endpoints(l);
    assert.equal(e['shop-db-1 shop_default'], 'eth0 172.18.0.2 [shop-db-1,db]');
    assert.equal(e['shop-web-1 shop_default'], 'eth0 172.18.0.3 [shop-web-1,web]');
    const w = messages(l, 'warning');
    assert.ok(w.some((m) => /"web" and "cache" start at the same time .* "shop_default" .* pin it with ipv4_address, or add a depends_on/.test(m)), w.join('\n'));
    assert.ok(w.some((m) => /"cache" and "db" start at the same time/.test(m)), w.join('\n'));
    assert.ok(!w.some((m) => /"web" and "db"/.test(m)), 'web waits for db');
  });

  it('pinned addresses need no warning', () => {
    const l = load({ '/p/shop/compose.yaml': `${V20}services:\n  a: { image: x, networks: { n: { ipv4_address: 10.8.0.10 } } }\n  b: { image: x, networks: { n: { ipv4_address: 10.8.0.11 } } }\nnetworks:\n  n: { ipam: { config: [{ subnet: 10.8.0.0/24 }] } }\n` });
    noErrors(l);
    assert.deepEqual(messages(l, 'warning'), []);
  });

  it('two networks from the default pools get a warning (Compose creates them in no fixed order)', () => {
    const l = load({ '/p/shop/compose.yaml': `${V20}services:\n  a: { image: x, networks: [n1, n2] }\nnetworks:\n  n1: {}\n  n2: {}\n` });
    assert.equal(messages(l, 'warning').filter((m) => /no fixed order/.test(m)).length, 2);
  });
});

describe('network_mode, ports, expose, links', () => {
  it('host, none, service:x (the first replica), with Docker\'s errors', () => {
    const l = load({ '/p/shop/compose.yaml': `${V20}services:\n  app: { image: x }\n  side: { image: x, network_mode: "service:app", expose: ["80"] }\n  h: { image: x, network_mode: host }\n  n: { image: x, network_mode: none }\n` });
    const side = l.spec.containers.find((c) => c.name === 'shop-side-1')!;
    assert.equal(side.networkMode, 'container:shop-app-1');
    assert.equal(l.spec.containers.find((c) => c.name === 'shop-h-1')!.networkMode, 'host');
    // dockerd refuses expose in container mode, on the `expose` line.
    const errs = messages(l, 'error');
    assert.equal(errs.length, 1, errs.join('\n'));
    assert.match(errs[0]!, /^compose.yaml:4: conflicting options: port exposing and the container type network mode/);
  });

  it('ports in short and long form become Docker\'s -p texts', () => {
    const l = load({ '/p/shop/compose.yaml': `${V20}services:\n  web:\n    image: x\n    ports:\n      - 80\n      - "8080:80"\n      - "127.0.0.1:8443:443/tcp"\n      - "9000-9001:9000-9001/udp"\n      - { target: 81, published: "8081", host_ip: 127.0.0.1, protocol: udp }\n      - { target: 82 }\n` });
    noErrors(l);
    assert.deepEqual(l.spec.containers[0]!.ports, ['80', '8080:80', '127.0.0.1:8443:443/tcp', '9000-9001:9000-9001/udp', '127.0.0.1:8081:81/udp', '82/tcp']);
    assert.equal(l.engine.inspect().containers[0]!.ports.length > 0, true);
  });

  it('links are dependencies (the linked service starts first)', () => {
    const l = load({ '/p/shop/compose.yaml': `${V20}services:\n  web: { image: x, links: ["db:database"] }\n  db: { image: y }\n` });
    noErrors(l);
    assert.deepEqual(l.spec.containers.map((c) => c.name), ['shop-db-1', 'shop-web-1']);
    assert.deepEqual(l.project.services[0]!.links.map((k) => `${k.service}:${k.alias}`), ['db:database']);
  });

  it('a link\'s alias and <service>-<n> resolve from the linking container only, by its embedded DNS (not /etc/hosts)', () => {
    const l = load({ '/p/shop/compose.yaml': `${V20}services:\n  web: { image: x, links: ["db:database"] }\n  db: { image: y }\n  other: { image: z, depends_on: [web] }\n` });
    noErrors(l);
    const db = l.engine.inspect().containers.find((c) => c.name === 'shop-db-1')!.endpoints[0]!.ipv4_address!;
    assert.deepEqual(l.engine.resolve('host1', 'shop-web-1', 'database'), [db]);
    assert.deepEqual(l.engine.resolve('host1', 'shop-web-1', 'database.shop_default'), [db]);
    // The alias is matched case and all (libnetwork's plain map; observed on 20.10 and 26.1).
    assert.deepEqual(l.engine.resolve('host1', 'shop-web-1', 'DATABASE.shop_default'), []);
    assert.deepEqual(l.engine.resolve('host1', 'shop-web-1', 'db-1'), [db]);
    assert.deepEqual(l.engine.resolve('host1', 'shop-other-1', 'database'), []);
    assert.ok(!l.engine.inspect().containers.find((c) => c.name === 'shop-web-1')!.hosts_file!.some((x) => /database/.test(x)));
    assert.deepEqual(messages(l).filter((m) => /link/.test(m)), []);
  });
});

describe('what differs between two plays', () => {
  it('a link to a replicated service names the replica started last (the last address); which replica number that is races: warned on both services', () => {
    const yaml = `${V20}services:\n  api:\n    image: x\n    deploy: { replicas: 3 }\n  client:\n    image: y\n    links: ["api:backend"]\n    depends_on: [api]\n`;
    const l = load({ '/p/shop/compose.yaml': yaml });
    noErrors(l);
    const addr = (c: string) => l.engine.inspect().containers.find((x) => x.name === c)!.endpoints[0]!.ipv4_address!;
    // Compose starts replicas newest first and the oldest is linked: the one started last.
    for (const name of ['backend', 'api-1', 'shop-api-1']) assert.deepEqual(l.engine.resolve('host1', 'shop-client-1', name), [addr('shop-api-3')], name);
    // Link aliases are a plain map in libnetwork: another case is the container's own name, case-insensitively.
    assert.deepEqual(l.engine.resolve('host1', 'shop-client-1', 'SHOP-API-1'), [addr('shop-api-1')]);
    assert.deepEqual(l.engine.resolve('host1', 'shop-client-1', 'BACKEND'), []);
    assert.deepEqual(l.played.racingLinks, [{ from: 'shop-client-1', names: ['backend', 'api-1', 'shop-api-1'], service: 'api', candidates: ['shop-api-1', 'shop-api-2', 'shop-api-3'], target: 'shop-api-3' }]);
    assert.deepEqual([...l.played.racingReplicas], [['api', ['shop-api-1', 'shop-api-2', 'shop-api-3']]]);
    const linkWarnings = messages(l, 'warning').filter((m) => /links "api", which has 3 replicas/.test(m));
    // On the linked service (line 3) and on the link entry (line 8).
    assert.deepEqual(linkWarnings.map((m) => m.split(':')[1]), ['3', '8']);
    assert.match(linkWarnings[0]!, /"backend", "api-1", "shop-api-1" name one of them .* depends on timing \(the engine shows shop-api-3\)/);
  });

  it('links on the default bridge (legacy links, /etc/hosts lines) are not modelled: a warning says so', () => {
    const l = load({ '/p/shop/compose.yaml': `${V20}services:\n  api: { image: x, network_mode: bridge }\n  client: { image: y, network_mode: bridge, links: ["api:backend"] }\n` });
    noErrors(l);
    assert.match(messages(l, 'warning').join('\n'), /compose.yaml:4: On the default bridge \(network_mode: bridge\) this link is a legacy link: .*"backend".* not model/);
  });

  it('a link to a service with one container races for nothing', () => {
    const l = load({ '/p/shop/compose.yaml': `${V20}services:\n  api: { image: x }\n  client: { image: y, links: ["api:backend"] }\n` });
    assert.deepEqual(l.played.racingLinks, []);
    assert.deepEqual(messages(l).filter((m) => /replicas/.test(m)), []);
  });

  it('a container on several networks: its interface order is timing-dependent (information), its default route is not', () => {
    const l = load({ '/p/shop/compose.yaml': `${V20}services:\n  api: { image: x, networks: [front, back] }\nnetworks:\n  front: {}\n  back: { internal: true }\n` });
    assert.deepEqual([...l.played.racingInterfaces], ['shop-api-1']);
    assert.match(messages(l, 'information').join('\n'), /"api" is on 2 networks, .* no fixed order/);
  });

  it('services on docker0 (network_mode: bridge) race for its addresses unless ordered', () => {
    const l = load({ '/p/shop/compose.yaml': `${V20}services:\n  a: { image: x, network_mode: bridge }\n  b: { image: x, network_mode: bridge }\n  c: { image: x, network_mode: bridge, depends_on: [a, b] }\n` });
    assert.deepEqual([...(l.played.racing.get('bridge') ?? [])].sort(), ['shop-a-1', 'shop-b-1']);
    assert.match(messages(l, 'warning').join('\n'), /"a" and "b" start at the same time .* on "bridge"/);
  });
});

describe('external networks', () => {
  it('described in x-cnm (an IPv4 subnet): modelled as created before the project, containers connected', () => {
    const l = load({ '/p/shop/compose.yaml': `${V20}services:\n  web: { image: x, networks: [shared, own] }\nnetworks:\n  own: {}\n  shared:\n    external: true\n    name: proxy-net\n    x-cnm: { ipam: { config: [{ subnet: 10.235.0.0/24 }] } }\n` });
    noErrors(l);
    assert.deepEqual(l.spec.networks.map((n) => n.name), ['proxy-net', 'shop_own']);
    assert.equal(l.spec.networks[0]!.labels['com.docker.compose.project'], undefined);
    assert.equal(endpoints(l)['shop-web-1 proxy-net']!.split(' ')[1], '10.235.0.2');
    assert.match(messages(l, 'information').join('\n'), /Network "proxy-net" is external: modelled as created before the project/);
  });

  it('ports of a container whose only network has an unknown subnet: Docker publishes them, the engine says it cannot model them (not "ignored")', () => {
    const l = load({ '/p/shop/compose.yaml': `${V20}services:\n  web:\n    image: x\n    ports: ["8080:80"]\n    networks: [outside]\n  db:\n    image: y\n    ports: ["5432:5432"]\n    networks: [outside, inner]\nnetworks:\n  outside: { external: true, name: shared_net }\n  inner: {}\n` });
    noErrors(l);
    const warnings = messages(l, 'warning');
    assert.deepEqual(warnings.filter((m) => /ignored/.test(m)), []);
    const ports = warnings.filter((m) => /publishes these ports/.test(m));
    assert.deepEqual(ports.map((m) => m.split(':')[1]), ['5']);
    assert.match(ports[0]!, /Docker publishes these ports on the host, but through network "shared_net", whose subnet is unknown here: .* trace as unknown/);
    const codes = l.diagnostics.filter((d) => /publishes these ports/.test(d.message)).map((d) => d.code);
    assert.deepEqual(codes, ['ports-unknown']);
    // db has a known network as well: its ports are modelled there.
    assert.deepEqual(l.engine.inspect().containers.find((c) => c.name === 'shop-db-1')!.ports.map((p) => `${p.host_ip}:${p.host_port}`), ['0.0.0.0:5432', ':::5432']);
    // A connection to web's port from the host is unknown, never a confident answer.
    const gw = l.engine.inspect().networks.find((n) => n.name === 'shop_inner')!.gateway!;
    assert.equal(trace(l.engine.state, { host: 'host1', from: 'shop-db-1', to: gw, proto: 'tcp', port: 8080 }).verdict, 'unknown');
  });

  it('x-cnm without an IPv4 subnet: a warning, and its addresses stay unknown', () => {
    const l = load({ '/p/shop/compose.yaml': `${V20}services:\n  web: { image: x, networks: [shared] }\nnetworks:\n  shared: { external: true, x-cnm: { driver: bridge } }\n` });
    assert.match(messages(l, 'warning').join('\n'), /x-cnm: give the external network's ipam config with an IPv4 subnet/);
    assert.match(messages(l, 'warning').join('\n'), /Network "shared" is external: .* unknown/);
    assert.deepEqual(l.spec.networks.map((n) => [n.name, n.addressesUnknown]), [['shared', true]]);
  });

  describe('without a subnet: played with unknown addresses, never invented ones', () => {
    const l = load({
      '/p/shop/compose.yaml': `${V20}services:\n  web: { image: x, networks: [proxy, back], expose: ["80"] }\n  api: { image: x, networks: [back], expose: ["8080"], depends_on: [web] }\n  edge: { image: x, networks: { proxy: { ipv4_address: 10.1.2.3 } }, depends_on: [api] }\nnetworks:\n  back: {}\n  proxy: { external: true, name: traefik-public }\n`,
    });
    const inspect = l.engine.inspect();

    it('the network exists with an unknown subnet; its containers are on it with an unknown address and MAC', () => {
      noErrors(l);
      assert.match(messages(l, 'warning').join('\n'), /Network "traefik-public" is external: .* shown with an unknown address/);
      const net = inspect.networks.find((n) => n.name === 'traefik-public')!;
      assert.deepEqual([net.subnet, net.gateway, net.addresses_unknown], [null, null, true]);
      const e = endpoints(l);
      assert.equal(e['shop-edge-1 traefik-public'], 'eth0 null [shop-edge-1,edge]');
      assert.equal(e['shop-web-1 traefik-public']!.split(' ')[1], 'null');
      assert.equal(e['shop-web-1 shop_back']!.split(' ')[1], '172.18.0.2');
      const ep = inspect.containers.find((c) => c.name === 'shop-edge-1')!.endpoints[0]!;
      assert.deepEqual([ep.ipv4_address, ep.mac_address, ep.gateway, ep.address_unknown], [null, null, null, true]);
      // It gives a way out all the same: no docker_gwbridge is invented for it.
      assert.equal(inspect.networks.some((n) => n.name === 'docker_gwbridge'), false);
      // /etc/hosts gets no line for an address nobody knows.
      const edge = inspect.containers.find((c) => c.name === 'shop-edge-1')!;
      assert.equal((edge.hosts_file ?? []).some((h) => /null|undefined/.test(h)), false);
    });

    it('names on it resolve to an unknown address; names on a known network still resolve', () => {
      assert.deepEqual(l.engine.resolveAnswer('host1', 'shop-edge-1', 'web'), { addresses: [], unknownOn: 'traefik-public' });
      assert.deepEqual(l.engine.resolveAnswer('host1', 'shop-api-1', 'web'), { addresses: ['172.18.0.2'] });
      assert.deepEqual(l.engine.resolveAnswer('host1', 'shop-api-1', 'edge'), { addresses: [] });
    });

    it('traces to and over it are unknown, naming the network; traces on known networks are unchanged', () => {
      const t = (from: string, to: string) => {
        const [name, port] = to.split(':');
        return trace(l.engine.state, port ? { from, to: name!, proto: 'tcp', port: Number(port) } : { from, to, proto: 'icmp' });
      };
      const byName = t('shop-edge-1', 'web:80');
      assert.equal(byName.verdict, 'unknown');
      assert.match(byName.reason, /traefik-public/);
      const byAddr = t('shop-edge-1', '172.18.0.2:80');
      assert.equal(byAddr.verdict, 'unknown');
      assert.match(byAddr.reason, /traefik-public .* unknown subnet/);
      const outward = t('shop-web-1', '10.9.9.9');
      assert.equal(outward.verdict, 'unknown');
      assert.match(outward.reason, /traefik-public/);
      assert.equal(t('shop-api-1', 'web:80').verdict, 'delivered');
      assert.equal(t('shop-api-1', 'edge').verdict, 'unresolved');
    });

    it('the matrix says unknown for pairs that meet on it, and lists the network', () => {
      const m = reachabilityMatrix(l.engine.state);
      const i = (n: string) => m.containers.findIndex((c) => c.name === n);
      assert.deepEqual(m.cell(i('shop-web-1'), i('shop-edge-1')).verdicts, ['unknown']);
      assert.equal(m.cell(i('shop-web-1'), i('shop-edge-1')).unknownOn, 'traefik-public');
      assert.deepEqual(m.cell(i('shop-api-1'), i('shop-edge-1')).verdicts, ['unknown']);
      assert.deepEqual(m.cell(i('shop-api-1'), i('shop-web-1')).verdicts, ['delivered', 'delivered']);
      assert.deepEqual(m.containers[i('shop-edge-1')]!.unknownOn, ['traefik-public']);
      assert.match(m.explain(i('shop-web-1'), i('shop-edge-1'), 0).reason, /traefik-public/);
    });
  });
});

describe('MAC addresses as Compose 2.26 passes them', () => {
  const file = (v: string) => ({ '/p/shop/compose.yaml': `x-cnm: { daemon: { version: "${v}" } }\nservices:\n  a: { image: x, networks: { n: { mac_address: "02:42:0a:00:00:42" } } }\n  b: { image: x, mac_address: "02:42:0a:00:00:43" }\nnetworks:\n  n: {}\n` });
  it('20.10 (API 1.41): a per-network mac_address is refused by the Docker client; a service-wide one is container-wide', () => {
    const l = load(file('20.10'));
    assert.deepEqual(messages(l, 'error'), ['compose.yaml:3: "specify mac-address per network" requires API version 1.44, but the Docker daemon API version is 1.41']);
    assert.equal(l.engine.inspect().containers.find((c) => c.name === 'shop-b-1')!.endpoints[0]!.mac_address, '02:42:0a:00:00:43');
  });
  it('26.1 (API 1.45): per network; a service-wide one only reaches a network given a settings block', () => {
    const l = load(file('26.1'));
    noErrors(l);
    const mac = (c: string) => l.engine.inspect().containers.find((x) => x.name === c)!.endpoints[0]!.mac_address;
    assert.equal(mac('shop-a-1'), '02:42:0a:00:00:42');
    assert.notEqual(mac('shop-b-1'), '02:42:0a:00:00:43');
  });
});

describe('diagnostics land in the file that says it', () => {
  it('an engine error on a value from the override points into the override', () => {
    const l = load({
      '/p/shop/compose.yaml': `${V20}services:\n  web:\n    image: x\n    networks: [n]\nnetworks:\n  n: { ipam: { config: [{ subnet: 10.9.0.0/24 }] } }\n`,
      '/p/shop/compose.override.yaml': 'services:\n  web:\n    networks:\n      n: { ipv4_address: 10.10.0.5 }\n',
    });
    const errs = l.diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errs.length, 1, messages(l).join('\n'));
    assert.equal(errs[0]!.file, '/p/shop/compose.override.yaml');
    assert.equal(errs[0]!.range.start.line, 3);
  });

  it('x-cnm-expect: a service name as from means its first replica', () => {
    const l = load({ '/p/shop/compose.yaml': `${V20}services:\n  web: { image: x }\n  db: { image: y, expose: ["5432"] }\nx-cnm-expect:\n  - { from: web, to: "db:5432", verdict: delivered }\n` });
    assert.deepEqual(l.spec.expect.map((e) => `${e.from} ${e.to} ${e.verdict}`), ['shop-web-1 db:5432 delivered']);
    assert.equal(l.rangeOf(l.spec.expect[0]!.path).start.line, 5);
  });
});
