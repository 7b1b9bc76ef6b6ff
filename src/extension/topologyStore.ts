// The workspace's sources, each loaded (parsed and played on the engine) and kept current: topology
// files (*.cnm.yaml) and Compose projects (compose.yaml and its siblings, with the override, `.env`,
// `extends` and `include` files they read). An open document is read from the editor (unsaved edits
// included), re-loaded ~200 ms after typing stops; a closed file is read from disk and re-loaded when it
// changes there — for a Compose project, when any file it read or looked for changes. The tree and the
// diagrams listen to onDidChange.
import * as vscode from 'vscode';
import { loadTopology, type LoadedTopology } from '../topology';
import { COMPOSE_FILE_NAMES, composeProjects, isComposePath, loadComposeFiles, type ComposeLoad, type FileProbe } from './composeFiles';
import { composeEnvironment } from '../topology/compose';
import { buildSnapshot, type ElementIndex } from './diagramSnapshot';
import type { DiagramSnapshot } from '../protocol/diagram';
import { engineTracerFor } from './engineTracer';
import type { Tracer } from './tracing';

/** The glob of topology files, as package.json's language contribution names them. */
export const TOPOLOGY_GLOB = '**/*.cnm.{yaml,yml}';
/** Topology files and Compose projects' main files. */
export const SOURCE_GLOB = `**/{*.cnm.yaml,*.cnm.yml,${COMPOSE_FILE_NAMES.join(',')}}`;
const EXCLUDE_GLOB = '**/{node_modules,.git}/**';
export const RELOAD_DELAY_MS = 200;

export function isTopologyUri(uri: vscode.Uri): boolean {
  return /\.cnm\.ya?ml$/.test(uri.path);
}

/** A Compose file with one of the names `docker compose` finds by itself (the main file of a project). */
export function isComposeUri(uri: vscode.Uri): boolean {
  return isComposePath(uri.path);
}

