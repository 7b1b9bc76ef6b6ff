// A network driver is one unit (src/engine/drivers/<name>/): operations, trace legs, rules and a
// descriptor, installed on one engine. These check that every surface reads the descriptors (a driver
// added in a test engine is offered everywhere), that engines do not share registries, that the static
// files (schema, grammar) are what the generator makes of the shipped drivers (and take a new driver with
// nothing else changed), and that src/engine has no import cycle.
// (The module augmentation in drivers/types.ts, `declare module '../model'`, is not an import.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Engine, GRAMMAR_FILE, SCHEMA_FILE, SHIPPED_DESCRIPTORS, SHIPPED_DRIVERS, generateGrammar, generateSchema, registerFlannel, type DriverUnit, type NetworkDriver } from '../../../src/engine';
import { engineRules, formatIptablesSave } from '../../../src/engine/netfilter';
import { loadTopology } from '../../../src/topology';
import { completionDrivers, driverInfo, optionDoc, optionsFor } from '../../../src/server/driverCatalog';
import { findSilentSurprises } from '../../../src/server/silentSurprises';
import { fileDriverChoices } from '../../../src/extension/driverChoices';
import { buildSourceTree, walk } from '../../../src/extension/treeNodes';

const root = resolve(import.meta.dirname, '../../..');

/** A tiny manual-attachment driver (handmade-style): the engine allocates addresses; no interfaces of its own. */
const handmadeOps = (): NetworkDriver => ({
  name: 'handmade', scope: 'local', special: false, supportsPortMapping: false,
  createNetwork: () => ({}),
  deleteNetwork: () => {},
  createEndpoint: () => ({ mac: null, hostIfname: null }),
  deleteEndpoint: () => {},
  join: () => ({ ifacePrefix: null, gateway: null, gateway6: null, mtu: 0 }),
  leave: () => {},
  programExternalConnectivity: () => [],
  revokeExternalConnectivity: () => {},
});
const handmade: DriverUnit = {
  descriptor: {
    name: 'handmade', scope: 'local', origin: 'plugin',
    summary: 'Containers get interfaces added by hand (handmade).', short: 'interfaces added by hand',
    options: [{ name: 'handmade_iface', description: 'handmade: the interface to add in the container (default `eth1`).', values: ['eth1', 'eth2'] }],
    icon: { id: 'tools', color: 'charts.green' }, forms: { file: true, live: false },
  },
  create: handmadeOps,
};

test('a driver installed on a test engine is offered by completion, hover, the create form and the tree', () => {
  const loaded = loadTopology('hosts:\n  host1: {}\n');
  const engine = loaded.engine;
  engine.drivers.install(handmade, engine);
  engine.createNetwork('host1', { name: 'pw', driver: 'handmade' });

  assert.ok(completionDrivers(engine).some((d) => d.name === 'handmade'), 'completion offers it');
  assert.equal(driverInfo('handmade', engine)?.summary, 'Containers get interfaces added by hand (handmade).');
  assert.deepEqual(optionsFor('handmade', engine), [{ name: 'handmade_iface', description: 'handmade: the interface to add in the container (default `eth1`).', values: ['eth1', 'eth2'] }]);
  assert.match(optionDoc('handmade_iface', engine).description, /interface to add/, 'hover reads the descriptor');
  assert.deepEqual(fileDriverChoices(engine).find((c) => c.label === 'handmade'), { label: 'handmade', description: 'interfaces added by hand' });
  const tree = buildSourceTree({ key: 'file:///x.cnm.yaml', fileName: 'x.cnm.yaml', loaded });
  const node = [...walk(tree)].find((n) => n.kind === 'network' && n.label === 'pw');
  assert.deepEqual(node?.icon, { id: 'tools', color: 'charts.green' });
  // A fresh engine does not have it: the registry is the engine's.
  assert.equal(new Engine().drivers.driver('handmade'), undefined);
  assert.equal(driverInfo('handmade'), undefined);
});

