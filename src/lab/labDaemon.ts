// Starting one lab dockerd: `nsenter --net` into the host's namespace (not `ip netns exec`, which remounts
// /sys and dockerd then fails with "Devices cgroup isn't mounted"), a UTS namespace of its own so the
// daemon's (and the swarm node's) hostname is the lab host's name, its own data root, exec root, socket,
// pidfile, config file and containerd namespace, and --dns 127.0.0.1 like the main dockerd.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { run } from './exec';
import { RELEASES, type HostPaths, type LabVersion } from './labPaths';

/** This process's environment with the release's folders first on PATH and no DOCKER_HOST/DOCKER_CONTEXT. */
export function releaseEnv(version: LabVersion, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.DOCKER_CONTEXT;
  if (!('DOCKER_HOST' in extra)) delete env.DOCKER_HOST;
  const cliDir = RELEASES[version].cli.replace(/\/[^/]+$/, '');
  env.PATH = [...new Set([...RELEASES[version].path, cliDir, ...(process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')])].join(':');
  return env;
}

function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts the daemon and waits until it answers; throws with the end of its log when it does not. */
export async function startDockerd(name: string, version: LabVersion, p: HostPaths, containerdNamespace: string, flags: readonly string[] = []): Promise<void> {
  const release = RELEASES[version];
  mkdirSync(p.dataRoot, { recursive: true });
  mkdirSync(p.execRoot, { recursive: true });
  // Our own (empty) config file: an /etc/docker/daemon.json meant for the main dockerd must not apply here.
  writeFileSync(p.config, '{}\n');
  const log = openSync(p.log, 'a');
  const args = [
    `--net=${p.netnsPath}`, '--',
    'unshare', '--uts', '--', 'sh', '-c', 'hostname "$0" && exec "$@"', name,
    release.dockerd,
    '--config-file', p.config,
    '--data-root', p.dataRoot,
    '--exec-root', p.execRoot,
    '-H', `unix://${p.socket}`,
    '--pidfile', p.pidfile,
    '--dns', '127.0.0.1',
    // Should a system containerd ever answer on /run/containerd, the lab's objects still stay apart.
    '--containerd-namespace', containerdNamespace,
    '--containerd-plugins-namespace', `${containerdNamespace}-plugins`,
    '--shutdown-timeout', '2',
    ...flags,
  ];
  let exited: string | undefined;
  try {
    const child = spawn('nsenter', args, { detached: true, stdio: ['ignore', log, log], env: releaseEnv(version) });
    child.on('exit', (code, signal) => (exited = signal ? `signal ${signal}` : `exit ${code}`));
    child.on('error', (e) => (exited = e.message));
    child.unref();
  } finally {
    closeSync(log);
  }
  const end = Date.now() + 60_000;
  for (;;) {
    if (existsSync(p.socket)) {
      const r = await run(release.cli, ['-H', `unix://${p.socket}`, 'version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000, env: releaseEnv(version) });
      if (r.code === 0) {
        const got = r.stdout.trim();
        if (!got.startsWith(`${version}.`)) throw new Error(`lab host ${name}: dockerd answers as ${got}, expected ${version}.x`);
        return;
      }
    }
    if (exited !== undefined) throw new Error(`lab host ${name}: dockerd ${version} ended (${exited}) before answering; the end of ${p.log}:\n${logTail(p.log)}`);
    if (Date.now() > end) throw new Error(`lab host ${name}: dockerd ${version} did not answer within 60 s; the end of ${p.log}:\n${logTail(p.log)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
