// Shared by the live-Docker tests: reaching the real dockerd (which the differential suite restarts
// between its scenarios, so we wait and retry), labelling and cleaning only what these tests make, and
// the docker CLI as the independent witness ("the snapshot equals docker inspect").
//
// Rules kept here for every live test: explicit subnets only (an auto-allocated pool would move the
// daemon's pool cursor under the differential suite), nothing on the default bridge, no ephemeral
// host ports — so running beside the differential suite changes none of its observations.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { connectDocker } from '../../../src/docker/client';
import { unavailable } from '../../support/exclusions.mjs';
import { DockerApiError, UnreachableError, type DockerClient } from '../../../src/docker/types';

export const LIVE_LABEL = 'cnm-explorer.live-test';
export const LIVE_LABEL_ARG = `${LIVE_LABEL}=1`;
export const LIVE_LABELS = { [LIVE_LABEL]: '1' };
export const IMAGE = 'busybox:local';
export const SLEEP = ['sleep', '3600'];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function client(): DockerClient {
  return connectDocker(undefined, { timeoutMs: 30_000 });
}

/** Waits until dockerd answers (it may be restarting); false after `ms`. */
export async function daemonUp(c: DockerClient, ms = 45_000): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      await c.ping();
      return true;
    } catch {
      if (Date.now() > end) return false;
      await sleep(500);
    }
  }
}

let reachable: Promise<boolean> | null = null;

/**
 * Skips loudly outside CI when there is no dockerd; fails under CI (CI=true or CI=1). Waits up to 20 s once per
 * process (a restart by the differential suite takes a few seconds), then remembers the answer.
 */
export async function requireLive(t: TestContext, c: DockerClient): Promise<boolean> {
  reachable ??= daemonUp(c, 20_000);
  if ((await reachable) && (await daemonUp(c))) return true;
  unavailable(t, 'dockerd is not reachable at the current endpoint; the live-Docker tests need one (shared/docs/testing-offline.md)');
  return false;
}

export function daemonPid(): string | null {
  try {
    return readFileSync('/var/run/docker.pid', 'utf8').trim();
  } catch {
    return null;
  }
}

/** Names this test made (only these, and only when labelled, are removed). */
export class Made {
  readonly containers = new Set<string>();
  readonly networks = new Set<string>();
  constructor(readonly prefix: string) {}
  net(name: string): string {
    const n = `${this.prefix}${name}`;
    this.networks.add(n);
    return n;
  }
  ctr(name: string): string {
    const n = `${this.prefix}${name}`;
    this.containers.add(n);
    return n;
  }
}

export async function cleanUp(c: DockerClient, made: Made): Promise<void> {
  await daemonUp(c, 30_000);
  for (const name of made.containers) {
    try {
      const info = await c.inspectContainer(name);
      if (info.labels[LIVE_LABEL] === '1') await c.removeContainer(name, true);
    } catch (err) {
      if (!(err instanceof DockerApiError && err.status === 404)) console.warn(`cleanup: container ${name}: ${(err as Error).message}`);
    }
  }
  for (const name of made.networks) {
    try {
      const info = await c.inspectNetwork(name);
      if (info.labels[LIVE_LABEL] === '1') await c.removeNetwork(name);
    } catch (err) {
      if (!(err instanceof DockerApiError && err.status === 404)) console.warn(`cleanup: network ${name}: ${(err as Error).message}`);
    }
  }
}

/**
 * Runs a scenario; if it fails because dockerd restarted meanwhile (the differential suite does that),
 * cleans up and runs it again, up to 3 times. Always cleans up.
 */
export async function liveScenario(c: DockerClient, prefix: string, fn: (made: Made) => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await daemonUp(c);
    const pid = daemonPid();
    const made = new Made(`${prefix}${process.pid}-${attempt}-`);
    try {
      await fn(made);
      return;
    } catch (err) {
      // A daemon that is just coming back answers 500s ("failed to update store …") for a moment.
      const restarted = daemonPid() !== pid || err instanceof UnreachableError || (err instanceof DockerApiError && (err.status ?? 0) >= 500);
      if (!restarted || attempt >= 3) throw err;
      console.warn(`  (dockerd restarted during the scenario: ${(err as Error).message.split('\n')[0]}; attempt ${attempt + 1})`);
      await sleep(2000);
    } finally {
      await cleanUp(c, made);
    }
  }
}

/** The docker CLI (/usr/bin/docker, the daemon's release) as the independent witness. */
export function dockerCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/usr/bin/docker', args, { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

export async function dockerInspectJson(kind: 'network' | 'container', names: string[]): Promise<Record<string, unknown>[]> {
  const r = await dockerCli(kind === 'network' ? ['network', 'inspect', ...names] : ['inspect', '--type', 'container', ...names]);
  if (r.code !== 0) throw new Error(`docker inspect failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

/** What `cnm trace … --verify --json` prints: the prediction, the real probe beside it, and whether they agree. */
export interface VerifiedTraceJson {
  verdict: string;
  reason: string;
  fix?: string;
  hops: { node: string; action: string; detail: string }[];
  observed: { verdict: string; detail: string; command: string };
  agree: boolean;
  outcome: string;
  explanation: string;
}
