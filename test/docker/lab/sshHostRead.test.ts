// An ssh Docker host's own rules, read over ssh when the user allows it (--read-host in the CLI,
// cnm.live.readHostOverSsh in the extension), on a lab host: Debian's sshd runs inside the lab host's
// network namespace (so a session's iptables-save, /proc/net/route and sysctls are that host's, as on a
// real remote machine), reached here through a loopback forwarder. A DOCKER-USER DROP between two
// containers is added in the lab namespace only. Off: the trace says its rules are dockerd's as modelled
// (naming the setting), and agrees with the real probe before the DROP; on: the DROP decides the trace,
// named in the hop, and the real probe agrees; the extension's live host reads the same rule. Traffic
// stays between the lab's containers; sshd and the forwarder are stopped by pid, the lab removed.
//
//   node --import tsx --test test/docker/lab/sshHostRead.test.ts        (about 60 s on a quiet machine; each cnm trace over ssh took 90-150 s at load 25)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { after, before, test } from 'node:test';
import { connectDocker } from '../../../src/docker/client';
import { parseDockerHost } from '../../../src/docker/connection';
import type { SshEndpoint } from '../../../src/docker/sshHost';
import { LiveHost, type LiveState } from '../../../src/live/liveHost';
import { labMissing, startLab, type Lab, type LabHost } from '../harness/lab';
import { isCI } from '../../support/ci.mjs';
import { forwardInto, startSshd, type Sshd } from './remoteAccess';
import type { VerifiedTraceJson as VerifiedJson } from '../live/support';

const ROOT = resolvePath(import.meta.dirname, '../../..');
const NAME = 's8sshr';
const A = '10.248.61.10';
const B = '10.248.61.11';

const missing = [...labMissing(['20.10']), ...['/usr/sbin/sshd', '/usr/bin/ssh', '/bin/busybox'].filter((f) => {
  try {
    readFileSync(f);
    return false;
  } catch {
    return true;
  }
}).map((f) => `${f} is missing (apt-get install -y openssh-server openssh-client busybox-static)`)].join('; ');


let lab: Lab | undefined;
let host: LabHost;
let work: string;
let sshd: Sshd | undefined;
let forward: Awaited<ReturnType<typeof forwardInto>> | undefined;
let env: NodeJS.ProcessEnv;
let url: string;
let started = 0;

before(async () => {
  if (missing) {
    if (isCI()) throw new Error(missing);
    return;
  }
  started = Date.now();
  work = mkdtempSync(join(tmpdir(), 'cnm-s8sshr-'));
  lab = await startLab({ hosts: [{ name: NAME, version: '20.10' }], lan: false });
  host = lab.host(NAME);
  sshd = await startSshd(join(work, 'ssh'), host.dockerHost, { netnsPath: host.paths.netnsPath });
  forward = await forwardInto(host.paths.netnsPath, sshd.port, ['127.0.0.1']);
  // The product runs `ssh` from PATH: /usr/bin/ssh with the test's client config (identity, known_hosts).
  const known = join(work, 'known_hosts');
  writeFileSync(known, sshd.knownHostsLine.replace(`[127.0.0.1]:${sshd.port}`, `[127.0.0.1]:${forward.port}`));
  const bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'ssh_config'), sshd.clientConfig(known));
  writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${join(bin, 'ssh_config')} "$@"\n`);
  chmodSync(join(bin, 'ssh'), 0o755);
  env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, DOCKER_CONFIG: join(work, 'no-docker-config') };
  for (const k of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_TLS']) delete env[k];
  url = `ssh://root@127.0.0.1:${forward.port}`;
});

