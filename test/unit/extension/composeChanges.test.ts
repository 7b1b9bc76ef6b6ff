// A Compose action is checked on the project read again with the change: Docker's and Compose's
// refusals stop it in their words, new warnings come with it, and what is applied is only the changed lines.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { composeNetworkAddressError, networkKeyOf, planComposeChange, serviceOf } from '../../../src/extension/composeChanges';
import { applyTextEdits } from '../../../src/extension/textDiff';
import { addComposeNetwork, attachServiceToNetwork, loadCompose, publishServicePort } from '../../../src/topology/compose';

const file = '/p/shop/compose.yaml';
const example = readFileSync(join(import.meta.dirname, '../../../examples/11-compose-web-api-db/compose.yaml'), 'utf8');
const load = (text: string) => loadCompose({ readFile: (p) => (p === file ? text : undefined), exists: (p) => p === file }, file, { env: {} });

describe('planComposeChange', () => {
  it('applies only the changed lines', () => {
    const plan = planComposeChange(example, (t) => publishServicePort(t, 'web', '9090:90'), load);
    assert.ok(plan.ok);
    assert.equal(plan.change.edits.length, 1);
    assert.equal(applyTextEdits(example, plan.change.edits), plan.change.newText);
    assert.deepEqual(plan.change.warnings, []);
  });

  it('refuses what Docker would refuse once changed, in its words', () => {
    const plan = planComposeChange(example, (t) => attachServiceToNetwork(t, 'web', 'back', { ipv4Address: '10.99.0.5' }), load);
    assert.ok(!plan.ok);
    assert.match(plan.error, /^Invalid address 10\.99\.0\.5: It does not belong to any of this network's subnets \(line 20 of compose\.yaml once changed\)$/);
    const edit = planComposeChange(example, (t) => attachServiceToNetwork(t, 'web', 'nowhere'), load);
    assert.deepEqual(edit, { ok: false, error: 'service "web" refers to undefined network nowhere: invalid compose project' });
  });

  it('brings the warnings the change adds (a new start-order race)', () => {
    const text = 'name: shop\nservices:\n  a: { image: x, networks: [n1] }\n  b: { image: x, networks: [n2] }\nnetworks:\n  n1: { ipam: { config: [{ subnet: 10.40.0.0/24 }] } }\n  n2: { ipam: { config: [{ subnet: 10.41.0.0/24 }] } }\n';
    const plan = planComposeChange(text, (t) => attachServiceToNetwork(t, 'b', 'n1'), load);
    assert.ok(plan.ok);
    assert.deepEqual(plan.change.warnings, [
      '"a" and "b" start at the same time (no depends_on between them), so which of them gets which address on "shop_n1" depends on who starts first; pin it with ipv4_address, or add a depends_on between them.',
      '"b" and "a" start at the same time (no depends_on between them), so which of them gets which address on "shop_n1" depends on who starts first; pin it with ipv4_address, or add a depends_on between them.',
    ]);
    assert.equal(plan.change.newText.split('\n')[3], '  b: { image: x, networks: [n2, n1] }');
  });

  it('names services and networks by Docker\'s names too', () => {
    const compose = load(example);
    assert.equal(serviceOf(compose, 'shop-api-1'), 'api');
    assert.equal(serviceOf(compose, 'api'), 'api');
    assert.equal(serviceOf(compose, 'nope'), undefined);
    assert.equal(networkKeyOf(compose, 'shop_back'), 'back');
    assert.equal(networkKeyOf(compose, 'back'), 'back');
  });
});

describe('composeNetworkAddressError', () => {
  // Compose creates networks through the API: dockerd's words (read off real 20.10 and 26.1), not the docker CLI's.
  const outside20 = 'auxiliary address: (router:10.99.0.254) must belong to the master pool: 10.40.0.0/24';
  const outside25 = "invalid network config:\ninvalid auxiliary address router: parent subnet 10.40.0.0/24 doesn't contain this address";
  it('refuses an aux address outside the subnet, which reading the project again does not see (no service uses the new network)', () => {
    const net = { key: 'lan', subnet: '10.40.0.0/24', auxAddresses: { router: '10.99.0.254' } };
    assert.ok(planComposeChange(example, (t) => addComposeNetwork(t, net), load).ok, 'Compose does not create an unused network');
    assert.equal(composeNetworkAddressError(net, '20.10'), outside20);
    assert.equal(composeNetworkAddressError(net, '26.1'), outside25);
    // No version given: the newest modelled, as for the project itself.
    assert.equal(composeNetworkAddressError(net), outside25);
    // Once a service joins it, the project (Docker 20.10, from its x-cnm) says the same: the form checks with its version.
    const joined = attachServiceToNetwork(addComposeNetwork(example, net), 'web', 'lan');
    assert.ok(load(joined).diagnostics.some((d) => d.severity === 'error' && d.message === outside20), "the example project is Docker 20.10");
  });

  it('takes aux addresses, gateway and ip_range inside the subnet; names the ones outside as the project\'s dockerd does', () => {
    assert.equal(composeNetworkAddressError({ key: 'lan', subnet: '10.40.0.0/24', gateway: '10.40.0.1', ipRange: '10.40.0.128/25', auxAddresses: { router: '10.40.0.254', printer: '10.40.0.253' } }), undefined);
    assert.equal(composeNetworkAddressError({ key: 'lan' }), undefined);
    assert.equal(composeNetworkAddressError({ key: 'lan', subnet: '10.40.0.0/24', auxAddresses: { a: '10.40.0.5', b: '10.41.0.5' } }, '20.10'), 'auxiliary address: (b:10.41.0.5) must belong to the master pool: 10.40.0.0/24');
    assert.equal(composeNetworkAddressError({ key: 'lan', subnet: '10.40.0.0/24', gateway: '10.9.9.9' }, '20.10'), 'failed to allocate gateway (10.9.9.9): Requested address is out of range');
    // 20.10 takes an ip_range outside the subnet through the API (the CLI would refuse it); 25.0+ does not.
    assert.equal(composeNetworkAddressError({ key: 'lan', subnet: '10.40.0.0/24', ipRange: '10.50.0.0/25' }, '20.10'), undefined);
    assert.equal(composeNetworkAddressError({ key: 'lan', subnet: '10.40.0.0/24', ipRange: '10.50.0.0/25' }, '26.1'), "invalid network config:\ninvalid ip-range 10.50.0.0/25: parent subnet 10.40.0.0/24 doesn't contain ip-range");
  });
});

describe('composeNetworkAddressError names the network as Docker does', () => {
  it('`<project>_<key>` in dockerd\'s words, and a key named like a built-in network is no problem', () => {
    assert.equal(composeNetworkAddressError({ key: 'lan', subnet: '10.40.0.0/24', auxAddresses: { x: 'nope' } }, '20.10', 'shop'), 'non parsable secondary ip address (x:nope) passed for network shop_lan');
    assert.equal(composeNetworkAddressError({ key: 'bridge', subnet: '10.40.0.0/24' }, '20.10', 'shop'), undefined);
  });
});
