// The connection manager: one LiveHost (snapshot + Docker's event stream) per configured endpoint —
// the default one and the `cnm.docker.hosts` setting's — kept current, reconnecting with backoff when
// a host goes away, and following the setting. Nothing here blocks: hosts connect in the background and
// say what they are doing through `status` and onDidChange.
import * as vscode from 'vscode';
import { connectDocker, resolveEndpoint, resolveNodeEndpoint, type DockerClient } from '../../docker';
import type { NodeEndpoint } from '../../live';
import { configuredHosts, endpointUrl, type ConfiguredHost, type EndpointResolver } from './endpoints';
import { LiveHostConnection as Connection, REQUEST_TIMEOUT_MS } from './liveHostConnection';
import type { LiveHostEntry, LiveHostsApi } from './liveHostsApi';
import { isLiveUri, liveKeyOf, liveSourceOf, type LiveTopologySource } from './liveSource';

/** A host of the extension: its source is a LiveTopologySource. */
export type LiveHostConnection = Connection<LiveTopologySource>;

const READ_HOST_OVER_SSH = 'cnm.live.readHostOverSsh';

const SWARM_NODES = 'cnm.live.swarmNodes';

/** The swarm's node daemons read beside a manager (endpoints as the CLI's --docker-node takes them). */
function swarmNodesSetting(): string[] {
  const v = vscode.workspace.getConfiguration().get<unknown>(SWARM_NODES, []);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()) : [];
}

/** A node endpoint as written: a client (the request deadline of a host), or why it cannot be used (a missing context). */
function connectNode(text: string): NodeEndpoint {
  const ep = resolveNodeEndpoint(text);
  return { client: connectDocker(ep, { timeoutMs: REQUEST_TIMEOUT_MS }), host: 'host' in ep && typeof ep.host === 'string' ? ep.host : null };
}

/** The user's consent to read ssh hosts' rules, routes and sysctls over ssh (off by default). */
function readHostOverSshSetting(): boolean {
  return vscode.workspace.getConfiguration().get<boolean>(READ_HOST_OVER_SSH, false) === true;
}

export interface LiveHostsOptions {
  log: vscode.LogOutputChannel;
  /** How endpoints are resolved (default: src/docker's, from the environment and the docker CLI's contexts). */
  resolve?: EndpointResolver;
  /** How a client is made (default: dockerode through connectDocker). */
  connect?: (host: ConfiguredHost) => DockerClient;
}

export class LiveHosts implements LiveHostsApi, vscode.Disposable {
  private readonly entries = new Map<string, LiveHostConnection>();
  private readonly changed = new vscode.EventEmitter<LiveHostEntry>();
  readonly onDidChange = this.changed.event;
  private readonly listChanged = new vscode.EventEmitter<void>();
  /** Hosts were added or removed (the setting changed). */
  readonly onDidChangeList = this.listChanged.event;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly resolve: EndpointResolver;
  private readonly connect: (host: ConfiguredHost) => DockerClient;

  constructor(private readonly o: LiveHostsOptions) {
    this.resolve = o.resolve ?? ((explicit) => resolveEndpoint(explicit));
    this.connect = o.connect ?? ((host) => connectDocker('error' in host.endpoint ? undefined : host.endpoint, { timeoutMs: REQUEST_TIMEOUT_MS }));
    this.disposables.push(
      this.changed,
      this.listChanged,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('cnm.docker.hosts')) this.reload();
        // Allowed or withdrawn: ssh hosts are read again, with or without their own rules.
        // Nodes given or taken away: every manager is read again, with or without them.
        if (e.affectsConfiguration(SWARM_NODES)) for (const entry of this.entries.values()) if (entry.state?.snapshot.swarm?.manager) void entry.refresh().catch(() => undefined);
        if (e.affectsConfiguration(READ_HOST_OVER_SSH)) for (const entry of this.entries.values()) if ('kind' in entry.config.endpoint && entry.config.endpoint.kind === 'ssh') void entry.refresh().catch(() => undefined);
      }),
    );
  }

  list(): readonly LiveHostConnection[] {
    return [...this.entries.values()];
  }

  get(key: string): LiveHostConnection | undefined {
    return this.entries.get(key);
  }

  /** The host a `cnm-live:` URI names. */
  byUri(uri: vscode.Uri): LiveHostConnection | undefined {
    return isLiveUri(uri) ? this.entries.get(liveKeyOf(uri)) : undefined;
  }

  /** Reads the configuration and starts or stops hosts to match it (returns at once; hosts connect in the background). */
  reload(): void {
    const wanted = configuredHosts(this.resolve, vscode.workspace.getConfiguration('cnm').get<unknown>('docker.hosts', []));
    let listChanged = false;
    const keep = new Set(wanted.map((h) => h.key));
    for (const [key, entry] of this.entries) {
      const w = wanted.find((h) => h.key === key);
      // Gone from the setting, or now resolving elsewhere (DOCKER_CONTEXT changed): start afresh.
      if (!keep.has(key) || (w && JSON.stringify(w) !== JSON.stringify(entry.config))) {
        entry.stop();
        this.entries.delete(key);
        this.o.log.info(`Docker host ${entry.label}: no longer shown`);
        listChanged = true;
      }
    }
    const ordered = new Map<string, LiveHostConnection>();
    for (const host of wanted) {
      let entry = this.entries.get(host.key);
      if (!entry) {
        entry = new Connection<LiveTopologySource>(host, { log: this.o.log, changed: (e) => this.changed.fire(e), connect: this.connect, buildSource: liveSourceOf, readHostOverSsh: readHostOverSshSetting, swarmNodes: swarmNodesSetting, connectNode });
        this.o.log.info(`Docker host ${host.label}: connecting to ${'error' in host.endpoint ? host.key : endpointUrl(host.endpoint)}`);
        entry.start();
        listChanged = true;
      }
      ordered.set(host.key, entry);
    }
    this.entries.clear();
    for (const [k, v] of ordered) this.entries.set(k, v);
    if (listChanged) this.listChanged.fire();
  }

  /** `cnm.refresh`: the configuration again (a context may have changed), then every host read afresh. */
  async refreshAll(): Promise<void> {
    this.reload();
    await Promise.all(this.list().map((e) => e.refresh().catch((err: unknown) => this.o.log.warn(`Docker host ${e.label}: refresh failed: ${err instanceof Error ? err.message : String(err)}`))));
  }

  dispose(): void {
    for (const e of this.entries.values()) e.stop();
    this.entries.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