after(async () => {
  await sshd?.stop();
  await forward?.close();
  await lab?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  if (started) console.log(`# ssh host reading lab test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

function cnm(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function verified(readHost: boolean): Promise<VerifiedJson & { stderr: string }> {
  // ICMP: the verdict rests on the rules and routes only (no socket reading through exec, slow over ssh).
  const t0 = Date.now();
  const r = await cnm(['trace', '--docker', url, ...(readHost ? ['--read-host'] : []), '--from', `${NAME}-a`, '--to', `${NAME}-b`, '--verify', '--json']);
  console.log(`# cnm trace${readHost ? ' --read-host' : ''}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  assert.equal(r.status, 0, `cnm trace failed: ${r.stderr}\nsshd:\n${sshd!.log().slice(-1500)}`);
  return { ...(JSON.parse(r.stdout) as VerifiedJson), stderr: r.stderr };
}

test('an ssh host: its DOCKER-USER DROP decides the trace when reading it over ssh is allowed, and the real probe agrees; off, the trace says its rules are as modelled', { timeout: 600_000, skip: missing && !isCI() ? missing : false }, async () => {
  await host.dockerOk(['network', 'create', '--subnet', '10.248.61.0/24', NAME]);
  await host.dockerOk(['run', '-d', '--name', `${NAME}-a`, '--network', NAME, '--ip', A, 'busybox:local', 'sleep', '3600']);
  await host.dockerOk(['run', '-d', '--name', `${NAME}-b`, '--network', NAME, '--ip', B, 'busybox:local', 'sleep', '3600']);
  // Bridged packets go through FORWARD (so DOCKER-USER) only with br_netfilter's switch on in this namespace.
  const nf = await host.inNamespace('sysctl', ['-w', 'net.bridge.bridge-nf-call-iptables=1']);
  assert.equal(nf.code, 0, nf.stderr);

  // Off (the default): no shell on the host is used; the hop says the rules are dockerd's as modelled, and why.
  const off = await verified(false);
  assert.deepEqual([off.verdict, off.observed.verdict, off.agree], ['delivered', 'delivered', true], `${off.reason} / ${off.observed.detail}`);
  assert.ok(off.hops.some((h) => /dockerd's rules as modelled: the host's real rules could not be read: the Docker host \(ssh:\/\/root@127\.0\.0\.1:\d+\) is not this machine: .*reading them over ssh is off: the setting cnm\.live\.readHostOverSsh, or --read-host/.test(h.detail)), JSON.stringify(off.hops, null, 1));

  // A DROP in DOCKER-USER, in the lab host's namespace only: read over ssh, it decides.
  const ins = await host.inNamespace('iptables', ['-I', 'DOCKER-USER', '-s', `${A}/32`, '-d', `${B}/32`, '-j', 'DROP']);
  assert.equal(ins.code, 0, ins.stderr);
  const dropped = await verified(true);
  assert.deepEqual([dropped.verdict, dropped.observed.verdict, dropped.agree], ['dropped', 'dropped', true], `${dropped.reason} / ${dropped.observed.detail}`);
  assert.match(dropped.reason, /dropped by -A DOCKER-USER -s 10\.248\.61\.10\/32 -d 10\.248\.61\.11\/32 -j DROP \(filter DOCKER-USER\), a rule on .* that dockerd did not write/);
  assert.ok(dropped.hops.some((h) => h.action === 'filter FORWARD' && /-A DOCKER-USER -s 10\.248\.61\.10\/32 -d 10\.248\.61\.11\/32 -j DROP \[the host's rule, not dockerd's\]/.test(h.detail)), JSON.stringify(dropped.hops, null, 1));
  assert.ok(!dropped.hops.some((h) => /as modelled/.test(h.detail)), 'the host\'s rules were read');
  assert.match(dropped.fix ?? '', /iptables -D DOCKER-USER -s 10\.248\.61\.10\/32 -d 10\.248\.61\.11\/32 -j DROP/);
  assert.match(sshd!.log(), /Accepted publickey for root/);

  // The extension's live host (LiveHost, as LiveHostConnection makes it with the setting on) reads the
  // same rule over ssh. Generous deadlines: on a loaded machine each ssh session costs seconds.
  const oldPath = process.env.PATH;
  process.env.PATH = env.PATH;
  const ep = parseDockerHost(url, null, { from: 'explicit' }) as SshEndpoint;
  const states: LiveState[] = [];
  const live = new LiveHost(connectDocker(ep, { timeoutMs: 120_000 }), { onState: (s) => states.push(s), observeTimeoutMs: 120_000, sshHost: () => ({ endpoint: ep, allowed: true }) });
  try {
    await live.start();
    const end = Date.now() + 180_000;
    while (!states.some((s) => s.snapshot.host && 'iptables' in s.snapshot.host)) {
      if (Date.now() > end) assert.fail(`no host reading after 180 s: ${JSON.stringify(states.map((s) => s.snapshot.host))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const reading = states.find((s) => s.snapshot.host && 'iptables' in s.snapshot.host)!.snapshot.host!;
    assert.ok('iptables' in reading && 'text' in reading.iptables, JSON.stringify(reading));
    assert.match(reading.iptables.text, /^-A DOCKER-USER -s 10\.248\.61\.10\/32 -d 10\.248\.61\.11\/32 -j DROP$/m);
  } finally {
    live.stop();
    process.env.PATH = oldPath;
  }
});
