// The explorer's file edits: each action changes only the lines it must (comments and layout stay),
// and the result, played on the engine, has what the user asked for.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyTextEdits, minimalEdits } from '../../../src/extension/textDiff';
import { checkEndpointAddress, checkNetworkName, checkSubnet, defaultGateway, planChange, suggestSubnet } from '../../../src/extension/topologyChanges';
import { addContainer, addNetwork, addNetworkEdit, applySplice, connectContainer, connectContainerEdit, containersOnNetwork, disconnectContainer, referencesToContainer, removeContainer, removeNetwork, YamlEditError } from '../../../src/topology/edit';
import { parseYaml } from '../../../src/topology/yaml';
import { loadTopology } from '../../../src/topology';

const example = (name: string) => readFileSync(join(import.meta.dirname, '../../../examples', name), 'utf8');
const customBridge = example('02-custom-bridge.cnm.yaml');
const defaultBridge = example('01-default-bridge.cnm.yaml');

/** Lines of `after` that are not in `before`, and the other way round (a poor man's diff). */
function changedLines(before: string, after: string): { added: string[]; removed: string[] } {
  const a = before.split('\n'), b = after.split('\n');
  return { added: b.filter((l) => !a.includes(l)), removed: a.filter((l) => !b.includes(l)) };
}

function endpointsOf(text: string, container: string): Record<string, string | undefined> {
  const inspect = loadTopology(text).engine.inspect();
  const c = inspect.containers.find((x) => x.name === container);
  assert.ok(c, `${container} exists after the change`);
  return Object.fromEntries(c.endpoints.map((e) => [e.network, e.ipv4_address ?? undefined]));
}

test('create network: appended under networks:, every comment of the file kept', () => {
  const after = addNetwork(customBridge, { name: 'backend', subnet: '10.30.0.0/24', gateway: '10.30.0.1' });
  const edits = minimalEdits(customBridge, after);
  assert.equal(edits.length, 1);
  assert.equal(edits[0]!.length, 0, 'nothing replaced, only inserted');
  assert.equal(edits[0]!.text, '  backend:\n    driver: bridge\n    subnet: 10.30.0.0/24\n    gateway: 10.30.0.1\n');
  assert.ok(customBridge.slice(0, edits[0]!.offset).endsWith("containers' default route\n"), 'right after the last network');
  for (const comment of customBridge.split('\n').filter((l) => l.includes('#'))) assert.ok(after.includes(comment));
  const net = loadTopology(after).engine.inspect().networks.find((n) => n.name === 'backend');
  assert.equal(net?.subnet, '10.30.0.0/24');
  assert.equal(net?.gateway, '10.30.0.1');
});

test('create network in a file without networks: a networks section before containers', () => {
  const after = addNetwork(defaultBridge, { name: 'backend', driverOpts: { 'com.docker.network.bridge.enable_icc': 'false' } });
  assert.match(after, /\nnetworks:\n {2}backend:\n {4}driver: bridge\n {4}driver_opts: \{ com\.docker\.network\.bridge\.enable_icc: "false" \}\n\ncontainers:/);
  const net = loadTopology(after).engine.inspect().networks.find((n) => n.name === 'backend');
  assert.equal(net?.options['com.docker.network.bridge.enable_icc'], 'false');
});

test('create network: flow-style and empty sections are edited in their own style', () => {
  assert.equal(addNetwork('networks: {a: {driver: bridge}}\n', { name: 'b' }), 'networks: {a: {driver: bridge}, b: { driver: bridge }}\n');
  assert.equal(addNetwork('networks:\ncontainers: {}\n', { name: 'b' }), 'networks:\n  b:\n    driver: bridge\ncontainers: {}\n');
  assert.equal(addNetwork('', { name: 'b' }), 'networks:\n  b:\n    driver: bridge\n');
  assert.throws(() => addNetwork(customBridge, { name: 'mybridge10' }), YamlEditError);
});

