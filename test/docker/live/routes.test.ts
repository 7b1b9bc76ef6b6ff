// A container's real routing table and UDP, on the real dockerd: `cnm trace --docker` follows the routes
// read from the container's namespace, so a default route deleted by hand (ip route del default, through
// nsenter) turns a delivered ping to the host into a drop named in the route hop, with a fix that names
// commands; `--verify` observes UDP by the receiving container's counters and agrees (delivered to a
// bound socket, refused where nothing is bound). Traffic goes only to this test's containers and to the
// host's address on this test's own bridge.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { runCli } from '../../../src/cli/run';
import type { CliIo } from '../../../src/cli/io';
import { client, dockerCli, IMAGE, LIVE_LABELS, liveScenario, requireLive, SLEEP } from './support';

interface VerifiedJson {
  verdict: string;
  reason: string;
  fix?: string;
  hops: { node: string; action: string; detail: string }[];
  observed: { verdict: string; detail: string; command: string };
  agree: boolean;
  explanation: string;
}

async function verified(from: string, to: string): Promise<VerifiedJson> {
  let stdout = '', stderr = '';
  const io: CliIo = { out: (t) => void (stdout += t), err: (t) => void (stderr += t), readFile: () => { throw new Error('no files here'); } };
  const code = await runCli(['trace', '--docker', '--from', from, '--to', to, '--verify', '--json'], io);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout) as VerifiedJson;
}

function agrees(v: VerifiedJson, verdict: string): void {
  assert.deepEqual([v.verdict, v.observed.verdict, v.agree], [verdict, verdict, true], `${v.reason}\n${v.explanation}`);
}

function inNetns(pid: string, argv: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => execFile('nsenter', ['-t', pid, '-n', '--', ...argv], { timeout: 20_000 }, (err, _o, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr })));
}

test("a container's own routes decide a live trace (a default route deleted by hand), and UDP verify agrees", { timeout: 300_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  await liveScenario(c, 'cnmlive-routes-', async (made) => {
    const n1 = made.net('one'), n2 = made.net('two');
    await c.createNetwork({ name: n1, labels: LIVE_LABELS, ipamConfig: [{ subnet: '10.246.8.0/24', gateway: '10.246.8.1', auxAddresses: {} }] });
    await c.createNetwork({ name: n2, labels: LIVE_LABELS, ipamConfig: [{ subnet: '10.246.9.0/24', gateway: '10.246.9.1', auxAddresses: {} }] });
    const a = made.ctr('a'), b = made.ctr('b'), far = made.ctr('far');
    // b binds 67/udp (udhcpd); far only keeps n2's bridge up, so the host's 10.246.9.1 is on a live bridge.
    const dhcp = 'mkdir -p /var/lib/misc; printf "interface eth0\\nstart 10.246.8.100\\nend 10.246.8.110\\n" > /tmp/u.conf; udhcpd /tmp/u.conf; exec sleep 3600';
    await c.runContainer({ name: a, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: n1, endpoint: { ipv4Address: '10.246.8.10' } });
    await c.runContainer({ name: b, image: IMAGE, cmd: ['sh', '-c', dhcp], labels: LIVE_LABELS, networkMode: n1, endpoint: { ipv4Address: '10.246.8.11' } });
    await c.runContainer({ name: far, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: n2, endpoint: { ipv4Address: '10.246.9.10' } });

    // UDP, observed where it lands.
    const udp = await verified(a, `${b}:67/udp`);
    agrees(udp, 'delivered');
    assert.match(udp.observed.detail, /InDatagrams \+[1-9]/);
    const udpClosed = await verified(a, `${b}:68/udp`);
    agrees(udpClosed, 'refused');
    assert.match(udpClosed.observed.detail, /NoPorts \+[1-9]/);

    // The host's address on n2, reached by a's default route (via 10.246.8.1): delivered, the route read.
    const before = await verified(a, '10.246.9.1');
    agrees(before, 'delivered');
    assert.ok(before.hops.some((h) => h.action === 'route' && /default via 10\.246\.8\.1 dev eth0, read from .*'s namespace/.test(h.detail)), JSON.stringify(before.hops));

    const pid = (await dockerCli(['inspect', '-f', '{{.State.Pid}}', a])).stdout.trim();
    assert.match(pid, /^\d+$/);
    const del = await inNetns(pid, ['ip', 'route', 'del', 'default']);
    assert.equal(del.code, 0, del.stderr);
    const after = await verified(a, '10.246.9.1');
    agrees(after, 'dropped');
    assert.match(after.reason, /has no route to 10\.246\.9\.1 in its routing table \(read from its namespace\)/);
    assert.match(after.fix ?? '', /^ip route add default via 10\.246\.8\.1 dev eth0 in .*docker restart /);
    assert.ok(after.hops.some((h) => h.action === 'route' && /no route/.test(h.detail)), JSON.stringify(after.hops));
    // Its own network is still on-link.
    agrees(await verified(a, `${b}:67/udp`), 'delivered');
  });
});