test('flannel, a shipped plug-in, is offered by every surface', () => {
  const { engine } = loadTopology('hosts:\n  host1: {}\n');
  assert.deepEqual(completionDrivers(engine).map((d) => d.name), ['bridge', 'overlay', 'macvlan', 'ipvlan', 'flannel', 'calico', 'pipework', 'weave', 'host', 'null']);
  assert.deepEqual(fileDriverChoices(engine).map((c) => c.label), ['bridge', 'overlay', 'macvlan', 'ipvlan', 'flannel', 'calico', 'pipework', 'weave']);
  assert.match(driverInfo('flannel', engine)?.summary ?? '', /flannel\.1/);
  assert.deepEqual(optionsFor('flannel').map((o) => o.name)[0], 'backend');
});

test('calico, a shipped plug-in, is offered by completion, hover, the create form and the tree through its descriptor', () => {
  const loaded = loadTopology('hosts:\n  host1: {}\nnetworks:\n  calinet: { driver: calico, driver_opts: { ipip_mode: Always } }\n');
  const { engine } = loaded;
  assert.ok(completionDrivers(engine).some((d) => d.name === 'calico'));
  assert.match(driverInfo('calico', engine)?.summary ?? '', /169\.254\.1\.1/);
  assert.deepEqual(optionsFor('calico', engine).map((o) => o.name), ['ipip_mode', 'vxlan_mode', 'block_size']);
  assert.deepEqual(optionsFor('calico', engine)[0]!.values, ['Always', 'CrossSubnet', 'Never']);
  assert.match(optionDoc('vxlan_mode', engine).description, /vxlan\.calico` \(UDP 4789, VNI 4096\)/);
  assert.match(fileDriverChoices(engine).find((c) => c.label === 'calico')?.description ?? '', /Project Calico/);
  const tree = buildSourceTree({ key: 'file:///x.cnm.yaml', fileName: 'x.cnm.yaml', loaded });
  const node = [...walk(tree)].find((n) => n.kind === 'network' && n.label === 'calinet');
  assert.deepEqual(node?.icon, { id: 'shield', color: 'charts.orange' });
  // The schema and the grammar, generated from the descriptors, take it too.
  const schema = readFileSync(join(root, SCHEMA_FILE), 'utf8');
  assert.match(schema, /"ipip_mode"/);
  assert.match(readFileSync(join(root, GRAMMAR_FILE), 'utf8'), /calico/);
});

test('pipework and weave, shipped plug-ins, reach completion, hover, the create form and the tree through their descriptors', () => {
  const loaded = loadTopology([
    'hosts:\n  node1: { interfaces: { eth0: 192.168.60.10/24 } }',
    'networks:\n  wn: { driver: weave }',
    'containers:\n  web:\n    image: busybox\n    networks: [wn]\n    pipework: [{ bridge: br1, ip: 192.168.1.10/24 }]\n',
  ].join('\n'));
  const { engine } = loaded;
  for (const [name, option, icon] of [['pipework', 'bridge', { id: 'plug', color: 'charts.orange' }], ['weave', 'datapath', { id: 'type-hierarchy', color: 'charts.green' }]] as const) {
    assert.ok(completionDrivers(engine).some((d) => d.name === name), `completion offers ${name}`);
    assert.match(driverInfo(name, engine)?.summary ?? '', name === 'weave' ? /vxlan|VXLAN.*6784/ : /pipework/);
    assert.equal(optionsFor(name, engine)[0]?.name, option);
    assert.match(optionDoc(option, engine).description, new RegExp(`^${name}:`), 'hover reads the descriptor');
    assert.ok(fileDriverChoices(engine).some((c) => c.label === name), `the create form offers ${name}`);
    const tree = buildSourceTree({ key: 'file:///x.cnm.yaml', fileName: 'x.cnm.yaml', loaded });
    const node = [...walk(tree)].find((n) => n.kind === 'network' && n.label === (name === 'weave' ? 'wn' : 'br1'));
    assert.deepEqual(node?.icon, icon, `${name}'s tree icon`);
  }
});

