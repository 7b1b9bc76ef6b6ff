// What the TLS and ssh lab test makes at run time: certificates from openssl (a CA, a server certificate
// for 127.0.0.1, a client certificate, and a second CA nobody trusts), a loopback TCP forwarder into a lab
// host's namespace (the lab dockerd listens on 127.0.0.1:2376 inside its own namespace), and an sshd of
// the test's own on 127.0.0.1 with its host key, config and authorized key, stopped by its pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(dir: string, name: string): void {
  openssl(['req', '-x509', ...EC, '-keyout', `${name}-key.pem`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`], dir);
}

function signed(dir: string, ca: string, name: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(['req', ...EC, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`], dir);
}

export interface Certs {
  /** The daemon's flags: --tlsverify with the CA, its certificate and key. */
  daemonFlags: string[];
  /** DOCKER_CERT_PATH folders: the right CA with the client's pair; a wrong CA with the same pair; the right CA and no pair. */
  good: string;
  wrongCa: string;
  noClientCert: string;
}

/** Every certificate the test needs, made in `dir`. The server's names the address the client dials: IP 127.0.0.1 only. */
export function makeCerts(dir: string): Certs {
  mkdirSync(dir, { recursive: true });
  makeCa(dir, 'ca');
  makeCa(dir, 'otherca');
  signed(dir, 'ca', 'server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  signed(dir, 'ca', 'client', 'extendedKeyUsage=clientAuth\n');
  const folder = (name: string, files: Record<string, string>) => {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    for (const [to, from] of Object.entries(files)) writeFileSync(join(d, to), readFileSync(join(dir, from)));
    return d;
  };
  return {
    daemonFlags: ['--tlsverify', '--tlscacert', join(dir, 'ca.pem'), '--tlscert', join(dir, 'server.pem'), '--tlskey', join(dir, 'server-key.pem')],
    good: folder('good', { 'ca.pem': 'ca.pem', 'cert.pem': 'client.pem', 'key.pem': 'client-key.pem' }),
    wrongCa: folder('wrongca', { 'ca.pem': 'otherca.pem', 'cert.pem': 'client.pem', 'key.pem': 'client-key.pem' }),
    noClientCert: folder('nocert', { 'ca.pem': 'ca.pem' }),
  };
}

/**
 * TCP on loopback here (each of `addresses`, one port) to 127.0.0.1:`port` inside a lab host's namespace:
 * each connection is a busybox nc run there by nsenter, so TLS goes end to end between client and daemon.
 */
export async function forwardInto(netnsPath: string, port: number, addresses: string[]): Promise<{ port: number; close(): Promise<void> }> {
  const children = new Set<ChildProcess>();
  const sockets = new Set<Socket>();
  const onConnection = (sock: Socket) => {
    sockets.add(sock);
    const nc = spawn('nsenter', [`--net=${netnsPath}`, '--', '/bin/busybox', 'nc', '127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'ignore'] });
    children.add(nc);
    sock.pipe(nc.stdin);
    nc.stdout.pipe(sock);
    nc.stdin.on('error', () => undefined);
    const end = () => {
      sock.destroy();
      if (nc.exitCode === null) nc.kill();
    };
    sock.on('close', end);
    sock.on('error', end);
    nc.on('close', () => {
      children.delete(nc);
      sock.end();
    });
  };
  const servers: Server[] = [];
  let bound = 0;
  for (const address of addresses) {
    const server = createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(bound, address, () => resolve());
    });
    const a = server.address();
    if (a && typeof a === 'object') bound = a.port;
    servers.push(server);
  }
  return {
    port: bound,
    close: async () => {
      for (const s of sockets) s.destroy();
      for (const c of children) if (c.exitCode === null) c.kill();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}

export interface Sshd {
  port: number;
  pid: number;
  /** The host's public key, as a known_hosts line for [127.0.0.1]:port. */
  knownHostsLine: string;
  /** A client config: this identity, these known hosts only, no agent, nothing from ~/.ssh. */
  clientConfig(knownHosts: string): string;
  log(): string;
  stop(): Promise<void>;
}

function keygen(file: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cnm-test', '-f', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * sshd on 127.0.0.1 (a free port), root by key only, whose sessions talk to `dockerHost` (SetEnv
 * DOCKER_HOST) and find Debian's docker CLI first on PATH. Started in the foreground (-D) as our child.
 */
export async function startSshd(dir: string, dockerHost: string, opts: { netnsPath?: string } = {}): Promise<Sshd> {
  mkdirSync(dir, { recursive: true });
  // sshd refuses to start without its privilege separation folder (made by the service script otherwise).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'id'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id.pub')));
  chmodSync(join(dir, 'authorized_keys'), 0o600);
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(config, [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'AuthenticationMethods publickey',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'AllowUsers root',
    'StrictModes no',
    'UsePAM no',
    'AllowTcpForwarding no',
    'X11Forwarding no',
    `SetEnv DOCKER_HOST=${dockerHost} PATH=/usr/bin:/bin`,
    'LogLevel VERBOSE',
    '',
  ].join('\n'));
  let log = '';
  // Inside a lab host's namespace (opts.netnsPath) a session's commands see that host's kernel: its
  // iptables, routes and sysctls, as on a real remote host. nsenter execs sshd: the pid is sshd's.
  const argv = ['-D', '-e', '-f', config];
  const child = opts.netnsPath
    ? spawn('nsenter', [`--net=${opts.netnsPath}`, '--', '/usr/sbin/sshd', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('/usr/sbin/sshd', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = signal ?? String(code)));
  const stop = async () => {
    if (exited !== undefined || child.pid === undefined) return;
    process.kill(child.pid, 'SIGTERM');
    const end = Date.now() + 5000;
    while (exited === undefined && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    if (exited === undefined) process.kill(child.pid, 'SIGKILL');
  };
  const onExit = () => {
    if (exited === undefined && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  };
  process.once('exit', onExit);
  // Listening once the port takes a connection.
  const end = Date.now() + 10_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`sshd ended (${exited}) before listening:\n${log}`);
    // In another namespace its port is not reachable from here: its own log says when it listens.
    const ok = opts.netnsPath ? /Server listening on 127\.0\.0\.1 port/.test(log) : await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > end) {
      await stop();
      throw new Error(`sshd did not listen on 127.0.0.1:${port} within 10 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const hostPub = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  return {
    port,
    pid: child.pid!,
    knownHostsLine: `[127.0.0.1]:${port} ${hostPub}\n`,
    clientConfig: (knownHosts) => [
      'Host *',
      `  IdentityFile ${join(dir, 'id')}`,
      '  IdentitiesOnly yes',
      '  IdentityAgent none',
      `  UserKnownHostsFile ${knownHosts}`,
      '  GlobalKnownHostsFile /dev/null',
      '  ControlMaster no',
      '  ControlPath none',
      '',
    ].join('\n'),
    log: () => log,
    stop: async () => {
      process.removeListener('exit', onExit);
      await stop();
    },
  };
}
