// TLS and ssh hosts for real, on one lab dockerd 20.10 (its own namespace; never the main dockerd):
// - TLS: the daemon runs with --tlsverify and certificates openssl makes here (a CA, a server certificate
//   for IP 127.0.0.1, a client certificate; a second CA nobody trusts). It listens on 127.0.0.1:2376 in
//   its namespace; a forwarder brings that to 127.0.0.1 and 127.0.0.2 here (127.0.0.2 is not in the
//   certificate: the host name mismatch). The CLI (`cnm inspect --docker tcp://…` with DOCKER_TLS_VERIFY
//   and DOCKER_CERT_PATH) and the extension's connection (configuredHosts + LiveHostConnection, as
//   LiveHosts makes them) connect with the right CA and client certificate, and refuse a wrong CA, a name
//   mismatch and a missing client certificate with a message that says so; TLS without verification
//   (DOCKER_CERT_PATH alone) still works but is said, never silent.
// - ssh: Debian's sshd on 127.0.0.1 (a free port; its own host key and config, key login only) whose
//   sessions' DOCKER_HOST is the lab daemon; `ssh://root@127.0.0.1:PORT` goes through the real ssh client
//   and `docker system dial-stdio`. The ssh on PATH is /usr/bin/ssh with `-F` the test's client config
//   (identity, known_hosts), so nothing of ~/.ssh is read or written. An unknown host key is refused with
//   ssh's message; a known one is accepted. sshd is stopped by its pid, also when a test fails.
//
//   node --import tsx --test test/docker/lab/remote.test.ts        (about 40 s here)
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectDocker } from '../../../src/docker/client';
import { resolveEndpoint, type ConnectionEnv } from '../../../src/docker/connection';
import type { LiveState } from '../../../src/live/liveHost';
import { configuredHosts } from '../../../src/extension/live/endpoints';
import { LiveHostConnection, REQUEST_TIMEOUT_MS } from '../../../src/extension/live/liveHostConnection';
import { labMissing, startLab, type Lab } from '../harness/lab';
import { unavailable } from '../../support/exclusions.mjs';
import { forwardInto, makeCerts, startSshd, type Certs, type Sshd } from './remoteAccess';

const ROOT = resolvePath(import.meta.dirname, '../../..');
const NET = 'remote-proof';

const missing = [...labMissing(['20.10']), ...['/usr/sbin/sshd', '/usr/bin/ssh', '/usr/bin/openssl', '/bin/busybox'].filter((f) => {
  try {
    readFileSync(f);
    return false;
  } catch {
    return true;
  }
}).map((f) => `${f} is missing (apt-get install -y openssh-server openssh-client openssl busybox-static)`)];

function cnm(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** This process's environment without any Docker endpoint or TLS setting of its own, plus `extra`. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_TLS']) delete env[k];
  return { ...env, DOCKER_CONFIG: join(tmpdir(), 'cnm-no-docker-config'), ...extra };
}

function connectionEnv(env: NodeJS.ProcessEnv): ConnectionEnv {
  return {
    env,
    readFile: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return null;
      }
    },
    configDir: env.DOCKER_CONFIG!,
  };
}

/**
 * The extension's way to a host named in `cnm.docker.hosts`: configuredHosts with src/docker's resolver,
 * then a LiveHostConnection connecting as LiveHosts does. Resolves when it is connected or unreachable.
 */
