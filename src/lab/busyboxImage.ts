// The image every lab container runs: busybox:local, imported from the machine's static busybox binary
// (Debian's busybox-static), since a lab host has no registry to pull from. The same image as
// scripts/busybox-image.sh makes on the main dockerd: /bin/busybox and the applets the lab uses.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './exec';

export const LAB_IMAGE = 'busybox:local';
const APPLETS = ['sh', 'ping', 'ip', 'nc', 'wget', 'httpd', 'nslookup', 'sleep', 'cat', 'hostname', 'ifconfig', 'route', 'netstat', 'ls', 'echo'];

/** Why the static busybox cannot be used, or undefined when it can. */
export async function busyboxMissing(busybox = process.env.BUSYBOX ?? '/bin/busybox'): Promise<string | undefined> {
  if (!existsSync(busybox)) return `${busybox} is missing: apt-get install -y busybox-static`;
  if ((await run(busybox, ['true'], { timeoutMs: 15_000 })).code !== 0) return `${busybox} does not run`;
  if ((await run('ldd', [busybox], { timeoutMs: 15_000 })).code === 0) return `${busybox} is dynamically linked; the lab image needs busybox-static`;
  return undefined;
}

/**
 * Imports busybox:local into the daemon `env` points at (DOCKER_HOST, the release's CLI first on PATH),
 * unless it is there already.
 */
export async function importBusybox(cli: string, env: NodeJS.ProcessEnv, busybox = env.BUSYBOX ?? '/bin/busybox'): Promise<void> {
  if ((await run(cli, ['image', 'inspect', LAB_IMAGE], { env, timeoutMs: 30_000 })).code === 0) return;
  const missing = await busyboxMissing(busybox);
  if (missing) throw new Error(`busybox-image: ${missing}`);
  const dir = mkdtempSync(join(tmpdir(), 'cnm-busybox-'));
  try {
    for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev']) mkdirSync(join(dir, d));
    copyFileSync(busybox, join(dir, 'bin', 'busybox'));
    for (const applet of APPLETS) symlinkSync('busybox', join(dir, 'bin', applet));
    // tar's own bytes through memory (a static busybox is about 2 MB), then `docker import -`.
    const tar = await runBuffer('tar', ['-C', dir, '-c', '.']);
    const r = await run(cli, ['import', '-', LAB_IMAGE], { env, input: tar, timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`docker import ${LAB_IMAGE} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runBuffer(file: string, args: string[]): Promise<Buffer> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`${file} ${args.join(' ')} failed: ${Buffer.concat(err).toString().trim() || `exit ${code}`}`))));
  });
}