test('remove network: its lines go, nothing else', () => {
  const after = removeNetwork(customBridge, 'mybridge10');
  const { removed, added } = changedLines(customBridge, after);
  assert.deepEqual(added, []);
  assert.equal(removed.length, 4);
  assert.ok(removed[0]!.startsWith('  mybridge10:'));
  assert.throws(() => removeNetwork(customBridge, 'bridge'), /no network named "bridge"/);
});

test('remove container: its lines go (comments inside it too), nothing else; the rest plays as before', () => {
  const after = removeContainer(customBridge, 'web');
  const { removed, added } = changedLines(customBridge, after);
  assert.deepEqual(added, []);
  assert.ok(removed[0]!.startsWith('  web:'));
  assert.ok(removed.every((l) => !l.startsWith('  b1') && !l.startsWith('  10_b1')));
  assert.deepEqual(endpointsOf(after, 'b1'), { bridge: '172.17.0.2', mybridge10: '10.10.0.3' });
  assert.throws(() => removeContainer(customBridge, 'nosuch'), /no container named "nosuch"/);
});

test('references to a container: its container: joiners and the expect entries naming it', () => {
  const text = example('05-container-mode.cnm.yaml');
  const owner = loadTopology(text).spec.containers.find((c) => loadTopology(text).spec.containers.some((j) => j.networkMode === `container:${c.name}`));
  assert.ok(owner, 'the example has a container: joiner');
  const refs = referencesToContainer(text, owner.name);
  assert.ok(refs.joiners.length > 0);
  assert.deepEqual(referencesToContainer(customBridge, 'web'), { joiners: [], expects: 1 });
  assert.deepEqual(referencesToContainer(customBridge, 'b1'), { joiners: [], expects: 2 });
});

test('connect: a flow list grows in place and keeps its comment; the file order decides the address', () => {
  const after = connectContainer(customBridge, '10_b1', 'bridge');
  const { added, removed } = changedLines(customBridge, after);
  assert.equal(removed.length, 1);
  assert.equal(added[0], '    networks: [mybridge10, bridge]    # started on mybridge10: it gets the first free address, 10.10.0.2');
  // 10_b1 starts before b1, so it takes docker0's first free address and b1 the next one.
  assert.deepEqual(endpointsOf(after, '10_b1'), { mybridge10: '10.10.0.2', bridge: '172.17.0.2' });
  assert.equal(endpointsOf(after, 'b1').bridge, '172.17.0.3');
});

test('connect with an address and aliases: the list becomes a map in the same place', () => {
  const after = connectContainer(customBridge, '10_b1', 'mybridge10'.replace('mybridge10', 'backend'), { ipv4Address: '10.30.0.9', aliases: ['api'] });
  assert.match(after, / {4}networks:\n {6}mybridge10:\n {6}backend: \{ ipv4_address: 10\.30\.0\.9, aliases: \[api\] \}\n/);
  const withNet = addNetwork(after, { name: 'backend', subnet: '10.30.0.0/24' });
  assert.equal(endpointsOf(withNet, '10_b1').backend, '10.30.0.9');
});

test('connect a container that had no networks: it stays on the default bridge', () => {
  const after = connectContainer(defaultBridge, 'b1', 'bridge2');
  assert.ok(after.includes('    networks: [bridge, bridge2]\n'));
  assert.throws(() => connectContainer(defaultBridge, 'b1', 'bridge'), /already on "bridge"/);
});

test('connect, leaving the default bridge (the shared-network quick fix): only a container that names no network leaves it', () => {
  const leave = { leaveDefaultBridge: true };
  assert.ok(connectContainer(defaultBridge, 'b1', 'bridge2', {}, leave).includes('    networks: [bridge2]\n'));
  assert.equal(connectContainer('containers:\n  a:\n', 'a', 'n1', {}, leave), 'containers:\n  a:\n    networks: [n1]\n');
  assert.equal(connectContainer('containers:\n  a:\n', 'a', 'n1'), 'containers:\n  a:\n    networks: [bridge, n1]\n');
  // network_mode: default is the default bridge, written by its name.
  assert.equal(connectContainer('containers:\n  a:\n    network_mode: default\n', 'a', 'n1', {}, leave), 'containers:\n  a:\n    networks: [bridge, n1]\n');
});

