// The host's own interfaces for a local daemon: the underlay, without the devices Docker makes.
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { it } from 'node:test';
import { localInterfaces } from '../../../src/docker/localHost';

const v4 = (cidr: string, internal = false) => ({ family: 'IPv4', cidr, internal, address: cidr.split('/')[0] }) as NetworkInterfaceInfo;
const v6 = (cidr: string) => ({ family: 'IPv6', cidr, internal: false, address: cidr.split('/')[0], scopeid: 2 }) as NetworkInterfaceInfo;

it('keeps the machine\'s interfaces (IPv4 first, else IPv6), drops lo and the devices Docker makes', () => {
  const got = localInterfaces({
    lo: [v4('127.0.0.1/8', true)],
    eth0: [v6('fe80::1/64'), v4('192.0.2.2/24')],
    lan0: [v6('fe80::80ef:ebff:fe4b:88f3/64')],
    docker0: [v4('172.17.0.1/16')],
    'br-0123456789ab': [v4('172.18.0.1/16')],
    veth1a2b3c4: [v6('fe80::2/64')],
  });
  assert.deepEqual(got, { eth0: '192.0.2.2/24', lan0: 'fe80::80ef:ebff:fe4b:88f3/64' });
});