test('registries belong to an engine: flannel installed on one engine leaves another without its driver, trace legs and rules', () => {
  const a = new Engine();
  const b = new Engine();
  registerFlannel(a);
  assert.ok(a.drivers.driver('flannel') && a.state.drivers.trace('flannel') && a.state.drivers.rules('flannel'));
  assert.equal(b.drivers.driver('flannel'), undefined);
  assert.equal(b.state.drivers.trace('flannel'), undefined);
  assert.equal(b.state.drivers.rules('flannel'), undefined);
  assert.equal(b.drivers.ipamFactory('flannel'), undefined);
  for (const e of [a, b]) {
    e.addHost({ name: 'node1', interfaces: { eth0: '192.168.50.10/24' }, daemon: { version: '20.10' } });
    e.addHost({ name: 'node2', interfaces: { eth0: '192.168.50.11/24' }, daemon: { version: '20.10' } });
  }
  a.createNetwork('node1', { name: 'pods', driver: 'flannel' });
  assert.match(formatIptablesSave(engineRules(a.state, 'node1')[0]!), /-A FORWARD -s 10\.244\.0\.0\/\d+ -j ACCEPT/);
  assert.throws(() => b.createNetwork('node1', { name: 'pods', driver: 'flannel' }), /plugin "flannel" not found/);
});

test('each unit: the descriptor names its driver, with the same scope and special-ness', () => {
  const e = new Engine();
  for (const unit of SHIPPED_DRIVERS) {
    const d = unit.create(e);
    assert.equal(d.name, unit.descriptor.name);
    assert.equal(d.scope, unit.descriptor.scope, d.name);
    assert.equal(d.special, unit.descriptor.special === true, d.name);
  }
  assert.equal(new Set(SHIPPED_DESCRIPTORS.map((d) => d.name)).size, SHIPPED_DESCRIPTORS.length);
});

const read = (file: string) => readFileSync(join(root, file), 'utf8');

test('the committed schema and grammar are what the generator makes of the shipped drivers', () => {
  assert.equal(read(SCHEMA_FILE), generateSchema(read(SCHEMA_FILE), SHIPPED_DESCRIPTORS), `${SCHEMA_FILE} is out of date: run npm run generate`);
  assert.equal(read(GRAMMAR_FILE), generateGrammar(read(GRAMMAR_FILE), SHIPPED_DESCRIPTORS), `${GRAMMAR_FILE} is out of date: run npm run generate`);
});

test('the schema lists exactly the shipped drivers as examples of `driver`', () => {
  const schema = JSON.parse(read(SCHEMA_FILE));
  const driver = schema.definitions.network.properties.driver as { examples: string[]; description: string };
  assert.deepEqual([...driver.examples].sort(), SHIPPED_DESCRIPTORS.map((d) => d.name).sort());
  for (const d of SHIPPED_DESCRIPTORS) assert.ok(driver.description.includes(`\`${d.name}\``), `the schema's description of driver names ${d.name}`);
  const documented = schema.definitions.network.properties.driver_opts.properties as Record<string, { description: string }>;
  for (const o of SHIPPED_DESCRIPTORS.flatMap((d) => d.options)) assert.equal(documented[o.name]?.description, o.description, o.name);
});

test('the grammar colours every shipped driver', () => {
  const grammar = JSON.parse(read(GRAMMAR_FILE));
  const match: string = grammar.repository.driver.match;
  const names = /\)\(([a-z|]+)\)\(\?=/.exec(match)?.[1]?.split('|') ?? [];
  for (const d of SHIPPED_DESCRIPTORS) assert.ok(names.includes(d.name), `${d.name} is in the grammar's driver list`);
});

