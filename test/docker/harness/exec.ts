// Running the docker CLI (and a few host tools) as child processes: always execFile-style argument
// lists, never a shell string, and always with a time bound so a hung daemon fails a test instead of
// hanging the suite.
import { mainDockerCli, run, type RunOptions, type RunResult } from '../../../src/lab/exec';

export { run, type RunOptions, type RunResult } from '../../../src/lab/exec';

/**
 * The docker CLI to use. Debian's docker.io ships a 20.10 CLI in /usr/bin beside the 20.10 daemon; a newer
 * CLI earlier in PATH checks some things differently (and words errors differently), so the suite prefers
 * the CLI of the daemon's own release. CNM_DOCKER_CLI overrides.
 */
export const dockerCli = mainDockerCli;

/**
 * The daemon the harness talks to when it is not the main dockerd: a lab host (harness/lab.ts) with the
 * CLI of its release, an environment naming its socket, and the network namespace where its bridges,
 * veths and iptables live (so host-side observations are made there).
 */
export interface DockerTarget {
  /** For messages: "lab host node1 (Docker 26.1)". */
  label: string;
  cli: string;
  /** The CLI's environment (DOCKER_HOST set). */
  env: NodeJS.ProcessEnv;
  /** /run/netns/NAME: host tools (ip, iptables-save) run there. */
  netnsPath: string;
  /** The daemon's --dns servers, in order. */
  dnsServers: string[];
}

let target: DockerTarget | undefined;

/** Points docker() and hostRun() at a lab host's daemon (undefined: back to the main dockerd). */
export function useDockerTarget(t: DockerTarget | undefined): void {
  target = t;
}

export function dockerTarget(): DockerTarget | undefined {
  return target;
}

export function docker(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  if (target) return run(target.cli, args, { ...opts, env: opts.env ?? target.env });
  return run(dockerCli(), args, opts);
}

/** A host tool (ip, iptables-save, node) in the namespace where the daemon's devices live. */
export function hostRun(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  if (target) return run('nsenter', [`--net=${target.netnsPath}`, '--', file, ...args], opts);
  return run(file, args, opts);
}

/** docker, failing loudly when the command fails: for steps the harness itself relies on. */
export async function dockerOk(args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await docker(args, opts);
  if (r.code !== 0) {
    throw new Error(`docker ${args.join(' ')} failed (${r.timedOut ? 'timed out' : `exit ${r.code}`}): ${r.stderr.trim()}`);
  }
  return r.stdout;
}
