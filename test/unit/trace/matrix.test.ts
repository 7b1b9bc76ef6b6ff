// The reachability matrix: grouping equivalent containers must give exactly what tracing every pair
// one by one gives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reachabilityMatrix, Tracer, type MatrixCell, type MatrixResult } from '../../../src/engine/trace';
import { loadTopology } from '../../../src/topology';
import { generateTopology } from '../../../bench/generate';
import { listeningFromSpec } from '../../../src/cli/commands/tracing';
import { lab } from './helpers';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

const TOPO = `
hosts: { host1: { daemon: { version: "20.10", icc: false } } }
networks:
  red: { subnet: 10.101.0.0/24 }
  blue: { subnet: 10.102.0.0/24 }
  vault: { subnet: 10.103.0.0/24, internal: true }
containers:
  r1: { networks: [red], expose: ["80"] }
  r2: { networks: [red], expose: ["80"] }
  r3: { networks: [red], expose: ["80"], ports: ["18001:80"] }
  r4: { networks: [red], expose: ["80"], ports: ["18003:80"] }
  b1: { networks: [blue] }
  b3: { networks: [blue, red], ports: ["18004:81"], expose: ["81"] }
  b2: { networks: [blue] }
  rb: { networks: [red, blue], expose: ["81"] }
  v1: { networks: [vault], expose: ["80"] }
  v2: { networks: [vault, red] }
  d1: { expose: ["80"] }
  d2: { expose: ["80"] }
  sc: { network_mode: "container:r1" }
  hh: { network_mode: host, expose: ["18002"] }
  nn: { network_mode: none }
`;

const VARIANTS: [string, (t: string) => string][] = [
  ['20.10, dockerd --icc=false', (t) => t],
  ['20.10 without the userland proxy', (t) => t.replace('icc: false', 'userland-proxy: false')],
  ['28.5', (t) => t.replace('"20.10"', '"28.5"')],
  ['29.0', (t) => t.replace('"20.10"', '"29.0"')],
];

describe('reachability matrix', () => {
  for (const [name, variant] of VARIANTS) it(`every cell equals the full trace of that pair, with far fewer traces (${name})`, () => {
    const l = lab(variant(TOPO));
    const m = reachabilityMatrix(l.loaded.engine.state, { listening: listeningFromSpec(l.loaded.spec) });
    const n = m.containers.length;
    assert.equal(n, 15);
    let cells = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const cell = m.cell(i, j);
        const from = m.containers[i]!, to = m.containers[j]!;
        assert.equal(cell.verdicts.length, to.probes.length);
        to.probes.forEach((p, k) => {
          cells++;
          const expected = cell.address === null
            ? 'dropped'
            : l.tracer.trace({ from: from.name, to: cell.address, proto: p.proto, ...(p.port !== undefined ? { port: p.port } : {}) }).verdict;
          assert.equal(cell.verdicts[k], expected, `${from.name} → ${to.name} (${cell.address}) ${p.label}`);
        });
      }
    }
    assert.ok(m.traces < cells, `${m.traces} traces for ${cells} cells`);
  });

  it('picks the address on a shared network, and says what each target is probed on', () => {
    const l = lab(TOPO);
    const m = reachabilityMatrix(l.loaded.engine.state, { listening: listeningFromSpec(l.loaded.spec) });
    const idx = (name: string) => m.containers.findIndex((c) => c.name === name);
    assert.equal(m.cell(idx('b1'), idx('rb')).address, l.ip('rb', 'blue'));
    assert.equal(m.cell(idx('r1'), idx('rb')).address, l.ip('rb', 'red'));
    assert.deepEqual(m.containers[idx('r1')]!.probes.map((p) => p.label), ['icmp', '80/tcp']);
    // dockerd --icc=false turns ICC off on docker0 only: red keeps it.
    assert.deepEqual(m.cell(idx('r1'), idx('r2')).verdicts, ['delivered', 'delivered']);
    assert.deepEqual(m.cell(idx('d1'), idx('d2')).verdicts, ['dropped', 'dropped']);
    assert.deepEqual(m.cell(idx('r1'), idx('nn')), { address: null, verdicts: ['dropped'] });
  });
});

describe('reachability matrix across hosts (overlay, macvlan, flannel)', () => {
  it('every cell of the two-host lab equals the full trace of that pair', async () => {
    const { readFileSync } = await import('node:fs');
    const l = lab(readFileSync(new URL('../../../examples/two-host-lab.cnm.yaml', import.meta.url), 'utf8'));
    const m = reachabilityMatrix(l.loaded.engine.state, { listening: listeningFromSpec(l.loaded.spec) });
    const n = m.containers.length;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const cell = m.cell(i, j);
        const from = m.containers[i]!, to = m.containers[j]!;
        assert.notEqual(cell.address?.startsWith('172.18.'), true, `${to.name}'s docker_gwbridge address is per host, never the one shown`);
        to.probes.forEach((p, k) => {
          const expected = cell.address === null ? 'dropped' : l.tracer.trace({ host: from.host, from: from.name, to: cell.address, proto: p.proto, ...(p.port !== undefined ? { port: p.port } : {}) }).verdict;
          assert.equal(cell.verdicts[k], expected, `${from.name} → ${to.name} (${cell.address}) ${p.label}`);
        });
      }
    }
  });
});

