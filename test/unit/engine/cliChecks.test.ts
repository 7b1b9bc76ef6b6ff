// The docker CLI's own checks (20.10 consolidateIpam and run's alias check), as the differential suite
// saw them on the real docker CLI (test/docker scenarios 22 and 24).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkNetworkCreateFlags, checkRunFlags, DockerError } from '../../../src/engine';

function refuses(fn: () => void, text: string, field?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DockerError);
    assert.equal(e.message, text);
    if (field) assert.equal(e.hint?.field, field);
    return true;
  });
}

test('a gateway, range or aux address outside every subnet is refused by the CLI', () => {
  refuses(() => checkNetworkCreateFlags({ name: 'n', ipam: { config: [{ subnet: '10.81.0.0/24', gateway: '10.9.9.9' }] } }), 'no matching subnet for gateway 10.9.9.9', 'gateway');
  refuses(() => checkNetworkCreateFlags({ name: 'n', ipam: { config: [{ subnet: '10.81.0.0/24', ipRange: '10.8.0.0/24' }] } }), 'no matching subnet for range 10.8.0.0/24', 'ip_range');
  refuses(() => checkNetworkCreateFlags({ name: 'n', ipam: { config: [{ subnet: '10.81.0.0/24', auxAddresses: { far: '10.7.7.7' } }] } }), 'no matching subnet for aux-address 10.7.7.7', 'aux_addresses');
});

test('a gateway without a subnet, overlapping subnets and two gateways for one subnet', () => {
  refuses(() => checkNetworkCreateFlags({ name: 'n', ipam: { config: [{ gateway: '10.0.0.1' }] } }), 'every ip-range or gateway must have a corresponding subnet');
  refuses(() => checkNetworkCreateFlags({ name: 'n', ipam: { config: [{ subnet: '10.0.0.0/16' }, { subnet: '10.0.1.0/24' }] } }), 'multiple overlapping subnet configuration is not supported', 'subnet');
  refuses(
    () => checkNetworkCreateFlags({ name: 'n', ipam: { config: [{ subnet: '10.0.0.0/16', gateway: '10.0.0.1' }, { subnet: '10.1.0.0/16', gateway: '10.0.0.2' }] } }),
    'cannot configure multiple gateways (10.0.0.2, 10.0.0.1) for the same subnet (10.0.0.0/16)',
  );
});

test('well-formed flags pass, and so does a network with no IPAM flags at all', () => {
  checkNetworkCreateFlags({ name: 'n' });
  checkNetworkCreateFlags({ name: 'n', ipam: { config: [{ subnet: '172.28.0.0/16', ipRange: '172.28.5.0/24', gateway: '172.28.5.254', auxAddresses: { a: '172.28.1.5' } }] } });
});

test('docker run refuses network aliases off user-defined networks', () => {
  refuses(() => checkRunFlags({ name: 'c', endpoint: { aliases: ['x'] } }), 'network-scoped aliases are only supported for user-defined networks', 'aliases');
  refuses(() => checkRunFlags({ name: 'c', networkMode: 'bridge', endpoint: { aliases: ['x'] } }), 'network-scoped aliases are only supported for user-defined networks');
  checkRunFlags({ name: 'c', networkMode: 'mynet', endpoint: { aliases: ['x'] } });
  checkRunFlags({ name: 'c', networkMode: 'bridge' });
});
