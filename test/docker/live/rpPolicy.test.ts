// Reverse-path filtering and policy routing read from a live host, on a lab host (its own dockerd in a
// network namespace; this machine's sysctls, routes and rules are never touched). cnm runs inside the
// host's namespace, as it would on the host. xa (network one) sends UDP to xc (network two), allowed by
// DOCKER-USER ACCEPTs; a route for xa's address by hand out another interface (a veth pair in the lab)
// makes the path asymmetric: rp_filter=1 (strict) drops it, predicted and observed; 2 (loose) lets it
// in (the datagram arrives; the reply leaves by the hand-made route, so the trace says unknown, never a
// wrong verdict). Then an `ip rule` sends xa's packets to table 100, which blackholes network two: the
// trace names the rule and the table, and the real probe agrees; without the rule it is delivered.
//
//   node --import tsx --test test/docker/live/rpPolicy.test.ts        (about 60 s here)
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { run } from '../harness/exec';
import { startLab, type Lab, type LabHost } from '../harness/lab';
import { releaseMissing } from '../harness/labPaths';
import { isCI } from '../../support/ci.mjs';
import type { VerifiedTraceJson as VerifiedJson } from './support';

const ROOT = join(__dirname, '..', '..', '..');
const missing = releaseMissing('20.10');
const HOST = 's8rppol';


let lab: Lab | undefined;

before(async () => {
  if (missing) {
    if (isCI()) throw new Error(missing);
    return;
  }
  lab = await startLab({ hosts: [{ name: HOST, version: '20.10' }], lan: false });
});
after(async () => {
  await lab?.stop();
});

async function verified(h: LabHost): Promise<VerifiedJson> {
  const r = await run('nsenter', [`--net=/run/netns/${h.netns}`, '--', process.execPath, '--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'trace', `--docker=${h.dockerHost}`, '--from', 'rpa', '--to', '10.248.71.10:67/udp', '--verify', '--json'], { timeoutMs: 240_000 });
  assert.equal(r.code, 0, `cnm trace failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as VerifiedJson;
}

async function inNs(h: LabHost, ...commands: string[][]): Promise<void> {
  for (const c of commands) {
    const r = await h.inNamespace(c[0]!, c.slice(1));
    assert.equal(r.code, 0, `${c.join(' ')}: ${r.stderr}`);
  }
}

test('rp_filter strict drops an asymmetric path and loose lets it in; an ip rule to a table that blackholes the destination drops it, named; every prediction agrees with the real probe', { timeout: 600_000, skip: missing ? `${missing}` : false }, async () => {
  const h = lab!.host(HOST);
  await h.dockerOk(['network', 'create', '--subnet', '10.248.70.0/24', 'rpone']);
  await h.dockerOk(['network', 'create', '--subnet', '10.248.71.0/24', 'rptwo']);
  await h.dockerOk(['run', '-d', '--name', 'rpa', '--network', 'rpone', '--ip', '10.248.70.10', 'busybox:local', 'sleep', '3600']);
  // rpc binds 67/udp (udhcpd): --verify sees the datagrams arrive by its UDP counters, no reply needed.
  const dhcp = 'mkdir -p /var/lib/misc; printf "interface eth0\\nstart 10.248.71.100\\nend 10.248.71.110\\n" > /tmp/u.conf; udhcpd /tmp/u.conf; exec sleep 3600';
  await h.dockerOk(['run', '-d', '--name', 'rpc', '--network', 'rptwo', '--ip', '10.248.71.10', 'busybox:local', 'sh', '-c', dhcp]);
  await inNs(h,
    ['iptables', '-I', 'DOCKER-USER', '-s', '10.248.70.0/24', '-d', '10.248.71.0/24', '-j', 'ACCEPT'],
    ['iptables', '-I', 'DOCKER-USER', '-s', '10.248.71.0/24', '-d', '10.248.70.0/24', '-j', 'ACCEPT'],
    ['ip', 'link', 'add', 's8rpa', 'type', 'veth', 'peer', 'name', 's8rpb'],
    ['ip', 'link', 'set', 's8rpa', 'up'],
    ['ip', 'link', 'set', 's8rpb', 'up'],
    ['ip', 'route', 'add', '10.248.70.10/32', 'dev', 's8rpa'],
    ['sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=1'],
  );

  const strict = await verified(h);
  assert.deepEqual([strict.verdict, strict.observed.verdict, strict.agree], ['dropped', 'dropped', true], `${strict.reason} / ${strict.observed.detail}`);
  assert.match(strict.reason, /reverse-path filtering on host1 drops it: net\.ipv4\.conf\.all\.rp_filter=1 \(strict, read from the host\) and the route back to 10\.248\.70\.10 leaves by s8rpa/);
  assert.match(strict.fix ?? '', /sysctl -w net\.ipv4\.conf\.all\.rp_filter=2/);

  await inNs(h, ['sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=2']);
  const loose = await verified(h);
  assert.equal(loose.observed.verdict, 'delivered', loose.observed.detail);
  assert.ok(loose.hops.some((x) => x.action === 'rp_filter' && /rp_filter=2 \(loose, read from the host\).*so a way back exists: passes/.test(x.detail)), JSON.stringify(loose.hops, null, 1));
  assert.ok(loose.hops.some((x) => x.action === 'deliver' && /rpc listens on 67\/udp/.test(x.detail)), 'the datagram is predicted to arrive');
  // The reply leaves by the hand-made route, beyond what the topology describes: unknown, never "disagree".
  assert.equal(loose.verdict, 'unknown', loose.reason);
  assert.equal(loose.outcome, 'unpredicted');
  assert.match(loose.reason, /out s8rpa/);

  // Policy routing: the asymmetric route goes; an ip rule sends rpa's packets to table 100, which blackholes network two.
  await inNs(h,
    ['ip', 'route', 'del', '10.248.70.10/32', 'dev', 's8rpa'],
    ['sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0'],
    ['ip', 'route', 'add', 'blackhole', '10.248.71.0/24', 'table', '100'],
    ['ip', 'rule', 'add', 'from', '10.248.70.10', 'lookup', '100', 'priority', '100'],
  );
  const ruled = await verified(h);
  assert.deepEqual([ruled.verdict, ruled.observed.verdict, ruled.agree], ['dropped', 'dropped', true], `${ruled.reason} / ${ruled.observed.detail}`);
  assert.match(ruled.reason, /host1's routing table 100 \(policy routing rule "100: from 10\.248\.70\.10 lookup 100" sends it there\) \(read from it\) has a reject route for 10\.248\.71\.0\/24/);
  assert.match(ruled.fix ?? '', /ip rule del priority 100 from 10\.248\.70\.10 lookup 100/);

  // The rule now names another source: main decides, the hop says the rule was looked at.
  await inNs(h, ['ip', 'rule', 'del', 'priority', '100'], ['ip', 'rule', 'add', 'from', '10.248.70.99', 'lookup', '100', 'priority', '100']);
  const main = await verified(h);
  assert.deepEqual([main.verdict, main.observed.verdict, main.agree], ['delivered', 'delivered', true], `${main.reason} / ${main.observed.detail}`);
  assert.ok(main.hops.some((x) => x.action === 'route' && /its main table: no policy routing rule of it sends this packet elsewhere: 100: from 10\.248\.70\.99 lookup 100/.test(x.detail)), JSON.stringify(main.hops, null, 1));
});