test('an edit is one splice: from any exact parse of the text (the language server\'s own), the same as text in, text out', () => {
  for (const text of [customBridge, defaultBridge]) {
    const viaText = connectContainer(text, 'b1', 'backend');
    const splice = connectContainerEdit({ text, doc: parseYaml(text) }, 'b1', 'backend');
    assert.equal(applySplice(text, splice), viaText);
    assert.equal(applySplice(text, addNetworkEdit({ text, doc: parseYaml(text) }, { name: 'backend' })), addNetwork(text, { name: 'backend' }));
  }
});

test('connect in a map of networks adds one entry; network_mode: host cannot be connected', () => {
  const after = connectContainer(customBridge, 'web', 'bridge');
  assert.deepEqual(changedLines(customBridge, after).added, ['      bridge:']);
  assert.deepEqual(endpointsOf(after, 'web'), { mybridge10: '10.10.0.100', bridge: '172.17.0.3' });
  assert.throws(() => connectContainer('containers:\n  h:\n    network_mode: host\n', 'h', 'x'), /network_mode: host/);
});

test('disconnect: the entry goes; the last network leaves the container with loopback only', () => {
  const one = disconnectContainer(customBridge, 'b1', 'bridge');
  assert.ok(one.includes('    networks: [mybridge10]\n'));
  assert.deepEqual(endpointsOf(one, 'b1'), { mybridge10: '10.10.0.3' });
  const last = disconnectContainer(customBridge, 'web', 'mybridge10');
  assert.ok(last.includes('  web:\n    image: busybox\n    network_mode: none\n'));
  assert.deepEqual(endpointsOf(last, 'web'), { none: undefined });
  const implicit = disconnectContainer(defaultBridge, 'b1', 'bridge');
  assert.deepEqual(changedLines(defaultBridge, implicit).added, ['    network_mode: none']);
  assert.throws(() => disconnectContainer(customBridge, '10_b1', 'bridge'), /not connected/);
});

test('run container: a new entry under containers', () => {
  const after = addContainer(customBridge, { name: 'db', image: 'postgres', network: 'mybridge10', ports: ['5432:5432'], expose: ['5432'] });
  assert.ok(after.includes('  db:\n    image: postgres\n    networks: [mybridge10]\n    ports: ["5432:5432"]\n    expose: ["5432"]\n'));
  assert.deepEqual(endpointsOf(after, 'db'), { mybridge10: '10.10.0.4' });
  assert.ok(addContainer(customBridge, { name: 'h', image: 'busybox', network: 'host' }).includes('  h:\n    image: busybox\n    network_mode: host\n'));
  // A sidecar in container mode says what it listens on (Docker refuses expose there).
  const sidecar = addContainer(customBridge, { name: 'sc', image: 'busybox', network: 'container:b1', listen: ['8081'] });
  assert.ok(sidecar.includes('  sc:\n    image: busybox\n    network_mode: container:b1\n    listen: ["8081"]\n'), sidecar);
});

test('containersOnNetwork counts implicit default-bridge members', () => {
  assert.deepEqual(containersOnNetwork(customBridge, 'mybridge10'), ['10_b1', 'b1', 'web']);
  assert.deepEqual(containersOnNetwork(defaultBridge, 'bridge'), ['b1', 'b2']);
});

test('a file with a YAML syntax error is not edited', () => {
  assert.throws(() => addNetwork('networks:\n  a: [\n', { name: 'b' }), /YAML syntax error/);
});

