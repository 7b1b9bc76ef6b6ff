// The real dockerd as the UI tests that read a live host use it: the daemon's own docker CLI, and the
// clean-up of what such a test made (only when it carries the live-test label).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const LIVE_LABEL = 'cnm-explorer.live-test=1';
/** The docker CLI of the daemon's own release when installed (as the Docker tier uses), else the PATH's. */
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

export function docker(args: string[]): string {
  return execFileSync(DOCKER, args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The daemon's version (e.g. 20.10.24), or '' when no dockerd answers. */
export function dockerServerVersion(): string {
  try {
    return /^(\d+\.\d+\.\d+)/.exec(docker(['version', '--format', '{{.Server.Version}}']))?.[1] ?? '';
  } catch {
    return '';
  }
}

/** Removes a test's container and network, each only when it carries the live-test label. */
export function removeLabelled(container: string, network: string): void {
  const steps: [string[], string[]][] = [
    [['inspect', '--type', 'container', '--format', '{{index .Config.Labels "cnm-explorer.live-test"}}', container], ['rm', '-f', container]],
    [['network', 'inspect', '--format', '{{index .Labels "cnm-explorer.live-test"}}', network], ['network', 'rm', network]],
  ];
  for (const [check, remove] of steps) {
    try {
      if (docker(check) === '1') docker(remove);
    } catch {
      // not there
    }
  }
}
