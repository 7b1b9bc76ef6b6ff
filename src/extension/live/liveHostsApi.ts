// The contract between the live-Docker parts of the extension: the connection manager (which keeps one
// LiveHost per configured Docker endpoint and shows it in the status bar and the tree) and the commands
// that change a host, import it, compare it with a file or apply a file to it.
import type * as vscode from 'vscode';
import type { DockerClient } from '../../docker';
import type { LiveState } from '../../live';

export type LiveConnectionStatus =
  | { kind: 'connecting' }
  | { kind: 'connected'; version?: string }
  /** The host did not answer; the next attempt is at `retryAt` (epoch ms), with backoff. */
  | { kind: 'unreachable'; message: string; retryAt: number };

export interface LiveHostEntry {
  /** Stable for the session: the endpoint as written (e.g. `unix:///var/run/docker.sock`, `ssh://user@box`). */
  readonly key: string;
  /** What the user sees: the context or endpoint name. */
  readonly label: string;
  readonly client: DockerClient;
  readonly status: LiveConnectionStatus;
  /** The latest snapshot and the engine built from it; undefined until the first snapshot. */
  readonly state: LiveState | undefined;
  /** Read the whole host again now (after an action, so the tree does not wait for the event). */
  refresh(): Promise<void>;
}

export interface LiveHostsApi {
  list(): readonly LiveHostEntry[];
  get(key: string): LiveHostEntry | undefined;
  /** Fires when a host's status or state changed (the tree, diagrams and drift diagnostics follow). */
  readonly onDidChange: vscode.Event<LiveHostEntry>;
}

/**
 * contextValue of the live tree nodes (menus in package.json select on these). A TreeNode for a live
 * item carries `liveHost` (the entry's key) and, where it applies, `network` / `container` names.
 */
export const LIVE_CONTEXT = {
  host: 'live.host',
  network: 'live.network',
  /** bridge, host, none: Docker refuses to remove them. */
  builtinNetwork: 'live.network.builtin',
  endpoint: 'live.endpoint',
  container: 'live.container',
  /** The Networks and Containers groups under a host. */
  networks: 'live.networks',
  containers: 'live.containers',
  /** A container's published port, shared namespace, listening ports. */
  port: 'live.port',
  namespace: 'live.namespace',
  listening: 'live.listening',
  /** The one child of a host that cannot be read: why. */
  message: 'live.message',
  /** Containers grouped by their `com.docker.compose.project` and `com.docker.compose.service` labels. */
  composeProject: 'live.compose.project',
  composeService: 'live.compose.service',
} as const;