async function extensionConnect(url: string, env: NodeJS.ProcessEnv): Promise<{ status: LiveHostConnection<LiveState>['status']; state: LiveState | undefined; log: string[] }> {
  const cenv = connectionEnv(env);
  const host = configuredHosts((explicit) => resolveEndpoint(explicit ?? 'unix:///nowhere/default.sock', cenv), [url]).find((h) => h.key === url)!;
  const log: string[] = [];
  const conn = new LiveHostConnection<LiveState>(host, {
    log: { info: (m) => log.push(`info ${m}`), warn: (m) => log.push(`warn ${m}`), debug: () => undefined },
    changed: () => undefined,
    connect: (h) => connectDocker('error' in h.endpoint ? undefined : h.endpoint, { timeoutMs: REQUEST_TIMEOUT_MS }),
    buildSource: (_k, _l, state) => state,
  });
  conn.start();
  try {
    const end = Date.now() + 30_000;
    while (conn.status.kind === 'connecting' || (conn.status.kind === 'connected' && !conn.state)) {
      if (Date.now() > end) assert.fail(`${url}: still ${conn.status.kind} after 30 s; log:\n${log.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { status: conn.status, state: conn.state, log };
  } finally {
    conn.stop();
  }
}

const networksOf = (stdout: string): string[] => (JSON.parse(stdout) as { networks: { name: string }[] }).networks.map((n) => n.name);

describe('TLS and ssh Docker hosts, for real (a lab dockerd with --tlsverify, an sshd on loopback)', { timeout: 240_000 }, () => {
  let lab: Lab | undefined;
  let work: string;
  let certs: Certs;
  let forward: Awaited<ReturnType<typeof forwardInto>> | undefined;
  let sshd: Sshd | undefined;
  let started = 0;

  before(async () => {
    if (missing.length) return;
    started = Date.now();
    work = mkdtempSync(join(tmpdir(), 'cnm-remote-'));
    certs = makeCerts(join(work, 'certs'));
    lab = await startLab({
      hosts: [{ name: 'remote', version: '20.10', flags: ['-H', 'tcp://127.0.0.1:2376', ...certs.daemonFlags] }],
      lan: false,
      images: [],
    });
    const host = lab.host('remote');
    // Something only this daemon has: every read below must show it (not the main dockerd's networks).
    await host.dockerOk(['network', 'create', '--subnet', '10.251.7.0/24', NET]);
    forward = await forwardInto(host.paths.netnsPath, 2376, ['127.0.0.1', '127.0.0.2']);
    sshd = await startSshd(join(work, 'ssh'), host.dockerHost);
  });

  after(async () => {
    await sshd?.stop();
    await forward?.close();
    await lab?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    if (started) console.log(`# TLS and ssh lab test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  const skip = (t: Parameters<typeof unavailable>[0]) => {
    if (!missing.length) return false;
    unavailable(t, `TLS/ssh lab hosts: ${missing.join('; ')}`);
    return true;
  };
  const tcp = (address = '127.0.0.1') => `tcp://${address}:${forward!.port}`;

  test('TLS: the CLI and the extension connect with the right CA and client certificate', async (t) => {
    if (skip(t)) return;
    const env = cleanEnv({ DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.good });
    const r = await cnm(['inspect', '--docker', tcp(), '--json'], env);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(networksOf(r.stdout).includes(NET), `the lab daemon's network, read over TLS: ${networksOf(r.stdout).join(', ')}`);
    assert.doesNotMatch(r.stderr, /warning/, 'verified TLS: no warning');
    // DOCKER_HOST instead of the endpoint after --docker: the same.
    const viaEnv = await cnm(['inspect', '--docker', '--json'], { ...env, DOCKER_HOST: tcp() });
    assert.equal(viaEnv.status, 0, viaEnv.stderr);
    assert.ok(networksOf(viaEnv.stdout).includes(NET));

    const ext = await extensionConnect(tcp(), env);
    assert.equal(ext.status.kind, 'connected', JSON.stringify(ext.status));
    assert.ok(ext.state!.snapshot.networks.some((n) => n.name === NET));
    assert.ok(!ext.log.some((l) => l.startsWith('warn')), ext.log.join('\n'));
  });

  test('TLS: a daemon certificate from another CA is refused, by the CLI and the extension, saying so', async (t) => {
    if (skip(t)) return;
    // DOCKER_TLS_VERIFY=0 verifies too, as in the docker CLI (any value turns it on): never a silent "off".
    for (const verify of ['1', '0']) {
      const env = cleanEnv({ DOCKER_TLS_VERIFY: verify, DOCKER_CERT_PATH: certs.wrongCa });
      const r = await cnm(['inspect', '--docker', tcp(), '--json'], env);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`TLS: the daemon's certificate is not signed by ${certs.wrongCa}/ca\\.pem, so it was refused`), `DOCKER_TLS_VERIFY=${verify}: ${r.stderr}`);
    }
    const ext = await extensionConnect(tcp(), cleanEnv({ DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.wrongCa }));
    assert.equal(ext.status.kind, 'unreachable');
    assert.match(ext.status.kind === 'unreachable' ? ext.status.message : '', /TLS: the daemon's certificate is not signed by .*wrongca\/ca\.pem/);
  });

  test('TLS: a certificate that does not name the host dialled is refused (127.0.0.2; the certificate is for 127.0.0.1)', async (t) => {
    if (skip(t)) return;
    const env = cleanEnv({ DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.good });
    const r = await cnm(['inspect', '--docker', tcp('127.0.0.2'), '--json'], env);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /TLS: the daemon's certificate is not for this host name or address, so it was refused \(.*127\.0\.0\.2.*127\.0\.0\.1/);
    const ext = await extensionConnect(tcp('127.0.0.2'), env);
    assert.equal(ext.status.kind, 'unreachable');
    assert.match(ext.status.kind === 'unreachable' ? ext.status.message : '', /not for this host name or address/);
  });

  test('TLS: without a client certificate the daemon refuses us, and the message says what is missing', async (t) => {
    if (skip(t)) return;
    const r = await cnm(['inspect', '--docker', tcp(), '--json'], cleanEnv({ DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.noClientCert }));
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /TLS: the daemon requires a client certificate and none was given \(.*nocert\/cert\.pem and key\.pem not found\)/);
  });

  test('TLS without verification (DOCKER_CERT_PATH alone) works but is said every time, never silent', async (t) => {
    if (skip(t)) return;
    const env = cleanEnv({ DOCKER_CERT_PATH: certs.wrongCa });
    const r = await cnm(['inspect', '--docker', tcp(), '--json'], env);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(networksOf(r.stdout).includes(NET));
    assert.match(r.stderr, /cnm: warning: TLS without verifying the daemon's certificate \(DOCKER_TLS_VERIFY is not set/);
    const ext = await extensionConnect(tcp(), env);
    assert.equal(ext.status.kind, 'connected');
    assert.ok(ext.log.some((l) => /^warn Docker host .*TLS without verifying the daemon's certificate/.test(l)), ext.log.join('\n'));
  });

  /** /usr/bin/ssh with the test's client config, first on PATH (the product runs `ssh` from PATH). */
  function sshOnPath(knownHosts: string): NodeJS.ProcessEnv {
    const bin = join(work, `bin-${Math.random().toString(36).slice(2, 8)}`);
    const config = join(bin, 'ssh_config');
    mkdirSync(bin, { recursive: true });
    writeFileSync(config, sshd!.clientConfig(knownHosts));
    writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${config} "$@"\n`);
    chmodSync(join(bin, 'ssh'), 0o755);
    return cleanEnv({ PATH: `${bin}:${process.env.PATH}` });
  }

  test('ssh: a known host key is accepted; the CLI and the extension read the lab daemon through dial-stdio', async (t) => {
    if (skip(t)) return;
    const known = join(work, 'known_hosts');
    writeFileSync(known, sshd!.knownHostsLine);
    const env = sshOnPath(known);
    const url = `ssh://root@127.0.0.1:${sshd!.port}`;
    const r = await cnm(['inspect', '--docker', url, '--json'], env);
    assert.equal(r.status, 0, `${r.stderr}\nsshd:\n${sshd!.log().slice(-1500)}`);
    assert.ok(networksOf(r.stdout).includes(NET), 'the lab daemon behind sshd, not the main one');
    // The extension's connection spawns ssh from this process's PATH.
    const oldPath = process.env.PATH;
    process.env.PATH = env.PATH;
    try {
      const ext = await extensionConnect(url, env);
      assert.equal(ext.status.kind, 'connected', JSON.stringify(ext.status));
      assert.ok(ext.state!.snapshot.networks.some((n) => n.name === NET));
    } finally {
      process.env.PATH = oldPath;
    }
    assert.match(sshd!.log(), /Accepted publickey for root from 127\.0\.0\.1/);
  });

  test('ssh: an unknown host key is refused with ssh\'s own message, and a changed one too', async (t) => {
    if (skip(t)) return;
    const empty = join(work, 'known_hosts_empty');
    writeFileSync(empty, '');
    const url = `ssh://root@127.0.0.1:${sshd!.port}`;
    const r = await cnm(['inspect', '--docker', url, '--json'], sshOnPath(empty));
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /ssh 127\.0\.0\.1: Host key verification failed\. \(check the host's key/);
    assert.equal(readFileSync(empty, 'utf8'), '', 'nothing was added to known_hosts');
    // Another key under the same name: ssh's warning, refused.
    const other = join(work, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const wrong = join(work, 'known_hosts_wrong');
    writeFileSync(wrong, `[127.0.0.1]:${sshd!.port} ${readFileSync(`${other}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')}\n`);
    const changed = await cnm(['inspect', '--docker', url, '--json'], sshOnPath(wrong));
    assert.equal(changed.status, 2, changed.stderr);
    assert.match(changed.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED.*Host key verification failed/);
  });
});
