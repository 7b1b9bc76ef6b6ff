// The topology file's calico additions: containers' `labels`, `policies:` at the top level or under a
// calico network, each error on its own range, and what reaches felix's chains.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIptablesSave } from '../../../src/engine/netfilter/format';
import { hostRules } from '../../../src/engine/netfilter/derive';
import { loadTopology } from '../../../src/topology';

const FILE = (policies: string, network = '', driver = 'calico') => `
hosts:
  node1: { interfaces: { eth0: 10.0.0.1/24 } }
networks:
  calinet:
    driver: ${driver}
${network}
containers:
  web: { host: node1, labels: ["role=web"], networks: [calinet] }
  db: { host: node1, labels: { role: db }, networks: [calinet] }
${policies}
`;

const messages = (text: string, severity: 'error' | 'warning') => loadTopology(text).diagnostics.filter((d) => d.severity === severity).map((d) => d.message);

test('labels (a map or a list of key=value) reach the containers', () => {
  const { engine } = loadTopology(FILE(''));
  const labels = [...engine.state.hosts.get('node1')!.containers.values()].map((c) => `${c.name} ${JSON.stringify(c.labels)}`);
  assert.deepEqual(labels, ['web {"role":"web"}', 'db {"role":"db"}']);
});

test('a top-level policy reaches every calico network; felix renders its chain', () => {
  const loaded = loadTopology(FILE('policies:\n  - { name: no-db, selector: "role == \'db\'", ingress: [{ action: deny }] }'));
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  const rules = formatIptablesSave(hostRules(loaded.engine.state.hosts.get('node1')!, loaded.engine.state.drivers));
  assert.match(rules, /^-A cali-pi-gnp\/no-db -j DROP$/m);
  assert.match(rules, /-m mark --mark 0x0\/0x20000 -j cali-pi-gnp\/no-db$/m);
});

test('bad policies are errors on the file, in calico\'s words where calico has them', () => {
  assert.ok(messages(FILE('policies:\n  - { name: x, selector: "role ~ db" }'), 'error').some((m) => /cannot parse selector "role ~ db"/.test(m)));
  assert.ok(messages(FILE('policies:\n  - { name: x, ingress: [{ action: allow, port: 80 }] }'), 'error').some((m) => /port needs protocol tcp or udp/.test(m)));
  assert.ok(messages(FILE('policies:\n  - { name: x, ingress: [{ protocol: tcp }] }'), 'error').some((m) => /needs an action/.test(m)));
  assert.ok(messages(FILE('policies:\n  - { selector: all() }'), 'error').some((m) => /needs a name/.test(m)));
  assert.ok(messages(FILE('policies:\n  - { name: x, colour: red }'), 'error').length > 0, 'unknown keys are refused');
});

test('policies under a network that is not calico are a warning: nothing enforces them', () => {
  const warnings = messages(FILE('', '    policies:\n      - { name: x, ingress: [{ action: deny }] }', 'bridge'), 'warning');
  assert.ok(warnings.some((m) => /enforced by calico's felix only: network "calinet" uses driver bridge/.test(m)), warnings.join('\n'));
});