/** A topology file or a Compose project's main file. */
export function isSourceUri(uri: vscode.Uri): boolean {
  return isTopologyUri(uri) || isComposeUri(uri);
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

  /** A Compose project (its names are Docker's; the file is not a topology file). */
  get isCompose(): boolean {
    return this instanceof ComposeSource;
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

/** A Compose project, loaded from its main file (the source's URI) and the files that file makes it read. */
export class ComposeSource extends TopologySource {
  constructor(uri: vscode.Uri, text: string, readonly project: ComposeLoad, revision: number, documentVersion: number | undefined) {
    super(uri, text, project.loaded, revision, documentVersion);
  }

  /** Every file the project was read from or looked for (POSIX paths, as in the source's URI). */
  dependsOn(path: string): boolean {
    return this.project.files.has(path);
  }
}

export class TopologyStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** A source was re-loaded (its text changed). */
  readonly onDidChange = this.changed.event;
  private readonly listChanged = new vscode.EventEmitter<void>();
  /** Files were added or removed. */
  readonly onDidChangeList = this.listChanged.event;
  private readonly presence = new vscode.EventEmitter<{ uri: vscode.Uri; exists: boolean }>();
  /** A source file was deleted on disk (a rename on disk is a delete and a create), or created again. */
  readonly onDidChangePresence = this.presence.event;
  private readonly written = new vscode.EventEmitter<vscode.Uri>();
  /** A source file was written on disk (created, saved, changed by another tool), open as a document or not. */
  readonly onDidWriteOnDisk = this.written.event;

  private uris: vscode.Uri[] | undefined;
  private readonly cache = new Map<string, TopologySource>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];
  private nextRevision = 1;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      this.changed,
      this.listChanged,
      this.presence,
      this.written,
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.reloadDependents(e.document.uri);
      }),
      // Closing an unsaved document: the file on disk is the truth again.
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.isDirty) this.reloadDependents(d.uri);
      }),
    );
    // A Compose project reads files of any name (the override, `.env`, included and extended files):
    // any change in the workspace that one of them is reloads the projects that read it.
    const anyFile = vscode.workspace.createFileSystemWatcher('**/*');
    const changedOnDisk = (uri: vscode.Uri) => {
      if (this.openDocument(uri)) return; // an open document reports its own changes
      for (const src of this.cache.values()) if (src instanceof ComposeSource && src.uri.path !== uri.path && src.dependsOn(uri.path)) this.reloadLater(src.uri);
    };
    this.disposables.push(anyFile, anyFile.onDidChange(changedOnDisk), anyFile.onDidCreate(changedOnDisk), anyFile.onDidDelete(changedOnDisk));
    const watcher = vscode.workspace.createFileSystemWatcher(SOURCE_GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => {
        this.listLater();
        this.presence.fire({ uri, exists: true });
        this.written.fire(uri);
      }),
      watcher.onDidDelete((uri) => {
        this.cache.delete(uri.toString());
        this.listLater();
        this.presence.fire({ uri, exists: false });
      }),
      // Changed on disk while not open (a checkout, another tool): an open document reports its own changes.
      watcher.onDidChange((uri) => {
        if (!this.openDocument(uri)) this.reloadLater(uri);
        this.written.fire(uri);
      }),
    );
  }

  /**
   * Every source of the workspace — topology files and Compose projects (per folder the file `docker
   * compose` would use there) — in path order so the tree does not reshuffle.
   */
  async list(): Promise<vscode.Uri[]> {
    if (!this.uris) {
      const found = await vscode.workspace.findFiles(SOURCE_GLOB, EXCLUDE_GLOB);
      const projects = new Set(composeProjects(found.filter(isComposeUri).map((u) => u.toString())));
      this.uris = found.filter((u) => isTopologyUri(u) || projects.has(u.toString())).sort((a, b) => a.path.localeCompare(b.path));
    }
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
    if (isComposeUri(uri)) return this.loadCompose(uri, doc);
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

  /** A Compose project: its main file and whatever that makes Compose read, from the editor or the disk. */
  private async loadCompose(uri: vscode.Uri, doc: vscode.TextDocument | undefined): Promise<TopologySource> {
    const key = uri.toString();
    const started = Date.now();
    const read = async (path: string): Promise<FileProbe> => {
      const at = uri.with({ path });
      const open = this.openDocument(at);
      if (open) return { exists: true, text: open.getText() };
      try {
        const stat = await vscode.workspace.fs.stat(at);
        if (stat.type & vscode.FileType.Directory) return { exists: true };
        return { exists: true, text: new TextDecoder().decode(await vscode.workspace.fs.readFile(at)) };
      } catch {
        return { exists: false };
      }
    };
    const env = composeEnvironment(process.env);
    let project: ComposeLoad;
    try {
      project = await loadComposeFiles(uri.path, read, { env });
    } catch (e) {
      // loadComposeFiles promises not to throw; if it does anyway, the project shows as unreadable.
      this.log.error(`loading ${uri.fsPath} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      project = await loadComposeFiles(uri.path, async () => ({ exists: false }));
    }
    const text = project.files.get(uri.path)?.text ?? '';
    const previous = this.cache.get(key);
    if (previous instanceof ComposeSource && previous.project.fingerprint === project.fingerprint) {
      if (doc && previous.documentVersion !== doc.version) {
        const same = new ComposeSource(uri, text, previous.project, previous.revision, doc.version);
        this.cache.set(key, same);
        return same;
      }
      return previous;
    }
    const source = new ComposeSource(uri, text, project, this.nextRevision++, doc?.version);
    this.cache.set(key, source);
    this.log.debug(`loaded Compose project ${vscode.workspace.asRelativePath(uri)} (${project.files.size} files looked at, revision ${source.revision}) in ${Date.now() - started} ms`);
    if (previous) this.changed.fire(uri);
    return source;
  }

  /** A document changed: reload the source it is, and every Compose project that read it. */
  private reloadDependents(uri: vscode.Uri): void {
    if (isSourceUri(uri)) this.reloadLater(uri);
    for (const src of this.cache.values()) {
      if (src instanceof ComposeSource && src.uri.toString() !== uri.toString() && src.uri.scheme === uri.scheme && src.dependsOn(uri.path)) this.reloadLater(src.uri);
    }
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
