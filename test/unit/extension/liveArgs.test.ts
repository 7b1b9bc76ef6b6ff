// What the live-host actions check before anything reaches Docker: the new network's name and every
// IPAM option, a static address and aliases for connect, a container's name — each with a message the
// user reads under the input box.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkAliasList, checkContainerName, checkNewNetworkName, checkStaticAddress, checkSubnetText, endpointConfigOf, networkRequestOf,
  parseAuxAddresses, parseOptions, splitCommand,
} from '../../../src/extension/commands/liveArgs';
import { importFileName } from '../../../src/extension/live/importName';

describe('create network: the form checked before it is sent', () => {
  it('turns every IPAM option into Docker\'s request', () => {
    const r = networkRequestOf({
      name: 'backend', driver: 'bridge', subnet: '10.214.8.0/24', gateway: '10.214.8.1', ipRange: '10.214.8.128/25',
      auxAddresses: 'router=10.214.8.254, nas=10.214.8.253', enableIpv6: true, subnet6: 'fd00:214::/64', gateway6: 'fd00:214::1',
      internal: true, attachable: true, options: 'com.docker.network.bridge.enable_icc=false', labels: { a: '1' },
    }, ['bridge', 'host', 'none']);
    assert.deepEqual(r, {
      name: 'backend', driver: 'bridge',
      ipam: { config: [
        { subnet: '10.214.8.0/24', gateway: '10.214.8.1', ipRange: '10.214.8.128/25', auxAddresses: { router: '10.214.8.254', nas: '10.214.8.253' } },
        { subnet: 'fd00:214::/64', gateway: 'fd00:214::1' },
      ] },
      internal: true, attachable: true, enableIpv6: true, options: { 'com.docker.network.bridge.enable_icc': 'false' }, labels: { a: '1' },
    });
  });

  it('a bare name is enough: Docker picks the subnet', () => {
    assert.deepEqual(networkRequestOf({ name: ' lan ' }, []), { name: 'lan', driver: 'bridge' });
  });

  it('refuses, with a reason, what Docker would refuse or what makes no sense', () => {
    const err = (form: Parameters<typeof networkRequestOf>[0], existing: string[] = []) => {
      const r = networkRequestOf(form, existing);
      return 'error' in r ? r.error : 'accepted';
    };
    assert.equal(err({ name: 'bridge' }), 'bridge is a pre-defined network');
    assert.equal(err({ name: 'lan' }, ['lan']), 'network with name lan already exists');
    assert.match(err({ name: 'a b' }), /letters, digits/);
    assert.equal(err({ name: 'x', subnet: '10.214.1.5/24' }), '10.214.1.5/24 is not a network address: did you mean 10.214.1.0/24?');
    assert.match(err({ name: 'x', subnet: '10.214.1.0' }), /invalid CIDR address/);
    assert.equal(err({ name: 'x', subnet: '10.214.1.0/24', gateway: '10.214.2.1' }), 'gateway 10.214.2.1 is not in 10.214.1.0/24');
    assert.equal(err({ name: 'x', subnet: '10.214.1.0/24', ipRange: '10.214.0.0/16' }), 'ip range 10.214.0.0/16 is not inside 10.214.1.0/24');
    assert.equal(err({ name: 'x', subnet: '10.214.1.0/24', auxAddresses: 'router' }), '"router": write aux addresses as name=address');
    assert.equal(err({ name: 'x', gateway: '10.214.1.1' }), 'a gateway, an ip range or aux addresses need a subnet');
    assert.equal(err({ name: 'x', subnet6: 'fd00::/64' }), 'an IPv6 subnet needs IPv6 enabled');
    assert.equal(err({ name: 'x', enableIpv6: true, subnet6: '10.214.1.0/24' }), '10.214.1.0/24 is not an IPv6 subnet');
    assert.match(err({ name: 'x', options: 'mtu' }), /write options as key=value/);
  });

  it('checks each step as it is typed', () => {
    assert.equal(checkNewNetworkName('', []), 'a name, e.g. backend');
    assert.equal(checkSubnetText('10.214.0.0/16', 4), undefined);
    assert.deepEqual(parseAuxAddresses('r=10.214.0.9', '10.214.0.0/16'), { r: '10.214.0.9' });
    assert.deepEqual(parseAuxAddresses('r=10.215.0.9', '10.214.0.0/16'), { error: 'aux address r: 10.215.0.9 is not in 10.214.0.0/16' });
    assert.deepEqual(parseOptions('a=1 b=x=y'), { a: '1', b: 'x=y' });
  });
});

describe('connect and run: addresses, aliases, names', () => {
  const lan = { name: 'lan', ipamConfig: [{ subnet: '10.214.3.0/24', gateway: '10.214.3.1', auxAddresses: {} }] };
  it('a static address must be in a configured subnet of a user network, and not its gateway', () => {
    assert.equal(checkStaticAddress('', lan, false), undefined);
    assert.equal(checkStaticAddress('10.214.3.9', lan, false), undefined);
    assert.equal(checkStaticAddress('10.214.4.9', lan, false), 'no configured subnet of lan contains 10.214.4.9 (10.214.3.0/24)');
    assert.equal(checkStaticAddress('10.214.3.1', lan, false), '10.214.3.1 is the gateway of lan');
    assert.equal(checkStaticAddress('172.17.0.9', { name: 'bridge', ipamConfig: [{ subnet: '172.17.0.0/16', auxAddresses: {} }] }, true), 'user specified IP address is supported on user defined networks only');
    assert.equal(checkStaticAddress('nope', lan, false), 'invalid IP address: nope');
  });

  it('builds the endpoint settings Docker gets', () => {
    assert.deepEqual(endpointConfigOf('10.214.3.9', 'api, db', lan, false), { ipv4Address: '10.214.3.9', aliases: ['api', 'db'] });
    assert.deepEqual(endpointConfigOf('', '', lan, false), {});
    assert.equal(checkAliasList('ok, -bad'), '"-bad" is not a valid alias: use letters, digits, dots, dashes and underscores');
  });

  it('container names follow Docker\'s rule; a command is split without a shell', () => {
    assert.equal(checkContainerName('web', ['db']), undefined);
    assert.equal(checkContainerName('web', ['web']), 'Conflict. The container name "/web" is already in use');
    assert.match(checkContainerName('-x', []) ?? '', /Invalid container name/);
    assert.deepEqual(splitCommand('sh -c "sleep 3600; echo hi"'), ['sh', '-c', 'sleep 3600; echo hi']);
  });

  it('an imported host gets a file name of its own', () => {
    assert.equal(importFileName('unix:///var/run/docker.sock', () => false), 'var-run-docker.sock.cnm.yaml');
    assert.equal(importFileName('default', (n) => n === 'default.cnm.yaml'), 'default-2.cnm.yaml');
  });
});
