// A real LSP client for the tests: spawns the language server as its own process (the TypeScript
// source through tsx, or the built dist/server.js with CNM_SERVER=dist) and talks JSON-RPC over its
// stdio, exactly as an editor does.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import {
  createMessageConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type InitializeResult,
  type MessageConnection,
  type Position,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver/node';

const root = join(__dirname, '..', '..');

export class LspSession {
  readonly connection: MessageConnection;
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();
  private readonly latest = new Map<string, PublishDiagnosticsParams>();
  private waiters: { uri: string; version?: number; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private readonly listeners = new Set<(p: PublishDiagnosticsParams) => void>();
  readonly stderr: string[] = [];
  exited: number | null = null;
  capabilities!: InitializeResult['capabilities'];

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    this.connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    child.stderr.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    child.on('exit', (code) => (this.exited = code ?? -1));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.latest.set(p.uri, p);
      for (const l of this.listeners) l(p);
      const keep: typeof this.waiters = [];
      for (const w of this.waiters) {
        if (w.uri === p.uri && (w.version === undefined || p.version === w.version)) w.resolve(p);
        else keep.push(w);
      }
      this.waiters = keep;
    });
    // Window/log messages from the server are not part of what the tests assert.
    this.connection.onNotification('window/logMessage', () => undefined);
    this.connection.listen();
  }

  /** `env`: the server process's environment (default: this one's), as the client starts it with the extension host's. */
  static async start(options: { debounceMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<LspSession> {
    // CNM_SERVER_NODE_ARGS: extra node flags for the server process (e.g. --cpu-prof when profiling).
    const extra = (process.env.CNM_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const args = process.env.CNM_SERVER === 'dist' ? [...extra, join(root, 'dist/server.js'), '--stdio'] : [...extra, '--import', 'tsx', join(root, 'src/server/server.ts'), '--stdio'];
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], ...(options.env ? { env: options.env } : {}) });
    const session = new LspSession(child);
    const result = await session.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      initializationOptions: { debounceMs: options.debounceMs ?? 20 },
    });
    session.capabilities = result.capabilities;
    await session.connection.sendNotification(InitializedNotification.type, {});
    return session;
  }

  /** Open a document and wait for its first diagnostics. */
  async open(uri: string, text: string): Promise<Diagnostic[]> {
    this.versions.set(uri, 1);
    this.texts.set(uri, text);
    const waiting = this.diagnosticsFor(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'cnm-topology', version: 1, text } });
    return (await waiting).diagnostics;
  }

  /** Replace the whole text (or apply ranged changes) and wait for the diagnostics of the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[] | string, wait = true): Promise<Diagnostic[] | undefined> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    const contentChanges = typeof changes === 'string' ? [{ text: changes }] : changes;
    if (typeof changes === 'string') this.texts.set(uri, changes);
    const waiting = wait ? this.diagnosticsFor(uri, version) : undefined;
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges });
    return waiting ? (await waiting).diagnostics : undefined;
  }

  /** Every publishDiagnostics from now on (call the result to stop). */
  onPublish(listener: (p: PublishDiagnosticsParams) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  diagnosticsFor(uri: string, version?: number, timeoutMs = 20000): Promise<PublishDiagnosticsParams> {
    const latest = this.latest.get(uri);
    if (latest && (version === undefined || latest.version === version)) return Promise.resolve(latest);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version} within ${timeoutMs} ms; stderr: ${this.stderr.join('').slice(-2000)}`)), timeoutMs);
      this.waiters.push({
        uri,
        ...(version !== undefined ? { version } : {}),
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 1000))]);
      this.connection.sendNotification('exit').catch(() => undefined);
      // Give it a moment to exit on its own (profiles and coverage are written on a clean exit).
      for (let i = 0; i < 20 && this.exited === null; i++) await new Promise((r) => setTimeout(r, 50));
    } catch {
      // The server may already be gone; killing it below is what matters.
    }
    this.connection.dispose();
    if (this.exited === null) this.child.kill();
  }
}

/** The position of the first occurrence of `needle` (plus `delta` characters) in `text`. */
export function positionOf(text: string, needle: string, delta = 0, occurrence = 0): Position {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`"${needle}" not in the text`);
  }
  const offset = index + delta;
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Apply LSP text edits to a text (edits must not overlap). */
export function applyEdits(text: string, edits: { range: { start: Position; end: Position }; newText: string }[]): string {
  const offsetOf = (p: Position) => {
    const lines = text.split('\n');
    let o = 0;
    for (let i = 0; i < p.line; i++) o += lines[i]!.length + 1;
    return o + p.character;
  };
  const sorted = edits.map((e) => ({ start: offsetOf(e.range.start), end: offsetOf(e.range.end), newText: e.newText })).sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** A text with the cursor marked by `‸`: the text without the mark, and the mark's position. */
export function cursor(marked: string): { text: string; position: Position } {
  const offset = marked.indexOf('‸');
  if (offset < 0) throw new Error('no ‸ in the text');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  const before = text.slice(0, offset);
  return { text, position: { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) } };
}

/** A diagnostic's message as text (LSP 3.18 allows markup there too). */
export function messageOf(d: { message: string | { value: string } }): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

/** The feature requests a fuzzer sends at `position` of document `uri` (one is picked at random). */
export function featureRequests(uri: string, position: Position, diagnostics: readonly unknown[]): [string, unknown][] {
  const textDocument = { uri };
  return [
    ['textDocument/hover', { textDocument, position }],
    ['textDocument/completion', { textDocument, position }],
    ['textDocument/definition', { textDocument, position }],
    ['textDocument/references', { textDocument, position, context: { includeDeclaration: true } }],
    ['textDocument/documentSymbol', { textDocument }],
    ['textDocument/foldingRange', { textDocument }],
    ['textDocument/codeLens', { textDocument }],
    ['textDocument/codeAction', { textDocument, range: { start: position, end: position }, context: { diagnostics } }],
  ];
}
