// What a command may touch: its output streams and the file system, passed in so tests can run
// commands in-process and the commands stay free of globals.
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from './errors';
import type { LoadedTopology } from '../topology';
import type { InspectResult, InspectService, TraceResult } from '../engine';
import type { VerifyRequest, VerifyResult } from '../live/verify';

export interface CliIo {
  out(text: string): void; // stdout: results only (with --json: nothing but the JSON)
  err(text: string): void; // stderr: notes and errors
  readFile(path: string): string;
  /** True when the path exists (file or directory); without it, only readable files count. */
  exists?(path: string): boolean;
  /** --daemon-version: the Docker release to model for FILE. */
  daemonVersion?: string;
  /** `--docker`: the live host's model stands in for FILE (see docker.ts); undefined = read FILE. */
  loadLive?(file: string): LoadedTopology | undefined;
  /**
   * `--docker` on a swarm node: the swarm as the manager reports it (services with their VIPs and tasks,
   * the nodes), given the engine's inspect of this daemon's containers; undefined when not in a swarm.
   */
  liveSwarm?(file: string, inspect: InspectResult): { services: InspectService[]; nodes: LiveNodeRow[]; manager: boolean } | undefined;
  /** `--docker`: runs the real probe for a predicted trace (`trace --verify`); undefined without a live host. */
  verify?(request: VerifyRequest, predicted: TraceResult): Promise<VerifyResult>;
}

/** A swarm node as `cnm inspect --docker` lists it (docker node ls). */
export interface LiveNodeRow {
  name: string;
  id: string;
  role: 'manager' | 'worker';
  address: string | null;
  availability: string;
  state: string;
  leader: boolean;
  engine_version: string | null;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readFile: (path) => readFileSync(path, 'utf8'),
  exists: (path) => existsSync(path),
};

/** Reads FILE, turning every file-system failure into one clear line. */
export function readTopologyFile(io: CliIo, file: string): string {
  try {
    return io.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new UsageError(`cannot read ${file}: ${why}`);
  }
}
