// `cnm trace --docker … --verify` on the real dockerd: the tracer's prediction beside the real probe
// (ping / nc / nslookup inside the source container, a TCP connect from the host), and both agree.
// Probes only go to the containers this test makes (two bridges of its own) and to nothing else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../../../src/cli/run';
import type { CliIo } from '../../../src/cli/io';
import { verifyTrace } from '../../../src/live/verify';
import { client, IMAGE, LIVE_LABELS, liveScenario, requireLive, SLEEP } from './support';

interface VerifiedJson {
  verdict: string;
  reason: string;
  observed: { verdict: string; detail: string; command: string; exitCode: number | null; output: string };
  agree: boolean;
  explanation: string;
}

/** The CLI in this process, its stdout and stderr captured. */
async function cnm(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const io: CliIo = { out: (t) => void (stdout += t), err: (t) => void (stderr += t), readFile: () => { throw new Error('no files here'); } };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

async function verified(from: string, to: string): Promise<VerifiedJson> {
  const r = await cnm('trace', '--docker', '--from', from, '--to', to, '--verify', '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as VerifiedJson;
}

test('trace --verify: the real probe agrees with the prediction (ping, TCP, DNS)', { timeout: 240_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  await liveScenario(c, 'cnmlive-verify-', async (made) => {
    const front = made.net('front'), back = made.net('back');
    await c.createNetwork({ name: front, labels: LIVE_LABELS, ipamConfig: [{ subnet: '10.249.1.0/24', gateway: '10.249.1.1', auxAddresses: {} }] });
    await c.createNetwork({ name: back, labels: LIVE_LABELS, ipamConfig: [{ subnet: '10.249.2.0/24', gateway: '10.249.2.1', auxAddresses: {} }] });
    const web = made.ctr('web'), app = made.ctr('app'), far = made.ctr('far');
    // web's process listens on 80/tcp, and says so (expose), as the model needs to know.
    await c.runContainer({ name: web, image: IMAGE, cmd: ['sh', '-c', 'httpd -p 80 -h /tmp; exec sleep 3600'], labels: LIVE_LABELS, networkMode: front, endpoint: { ipv4Address: '10.249.1.10' }, expose: ['80/tcp'] });
    await c.runContainer({ name: app, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: front, endpoint: { ipv4Address: '10.249.1.11' } });
    await c.runContainer({ name: far, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: back, endpoint: { ipv4Address: '10.249.2.10' } });

    // A ping on the shared network, by name: resolved by Docker's DNS, then answered.
    const ping = await verified(app, web);
    assert.deepEqual([ping.verdict, ping.observed.verdict, ping.agree], ['delivered', 'delivered', true], ping.explanation);
    assert.match(ping.observed.command, new RegExp(`nslookup ${web}; docker exec ${app} ping -c1 -W2 10\\.249\\.1\\.10$`));
    assert.equal(ping.observed.exitCode, 0);

    // A ping across the two bridges: Docker's isolation drops it, and really nothing answers.
    const across = await verified(app, '10.249.2.10');
    assert.deepEqual([across.verdict, across.observed.verdict, across.agree], ['dropped', 'dropped', true], across.explanation);
    assert.match(across.reason, /DOCKER-ISOLATION-STAGE-2/);
    assert.match(across.observed.output, /0 packets received/);

    // TCP to a port nothing listens on: a reset.
    const refused = await verified(app, `${web}:81`);
    assert.deepEqual([refused.verdict, refused.observed.verdict, refused.agree], ['refused', 'refused', true], refused.explanation);
    assert.match(refused.observed.output, /Connection refused/);

    // TCP to the exposed listener.
    const tcp = await verified(app, `${web}:80`);
    assert.deepEqual([tcp.verdict, tcp.observed.verdict, tcp.agree], ['delivered', 'delivered', true], tcp.explanation);
    assert.equal(tcp.observed.exitCode, 0);

    // A name on a network app is not on: Docker's DNS does not answer it.
    const name = await verified(app, far);
    assert.deepEqual([name.verdict, name.observed.verdict, name.agree], ['unresolved', 'unresolved', true], name.explanation);
    assert.match(name.observed.command, new RegExp(`^docker exec ${app} nslookup ${far}$`));

    // From the host's own namespace: a TCP connect to web's address; ICMP from the host is not observed.
    const fromHost = await verified('host1', '10.249.1.10:80');
    assert.deepEqual([fromHost.verdict, fromHost.observed.verdict, fromHost.agree], ['delivered', 'delivered', true], fromHost.explanation);
    const hostPing = await verified('host1', '10.249.1.10');
    assert.equal(hostPing.observed.verdict, 'inconclusive');
    assert.equal(hostPing.agree, false);

    // The text form sets predicted beside observed.
    const text = await cnm('trace', '--docker', '--from', app, '--to', '10.249.2.10', '--verify');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /\n {2}predicted {2}DROPPED {2}.*\n {2}observed {3}DROPPED {2}10\.249\.2\.10: no answer within 2 s\n.*\nAGREE: /);
  });
});

test('verifyTrace says plainly when the real packet disagrees with the prediction', { timeout: 120_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  await liveScenario(c, 'cnmlive-verify2-', async (made) => {
    const lan = made.net('lan');
    await c.createNetwork({ name: lan, labels: LIVE_LABELS, ipamConfig: [{ subnet: '10.249.3.0/24', gateway: '10.249.3.1', auxAddresses: {} }] });
    const a = made.ctr('a'), b = made.ctr('b');
    await c.runContainer({ name: a, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: lan, endpoint: { ipv4Address: '10.249.3.10' } });
    await c.runContainer({ name: b, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: lan, endpoint: { ipv4Address: '10.249.3.11' } });
    // A made-up prediction, as a tracer with a wrong rule would give it.
    const predicted = { verdict: 'dropped' as const, reason: 'made up', rule: '-A DOCKER-ISOLATION-STAGE-2 -o br-000000000000 -j DROP', hops: [] };
    const v = await verifyTrace(c, { from: a, to: '10.249.3.11', proto: 'icmp' }, predicted);
    assert.equal(v.observed.verdict, 'delivered');
    assert.equal(v.agree, false);
    assert.match(v.explanation, /^predicted dropped by DOCKER-ISOLATION-STAGE-2, but the packet was delivered/);
    // UDP is counted where it lands (b's /proc/net/snmp): nothing is bound to 53 there, so refused.
    const udp = await verifyTrace(c, { from: a, to: '10.249.3.11', proto: 'udp', port: 53 }, { ...predicted, verdict: 'refused' });
    assert.equal(udp.observed.verdict, 'refused', udp.observed.detail);
    assert.equal(udp.agree, true);
    assert.match(udp.observed.detail, /NoPorts \+[1-9]/);
    // A receiver that is no container (the host's gateway address) is never guessed at: nothing is sent.
    const toHost = await verifyTrace(c, { from: a, to: '10.249.3.1', proto: 'udp', port: 53 }, { ...predicted, verdict: 'refused' });
    assert.equal(toHost.observed.verdict, 'inconclusive');
    assert.match(toHost.observed.detail, /no running container's address on this host/);
    // Nothing malformed reaches the container's command line.
    await assert.rejects(verifyTrace(c, { from: a, to: '-c99', proto: 'icmp' }, predicted), /not a name or IP address/);
    await assert.rejects(verifyTrace(c, { from: a, to: '10.249.3.11', proto: 'tcp', port: 0 }, predicted), /needs a port/);
  });
});