test('a new driver reaches the schema and the grammar through the generator, with its options, and nothing else changes', () => {
  const withHandmade = [...SHIPPED_DESCRIPTORS, handmade.descriptor];
  const schema = JSON.parse(generateSchema(read(SCHEMA_FILE), withHandmade));
  const network = schema.definitions.network.properties;
  assert.deepEqual(network.driver.examples, [...SHIPPED_DESCRIPTORS.map((d) => d.name), 'handmade']);
  assert.match(network.driver.description, /`handmade` \(interfaces added by hand\)\.$/);
  assert.deepEqual(network.driver_opts.properties.handmade_iface, { description: 'handmade: the interface to add in the container (default `eth1`).', type: 'string', enum: ['eth1', 'eth2'] });
  // Take handmade out again: the rest is the committed schema, key for key.
  const committed = JSON.parse(read(SCHEMA_FILE));
  network.driver.examples.pop();
  network.driver.description = committed.definitions.network.properties.driver.description;
  delete network.driver_opts.properties.handmade_iface;
  assert.deepEqual(schema, committed);
  // Generating twice changes nothing more (the added sentence is replaced, not repeated).
  const once = generateSchema(read(SCHEMA_FILE), withHandmade);
  assert.equal(generateSchema(once, withHandmade), once);
  assert.equal(generateSchema(once, SHIPPED_DESCRIPTORS), read(SCHEMA_FILE), 'removing the driver gives the committed schema back');

  const grammar = JSON.parse(generateGrammar(read(GRAMMAR_FILE), withHandmade));
  const committedGrammar = JSON.parse(read(GRAMMAR_FILE));
  const match: string = grammar.repository.driver.match;
  const pattern = new RegExp(match, 'm');
  assert.ok(pattern.test('    driver: handmade'), match);
  assert.ok(!pattern.test('    driver: handmades'), match);
  assert.equal(match, committedGrammar.repository.driver.match.replace('|none)', '|handmade|none)'));
  committedGrammar.repository.driver.match = match;
  assert.deepEqual(grammar, committedGrammar);
});

test('two drivers may share an option only with the same docs: the schema has one entry per option', () => {
  const clash = { ...handmade.descriptor, name: 'clash', options: [{ name: 'parent', description: 'clash: something else.' }] };
  assert.throws(() => generateSchema(read(SCHEMA_FILE), [...SHIPPED_DESCRIPTORS, clash]), /option "parent" is documented differently by the macvlan and clash drivers/);
});

test('silent surprises read the scope from the descriptor: a global driver reaches every host', () => {
  const spec = loadTopology([
    'hosts:', '  h1: { interfaces: { eth0: 10.9.0.10/24 } }', '  h2: { interfaces: { eth0: 10.8.0.10/24 } }',
    'networks:', '  pods: { driver: flannel, host: h1, subnet: 10.8.0.0/16 }',
  ].join('\n') + '\n').spec;
  const warnings = findSilentSurprises({ spec, inspect: () => undefined, rangeOf: () => ({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }) });
  assert.ok(warnings.some((w) => w.code === 'subnet-overlaps-host' && /host "h2"/.test(w.message)), JSON.stringify(warnings.map((w) => w.message)));
  const local = findSilentSurprises({ spec, inspect: () => undefined, rangeOf: () => ({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }), drivers: SHIPPED_DESCRIPTORS.map((d) => (d.name === 'flannel' ? { ...d, scope: 'local' as const } : d)) });
  assert.ok(!local.some((w) => w.code === 'subnet-overlaps-host'), 'a local driver on h1 does not reach h2');
});

test('src/engine has no import cycle, type-only imports included (as madge counts them)', () => {
  const files = listTs(join(root, 'src/engine'));
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\s+(?:[^'";]*?\sfrom\s+)?'(\.[^']+)'/gm)) {
      const target = resolveTs(resolve(dirname(f), m[1]!));
      if (target) deps.push(target);
    }
    graph.set(f, deps);
  }
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]): void => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      cycles.push([...path.slice(path.indexOf(f)), f].map((p) => p.slice(root.length + 1)).join(' → '));
      return;
    }
    state.set(f, 'open');
    for (const d of graph.get(f) ?? []) visit(d, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of files) visit(f, []);
  assert.deepEqual(cycles, []);
});

function listTs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listTs(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function resolveTs(base: string): string | undefined {
  for (const p of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(p).isFile()) return p;
    } catch { /* try the next */ }
  }
  return undefined;
}