test('minimal edits touch only the changed lines, and applying them gives the new text', () => {
  const after = connectContainer(customBridge, 'web', 'bridge');
  const edits = minimalEdits(customBridge, after);
  assert.equal(edits.length, 1);
  assert.equal(edits[0]!.length, 0);
  assert.equal(edits[0]!.text, '      bridge:\n');
  assert.equal(applyTextEdits(customBridge, edits), after);
  const two = 'a\nb\nc\nd\ne\n';
  const changed = 'a\nB\nc\nd\nE\n';
  assert.equal(minimalEdits(two, changed).length, 2);
  assert.equal(applyTextEdits(two, minimalEdits(two, changed)), changed);
});

test('a change Docker would refuse is caught on a copy of the engine, in Docker\'s words', () => {
  const overlap = planChange(customBridge, (t) => addNetwork(t, { name: 'x', subnet: '10.10.5.0/24' }));
  assert.equal(overlap.ok, false);
  assert.match(!overlap.ok ? overlap.error : '', /Pool overlaps with other one on this address space/);
  const staticOnDefault = planChange(customBridge, (t) => connectContainer(t, '10_b1', 'bridge', { ipv4Address: '172.17.0.9' }));
  assert.match(!staticOnDefault.ok ? staticOnDefault.error : '', /user specified IP address is supported on user defined networks only/);
  const fine = planChange(customBridge, (t) => connectContainer(t, 'web', 'bridge'));
  assert.ok(fine.ok);
  assert.equal(fine.ok && fine.change.edits.length, 1);
});

test('the suggested subnet is the one Docker would give the next network', () => {
  assert.equal(suggestSubnet(customBridge, 'host1'), '172.18.0.0/16');
  const withIt = addNetwork(customBridge, { name: 'auto' });
  assert.equal(loadTopology(withIt).engine.inspect().networks.find((n) => n.name === 'auto')?.subnet, '172.18.0.0/16');
  assert.equal(defaultGateway('10.30.0.0/24'), '10.30.0.1');
});

test('the input checks answer as the user types', () => {
  const loaded = loadTopology(customBridge);
  assert.equal(checkNetworkName(loaded, 'host1', 'mybridge10'), 'network with name mybridge10 already exists');
  assert.equal(checkNetworkName(loaded, 'host1', 'host'), 'operation is not permitted on predefined host network ');
  assert.equal(checkNetworkName(loaded, 'host1', ''), 'invalid name: ');
  assert.equal(checkNetworkName(loaded, 'host1', 'backend'), undefined);
  assert.match(checkSubnet(loaded, 'host1', '10.10.3.0/24') ?? '', /overlaps.*mybridge10/);
  assert.match(checkSubnet(loaded, 'host1', '10.10.3/24') ?? '', /invalid CIDR/);
  assert.match(checkEndpointAddress(loaded, 'host1', 'mybridge10', '10.10.0.100') ?? '', /in use.*web/);
  assert.match(checkEndpointAddress(loaded, 'host1', 'mybridge10', '10.11.0.1') ?? '', /no configured subnet/);
  assert.match(checkEndpointAddress(loaded, 'host1', 'mybridge10', '10.10.0.1') ?? '', /gateway/);
  assert.equal(checkEndpointAddress(loaded, 'host1', 'mybridge10', '10.10.0.50'), undefined);
});

test('create network: ip_range, aux_addresses and ingress are written, and the engine plays them', () => {
  const text = 'hosts:\n  host1: { swarm: manager }\nnetworks: {}\n';
  const after = addNetwork(text, { name: 'mesh', driver: 'overlay', subnet: '10.77.0.0/24', ipRange: '10.77.0.128/25', auxAddresses: { router: '10.77.0.254' }, ingress: true });
  assert.match(after, /ip_range: 10\.77\.0\.128\/25/);
  assert.match(after, /aux_addresses: \{ router: 10\.77\.0\.254 \}/);
  assert.match(after, /ingress: true/);
  const loaded = loadTopology(after);
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const net = loaded.engine.inspect().networks.find((n) => n.name === 'mesh');
  assert.equal(net?.ip_range, '10.77.0.128/25');
  assert.equal(net?.ingress, true);
});
