import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpose, parsePortSpec } from '../../../src/engine';
import { ctr, engine, H, throwsDocker } from './helpers';

const ports = (e: ReturnType<typeof engine>, name: string) => ctr(e, name).ports.map((p) => `${p.host_ip}:${p.host_port}->${p.container_port}/${p.protocol}`);

test('-p forms: container port, host:container, ip:host:container, ip::container, /udp, ranges, [v6]', () => {
  const b = (raw: string) => parsePortSpec(raw).bindings.map((x) => [x.hostIp, x.hostPortStart, x.hostPortEnd, x.containerPort, x.proto]);
  assert.deepEqual(b('80'), [['', 0, 0, 80, 'tcp']]);
  assert.deepEqual(b('8080:80'), [['', 8080, 8080, 80, 'tcp']]);
  assert.deepEqual(b('127.0.0.1:8080:80'), [['127.0.0.1', 8080, 8080, 80, 'tcp']]);
  assert.deepEqual(b('127.0.0.1::90/udp'), [['127.0.0.1', 0, 0, 90, 'udp']]);
  assert.deepEqual(b('8000-8010:80'), [['', 8000, 8010, 80, 'tcp']]);
  assert.deepEqual(b('8000-8001:80-81'), [['', 8000, 8000, 80, 'tcp'], ['', 8001, 8001, 81, 'tcp']]);
  assert.deepEqual(b('[::1]:8080:80'), [['::1', 8080, 8080, 80, 'tcp']]);
  assert.deepEqual(b('53:53/SCTP'), [['', 53, 53, 53, 'sctp']]);
});

test('-p errors are the CLI\'s', () => {
  const err = (raw: string, text: string) => throwsDocker(() => parsePortSpec(raw, 2), text, 400);
  err('999.1.1.1:80:80', 'Invalid ip address: 999.1.1.1');
  err('::1:8080:80', 'Invalid ip address ::1: address ::1:: too many colons in address');
  err('[::1:8080:80', "Invalid ip address [::1: address [::1:: missing ']' in address");
  err('8080:', 'No port specified: 8080:<empty>');
  err('8080:abc', 'Invalid containerPort: abc');
  err('xyz:80', 'Invalid hostPort: xyz');
  err('80:70000', 'Invalid containerPort: 70000');
  err('8000-8002:80-81', 'Invalid ranges specified for container and host Ports: 80-81 and 8000-8002');
  err('80/icmp', 'Invalid proto: icmp');
  err('90-80', 'Invalid containerPort: 90-80');
  assert.deepEqual(throwsDocker(() => parsePortSpec('80/icmp', 2), /proto/).hint, { field: 'ports', index: 2 });
});

test('--expose forms and errors', () => {
  assert.deepEqual(parseExpose('8000-8002/udp').map((p) => `${p.port}/${p.proto}`), ['8000/udp', '8001/udp', '8002/udp']);
  assert.deepEqual(parseExpose('80').map((p) => `${p.port}/${p.proto}`), ['80/tcp']);
  throwsDocker(() => parseExpose('1:80'), 'invalid port format for --expose: 1:80');
  throwsDocker(() => parseExpose('abc'), 'invalid range format for --expose: abc, error: strconv.ParseUint: parsing "abc": invalid syntax');
});

test('a binding without host IP is published on 0.0.0.0 and :: (20.10)', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'w1', ports: ['8080:80'] });
  assert.deepEqual(ports(e, 'w1'), ['0.0.0.0:8080->80/tcp', ':::8080->80/tcp']);
});

test('ephemeral ports start at 32768 and go round-robin; freed ports are not reused until wrap', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'w1', ports: ['80'] });
  e.runContainer(H, { name: 'w2', ports: ['80'] });
  assert.deepEqual(ports(e, 'w1'), ['0.0.0.0:32768->80/tcp', ':::32768->80/tcp']);
  assert.deepEqual(ports(e, 'w2'), ['0.0.0.0:32769->80/tcp', ':::32769->80/tcp']);
  e.removeContainer(H, 'w1', { force: true });
  e.runContainer(H, { name: 'w3', ports: ['80'] });
  assert.deepEqual(ports(e, 'w3'), ['0.0.0.0:32770->80/tcp', ':::32770->80/tcp']);
});

test('ephemeral ports are counted per host IP and protocol', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'w1', ports: ['127.0.0.1::80', '53/udp'] });
  e.runContainer(H, { name: 'w2', ports: ['80'] });
  assert.deepEqual(ports(e, 'w1'), ['0.0.0.0:32768->53/udp', ':::32768->53/udp', '127.0.0.1:32768->80/tcp']);
  // The 0.0.0.0 book has 32768 free, but the proxy cannot bind it next to 127.0.0.1:32768: retry.
  assert.deepEqual(ports(e, 'w2'), ['0.0.0.0:32769->80/tcp', ':::32768->80/tcp']);
});

