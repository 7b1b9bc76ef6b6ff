// Live predictions from what the host really has, on the real dockerd: the containers' listening
// sockets (not their expose lists) and the host's real iptables rules (DOCKER-USER entries added here),
// each prediction checked against `cnm trace --docker --verify`'s real probe. Where the sockets cannot
// be read (a daemon reached over ssh, an image without cat) the fate is `unknown`, with why.
// Probes go only to the containers this test makes; the DOCKER-USER rules it adds are removed after.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../src/cli/run';
import type { CliIo } from '../../../src/cli/io';
import { LiveHost, type LiveState } from '../../../src/live/liveHost';
import { liveTopology } from '../../../src/live/liveTopology';
import { computeDrift } from '../../../src/live';
import { observeHost, takeSnapshot } from '../../../src/docker/snapshot';
import { loadTopology } from '../../../src/topology';
import { listeningFromTopology, trace } from '../../../src/engine';
import { client, dockerCli, IMAGE, LIVE_LABEL_ARG, LIVE_LABELS, liveScenario, requireLive, SLEEP } from './support';
import type { VerifiedTraceJson as VerifiedJson } from './support';


async function cnm(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const io: CliIo = { out: (t) => void (stdout += t), err: (t) => void (stderr += t), readFile: () => { throw new Error('no files here'); } };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

async function verified(from: string, to: string, endpoint?: string): Promise<VerifiedJson> {
  const r = await cnm('trace', endpoint ? `--docker=${endpoint}` : '--docker', '--from', from, '--to', to, '--verify', '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as VerifiedJson;
}

function agrees(v: VerifiedJson, verdict: string): void {
  assert.deepEqual([v.verdict, v.observed.verdict, v.agree], [verdict, verdict, true], `${v.reason}\n${v.explanation}`);
}

function iptables(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => execFile('iptables', args, { timeout: 20_000 }, (err, _o, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr })));
}

/** DOCKER-USER rules this test inserts; each one is deleted again, also when the test fails. */
class UserRules {
  private readonly added: string[][] = [];
  async insert(spec: string[]): Promise<void> {
    const r = await iptables(['-I', 'DOCKER-USER', ...spec]);
    assert.equal(r.code, 0, `iptables -I DOCKER-USER ${spec.join(' ')}: ${r.stderr}`);
    this.added.push(spec);
  }
  async removeAll(): Promise<void> {
    for (const spec of this.added.splice(0).reverse()) {
      const r = await iptables(['-D', 'DOCKER-USER', ...spec]);
      if (r.code !== 0) console.warn(`cleanup: iptables -D DOCKER-USER ${spec.join(' ')}: ${r.stderr}`);
    }
  }
}

