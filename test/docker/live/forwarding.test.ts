// net.ipv4.ip_forward and the host's real routes in live traces, on a lab host (its own dockerd in a
// network namespace of its own; this machine's sysctls are never touched). cnm runs inside the host's
// namespace, as it would on the host. A container pinging the other lab host's LAN address: the trace
// follows the host's real table (out eth0, on-link, read from the host) to the host's edge — unknown
// beyond it, while the real ping is answered; with ip_forward=0 set in the host's namespace the trace
// says dropped, naming the sysctl and `sysctl -w`, and the real ping agrees. Traffic stays in the lab.
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


let lab: Lab | undefined;

before(async () => {
  if (missing) {
    if (isCI()) throw new Error(missing);
    return;
  }
  lab = await startLab({ hosts: [{ name: 's7fwda', version: '20.10' }, { name: 's7fwdb', version: '20.10' }] });
});
after(async () => {
  await lab?.stop();
});

async function verified(h: LabHost, from: string, to: string): Promise<VerifiedJson> {
  const r = await run('nsenter', [`--net=/run/netns/${h.netns}`, '--', process.execPath, '--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'trace', `--docker=${h.dockerHost}`, '--from', from, '--to', to, '--verify', '--json'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, `cnm trace failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as VerifiedJson;
}

test('ip_forward=0 on a lab host drops routed traffic, named, and a real ping agrees; with 1 the trace leaves by the real route', { timeout: 300_000, skip: missing ? `${missing}` : false }, async () => {
  const h = lab!.host('s7fwda');
  const other = lab!.host('s7fwdb').lanAddress!;
  await h.dockerOk(['network', 'create', '--subnet', '10.247.40.0/24', 's7fwd']);
  await h.dockerOk(['run', '-d', '--name', 's7fwd-a', '--network', 's7fwd', 'busybox:local', 'sleep', '3600']);

  const open = await verified(h, 's7fwd-a', other);
  assert.equal(open.observed.verdict, 'delivered', open.observed.detail);
  assert.equal(open.verdict, 'unknown', open.reason);
  assert.match(open.reason, /sends it out eth0 with source/);
  assert.ok(open.hops.some((x) => x.action === 'route' && /dev eth0, read from host1's routing table/.test(x.detail)), JSON.stringify(open.hops));

  const off = await h.inNamespace('sysctl', ['-w', 'net.ipv4.ip_forward=0']);
  assert.equal(off.code, 0, off.stderr);
  const dropped = await verified(h, 's7fwd-a', other);
  assert.deepEqual([dropped.verdict, dropped.observed.verdict, dropped.agree], ['dropped', 'dropped', true], `${dropped.reason} / ${dropped.observed.detail}`);
  assert.match(dropped.reason, /net\.ipv4\.ip_forward is 0 on host1 \(read from the host\)/);
  assert.match(dropped.fix ?? '', /^sysctl -w net\.ipv4\.ip_forward=1/);
});