test('a host range is the range a port is picked from', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'w1', ports: ['8000-8010:80'] });
  e.runContainer(H, { name: 'w2', ports: ['8000-8010:80'] });
  assert.equal(ctr(e, 'w1').ports[0].host_port, 8000);
  assert.equal(ctr(e, 'w2').ports[0].host_port, 8001);
});

test('the same host port twice: "port is already allocated", wrapped by the driver error', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'p1', ports: ['127.0.0.1:39411:80'] });
  const err = throwsDocker(() => e.runContainer(H, { name: 'p2', ports: ['127.0.0.1:39411:80'] }),
    /^driver failed programming external connectivity on endpoint p2 \([0-9a-f]{64}\): Bind for 127\.0\.0\.1:39411 failed: port is already allocated$/, 500);
  assert.deepEqual(err.hint, { field: 'ports', index: 0 });
  assert.equal(ctr(e, 'p2').running, false);
  const err2 = throwsDocker(() => e.runContainer(H, { name: 'p3', ports: ['8080:80', '8080:81'] }), /Bind for 0\.0\.0\.0:8080 failed: port is already allocated$/);
  assert.deepEqual(err2.hint, { field: 'ports', index: 0 }); // 81 sorts first, so the entry for 80 fails
});

test('0.0.0.0:P next to 127.0.0.1:P fails in the userland proxy, as the kernel refuses the bind', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'p1', ports: ['127.0.0.1:39411:80'] });
  throwsDocker(() => e.runContainer(H, { name: 'p3', ports: ['39411:80'] }),
    /^driver failed programming external connectivity on endpoint p3 \([0-9a-f]{64}\): Error starting userland proxy: listen tcp4 0\.0\.0\.0:39411: bind: address already in use$/);
  // A different host IP is fine.
  e.runContainer(H, { name: 'p4', ports: ['127.0.0.2:39411:80'] });
});

test('a failed start releases the ports it had taken', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'p1', ports: ['9000:90'] });
  throwsDocker(() => e.runContainer(H, { name: 'p2', ports: ['9001:91', '9000:90'] }), /port is already allocated/);
  e.runContainer(H, { name: 'p3', ports: ['9001:91'] });
});

test('stopping a container frees its host ports', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'p1', ports: ['9000:90'] });
  e.stopContainer(H, 'p1');
  e.runContainer(H, { name: 'p2', ports: ['9000:90'] });
  assert.deepEqual(ctr(e, 'p1').ports, []);
});

test('-P publishes every exposed port on an ephemeral port, larger ports first', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'w1', expose: ['80', '443'], publishAll: true });
  assert.deepEqual(ports(e, 'w1'), ['0.0.0.0:32769->80/tcp', ':::32769->80/tcp', '0.0.0.0:32768->443/tcp', ':::32768->443/tcp']);
});

test('host_binding_ipv4 sets the default host IP (and drops the IPv6 twin)', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'lo1', options: { 'com.docker.network.bridge.host_binding_ipv4': '127.0.0.1' } });
  e.runContainer(H, { name: 'w1', networkMode: 'lo1', ports: ['8080:80'] });
  assert.deepEqual(ports(e, 'w1'), ['127.0.0.1:8080->80/tcp']);
});

test('without the userland proxy a container without IPv6 gets no :: binding', () => {
  const e = engine('20.10', { daemon: { userlandProxy: false } });
  e.runContainer(H, { name: 'w1', ports: ['8080:80'] });
  assert.deepEqual(ports(e, 'w1'), ['0.0.0.0:8080->80/tcp']);
});

test('an IPv6 host IP binds only IPv6', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'w1', ports: ['[::1]:8080:80'] });
  assert.deepEqual(ports(e, 'w1'), ['::1:8080->80/tcp']);
});

test('internal networks ignore published ports', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'int', internal: true });
  e.runContainer(H, { name: 'w1', networkMode: 'int', ports: ['8080:80'] });
  assert.deepEqual(ctr(e, 'w1').ports, []);
  e.runContainer(H, { name: 'w2', ports: ['8080:80'] }); // the port is still free
});

test('27+ gives the IPv6 binding the same ephemeral port as the IPv4 one', () => {
  const e = engine('28.0');
  e.runContainer(H, { name: 'w0', ports: ['[::]::80'] });
  e.runContainer(H, { name: 'w1', ports: ['80'] });
  assert.deepEqual(ports(e, 'w1'), ['0.0.0.0:32769->80/tcp', ':::32769->80/tcp']);
  const e20 = engine('20.10');
  e20.runContainer(H, { name: 'w0', ports: ['[::]::80'] });
  e20.runContainer(H, { name: 'w1', ports: ['80'] });
  assert.deepEqual(ports(e20, 'w1'), ['0.0.0.0:32768->80/tcp', ':::32769->80/tcp']);
});

test('a bad -p spec fails create before anything else', () => {
  const e = engine('20.10');
  throwsDocker(() => e.createContainer(H, { name: 'x1', networkMode: 'container:', ports: ['80/icmp'] }), 'Invalid proto: icmp');
  assert.equal(e.inspect().containers.length, 0);
});
