// Typing in a big file re-plays the edited container in place instead of building everything again
// (Engine.replaceContainer, replayContainer, the language server's analysis). Whatever path is taken,
// the engine and the diagnostics must be exactly those of a build from scratch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DocumentAnalyzer } from '../../../src/server/analysis';
import type { Engine } from '../../../src/engine';
import { generateTopology, mulberry32 } from '../../../bench/generate';

/** The engine state as plain data: Maps and Sets in order (except those whose order means nothing), bigints as text. */
function canonical(engine: Engine): unknown {
  const walk = (v: unknown, key: string, stack: Set<object>): unknown => {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'function') return undefined;
    if (typeof v !== 'object' || v === null) return v;
    if (stack.has(v)) return '<cycle>';
    stack.add(v);
    let out: unknown;
    if (v instanceof Map) {
      // The port allocator keeps emptied entries; an empty one is as good as none.
      let entries = [...v].filter(([, x]) => !isEmptyPortEntry(x)).map(([k, x]) => [walk(k, '', stack), walk(x, String(k), stack)] as [unknown, unknown]);
      // Looked up by key only: DNS names, the port allocator's per-address maps, IPAM pools and their bitmaps.
      if (key === 'dnsRecords' || key === 'maps' || key === 'listeners' || key === 'subnets' || key === 'bitmaps') entries = entries.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      out = { map: entries };
    } else if (v instanceof Set) {
      const items = [...v].map((x) => walk(x, '', stack));
      // Membership sets of numbers (taken ports, used addresses): order means nothing.
      out = { set: items.every((x) => typeof x !== 'object') && (key === 'used' || key === 'taken' || [...v].every((x) => typeof x !== 'string')) ? items.map(String).sort() : items };
    } else if (Array.isArray(v)) {
      out = v.map((x) => walk(x, '', stack));
    } else {
      const o: Record<string, unknown> = {};
      // Search hints of the address bitmaps (lower bounds that only save time), IPAM's "masters may overlap"
      // (a linear scan instead of a binary search, same answer) and the cache stamp `revision`.
      for (const k of Object.keys(v).sort()) if (k !== 'lowestFreeHint' && k !== 'rangeHints' && k !== 'revision' && k !== 'mayOverlap') o[k] = walk((v as Record<string, unknown>)[k], k, stack);
      out = o;
    }
    stack.delete(v);
    return out;
  };
  return walk(engine.state, '', new Set());
}

/** An emptied listener set, or a port map with nothing taken and its range cursors where they start. */
function isEmptyPortEntry(x: unknown): boolean {
  if (x instanceof Set) return x.size === 0;
  const m = x as { taken?: unknown; ranges?: unknown };
  if (!(m?.taken instanceof Set) || !(m.ranges instanceof Map)) return false;
  return m.taken.size === 0 && [...(m.ranges as Map<string, { end: number; last: number }>).values()].every((r) => r.last === r.end);
}

/** The path of the first difference between two canonical states, with both values (undefined when equal). */
function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return a === b ? undefined : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  }
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.join() !== kb.join()) return `${path}: keys ${ka.join()} vs ${kb.join()}`;
  for (const k of ka) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

/** Analyse `before`, then `after` on the same analyzer; compare with a fresh analysis of `after`. Returns whether the container was re-played. */
function check(before: string, after: string): boolean {
  const incremental = new DocumentAnalyzer('file:///a.cnm.yaml');
  incremental.analyzeNow(1, before);
  const got = incremental.analyzeNow(2, after);
  const fresh = new DocumentAnalyzer('file:///b.cnm.yaml').analyzeNow(1, after);
  assert.ok(got.engine && fresh.engine);
  assert.deepEqual(got.diagnostics, fresh.diagnostics);
  assert.deepEqual(got.engine.inspect(), fresh.engine.inspect());
  assert.equal(firstDifference(canonical(got.engine), canonical(fresh.engine)), undefined);
  // And the next edit still starts from a correct state: going back gives the first file's build.
  const back = incremental.analyzeNow(3, before);
  const first = new DocumentAnalyzer('file:///c.cnm.yaml').analyzeNow(1, before);
  assert.deepEqual(back.diagnostics, first.diagnostics);
  assert.equal(firstDifference(canonical(back.engine!), canonical(first.engine!)), undefined);
  return 'replay' in got.timings;
}