test('undeclared listeners: what the process listens on decides, not expose (TCP, 127.0.0.1 only, UDP)', { timeout: 240_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  await liveScenario(c, 'cnmlive-truth-', async (made) => {
    const net = made.net('n');
    await c.createNetwork({ name: net, labels: LIVE_LABELS, ipamConfig: [{ subnet: '10.246.1.0/24', gateway: '10.246.1.1', auxAddresses: {} }] });
    const a = made.ctr('a'), b = made.ctr('b');
    // a exposes nothing; its processes listen on 80 (every address), 81 (127.0.0.1 only) and 67/udp.
    const serve = 'httpd -p 80 -h /tmp; httpd -p 127.0.0.1:81 -h /tmp; mkdir -p /var/lib/misc; printf "interface eth0\\nstart 10.246.1.100\\nend 10.246.1.110\\n" > /tmp/u.conf; udhcpd /tmp/u.conf; exec sleep 3600';
    await c.runContainer({ name: a, image: IMAGE, cmd: ['sh', '-c', serve], labels: LIVE_LABELS, networkMode: net, endpoint: { ipv4Address: '10.246.1.10' } });
    await c.runContainer({ name: b, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: net, endpoint: { ipv4Address: '10.246.1.11' } });

    const open = await verified(b, `${a}:80`);
    agrees(open, 'delivered');
    assert.doesNotMatch(open.reason, /expose/);

    const loopback = await verified(b, `${a}:81`);
    agrees(loopback, 'refused');
    assert.match(loopback.reason, /only on 127\.0\.0\.1, which is not reachable from outside the container/);
    assert.match(loopback.fix ?? '', /make the process listen on 0\.0\.0\.0:81/);

    const closed = await verified(b, `${a}:82`);
    agrees(closed, 'refused');
    assert.match(closed.fix ?? '', /start a process in .* that listens on 0\.0\.0\.0:82/);
    assert.doesNotMatch(closed.fix ?? '', /listen: \[|expose/, 'a live fix names no file key');

    // UDP: predicted from the bound socket, observed by a's UDP counters.
    agrees(await verified(b, `${a}:67/udp`), 'delivered');
    agrees(await verified(b, `${a}:68/udp`), 'refused');
  });
});

test('DOCKER-USER rules on the host take part in live traces: a DROP between two containers, an ACCEPT that overrides isolation', { timeout: 240_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  const rules = new UserRules();
  try {
    await liveScenario(c, 'cnmlive-truth-', async (made) => {
      const n1 = made.net('one'), n2 = made.net('two');
      await c.createNetwork({ name: n1, labels: LIVE_LABELS, ipamConfig: [{ subnet: '10.246.2.0/24', gateway: '10.246.2.1', auxAddresses: {} }] });
      await c.createNetwork({ name: n2, labels: LIVE_LABELS, ipamConfig: [{ subnet: '10.246.3.0/24', gateway: '10.246.3.1', auxAddresses: {} }] });
      const a = made.ctr('a'), b = made.ctr('b'), far = made.ctr('far');
      const web = ['sh', '-c', 'httpd -p 80 -h /tmp; exec sleep 3600'];
      await c.runContainer({ name: a, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: n1, endpoint: { ipv4Address: '10.246.2.10' } });
      await c.runContainer({ name: b, image: IMAGE, cmd: web, labels: LIVE_LABELS, networkMode: n1, endpoint: { ipv4Address: '10.246.2.11' } });
      await c.runContainer({ name: far, image: IMAGE, cmd: web, labels: LIVE_LABELS, networkMode: n2, endpoint: { ipv4Address: '10.246.3.10' } });

      agrees(await verified(a, `${b}:80`), 'delivered');
      const isolated = await verified(a, '10.246.3.10:80');
      agrees(isolated, 'dropped');
      assert.match(isolated.reason, /DOCKER-ISOLATION-STAGE-2/);

      // A DROP between a and b, on the same bridge (br_netfilter passes bridged packets through FORWARD).
      await rules.insert(['-s', '10.246.2.10/32', '-d', '10.246.2.11/32', '-j', 'DROP']);
      const dropped = await verified(a, `${b}:80`);
      agrees(dropped, 'dropped');
      assert.match(dropped.reason, /dropped by -A DOCKER-USER -s 10\.246\.2\.10\/32 -d 10\.246\.2\.11\/32 -j DROP \(filter DOCKER-USER\), a rule on .* that dockerd did not write/);
      assert.match(dropped.fix ?? '', /iptables -D DOCKER-USER -s 10\.246\.2\.10\/32 -d 10\.246\.2\.11\/32 -j DROP/);
      assert.ok(dropped.hops.some((h) => h.action === 'filter FORWARD' && /the host's rule, not dockerd's/.test(h.detail)), 'the hop that decides names the rule');

      // An ACCEPT for n1 ⇄ n2 ahead of Docker's isolation: the connection now goes through.
      await rules.insert(['-s', '10.246.2.0/24', '-d', '10.246.3.0/24', '-j', 'ACCEPT']);
      await rules.insert(['-s', '10.246.3.0/24', '-d', '10.246.2.0/24', '-j', 'ACCEPT']);
      const through = await verified(a, '10.246.3.10:80');
      agrees(through, 'delivered');
      assert.ok(through.hops.some((h) => /-A DOCKER-USER -s 10\.246\.2\.0\/24 -d 10\.246\.3\.0\/24 -j ACCEPT \[the host's rule, not dockerd's\]/.test(h.detail)), JSON.stringify(through.hops));
    });
  } finally {
    await rules.removeAll();
  }
});

test('where the sockets cannot be read (a daemon over ssh, an image without cat) the fate is unknown, with why', { timeout: 240_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  const dir = mkdtempSync(join(tmpdir(), 'cnm-truth-'));
  const image = `cnm-nocat:live-${process.pid}`;
  const oldPath = process.env.PATH;
  try {
    // An image with busybox's httpd, sh and sleep, but no cat: docker import of a root with only those.
    const root = join(dir, 'root');
    for (const d of ['bin', 'tmp', 'proc', 'sys', 'dev', 'etc']) mkdirSync(join(root, d), { recursive: true });
    copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
    chmodSync(join(root, 'bin/busybox'), 0o755);
    for (const applet of ['sh', 'httpd', 'sleep']) symlinkSync('busybox', join(root, 'bin', applet));
    const tar = await new Promise<number>((resolve) => execFile('tar', ['-C', root, '-cf', join(dir, 'root.tar'), '.'], (err) => resolve(err ? 1 : 0)));
    assert.equal(tar, 0);
    const imported = await dockerCli(['import', join(dir, 'root.tar'), image]);
    assert.equal(imported.code, 0, imported.stderr);
    // `ssh` on PATH relays to the local daemon, as a remote host's would: /proc is then not this machine's.
    writeFileSync(join(dir, 'ssh'), '#!/bin/sh\nexec /usr/bin/docker system dial-stdio\n');
    chmodSync(join(dir, 'ssh'), 0o755);
    await liveScenario(c, 'cnmlive-truth-', async (made) => {
      const net = made.net('n');
      await c.createNetwork({ name: net, labels: LIVE_LABELS, ipamConfig: [{ subnet: '10.246.4.0/24', gateway: '10.246.4.1', auxAddresses: {} }] });
      const plain = made.ctr('plain'), bare = made.ctr('bare'), b = made.ctr('b');
      await c.runContainer({ name: plain, image: IMAGE, cmd: ['sh', '-c', 'httpd -p 80 -h /tmp; exec sleep 3600'], labels: LIVE_LABELS, networkMode: net, endpoint: { ipv4Address: '10.246.4.10' } });
      await c.runContainer({ name: bare, image, cmd: ['sh', '-c', 'httpd -p 80 -h /tmp; exec sleep 3600'], labels: LIVE_LABELS, networkMode: net, endpoint: { ipv4Address: '10.246.4.11' } });
      await c.runContainer({ name: b, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: net, endpoint: { ipv4Address: '10.246.4.12' } });
      process.env.PATH = `${dir}:${oldPath}`;
      const remote = 'ssh://ops@docker-host.example';
      // Through exec (cat /proc/net/tcp inside the container): read, and the prediction holds.
      agrees(await verified(b, `${plain}:80`, remote), 'delivered');
      agrees(await verified(b, `${plain}:81`, remote), 'refused');
      // No cat in the image: nothing to read the sockets with.
      const unknown = await verified(b, '10.246.4.11:80', remote);
      assert.equal(unknown.verdict, 'unknown', unknown.reason);
      assert.match(unknown.reason, /what .*bare listens on could not be read \(.*not this machine.*the image has no `cat`/);
      assert.equal(unknown.outcome, 'unpredicted');
      assert.equal(unknown.observed.verdict, 'delivered', 'the probe alone tells what happened');
      // Over ssh the host's rules cannot be read: the netfilter hops say they rest on dockerd's modelled rules.
      assert.ok(unknown.hops.some((h) => /dockerd's rules as modelled: the host's real rules could not be read/.test(h.detail)), JSON.stringify(unknown.hops));
      process.env.PATH = oldPath;
    });
  } finally {
    process.env.PATH = oldPath;
    await dockerCli(['image', 'rm', '-f', image]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('LiveHost (the extension\'s live hosts): the tree comes at once, the real sockets follow, and a process started by docker exec is seen', { timeout: 240_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  await liveScenario(c, 'cnmlive-truth-', async (made) => {
    const net = made.net('n');
    await c.createNetwork({ name: net, labels: LIVE_LABELS, ipamConfig: [{ subnet: '10.246.5.0/24', gateway: '10.246.5.1', auxAddresses: {} }] });
    const a = made.ctr('a'), b = made.ctr('b');
    await c.runContainer({ name: a, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: net, endpoint: { ipv4Address: '10.246.5.10' } });
    await c.runContainer({ name: b, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: net, endpoint: { ipv4Address: '10.246.5.11' } });
    const states: LiveState[] = [];
    const live = new LiveHost(c, { onState: (s) => states.push(s) });
    const verdict = (s: LiveState) => {
      const topo = liveTopology(s.snapshot, s.model);
      return trace(topo.engine.state, { from: b, to: '10.246.5.10', proto: 'tcp', port: 90 }, { listening: listeningFromTopology(topo.spec.containers) }).verdict;
    };
    const until = async (what: string, ok: (s: LiveState) => boolean) => {
      const end = Date.now() + 30_000;
      while (!states.some(ok)) {
        if (Date.now() > end) throw new Error(`LiveHost never gave a state where ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await live.start();
    try {
      assert.equal(states[0]!.snapshot.listeners, undefined, 'the first state does not wait for the sockets');
      await until('the sockets were read', (s) => s.snapshot.listeners !== undefined);
      assert.equal(verdict(states.at(-1)!), 'refused');
      const ex = await c.exec(a, ['httpd', '-p', '90', '-h', '/tmp']);
      assert.equal(ex.exitCode, 0, ex.stderr);
      await until('a listens on 90 after docker exec', (s) => verdict(s) === 'delivered');
      const v = await verified(b, `${a}:90`);
      agrees(v, 'delivered');
    } finally {
      live.stop();
    }
  });
});

test('drift names what the host really has beyond the file: an undeclared listener, a listen: nobody opens, a DOCKER-USER rule', { timeout: 240_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  const rules = new UserRules();
  try {
    await liveScenario(c, 'cnmlive-truth-', async (made) => {
      const net = made.net('d');
      await c.createNetwork({ name: net, labels: LIVE_LABELS, ipamConfig: [{ subnet: '10.246.6.0/24', gateway: '10.246.6.1', auxAddresses: {} }] });
      const web = made.ctr('web'), quiet = made.ctr('quiet');
      await c.runContainer({ name: web, image: IMAGE, cmd: ['sh', '-c', 'httpd -p 80 -h /tmp; exec sleep 3600'], labels: LIVE_LABELS, networkMode: net, endpoint: { ipv4Address: '10.246.6.10' } });
      await c.runContainer({ name: quiet, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: net, endpoint: { ipv4Address: '10.246.6.11' } });
      const file = loadTopology([
        'hosts:',
        '  host1: { daemon: { version: "20.10" } }',
        'networks:',
        `  ${net}: { ipam: { config: [ { subnet: 10.246.6.0/24, gateway: 10.246.6.1 } ] } }`,
        'containers:',
        `  ${web}: { networks: { ${net}: { ipv4_address: 10.246.6.10 } }, listen: ["8080/tcp"] }`,
        `  ${quiet}: { networks: { ${net}: { ipv4_address: 10.246.6.11 } } }`,
        '',
      ].join('\n'));
      const observedDrift = async () => {
        const snap = await observeHost(c, await takeSnapshot(c));
        return computeDrift(file.spec, file.engine, snap, { label: LIVE_LABEL_ARG }).filter((i) => i.field === 'listen' || (i.object === 'rule' && i.message.includes('10.246.6.'))).map((i) => `${i.kind} ${i.message}`);
      };
      assert.deepEqual(await observedDrift(), [
        `extra container "${web}" listens on 80/tcp ([::]) on the host, which the file does not declare (listen or expose)`,
        `missing container "${web}" does not listen on 8080/tcp on the host, though its listen says so`,
      ]);
      await rules.insert(['-s', '10.246.6.11/32', '-d', '10.246.6.10/32', '-j', 'DROP']);
      assert.deepEqual((await observedDrift()).slice(2), [`extra the host's iptables has a rule the file's engine would not write: -A DOCKER-USER -s 10.246.6.11/32 -d 10.246.6.10/32 -j DROP`]);
    });
  } finally {
    await rules.removeAll();
  }
});

test('IPv6 listeners: a process on [::]:80 takes IPv6 (and IPv4), one on 0.0.0.0:81 only is refused over IPv6; real probes agree', { timeout: 240_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  await liveScenario(c, 'cnmlive-truth-', async (made) => {
    const net = made.net('six');
    await c.createNetwork({ name: net, labels: LIVE_LABELS, enableIpv6: true, ipamConfig: [{ subnet: '10.246.7.0/24', gateway: '10.246.7.1', auxAddresses: {} }, { subnet: 'fd00:246:7::/64', gateway: 'fd00:246:7::1', auxAddresses: {} }] });
    const a = made.ctr('a'), b = made.ctr('b');
    await c.runContainer({ name: a, image: IMAGE, cmd: ['sh', '-c', 'httpd -p [::]:80 -h /tmp; httpd -p 0.0.0.0:81 -h /tmp; exec sleep 3600'], labels: LIVE_LABELS, networkMode: net, endpoint: { ipv4Address: '10.246.7.10', ipv6Address: 'fd00:246:7::10' } });
    await c.runContainer({ name: b, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: net, endpoint: { ipv4Address: '10.246.7.11', ipv6Address: 'fd00:246:7::11' } });
    // A just-made IPv6 address is tentative (duplicate address detection) for a moment.
    for (let k = 0; k < 20 && (await c.exec(b, ['ping', '-c1', '-W1', 'fd00:246:7::10'])).exitCode !== 0; k++) await new Promise((r) => setTimeout(r, 500));

    const six = await verified(b, '[fd00:246:7::10]:80');
    agrees(six, 'delivered');
    assert.ok(six.hops.some((h) => /listens on 80\/tcp \(bound to \[::\]\)/.test(h.detail)), JSON.stringify(six.hops));
    agrees(await verified(b, '10.246.7.10:80'), 'delivered');
    const v4only = await verified(b, '[fd00:246:7::10]:81');
    agrees(v4only, 'refused');
    assert.match(v4only.reason, /listens on 81\/tcp on IPv4 only \(0\.0\.0\.0\)/);
    assert.equal(v4only.fix, 'make the process listen on [::]:81 (IPv6 and IPv4)');
  });
});
