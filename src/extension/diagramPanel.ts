// The topology diagram: one webview panel per source. The extension host owns the state — it sends
// snapshots with revisions, answers trace requests, saves exported SVGs — and the webview renders.
// Every message from the webview is validated (src/protocol) before anything is done with it.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { isDiagramViewState, isWebviewMessage, PROTOCOL_VERSION, type DiagramViewState, type HostMessage, type ResolveRequestMessage, type TraceRequestMessage, type WebviewMessage } from '../protocol/messages';
import { resolveFrom } from './nameResolution';
import type { TraceView } from '../protocol/trace';
import { snapshotIds } from '../protocol/diagram';
import { parseElementId } from './elementIds';
import type { TopologySource } from './topologyStore';
import { isLiveUri } from './live/liveSource';
import type { SourceStore } from './live/sourceStore';
import { destinationOf, traceForDiagram } from './tracing';
import { diagramHtml, makeNonce } from './webviewHtml';

export const DIAGRAM_VIEW_TYPE = 'cnm.diagram';
/** Traces computed per message when the webview asks for many (the first hover should not wait for all). */
const TRACE_BATCH = 40;
/** A file created this soon after one with a diagram was deleted, with its text, is where it was moved. */
const RENAME_WINDOW_MS = 3000;

export interface DiagramHooks {
  extensionUri: vscode.Uri;
  /** Topology files and live Docker hosts (`cnm-live:` URIs) alike. */
  store: SourceStore;
  log: vscode.LogOutputChannel;
  /** The user selected an element in the diagram. */
  onSelected(uri: vscode.Uri, elementId: string | null): void;
  /** The user asked to see an element in the file. */
  onReveal(uri: vscode.Uri, elementId: string): void;
  /** The user asked for the rule that decided a trace hop (the rules view). */
  onShowRule?(uri: vscode.Uri, at: { host: string; table: string; chain: string; rule: string | null }): void;
  /** Where each source's grouping and zoom are kept between openings and reloads (the workspace state). */
  viewStates?: Pick<vscode.Memento, 'get' | 'update'>;
}

/** The key under which a source's diagram view state is kept. */
export function viewStateKey(uri: vscode.Uri): string {
  return `cnm.diagram.view:${uri.toString()}`;
}

/** What the extension-host tests can see of a panel. */
export interface DiagramPanelState {
  uri: string;
  ready: boolean;
  revision: number;
  selection: string | null;
  visible: boolean;
  lastTrace?: TraceView;
  ignoredMessages: number;
  /** The file is gone from disk (deleted, or renamed outside VS Code): the title says so. */
  stale: boolean;
  /** The panel's title, as the tab shows it. */
  title: string;
  /** The grouping and zoom kept for this source (see DiagramViewState). */
  viewState?: DiagramViewState;
}

export class DiagramPanel implements vscode.Disposable {
  private ready = false;
  private revision = 0;
  private selection: string | null = null;
  private lastTrace?: TraceView;
  private shownTrace?: { source: string; target: string | null; trace: TraceView };
  private ignored = 0;
  private batchToken = 0;
  private gone = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidClose = this.closed.event;

  /** The text of the last picture sent: a file renamed on disk is recognised by it (DiagramPanels). */
  private lastText: string | undefined;
  /**
   * The file's text on disk as last seen. With the file open as a document the picture is the editor's
   * text, which differs from the disk's while unsaved and lags it after another tool writes the file:
   * a file renamed on disk is recognised by either.
   */
  private diskText: string | undefined;
  /** When the file went away (0: it is there). */
  private goneAt = 0;
  private current: vscode.Uri;

