// The workspace's topology files, each loaded (parsed and played on the engine) and kept current: an
// open document is read from the editor (unsaved edits included), re-loaded ~200 ms after typing
// stops; a closed file is read from disk and re-loaded when it changes there. The tree and the
// diagrams listen to onDidChange.
import * as vscode from 'vscode';
import { loadTopology, type LoadedTopology } from '../topology';
import { buildSnapshot, type ElementIndex } from './diagramSnapshot';
import type { DiagramSnapshot } from '../protocol/diagram';
import { engineTracerFor } from './engineTracer';
import type { Tracer } from './tracing';

/** The glob of topology files, as package.json's language contribution names them. */
export const TOPOLOGY_GLOB = '**/*.cnm.{yaml,yml}';
const EXCLUDE_GLOB = '**/{node_modules,.git}/**';
export const RELOAD_DELAY_MS = 200;

export function isTopologyUri(uri: vscode.Uri): boolean {
  return /\.cnm\.ya?ml$/.test(uri.path);
}

/** One topology file, loaded. Replaced (not mutated) on every change, with a higher revision. */
export class TopologySource {
  private built?: { snapshot: DiagramSnapshot; index: ElementIndex };
  private tracerFn?: Tracer;

  constructor(
    readonly uri: vscode.Uri,
    private readonly sourceText: string,
    readonly loaded: LoadedTopology,
    readonly revision: number,
    /** The editor document's version the text came from (undefined: read from disk). */
    readonly documentVersion: number | undefined,
  ) {}

  /** The topology text the source was loaded from. */
  get text(): string {
    return this.sourceText;
  }

  get fileName(): string {
    return this.uri.path.slice(this.uri.path.lastIndexOf('/') + 1);
  }

  get errors(): number {
    return this.loaded.diagnostics.filter((d) => d.severity === 'error').length;
  }

  get warnings(): number {
    return this.loaded.diagnostics.filter((d) => d.severity === 'warning').length;
  }

  /** Read from a live Docker host rather than from a file. */
  get isLive(): boolean {
    return false;
  }

  /** The diagram's picture of this source and the index trace hops are mapped with (built once). */
  diagram(): { snapshot: DiagramSnapshot; index: ElementIndex } {
    if (!this.built) {
      this.built = buildSnapshot(this.loaded.engine.state, this.fileName, { errors: this.errors, warnings: this.warnings });
      if (this.isLive) this.built.snapshot.live = true;
    }
    return this.built;
  }

  /** The packet tracer over this source (its caches live as long as the source). */
  tracer(): Tracer {
    this.tracerFn ??= engineTracerFor(this.loaded.spec);
    return this.tracerFn;
  }

  /** The first host: where new networks and containers go unless the user picks another. */
  get firstHost(): string {
    return this.loaded.spec.hosts[0]?.name ?? 'host1';
  }
}

export class TopologyStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** A source was re-loaded (its text changed). */
  readonly onDidChange = this.changed.event;
  private readonly listChanged = new vscode.EventEmitter<void>();
  /** Files were added or removed. */
  readonly onDidChangeList = this.listChanged.event;

  private uris: vscode.Uri[] | undefined;
  private readonly cache = new Map<string, TopologySource>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];
  private nextRevision = 1;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      this.changed,
      this.listChanged,
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (isTopologyUri(e.document.uri) && e.contentChanges.length > 0) this.reloadLater(e.document.uri);
      }),
      // Closing an unsaved document: the file on disk is the truth again.
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (isTopologyUri(d.uri) && d.isDirty) this.reloadLater(d.uri);
      }),
    );
    const watcher = vscode.workspace.createFileSystemWatcher(TOPOLOGY_GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.listLater()),
      watcher.onDidDelete((uri) => {
        this.cache.delete(uri.toString());
        this.listLater();
      }),
      // Changed on disk while not open (a checkout, another tool): an open document reports its own changes.
      watcher.onDidChange((uri) => {
        if (!this.openDocument(uri)) this.reloadLater(uri);
      }),
    );
  }

  /** Every topology file of the workspace, in path order so the tree does not reshuffle. */
  async list(): Promise<vscode.Uri[]> {
    this.uris ??= (await vscode.workspace.findFiles(TOPOLOGY_GLOB, EXCLUDE_GLOB)).sort((a, b) => a.path.localeCompare(b.path));
    return this.uris;
  }

  /** Forget the file list (a file may have appeared that the watcher has not told about yet). */
  relist(): void {
    this.uris = undefined;
    this.listChanged.fire();
  }

  /** Forget the file list and every loaded file; the next reads load afresh. */
  invalidate(): void {
    this.uris = undefined;
    this.cache.clear();
    this.listChanged.fire();
  }

  /** The loaded source, current with the editor's text. */
  async get(uri: vscode.Uri): Promise<TopologySource> {
    const key = uri.toString();
    const doc = this.openDocument(uri);
    const cached = this.cache.get(key);
    if (cached && (!doc || cached.documentVersion === doc.version) && !this.pending.has(key)) return cached;
    return this.load(uri);
  }

  /** The loaded source if it is in memory already (no I/O): for synchronous lookups. */
  peek(uri: vscode.Uri): TopologySource | undefined {
    return this.cache.get(uri.toString());
  }

  /** Load now (cancelling a pending debounced load) and tell listeners. */
  async load(uri: vscode.Uri): Promise<TopologySource> {
    const key = uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.delete(key);
    const doc = this.openDocument(uri);
    let text: string;
    try {
      text = doc ? doc.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch (e) {
      this.log.warn(`cannot read ${uri.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
      text = '';
    }
    const previous = this.cache.get(key);
    if (previous && previous.text === text) {
      if (doc && previous.documentVersion !== doc.version) {
        const same = new TopologySource(uri, text, previous.loaded, previous.revision, doc.version);
        this.cache.set(key, same);
        return same;
      }
      return previous;
    }
    const started = Date.now();
    let loaded: LoadedTopology;
    try {
      loaded = loadTopology(text);
    } catch (e) {
      // loadTopology promises not to throw; if it does anyway, show an empty topology, not a broken tree.
      this.log.error(`loading ${uri.fsPath} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      loaded = loadTopology('');
    }
    const source = new TopologySource(uri, text, loaded, this.nextRevision++, doc?.version);
    this.cache.set(key, source);
    this.log.debug(`loaded ${vscode.workspace.asRelativePath(uri)} (revision ${source.revision}) in ${Date.now() - started} ms`);
    // Only a change is news: a first load happens because someone asked for it.
    if (previous) this.changed.fire(uri);
    return source;
  }

  private reloadLater(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(key, setTimeout(() => {
      this.pending.delete(key);
      void this.load(uri);
    }, RELOAD_DELAY_MS));
  }

  private listTimer: ReturnType<typeof setTimeout> | undefined;
  /** A checkout can add or remove many files at once: one refresh after they settle. */
  private listLater(): void {
    clearTimeout(this.listTimer);
    this.listTimer = setTimeout(() => {
      this.uris = undefined;
      this.listChanged.fire();
    }, 150);
  }

  private openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
    const key = uri.toString();
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
  }

  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    clearTimeout(this.listTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
