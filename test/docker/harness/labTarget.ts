// The differential suite on a lab host instead of the main dockerd: every scenario gets a freshly started
// lab dockerd of the release asked for (a lab of one host, no LAN), started with the scenario's daemon
// flags, so its address pools, port cursors and docker0 are a fresh host's — what the engine models.
// docker() and hostRun() (harness/exec.ts) point at it while it runs; the main dockerd is never used
// (the image is imported into the lab from the machine's static busybox, as scripts/busybox-image.sh
// does on the main dockerd). The lab is torn down after each scenario, also on failure, and by lab.ts's
// exit hooks when the process ends.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { run, useDockerTarget } from './exec';
import { startLab, type Lab } from './lab';
import type { LabVersion } from './labPaths';
import { isCI } from '../../support/ci.mjs';

/** The scenario's host name: a lab host of that name has it as its hostname (host-mode containers). */
const HOST = 'host1';
const BUSYBOX_IMAGE_SCRIPT = join(__dirname, '..', '..', '..', 'scripts', 'busybox-image.sh');

let current: Lab | undefined;

/** A fresh lab dockerd of `version` with `flags`, made the harness's target. Stops the previous one. */
export async function freshLabDaemon(version: LabVersion, flags: readonly string[]): Promise<Lab> {
  await stopLabDaemon();
  const lab = await startLab({ hosts: [{ name: HOST, version, flags: [...flags] }], lan: false, images: [] });
  current = lab;
  const host = lab.host(HOST);
  // busybox:local from the static binary (the script's `docker` is the release's CLI: host.env's PATH).
  const r = await run('bash', [BUSYBOX_IMAGE_SCRIPT], { env: host.env, timeoutMs: 120_000 });
  if (r.code !== 0) {
    await stopLabDaemon();
    throw new Error(`importing busybox:local into lab host ${HOST} (Docker ${version}) failed: ${(r.stderr || r.stdout).trim()}`);
  }
  useDockerTarget({
    label: `lab ${lab.id} host ${HOST} (Docker ${version})`,
    cli: host.cli,
    env: host.env,
    netnsPath: host.paths.netnsPath,
    dnsServers: ['127.0.0.1'],
  });
  return lab;
}

/** Stops the lab dockerd (if any) and points the harness back at the main dockerd. Idempotent. */
export async function stopLabDaemon(): Promise<void> {
  useDockerTarget(undefined);
  const lab = current;
  current = undefined;
  if (lab) await lab.stop();
}

/**
 * Whether a lab suite of `version` can run (`missing`: labMissing's reasons). Under CI a reason fails the
 * suite; outside CI it is a loud skip. When it can, the records' folder `outDir` is made.
 */
export function labSuiteReady(version: LabVersion, suite: string, missing: readonly string[], outDir: string): boolean {
  if (missing.length) {
    const msg = `lab hosts of Docker ${version} cannot run here: ${missing.join('; ')}`;
    if (isCI()) throw new Error(msg);
    console.warn(`\n*** SKIPPING the ${version} ${suite} suite: ${msg} ***\n`);
    return false;
  }
  mkdirSync(outDir, { recursive: true });
  return true;
}