describe('reachability matrix, grouped (what `cnm matrix` prints)', () => {
  /** Every pair (i ≠ j) from the groups: the group cell (each target's own address on its network), else the exception's own cell. */
  function expand(m: MatrixResult): Map<string, MatrixCell> {
    const out = new Map<string, MatrixCell>();
    for (let g = 0; g < m.groups.length; g++) {
      for (let h = 0; h < m.groups.length; h++) {
        const own = new Set(m.groupExceptions(g, h).map(([i, j]) => `${i},${j}`));
        const cell = m.groupCell(g, h);
        for (const i of m.groups[g]!) {
          for (const j of m.groups[h]!) {
            if (i === j) continue;
            if (own.has(`${i},${j}`)) out.set(`${i},${j}`, m.cell(i, j));
            else {
              assert.ok(cell, `group ${g} → ${h} has a cell for ${m.containers[i]!.name} → ${m.containers[j]!.name}`);
              out.set(`${i},${j}`, { address: cell.network ? m.addressOn(j, cell.network.id) : cell.address, verdicts: cell.verdicts });
            }
          }
        }
      }
    }
    return out;
  }

  function assertExact(text: string, label: string): MatrixResult {
    const loaded = loadTopology(text);
    const tracer = new Tracer(loaded.engine.state, { listening: listeningFromSpec(loaded.spec) });
    const m = reachabilityMatrix(loaded.engine.state, { listening: listeningFromSpec(loaded.spec) });
    const n = m.containers.length;
    const expanded = expand(m);
    assert.equal(expanded.size, n * (n - 1), `${label}: the groups cover every pair once`);
    assert.equal(m.groupOf.length, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const from = m.containers[i]!, to = m.containers[j]!;
        const got = expanded.get(`${i},${j}`)!;
        // The pair-by-pair matrix, and each probe traced on its own.
        assert.deepEqual(got, { address: m.cell(i, j).address, verdicts: m.cell(i, j).verdicts }, `${label}: ${from.name} → ${to.name}`);
        to.probes.forEach((p, k) => {
          const expected = got.address === null ? 'dropped' : tracer.verdict({ host: from.host, from: from.name, to: got.address, proto: p.proto, ...(p.port !== undefined ? { port: p.port } : {}) });
          assert.equal(got.verdicts[k], expected, `${label}: ${from.name} → ${to.name} (${got.address}) ${p.label}`);
        });
      }
    }
    return m;
  }

  for (const [name, variant] of VARIANTS) it(`expanding the groups gives exactly the pair-by-pair matrix (${name})`, () => {
    const m = assertExact(variant(TOPO), name);
    assert.ok(m.groups.length < m.containers.length, `${m.groups.length} groups for ${m.containers.length} containers`);
  });

  const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.cnm.yaml')).sort();
  it(`expanding the groups gives exactly the pair-by-pair matrix, on every example topology (${examples.length})`, () => {
    assert.ok(examples.length >= 10);
    for (const f of examples) assertExact(readFileSync(join(EXAMPLES, f), 'utf8'), f);
  });

  it('on a generated file (80 containers, 8 networks, aliases, static addresses, published ports), the groups are far fewer than the containers', () => {
    const m = assertExact(generateTopology({ containers: 80, networks: 8, seed: 3 }), 'generated');
    assert.ok(m.groups.length <= 40, `${m.groups.length} groups`);
  });

  it('targets on two networks the source shares (joined in either order, ICC off on one): still exact', () => {
    assertExact(`
hosts: { host1: { daemon: { version: "20.10" } } }
networks:
  a: { subnet: 10.111.0.0/24, options: { com.docker.network.bridge.enable_icc: "false" } }
  b: { subnet: 10.112.0.0/24 }
containers:
  s1: { networks: [a, b], expose: ["80"] }
  t1: { networks: [a, b], expose: ["80"] }
  t2: { networks: [b, a], expose: ["80"] }
  t3: { networks: [b, a], expose: ["80"] }
`, 'two networks');
  });

  it('a source whose other network overlaps the target\'s subnet on another host: its own verdicts, not its gateway network\'s', () => {
    // s1 and s2 leave by the same gateway network (a), but s1 reaches 10.50.0.x on its own lan (on-link):
    // the one path key they would share must not hide that.
    const text = `
hosts:
  host1: { interfaces: { eth0: 192.168.70.11/24 }, daemon: { version: "20.10" } }
  host2: { interfaces: { eth0: 192.168.70.12/24 }, daemon: { version: "20.10" } }
networks:
  a: { host: host1, subnet: 10.41.0.0/24 }
  lan1: { host: host1, subnet: 10.50.0.0/24 }
  lan2: { host: host2, subnet: 10.50.0.0/24 }
containers:
  xx: { host: host1, networks: [lan1], expose: ["80"] }
  s1: { host: host1, networks: [a, lan1] }
  s2: { host: host1, networks: [a] }
  tt: { host: host2, networks: [lan2], expose: ["80"] }
`;
    assert.deepEqual(loadTopology(text).diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
    const m = assertExact(text, 'overlapping subnets');
    const idx = (name: string) => m.containers.findIndex((c) => c.name === name);
    assert.notDeepEqual(m.cell(idx('s1'), idx('tt')).verdicts, m.cell(idx('s2'), idx('tt')).verdicts, 's1 reaches 10.50.0.x on its lan; s2 goes by its gateway');
  });
});
