// The reachability matrix: grouping equivalent containers must give exactly what tracing every pair
// one by one gives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reachabilityMatrix } from '../../../src/engine/trace';
import { listeningFromSpec } from '../../../src/cli/commands/tracing';
import { lab } from './helpers';

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