const BASE = `hosts:
  host1:
    daemon: { version: "VERSION" }
networks:
  front: { subnet: 10.1.0.0/24 }
  back: { subnet: 10.2.0.0/24 }
  inner: { internal: true }
containers:
  web:
    networks: { front: { aliases: [www] }, back: {} }
    ports: ["8080:80"]
  api:
    hostname: api.local
    networks: { back: { aliases: [svc] } }
    ports: ["9000:9000", "9001:9001/udp"]
    expose: ["7000"]
  db:
    networks: { back: { aliases: [svc], ipv4_address: 10.2.0.50 } }
  side:
    network_mode: container:db
  plain:
    image: busybox
  hostnet:
    network_mode: host
  lonely:
    networks: [inner]
  tail:
    networks: [front, back]
    ports: ["8081:81"]
`;

function edit(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `no ${from}`);
  return text.replace(from, to);
}

describe('re-playing one edited container gives exactly a fresh build', () => {
  for (const version of ['20.10', '28.0']) {
    const base = BASE.replace('VERSION', version);
    it(`Docker ${version}: edits that stay inside the container are re-played in place`, () => {
      assert.equal(check(base, edit(base, '"8080:80"', '"8090:80"')), true, 'a published port');
      assert.equal(check(base, edit(base, 'ports: ["9000:9000", "9001:9001/udp"]', 'ports: ["9000:9000"]')), true, 'one port less');
      assert.equal(check(base, edit(base, 'aliases: [www]', 'aliases: [www, web2]')), true, 'an alias more');
      assert.equal(check(base, edit(base, 'hostname: api.local', 'hostname: api2.local')), true, 'a hostname');
      assert.equal(check(base, edit(base, 'expose: ["7000"]', 'expose: ["7001"]')), true, 'an exposed port');
      assert.equal(check(base, edit(base, '"8081:81"', '"8082:81"')), true, 'the last container');
      assert.equal(check(base, edit(base, 'networks: { back: { aliases: [svc] } }', 'networks: { back: { aliases: [other] } }')), true, 'a shared alias renamed');
    });

    it(`Docker ${version}: a move to another network re-plays the later containers of both networks`, () => {
      assert.equal(check(base, edit(base, 'networks: [inner]', 'networks: [front]')), true);
      assert.equal(check(base, edit(base, 'networks: [front, back]', 'networks: [back, front]')), true);
      assert.equal(check(base, edit(base, 'image: busybox', 'networks: [front]')), true);
      assert.equal(check(base, edit(base, 'networks: { back: { aliases: [svc] } }', 'networks: { back: { aliases: [svc], ipv4_address: 10.2.0.9 } }')), false, 'db, later on back, shares its namespace');
    });

    it(`Docker ${version}: edits that reach other containers are built afresh (and still right)`, () => {
      check(base, edit(base, 'ipv4_address: 10.2.0.50', 'ipv4_address: 10.2.0.60'));
      // db is shared by side (container:db): never re-played in place.
      assert.equal(check(base, edit(base, 'aliases: [svc], ipv4_address', 'aliases: [svc2], ipv4_address')), false);
      // web takes a port tail already has: tail now fails, as in Docker.
      assert.equal(check(base, edit(base, '"8080:80"', '"8081:80"')), false);
      // api takes web's port: api fails.
      check(base, edit(base, '"9000:9000", ', '"8080:9000", '));
      check(base, edit(base, 'network_mode: host', 'network_mode: none'));
      check(base, edit(base, '  plain:\n', '  plain2:\n'));
      check(base, edit(base, '"8080:80"', '"80"')); // an ephemeral port
    });
  }

  it('an edit of expect only keeps the engine and checks the names again', () => {
    const base = `${BASE.replace('VERSION', '20.10')}expect:\n  - { from: web, to: "api:9000", verdict: delivered }\n`;
    // plain is only on the default bridge: "api" does not resolve from it (a warning that must appear).
    check(base, edit(base, 'from: web,', 'from: plain,'));
    check(base, edit(base, 'to: "api:9000"', 'to: "svc:9000"'));
    const incremental = new DocumentAnalyzer('file:///e.cnm.yaml');
    const first = incremental.analyzeNow(1, base);
    const second = incremental.analyzeNow(2, edit(base, 'from: web,', 'from: plain,'));
    assert.equal(second.engine, first.engine);
    assert.ok(second.diagnostics.some((d) => d.code === 'unresolvable-name'));
  });

  it('random one-line edits of a generated file', () => {
    const random = mulberry32(7);
    const base = generateTopology({ containers: 120, networks: 12, seed: 3 });
    const lines = base.split('\n');
    let replayed = 0;
    const kinds = [/ports: \["\d+:80"\]/, /aliases: \[svc\d+\]/, /networks: \[net\d+\]/];
    for (let n = 0; n < 25; n++) {
      const kind = kinds[n % kinds.length]!;
      const candidates = lines.map((l, i) => [l, i] as const).filter(([l]) => kind.test(l));
      const [line, at] = candidates[Math.floor(random() * candidates.length)]!;
      // Ports: sometimes onto the next container's port (a conflict), mostly well clear of them.
      const changed = line
        .replace(/ports: \["(\d+):80"\]/, (_, p: string) => `ports: ["${Number(p) + (random() < 0.3 ? 1 : 1000)}:80"]`)
        .replace(/aliases: \[svc(\d+)\]/, (_, s: string) => `aliases: [svc${Number(s) % 7}]`)
        .replace(/networks: \[net(\d+)\]/, (_, s: string) => `networks: [net${String((Number(s) + 1) % 12).padStart(4, '0')}]`);
      const after = [...lines.slice(0, at), changed, ...lines.slice(at + 1)].join('\n');
      if (check(base, after)) replayed++;
    }
    // Port edits clear of the others, alias edits and network moves (a dozen containers per network) all re-play.
    assert.ok(replayed > 12, `only ${replayed} of 25 edits were re-played in place`);
  });
});