  constructor(uri: vscode.Uri, readonly panel: vscode.WebviewPanel, private readonly hooks: DiagramHooks) {
    this.current = uri;
    const webview = panel.webview;
    webview.options = {
      enableScripts: true,
      // Only what the page loads: the bundles and codicons in dist/, the stylesheet in media/.
      localResourceRoots: [vscode.Uri.joinPath(hooks.extensionUri, 'dist'), vscode.Uri.joinPath(hooks.extensionUri, 'media')],
    };
    panel.iconPath = vscode.Uri.joinPath(hooks.extensionUri, 'media', 'cnm.svg');
    const asUri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(hooks.extensionUri, ...p)).toString();
    const name = isLiveUri(uri) ? hooks.store.live.byUri(uri)?.label ?? 'Docker host' : uri.path.slice(uri.path.lastIndexOf('/') + 1);
    webview.html = diagramHtml({
      cspSource: webview.cspSource,
      script: asUri('dist', 'webview.js'),
      elements: asUri('dist', 'vscode-elements.js'),
      codicons: asUri('dist', 'codicons', 'codicon.css'),
      stylesheet: asUri('media', 'diagram.css'),
      nonce: makeNonce((n) => randomBytes(n)),
    }, `Diagram: ${name}`);
    this.disposables.push(
      this.closed,
      webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
      hooks.store.onDidChange((changed) => {
        if (changed.toString() === this.uri.toString()) void this.sendSnapshot();
      }),
      // Deleted on disk (or renamed outside VS Code: a delete and a create): the picture is of a file that
      // is no longer there, and the title says so until the file comes back.
      hooks.store.onDidChangePresence(({ uri: changed, exists }) => {
        if (changed.toString() !== this.uri.toString()) return;
        this.gone = !exists;
        this.goneAt = exists ? 0 : Date.now();
        hooks.log.info(`diagram of ${vscode.workspace.asRelativePath(this.uri)}: ${exists ? 'the file is back' : 'the file was deleted or moved on disk; the diagram is stale'}`);
        this.panel.title = this.title(this.panel.title.replace(/^Diagram: /, '').replace(/ \(deleted on disk\)$/, ''));
        if (exists) void this.sendSnapshot(true);
      }),
      // Written on disk (saved, or by another tool): what the file holds there, even while it is open.
      hooks.store.onDidWriteOnDisk((changed) => {
        if (changed.toString() === this.uri.toString()) void this.readDisk();
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (doc.uri.toString() === this.uri.toString()) this.diskText = doc.getText();
      }),
      // A live host's picture follows Docker's events.
      hooks.store.onDidChangeLive((changed) => {
        if (changed.toString() === this.uri.toString()) void this.sendSnapshot();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('cnm.diagram.theme')) this.sendTheme();
      }),
    );
    void this.readDisk();
    // The picture is made while the page loads: it is posted on 'ready', the page's first message, and a
    // big topology's read and snapshot take as long as the page does to load (diagram() keeps it).
    void hooks.store.get(uri).then((src) => src.diagram(), () => undefined);
  }

  /** Reads the file's text on disk (a file's diagram only; a file that cannot be read keeps what was seen). */
  private async readDisk(): Promise<void> {
    const at = this.uri;
    if (isLiveUri(at)) return;
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(at));
      if (at.toString() === this.uri.toString()) this.diskText = text;
    } catch {
      // Gone meanwhile (deleted, renamed): the text seen before is what it is recognised by.
    }
  }

  /** The source shown (a file's diagram follows the file when it is renamed). */
  get uri(): vscode.Uri {
    return this.current;
  }

  /** The file went away within the last `ms` with this text: a file just created with it is where it went. */
  goneWith(text: string, ms: number): boolean {
    return this.gone && Date.now() - this.goneAt <= ms && (this.lastText === text || this.diskText === text);
  }

  /** The file was renamed (in VS Code, or on disk): the diagram shows the new name and follows its edits. */
  moveTo(uri: vscode.Uri): void {
    this.hooks.log.info(`diagram of ${vscode.workspace.asRelativePath(this.current)}: the file was renamed to ${vscode.workspace.asRelativePath(uri)}; the diagram follows it`);
    this.current = uri;
    this.gone = false;
    this.goneAt = 0;
    this.diskText = undefined;
    void this.readDisk();
    this.panel.title = this.title(uri.path.slice(uri.path.lastIndexOf('/') + 1));
    void this.sendSnapshot(true);
  }

  get state(): DiagramPanelState {
    const s: DiagramPanelState = { uri: this.uri.toString(), ready: this.ready, revision: this.revision, selection: this.selection, visible: this.panel.visible, ignoredMessages: this.ignored, stale: this.gone, title: this.panel.title };
    if (this.lastTrace) s.lastTrace = this.lastTrace;
    const kept = this.viewState;
    if (kept) s.viewState = kept;
    return s;
  }

  /** The grouping and zoom kept for this source, if any (and well-formed: the store may hold an older shape). */
  get viewState(): DiagramViewState | undefined {
    const kept: unknown = this.hooks.viewStates?.get(viewStateKey(this.uri));
    return isDiagramViewState(kept) ? kept : undefined;
  }

  /** Select an element because the user selected it in the tree. */
  select(elementId: string | null): void {
    this.selection = elementId;
    this.post({ protocol: PROTOCOL_VERSION, type: 'select', id: elementId });
  }

  /** Show a trace computed elsewhere (the Trace From Here command). */
  async showTrace(sourceId: string, targetId: string | null, trace: TraceView): Promise<void> {
    await this.sendSnapshot();
    this.lastTrace = trace;
    // A panel opened for this trace is not ready yet: 'ready' shows it again (a message before then is lost).
    this.shownTrace = { source: sourceId, target: targetId, trace };
    this.post({ protocol: PROTOCOL_VERSION, type: 'showTrace', revision: this.revision, source: sourceId, target: targetId, trace });
  }

  /** Handles a message as if the webview had sent it (the extension-host tests use this for bad input). */
  receive(message: unknown): void {
    if (!isWebviewMessage(message)) {
      this.ignored++;
      this.hooks.log.warn(`diagram: ignored a malformed message from the webview: ${preview(message)}`);
      return;
    }
    void this.handle(message).catch((e) => this.hooks.log.error(`diagram: ${message.type} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
  }

  private async handle(m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready': {
        this.ready = true;
        this.sendTheme();
        // The grouping and zoom the user left this source's diagram with, before the first picture.
        const kept = this.viewState;
        if (kept) this.post({ protocol: PROTOCOL_VERSION, type: 'viewState', state: kept });
        await this.sendSnapshot(true);
        if (this.selection) this.select(this.selection);
        if (this.shownTrace) this.post({ protocol: PROTOCOL_VERSION, type: 'showTrace', revision: this.revision, ...this.shownTrace });
        return;
      }
      case 'saveViewState':
        await this.hooks.viewStates?.update(viewStateKey(this.uri), m.state);
        return;
      case 'selected': {
        const src = await this.hooks.store.get(this.uri);
        if (m.id !== null && !snapshotIds(src.diagram().snapshot).has(m.id)) {
          this.hooks.log.warn(`diagram: selection of an unknown element ignored: ${m.id}`);
          return;
        }
        this.selection = m.id;
        this.hooks.onSelected(this.uri, m.id);
        return;
      }
      case 'trace':
        return this.answerTrace(m);
      case 'resolve':
        return this.answerResolve(m);
      case 'showRule': {
        const src = await this.hooks.store.get(this.uri);
        if (!src.loaded.engine.state.hosts.has(m.host)) {
          this.hooks.log.warn(`diagram: rules of an unknown host ignored: ${m.host}`);
          return;
        }
        this.hooks.onShowRule?.(this.uri, { host: m.host, table: m.table, chain: m.chain, rule: m.rule });
        return;
      }
      case 'exportSvg':
        return this.exportSvg(m.requestId, m.svg);
      case 'reveal':
        if (parseElementId(m.id)) this.hooks.onReveal(this.uri, m.id);
        return;
      case 'log':
        this.hooks.log[m.level === 'error' ? 'error' : m.level === 'warn' ? 'warn' : 'info'](`diagram webview: ${m.message}`);
        return;
    }
  }

  private title(fileName: string): string {
    return isLiveUri(this.uri) ? `Diagram: ${fileName} (Docker)` : `Diagram: ${fileName}${this.gone ? ' (deleted on disk)' : ''}`;
  }

  private sendTheme(): void {
    const theme = vscode.workspace.getConfiguration('cnm').get<string>('diagram.theme', 'auto');
    this.post({ protocol: PROTOCOL_VERSION, type: 'theme', theme: theme === 'light' || theme === 'dark' ? theme : 'auto' });
  }

  /** Sends the source's picture if it changed. Never throws: a live host that cannot be read keeps its last picture. */
  private async sendSnapshot(force = false): Promise<void> {
    let src: TopologySource;
    try {
      src = await this.hooks.store.get(this.uri);
    } catch (e) {
      this.hooks.log.debug(`diagram: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (!force && src.revision === this.revision) return;
    this.revision = src.revision;
    this.lastText = isLiveUri(this.uri) ? undefined : src.text;
    if (!isLiveUri(this.uri) && src.documentVersion === undefined) this.diskText = src.text;
    this.panel.title = this.title(src.fileName);
    this.post({ protocol: PROTOCOL_VERSION, type: 'snapshot', revision: src.revision, snapshot: src.diagram().snapshot, file: this.uri.toString() });
  }

  private async answerTrace(m: TraceRequestMessage): Promise<void> {
    const src = await this.hooks.store.get(this.uri);
    const token = m.targets.length > 1 ? ++this.batchToken : this.batchToken;
    const reply = (results: { target: string; trace: TraceView | null; error?: string }[], done: boolean) =>
      this.post({ protocol: PROTOCOL_VERSION, type: 'traceResults', requestId: m.requestId, revision: src.revision, results, done });
    if (m.revision !== src.revision) {
      // The webview traced an older picture: it gets the new one and asks again.
      reply(m.targets.map((target) => ({ target, trace: null, error: 'stale' })), true);
      return;
    }
    const tracer = src.tracer();
    const source = parseElementId(m.source);
    if (!source || (source.kind !== 'container' && source.kind !== 'host')) {
      reply(m.targets.map((target) => ({ target, trace: null, error: 'Pick a container or a host as the source.' })), true);
      return;
    }
    const from = source.kind === 'container' ? source.container : source.host;
    const { snapshot, index } = src.diagram();
    for (let i = 0; i < m.targets.length; i += TRACE_BATCH) {
      if (m.targets.length > 1 && token !== this.batchToken) return; // a newer batch replaced this one
      const results = m.targets.slice(i, i + TRACE_BATCH).map((target) => {
        const dest = destinationOf(snapshot, target, m.targetBy);
        if ('error' in dest) return { target, trace: null, error: dest.error };
        const proto = dest.proto ?? m.proto;
        const port = proto === 'icmp' ? undefined : m.port ?? dest.defaultPort ?? 80;
        const r = traceForDiagram(tracer, src.loaded.engine.state, index, { host: source.host, from, to: dest.to, proto, ...(port !== undefined ? { port } : {}) });
        return 'error' in r ? { target, trace: null, error: r.error } : { target, trace: r.trace };
      });
      const last = i + TRACE_BATCH >= m.targets.length;
      const shown = results.find((r) => r.trace);
      if (m.targets.length === 1 && shown?.trace) this.lastTrace = shown.trace;
      reply(results, last);
      if (!last) await new Promise((r) => setTimeout(r, 0));
    }
  }

  /** What the trace source resolves names to; a stale revision or a source that is not a container gets an error per name. */
  private async answerResolve(m: ResolveRequestMessage): Promise<void> {
    const src = await this.hooks.store.get(this.uri);
    const source = parseElementId(m.source);
    const fail = (error: string) => m.names.map((name) => ({ name, addresses: [], dns: [], how: '', error }));
    const results = m.revision !== src.revision ? fail('stale')
      : !source || source.kind !== 'container' ? fail('name resolution starts in a container: pick one as the trace source')
        : m.names.map((name) => resolveFrom(src.loaded.engine.state, src.tracer(), source.host, source.container, name));
    this.post({ protocol: PROTOCOL_VERSION, type: 'resolved', requestId: m.requestId, revision: src.revision, source: m.source, results });
  }

  private async exportSvg(requestId: number, svg: string): Promise<void> {
    const live = isLiveUri(this.uri) ? this.hooks.store.live.byUri(this.uri) : undefined;
    const base = live ? live.label.replace(/[^A-Za-z0-9_.-]+/g, '-') : this.uri.path.slice(this.uri.path.lastIndexOf('/') + 1).replace(/\.cnm\.ya?ml$/, '');
    // A live host has no folder of its own: the SVG goes to the workspace.
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const defaultUri = isLiveUri(this.uri) ? (folder ? vscode.Uri.joinPath(folder, `${base}.svg`) : undefined) : vscode.Uri.joinPath(this.uri, '..', `${base}.svg`);
    const target = await vscode.window.showSaveDialog({ ...(defaultUri ? { defaultUri } : {}), filters: { 'SVG image': ['svg'] }, title: 'Export the diagram as SVG' });
    if (!target) {
      this.post({ protocol: PROTOCOL_VERSION, type: 'exportDone', requestId, saved: false });
      return;
    }
    try {
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(svg));
      this.post({ protocol: PROTOCOL_VERSION, type: 'exportDone', requestId, saved: true, path: target.fsPath });
      void vscode.window.showInformationMessage(`Diagram saved to ${vscode.workspace.asRelativePath(target)}.`);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.post({ protocol: PROTOCOL_VERSION, type: 'exportDone', requestId, saved: false, error });
      void vscode.window.showErrorMessage(`Could not save the diagram: ${error}`);
    }
  }

  private post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.closed.fire();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** The open diagrams, by source. */
export class DiagramPanels implements vscode.Disposable {
  private readonly panels = new Map<string, DiagramPanel>();

  private readonly renames: vscode.Disposable[];

  constructor(private readonly hooks: DiagramHooks) {
    this.renames = this.watchRenames();
  }

  get(uri: vscode.Uri): DiagramPanel | undefined {
    return this.panels.get(uri.toString());
  }

  all(): DiagramPanel[] {
    return [...this.panels.values()];
  }

  /** Opens (or brings forward) the diagram of a source. */
  open(source: TopologySource, column = vscode.ViewColumn.Beside, preserveFocus = false): DiagramPanel {
    const existing = this.get(source.uri);
    if (existing) {
      existing.panel.reveal(undefined, preserveFocus);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(DIAGRAM_VIEW_TYPE, isLiveUri(source.uri) ? `Diagram: ${source.fileName} (Docker)` : `Diagram: ${source.fileName}`, { viewColumn: column, preserveFocus }, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(this.hooks.extensionUri, 'dist'), vscode.Uri.joinPath(this.hooks.extensionUri, 'media')],
    });
    return this.adopt(source.uri, panel);
  }

  /** Takes over a panel (a new one, or one VS Code restored after a reload). */
  adopt(uri: vscode.Uri, panel: vscode.WebviewPanel): DiagramPanel {
    const diagram = new DiagramPanel(uri, panel, this.hooks);
    this.panels.set(uri.toString(), diagram);
    diagram.onDidClose(() => {
      if (this.panels.get(diagram.uri.toString()) === diagram) this.panels.delete(diagram.uri.toString());
    });
    return diagram;
  }

  /** Moves a panel to a file's new name (its key in the map too). */
  private move(diagram: DiagramPanel, to: vscode.Uri): void {
    if (this.panels.has(to.toString())) return; // the new name has a diagram of its own: this one stays stale
    this.panels.delete(diagram.uri.toString());
    diagram.moveTo(to);
    this.panels.set(to.toString(), diagram);
  }

  /**
   * A renamed file's diagram follows it. Renamed in VS Code (the explorer, a refactoring): VS Code says
   * so, for files and for the folders they are in. Renamed on disk by another tool: only a delete and a
   * create are seen, in either order; the created file is taken for the deleted one when it comes within
   * RENAME_WINDOW_MS of it with exactly the text the diagram last showed or the file last held on disk
   * (an open document's unsaved or not yet reloaded text is not the file's). Anything else stays "deleted".
   */
  private watchRenames(): vscode.Disposable[] {
    const created = new Map<string, number>();
    const fromDisk = async (uri: vscode.Uri): Promise<void> => {
      const gone = this.all().filter((d) => d.state.stale);
      if (!gone.length || this.panels.has(uri.toString())) return;
      let text: string;
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      } catch {
        return;
      }
      const match = gone.find((d) => d.goneWith(text, RENAME_WINDOW_MS));
      if (!match) return;
      const from = match.uri;
      this.move(match, uri);
      if (match.uri.toString() === uri.toString()) void unsavedLeftBehind(from, uri);
    };
    return [
      vscode.workspace.onDidRenameFiles((e) => {
        for (const { oldUri, newUri } of e.files) {
          const prefix = oldUri.toString().replace(/\/?$/, '/');
          for (const d of this.all()) {
            const at = d.uri.toString();
            if (at === oldUri.toString()) this.move(d, newUri);
            else if (at.startsWith(prefix)) this.move(d, vscode.Uri.parse(newUri.toString().replace(/\/?$/, '/') + at.slice(prefix.length)));
          }
        }
      }),
      this.hooks.store.onDidChangePresence(({ uri, exists }) => {
        if (exists) {
          created.set(uri.toString(), Date.now());
          for (const [k, at] of created) if (Date.now() - at > RENAME_WINDOW_MS) created.delete(k);
          // Let the panel of the old name see its delete first when both come together.
          setTimeout(() => void fromDisk(uri), 50);
        } else {
          // The create came first: look again at what was created just before.
          for (const [k, at] of created) if (Date.now() - at <= RENAME_WINDOW_MS) setTimeout(() => void fromDisk(vscode.Uri.parse(k)), 50);
        }
      }),
    ];
  }

  dispose(): void {
    for (const d of this.renames.splice(0)) d.dispose();
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
  }
}

/**
 * A file renamed on disk while open with unsaved changes: VS Code keeps its editor, under the old name,
 * with the changes; the diagram now shows the file as saved. Said, so the changes are not taken for lost.
 */
async function unsavedLeftBehind(from: vscode.Uri, to: vscode.Uri): Promise<void> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === from.toString());
  if (!doc?.isDirty) return;
  const name = (u: vscode.Uri) => u.path.slice(u.path.lastIndexOf('/') + 1);
  const open = `Open ${name(to)}`;
  const picked = await vscode.window.showWarningMessage(
    `${name(from)} was renamed on disk to ${name(to)}: its diagram now shows ${name(to)} as saved there. Your unsaved changes are still in the editor of ${name(from)} (Save As to keep them).`,
    open,
  );
  if (picked === open) await vscode.window.showTextDocument(to, { preview: false });
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
