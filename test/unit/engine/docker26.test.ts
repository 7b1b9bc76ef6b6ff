// Where Docker 26.1 differs from 20.10, as dockerd 26.1 showed it on a lab host
// (test/docker/lab/differential26.test.ts; KNOWN-DISAGREEMENTS.md "Docker 26.1").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctr, engine, H, throwsDocker } from './helpers';

test('26.1 shows a container run without a network mode as network_mode "bridge" (20.10: "default")', () => {
  for (const [version, mode] of [['20.10', 'default'], ['26.1', 'bridge']] as const) {
    const e = engine(version);
    e.runContainer(H, { name: 'b1' });
    assert.equal(ctr(e, 'b1').network_mode, mode, version);
  }
});

test('26.1 refuses bad endpoint settings at create, every problem joined, and makes no container', () => {
  const e = engine('26.1');
  e.createNetwork(H, { name: 'nosubnet' });
  e.createNetwork(H, { name: 'small', ipam: { config: [{ subnet: '10.77.0.0/24' }] } });
  throwsDocker(() => e.runContainer(H, { name: 'on-default', networkMode: 'bridge', endpoint: { ipv4Address: '172.17.0.50' } }),
    'invalid config for network bridge: invalid endpoint settings:\n' +
    '* user specified IP address is supported on user defined networks only\n' +
    '* user specified IP address is supported only when connecting to networks with user configured subnets', 400);
  throwsDocker(() => e.runContainer(H, { name: 'on-auto', networkMode: 'nosubnet', endpoint: { ipv4Address: '172.18.0.50' } }),
    'invalid config for network nosubnet: invalid endpoint settings:\nuser specified IP address is supported only when connecting to networks with user configured subnets', 400);
  throwsDocker(() => e.runContainer(H, { name: 'outside', networkMode: 'small', endpoint: { ipv4Address: '10.77.1.5' } }),
    'invalid config for network small: invalid endpoint settings:\nno configured subnet or ip-range contain the IP address 10.77.1.5', 400);
  assert.deepEqual(e.inspect().containers.map((c) => c.name), []);
  // Connecting: the same check, without the network prefix.
  e.runContainer(H, { name: 'picky', networkMode: 'small' });
  throwsDocker(() => e.connect(H, 'nosubnet', 'picky', { ipv4Address: '172.18.0.9' }),
    'invalid endpoint settings:\nuser specified IP address is supported only when connecting to networks with user configured subnets', 400);
});

test('26.1: with --bip the default bridge has a user-configured pool, so only the predefined-network problem is left', () => {
  const e = engine('26.1', { daemon: { bip: '172.30.0.1/16' } });
  throwsDocker(() => e.runContainer(H, { name: 'c', networkMode: 'bridge', endpoint: { ipv4Address: '172.30.0.50' } }),
    'invalid config for network bridge: invalid endpoint settings:\nuser specified IP address is supported on user defined networks only', 400);
});

test('20.10 keeps its own texts: the container is made and fails at start', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'small', ipam: { config: [{ subnet: '10.77.0.0/24' }] } });
  throwsDocker(() => e.runContainer(H, { name: 'outside', networkMode: 'small', endpoint: { ipv4Address: '10.77.1.5' } }),
    "Invalid address 10.77.1.5: It does not belong to any of this network's subnets");
  assert.equal(ctr(e, 'outside').running, false);
});

test('ipvlan_mode l3s: refused by 20.10, a mode of 26.1', () => {
  const mk = (version: string) => {
    const e = engine(version, { interfaces: { cnmlan4: '10.199.15.10/24' } });
    return () => e.createNetwork(H, { name: 'l3s', driver: 'ipvlan', options: { parent: 'cnmlan4', ipvlan_mode: 'l3s' }, ipam: { config: [{ subnet: '10.199.17.0/24' }] } });
  };
  throwsDocker(mk('20.10'), "requested ipvlan mode 'l3s' is not valid, 'l2' mode is the ipvlan driver default");
  mk('26.1')();
});

test('two ephemeral bindings of one container are each one of the ports they share (the order varies), on 26.1 and 20.10', () => {
  // 14-port-forms: dockerd 26.1 gave 0.0.0.0:32769->80 with 127.0.0.1:32768->92 on some runs, the swap on
  // others; 20.10 (the same code) gave the first for many runs, then the swap.
  const ports = (version: string) => {
    const e = engine(version);
    e.createNetwork(H, { name: 'pub', ipam: { config: [{ subnet: '10.69.0.0/24' }] } });
    e.runContainer(H, { name: 'web', networkMode: 'pub', ports: ['8080:80', '127.0.0.1:9090:90/udp', '80', '8000-8010:81', '127.0.0.1::92'] });
    return ctr(e, 'web').ports.map((p) => `${p.host_ip}:${p.host_port_one_of ? `{${p.host_port_one_of.join('|')}}` : p.host_port}->${p.container_port}/${p.protocol}`);
  };
  assert.deepEqual(ports('26.1'), [
    '0.0.0.0:8080->80/tcp', ':::8080->80/tcp', '0.0.0.0:{32768|32769}->80/tcp', ':::32768->80/tcp',
    '0.0.0.0:8000->81/tcp', ':::8000->81/tcp', '127.0.0.1:9090->90/udp', '127.0.0.1:{32768|32769}->92/tcp',
  ]);
  assert.deepEqual(ports('20.10'), ports('26.1'));
  // One ephemeral binding, or two on different protocols' maps that never meet: nothing to choose.
  const e = engine('26.1');
  e.runContainer(H, { name: 'one', ports: ['80', '8080:81'] });
  assert.ok(ctr(e, 'one').ports.every((p) => !p.host_port_one_of));
});