const NETWORKS = `hosts:
  host1:
    daemon: { version: "VERSION" }
networks:
  front: { subnet: 10.1.0.0/24 }
  back:
    subnet: 10.2.0.0/24
    gateway: 10.2.0.1
    ip_range: 10.2.0.0/25
    aux_addresses: { router: 10.2.0.5 }
    driver_opts: { com.docker.network.bridge.enable_icc: "true" }
    labels: { tier: back }
  inner: { subnet: 10.3.0.0/24, internal: true }
  empty: { subnet: 10.4.0.0/24 }
containers:
  web:
    networks: { front: { aliases: [www] }, back: {} }
    ports: ["8080:80"]
  api:
    networks: { back: { aliases: [svc] } }
  db:
    networks: { back: { ipv4_address: 10.2.0.50 } }
  plain:
    image: busybox
  lonely:
    networks: [inner]
  tail:
    networks: [front, back]
    ports: ["8081:81"]
expect:
  - { from: web, to: "api:80", verdict: delivered }
`;

describe('re-playing one edited network gives exactly a fresh build', () => {
  for (const version of ['20.10', '28.0']) {
    const base = NETWORKS.replace('VERSION', version);
    it(`Docker ${version}: labels and attachable only are set on the network as built`, () => {
      assert.equal(check(base, edit(base, 'labels: { tier: back }', 'labels: { tier: front }')), true, 'a label value');
      assert.equal(check(base, edit(base, 'labels: { tier: back }', 'labels: { tier: back, x: y }')), true, 'a label more');
      assert.equal(check(base, edit(base, '  empty: { subnet: 10.4.0.0/24 }', '  empty: { subnet: 10.4.0.0/24, attachable: true }')), true, 'attachable');
      assert.equal(check(base, edit(edit(base, 'labels: { tier: back }', 'labels: {}'), '"8081:81"', '"8082:81"')), true, 'a label and a container');
      // A label and a network re-played: the network is re-played; with a container edited too, built afresh.
      assert.equal(check(base, edit(edit(edit(base, 'labels: { tier: back }', 'labels: {}'), '"8081:81"', '"8082:81"'), 'gateway: 10.2.0.1', 'gateway: 10.2.0.3')), false);
    });

    it(`Docker ${version}: an edit the engine reads re-plays the network and the containers on it`, () => {
      assert.equal(check(base, edit(base, 'subnet: 10.2.0.0/24\n    gateway: 10.2.0.1\n    ip_range: 10.2.0.0/25\n    aux_addresses: { router: 10.2.0.5 }', 'subnet: 10.2.0.0/16\n    gateway: 10.2.0.1\n    ip_range: 10.2.0.0/25\n    aux_addresses: { router: 10.2.0.5 }')), true, 'a wider subnet');
      assert.equal(check(base, edit(base, 'gateway: 10.2.0.1', 'gateway: 10.2.0.2')), true, 'a gateway');
      assert.equal(check(base, edit(base, 'ip_range: 10.2.0.0/25', 'ip_range: 10.2.0.64/26')), true, 'an ip_range');
      assert.equal(check(base, edit(base, 'router: 10.2.0.5', 'router: 10.2.0.2')), true, 'an aux address where the first container went');
      assert.equal(check(base, edit(base, 'enable_icc: "true"', 'enable_icc: "false"')), true, 'a driver option');
      assert.equal(check(base, edit(base, 'front: { subnet: 10.1.0.0/24 }', 'front: { subnet: 10.9.0.0/24 }')), true, 'a subnet of a network with a published port');
      assert.equal(check(base, edit(base, 'inner: { subnet: 10.3.0.0/24, internal: true }', 'inner: { subnet: 10.3.0.0/24 }')), true, 'internal off');
      assert.equal(check(base, edit(base, 'empty: { subnet: 10.4.0.0/24 }', 'empty: { subnet: 10.5.0.0/24 }')), true, 'a network without containers');
      assert.equal(check(base, edit(edit(base, 'labels: { tier: back }', 'labels: {}'), 'gateway: 10.2.0.1', 'gateway: 10.2.0.3')), true, 'a gateway and a label');
    });

    it(`Docker ${version}: network edits that reach further are built afresh (and still right)`, () => {
      // The static address leaves the subnet: db fails, as in Docker.
      assert.equal(check(base, edit(base, 'subnet: 10.2.0.0/24', 'subnet: 10.7.0.0/24')), false);
      // Overlaps a later network: which of the two fails depends on the order.
      assert.equal(check(base, edit(base, 'front: { subnet: 10.1.0.0/24 }', 'front: { subnet: 10.4.0.0/16 }')), false);
      // Overlaps an earlier one.
      check(base, edit(base, 'empty: { subnet: 10.4.0.0/24 }', 'empty: { subnet: 10.1.0.0/24 }'));
      // No subnet: the pool is picked (20.10's cursor, 28's lowest free).
      assert.equal(check(base, edit(base, 'empty: { subnet: 10.4.0.0/24 }', 'empty: {}')), false);
      assert.equal(check(base, edit(base, 'inner: { subnet: 10.3.0.0/24, internal: true }', 'inner: { internal: true }')), false);
      // Another driver; a bad gateway (the network fails, its containers with it).
      check(base, edit(base, 'empty: { subnet: 10.4.0.0/24 }', 'empty: { subnet: 10.4.0.0/24, driver: macvlan }'));
      assert.equal(check(base, edit(base, 'gateway: 10.2.0.1', 'gateway: 10.3.0.1')), false);
      check(base, edit(base, 'enable_icc: "true"', 'enable_icc: "maybe"'));
    });

    it(`Docker ${version}: IPv6 subnets, and a network with a shared namespace on it`, () => {
      const six = edit(base, 'containers:', '  six:\n    enable_ipv6: true\n    ipam: { config: [{ subnet: 10.6.0.0/24 }, { subnet: "fd00:6::/64" }] }\ncontainers:')
        .replace('  lonely:\n    networks: [inner]', '  lonely:\n    networks: [inner, six]');
      assert.equal(check(six, edit(six, 'fd00:6::/64', 'fd00:7::/64')), true, 'an IPv6 subnet');
      assert.equal(check(six, edit(six, '10.6.0.0/24', '10.16.0.0/24')), true, 'the IPv4 subnet of a dual-stack network');
      // db is shared by side (container:db): never re-played in place.
      const shared = BASE.replace('VERSION', version);
      assert.equal(check(shared, edit(shared, 'back: { subnet: 10.2.0.0/24 }', 'back: { subnet: 10.2.0.0/16 }')), false);
      // inner, made after front, has its pool picked: built afresh too.
      assert.equal(check(shared, edit(shared, 'front: { subnet: 10.1.0.0/24 }', 'front: { subnet: 10.1.0.0/16 }')), false);
    });

    it(`Docker ${version}: a subnet with an ip_range over a later macvlan network's is built afresh`, () => {
      // Made in file order, the macvlan network's pool overlaps front's and it fails; made last, front
      // would not fail (an ip_range's parent pool is taken unchecked, and only bridges are compared).
      const withMacvlan = edit(base, 'containers:', '  mac: { driver: macvlan, subnet: 10.8.0.0/24 }\ncontainers:');
      assert.equal(check(withMacvlan, edit(withMacvlan, 'front: { subnet: 10.1.0.0/24 }', 'front: { subnet: 10.8.0.0/16, ip_range: 10.8.1.0/24 }')), false);
    });

    it(`Docker ${version}: a network picked from the pools before the edited one does not stop a re-play`, () => {
      const withAuto = edit(base, '  front: { subnet: 10.1.0.0/24 }', '  auto: {}\n  front: { subnet: 10.1.0.0/24 }');
      assert.equal(check(withAuto, edit(withAuto, 'gateway: 10.2.0.1', 'gateway: 10.2.0.9')), true);
      const autoAfter = `${withAuto.replace('  auto: {}\n', '').replace('containers:', '  auto: {}\ncontainers:')}`;
      assert.equal(check(autoAfter, edit(autoAfter, 'gateway: 10.2.0.1', 'gateway: 10.2.0.9')), false, 'a pool picked after it');
    });
  }

  it('random edits of network fields of a generated file', () => {
    const random = mulberry32(11);
    for (const version of ['20.10', '28.0']) {
      const base = generateTopology({ containers: 60, networks: 8, seed: 5, version });
      const lines = base.split('\n');
      const subnetLines = lines.map((l, i) => [l, i] as const).filter(([l]) => /^ {4}subnet: /.test(l));
      let replayed = 0;
      const runs = 150;
      for (let n = 0; n < runs; n++) {
        const [line, at] = subnetLines[Math.floor(random() * subnetLines.length)]!;
        const m = /subnet: 10\.(\d+)\.(\d+)\.0\/24/.exec(line)!;
        const third = Number(m[2]);
        const pick = Math.floor(random() * 8);
        const g = (x: number) => `10.${m[1]}.${third}.${x}`;
        // One field per edit, sometimes one that collides or leaves the subnet.
        const extra = [
          `    gateway: ${g(1 + Math.floor(random() * 4) * 100)}`,
          `    ip_range: ${g(Math.floor(random() * 2) * 128)}/${25 + Math.floor(random() * 2)}`,
          `    aux_addresses: { r: ${g(2 + Math.floor(random() * 3))} }`,
          `    driver_opts: { com.docker.network.bridge.enable_icc: "${random() < 0.5 ? 'false' : 'true'}" }`,
          `    labels: { k${Math.floor(random() * 3)}: v }`,
          `    internal: ${random() < 0.5}`,
          '',
          '',
        ][pick]!;
        let changed = line;
        if (pick >= 6) changed = line.replace(/10\.\d+\.\d+\.0\/24/, random() < 0.5 ? `10.${Number(m[1]) + 10}.${third}.0/24` : `10.${m[1]}.${(third + 1) % 8}.0/24`);
        if (pick === 7) changed = line.replace('/24', random() < 0.5 ? '/23' : '/24');
        const after = [...lines.slice(0, at), changed, ...(extra ? [extra] : []), ...lines.slice(at + 1)].join('\n');
        if (after === base) continue;
        if (check(base, after)) replayed++;
      }
      // Most edits keep addresses in the subnet and collide with nothing: they are re-played in place.
      assert.ok(replayed > runs / 3, `Docker ${version}: only ${replayed} of ${runs} network edits were re-played in place`);
    }
  });
});
