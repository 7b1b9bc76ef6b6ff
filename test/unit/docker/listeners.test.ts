// The kernel's socket tables as /proc/net/{tcp,tcp6,udp,udp6} print them: which sockets listen (TCP
// LISTEN, unconnected bound UDP) and on which address, read from recorded text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProcNet, procAddress, splitTables } from '../../../src/docker/listeners';
import { sharesDaemonNetns } from '../../../src/docker/hostNetfilter';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0051 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
   1: 0B00007F:A2F3 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 100 0 0 10 0
   2: 0A07E70A:0050 0B07E70A:C350 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5 1 0000000000000000 100 0 0 10 0
`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 00000000:0043 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 6 2 0000000000000000 0
  101: 0A07E70A:9C40 0A07E70A:0035 01 00000000:00000000 00:00000000 00000000     0        0 7 2 0000000000000000 0
`;

describe('/proc/net socket tables', () => {
  it('reads addresses in the kernel\'s byte order, IPv4 and IPv6', () => {
    assert.equal(procAddress('0100007F'), '127.0.0.1');
    assert.equal(procAddress('0A07E70A'), '10.231.7.10');
    assert.equal(procAddress('00000000000000000000000000000000'), '::');
    assert.equal(procAddress('00000000000000000000000001000000'), '::1');
    assert.equal(procAddress('0000000000000000FFFF00000100007F'), '::ffff:127.0.0.1');
    assert.equal(procAddress('B80D0120000000000000000001000000'), '2001:db8::1');
    assert.equal(procAddress('zz'), null);
  });

  it('keeps listening TCP sockets and bound, unconnected UDP ones, with their addresses', () => {
    assert.deepEqual(parseProcNet(TCP, 'tcp'), [{ proto: 'tcp', address: '127.0.0.1', port: 81 }, { proto: 'tcp', address: '127.0.0.11', port: 41715 }]);
    assert.deepEqual(parseProcNet(TCP6, 'tcp'), [{ proto: 'tcp', address: '::', port: 80 }, { proto: 'tcp', address: '::1', port: 8080 }]);
    assert.deepEqual(parseProcNet(UDP, 'udp'), [{ proto: 'udp', address: '0.0.0.0', port: 67 }], 'a connected UDP socket (a resolver query) listens to nobody');
    assert.deepEqual(parseProcNet('garbage\nmore garbage', 'tcp'), []);
  });

  it('splits the tables `cat` printed one after another (exec) by their header lines', () => {
    const tables = splitTables(TCP + TCP6 + UDP);
    assert.deepEqual(tables.map((t) => t.proto), ['tcp', 'tcp', 'udp']);
    assert.equal(tables.flatMap((t) => parseProcNet(t.text, t.proto)).length, 5);
    assert.deepEqual(splitTables('sh: cat: not found\n'), []);
  });
});

describe("the daemon's network namespace", () => {
  const net = (name: string, id: string, gateway: string, options: Record<string, string> = {}) => ({
    id, name, driver: 'bridge', scope: 'local', created: '', internal: false, attachable: false, ingress: false, enableIpv6: false,
    ipamDriver: 'default', ipamOptions: {}, ipamConfig: [{ subnet: `${gateway}/16`, gateway, auxAddresses: {} }], options, labels: {}, members: [],
  });
  const iface = (address: string) => [{ address, netmask: '255.255.0.0', family: 'IPv4' as const, mac: '02:42:00:00:00:00', internal: false, cidr: `${address}/16` }];

  it('is ours when its bridges are here with their gateways; another one when a bridge is missing or carries another address', () => {
    const nets = [net('bridge', 'a'.repeat(64), '172.17.0.1'), net('lan', 'b'.repeat(64), '10.203.0.1')];
    assert.equal(sharesDaemonNetns(nets, { docker0: iface('172.17.0.1'), ['br-' + 'b'.repeat(12)]: iface('10.203.0.1') }, () => false).same, true);
    const none = () => false;
    assert.equal(sharesDaemonNetns(nets, { ['br-' + 'b'.repeat(12)]: iface('10.203.0.1') }, (dev) => dev === 'docker0').same, true, 'docker0 is down (no containers): its device is here');
    assert.match(sharesDaemonNetns(nets, { docker0: iface('172.17.0.1') }, none).why, /br-bbbbbbbbbbbb \(network lan\) is not in this process's network namespace/);
    assert.equal(sharesDaemonNetns(nets, { docker0: iface('172.30.0.1'), ['br-' + 'b'.repeat(12)]: iface('10.203.0.1') }, none).same, false);
    assert.equal(sharesDaemonNetns([], {}, none).same, null);
  });
});
