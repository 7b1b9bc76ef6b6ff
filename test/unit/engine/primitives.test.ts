import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAddr, formatNet, parseCidr, parseIp } from '../../../src/engine/ip';
import { AddressBitmap } from '../../../src/engine/ipam/bitmap';
import { PortAllocator } from '../../../src/engine/ports/allocator';
import { sha256Hex } from '../../../src/engine/sha256';
import { parseVersion, featuresOf } from '../../../src/engine/version';

test('addresses parse like Go\'s net.ParseIP (no leading zeros, no zones)', () => {
  assert.equal(parseIp('010.0.0.1'), null);
  assert.equal(parseIp('10.0.0'), null);
  assert.equal(parseIp('256.0.0.1'), null);
  assert.equal(parseIp('fe80::1%eth0'), null);
  assert.deepEqual(parseIp('::ffff:10.0.0.1'), { family: 4, value: 0x0a000001n });
  assert.equal(formatAddr(parseIp('2001:0db8:0000:0000:0000:0000:0000:0001')!), '2001:db8::1');
  assert.equal(formatAddr(parseIp('2001:db8:0:1:0:0:0:1')!), '2001:db8:0:1::1');
});

test('prefixes print canonically; the typed address is kept', () => {
  const n = parseCidr('172.28.1.7/16')!;
  assert.equal(formatNet(n), '172.28.0.0/16');
  assert.equal(formatAddr({ family: 4, value: n.ip }), '172.28.1.7');
  assert.equal(parseCidr('10.0.0.0/33'), null);
  assert.equal(parseCidr('10.0.0.0'), null);
  assert.equal(formatNet(parseCidr('2001:db8:1::5/64')!), '2001:db8:1::/64');
});

test('the address bitmap hands out the lowest free ordinal, also inside a range', () => {
  const b = new AddressBitmap(8n);
  b.set(0n);
  b.set(7n);
  assert.equal(b.setAny(), 1n);
  assert.equal(b.setAny(), 2n);
  b.unset(1n);
  assert.equal(b.setAny(), 1n);
  assert.equal(b.setAnyInRange(4n, 5n), 4n);
  assert.equal(b.setAnyInRange(4n, 5n), 5n);
  assert.equal(b.setAnyInRange(4n, 5n), null);
  assert.equal(b.unselected(), 2n);
  assert.equal(b.set(2n), false);
});

test('serial allocation continues after the last ordinal (swarm)', () => {
  const b = new AddressBitmap(6n);
  b.set(0n);
  assert.equal(b.setAny(true), 1n);
  assert.equal(b.setAny(true), 2n);
  b.unset(1n);
  assert.equal(b.setAny(true), 3n);
});

test('the port allocator: explicit ports once, ranges round-robin with their own cursor', () => {
  const p = new PortAllocator(32768, 32770);
  assert.equal(p.request('0.0.0.0', 'tcp', 8080, 8080), 8080);
  assert.throws(() => p.request('0.0.0.0', 'tcp', 8080, 8080), /Bind for 0.0.0.0:8080 failed: port is already allocated/);
  assert.equal(p.request('127.0.0.1', 'tcp', 8080, 8080), 8080);
  assert.equal(p.request('0.0.0.0', 'tcp', 0, 0), 32768);
  assert.equal(p.request('0.0.0.0', 'tcp', 0, 0), 32769);
  assert.equal(p.request('0.0.0.0', 'tcp', 0, 0), 32770);
  assert.throws(() => p.request('0.0.0.0', 'tcp', 0, 0), /all ports are allocated/);
  p.release('0.0.0.0', 'tcp', 32769);
  assert.equal(p.request('0.0.0.0', 'tcp', 0, 0), 32769);
  assert.equal(p.request('0.0.0.0', 'tcp', 9000, 9001), 9000);
});

test('sha256 matches the standard test vector', () => {
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

test('versions: "20.10" is 20.10.24 with the old rules; no version means the newest', () => {
  const v20 = parseVersion('20.10')!;
  assert.equal(v20.patch, 24);
  assert.equal(featuresOf(v20).lowestFreeSubnet, false);
  assert.equal(featuresOf(v20).randomMac, false);
  const newest = featuresOf(parseVersion(undefined)!);
  assert.equal(newest.lowestFreeSubnet, true);
  assert.equal(newest.randomMac, true);
  assert.equal(featuresOf(parseVersion('28.0')!).splitHostNetworkErrors, false);
  assert.equal(featuresOf(parseVersion('28.0.2')!).splitHostNetworkErrors, true);
  assert.equal(parseVersion('latest'), null);
});
