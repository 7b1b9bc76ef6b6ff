// The CNM language server: documents, debounced analysis with stale runs dropped, and the LSP
// features wired to their modules. Knows nothing of VS Code; any LSP client can drive it.
import {
  CodeActionKind,
  RequestType,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeResult,
  type Position,
  type Range,
  type TextDocumentPositionParams,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { existsSync, readFileSync } from 'node:fs';
import { composeEnvironment, type ComposeReader } from '../topology/compose';
import { DocumentAnalyzer, type Analysis } from './analysis';
import { codeActionsFor } from './codeActions';
import { codeLenses } from './codeLens';
import { analyzeCompose, composeHover, composeLenses, isComposeUri, pathOfUri, type ComposeAnalysis } from './compose';
import { completeAt, completionTriggerCharacters } from './completion';
import { hoverAt } from './hover';
import { LastReading } from './lastReading';
import { definitionAt, highlightsAt, prepareRenameAt, referencesAt, renameAt } from './navigation';
import { documentSymbols, foldingRanges } from './outline';

export interface ServerOptions {
  /** Quiet time after the last edit before diagnostics run (default 100 ms). */
  debounceMs?: number;
}

export interface AnalysisInfo {
  version: number;
  timings: Record<string, number>;
  diagnostics: number;
}

/** Timings of the last analysis of a document (for the benchmark and troubleshooting). */
export const AnalysisInfoRequest = new RequestType<{ uri: string }, AnalysisInfo | null, void>('cnm/analysisInfo');

/** Texts from which hover and completion answer from the last complete reading while a new one is read. */
const LAST_READING_MIN_CHARS = 32 * 1024;

/** How long the reading of an edited big file waits for the requests sent with the edit (ms). */
const EDIT_GRACE_MS = 15;

/** Containers + networks from which a slow rebuild is preceded by the parser's diagnostics. */
const PRELIMINARY_MIN_OBJECTS = 500;

interface Session {
  analyzer: DocumentAnalyzer;
  latest?: Analysis;
  published?: number;
  timer?: NodeJS.Timeout;
  /** The run in flight; `parsed` settles once its version is read (its provisional reading exists) or the run ends. */
  running?: { version: number; promise: Promise<Analysis | undefined>; parsed: Promise<void> };
  /** How long the last engine build took: a slow one gets the parser's diagnostics published first. */
  lastBuildMs: number;
  /** When the document was last edited or analysed (performance.now()): the debounce waits only when that was recent. */
  lastActivity?: number;
  /** The last complete analysis seen from version `version` (hover, completion: lastReading.ts). */
  lastReading?: { version: number; from: Analysis; reading: LastReading | undefined };
  /** While the engine rebuilds for `version`: that version read without the new build (hover, completion). */
  provisional?: { version: number; get: () => Analysis };
}

export class TopologyLanguageServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly sessions = new Map<string, Session>();
  private debounceMs = 100;
  /** Compose documents: the analysis of each one's latest version (a project is small; no steps). */
  private readonly composeLatest = new Map<string, ComposeAnalysis>();
  private readonly composeTimers = new Map<string, NodeJS.Timeout>();

  /**
   * The environment `${VAR}` in Compose files reads before `.env` (Compose's precedence): the one this
   * process was started with — the extension host's, which its tree reads too (languageClient.ts).
   */
  private readonly composeEnv: Record<string, string>;

  constructor(private readonly connection: Connection, env: Readonly<Record<string, string | undefined>> = process.env) {
    this.composeEnv = composeEnvironment(env);
  }

  listen(): void {
    const c = this.connection;
    c.onInitialize((params) => this.initialize(params.initializationOptions as ServerOptions | undefined));
    this.documents.onDidChangeContent((e) => this.schedule(e.document.uri));
    this.documents.onDidClose((e) => this.close(e.document.uri));

    // Hover and completion answer while a newer version is read: from the last complete reading where the
    // edits since leave the entry under the cursor alone, else from the version's parse and the last build.
    c.onHover(async (p) => (isComposeUri(p.textDocument.uri) ? this.composeFeature(p.textDocument.uri, (a) => composeHover(a, a.lines.offset(p.position)), null) : this.quick(hoverAt, (h, move) => (h?.range ? { ...h, range: move(h.range) } : h), null)(p)));
    c.onCompletion(this.quick(completeAt, (items, move) => items.map((i) => (i.textEdit && 'range' in i.textEdit ? { ...i, textEdit: { ...i.textEdit, range: move(i.textEdit.range) } } : i)), []));
    c.onDefinition(this.feature((a, p) => definitionAt(a, a.lines.offset(p.position)), null));
    c.onReferences(this.feature((a, p) => referencesAt(a, a.lines.offset(p.position), p.context.includeDeclaration), []));
    c.onDocumentHighlight(this.feature((a, p) => highlightsAt(a, a.lines.offset(p.position)), []));
    c.onPrepareRename(this.feature((a, p) => prepareRenameAt(a, a.lines.offset(p.position)), null));
    // Rename errors (a bad name, nothing to rename) go back to the client as the ResponseError they are.
    c.onRenameRequest(this.feature((a, p) => renameAt(a, a.lines.offset(p.position), p.newName), null, true));
    c.onDocumentSymbol(this.feature((a) => documentSymbols(a), []));
    c.onFoldingRanges(this.feature((a) => foldingRanges(a), []));
    c.onCodeAction(this.feature((a, p) => codeActionsFor(a, p.context.diagnostics), []));
    c.onCodeLens(async (p) => (isComposeUri(p.textDocument.uri) ? this.composeFeature(p.textDocument.uri, composeLenses, []) : this.feature((a) => codeLenses(a), [])(p)));
    c.onRequest(AnalysisInfoRequest, async ({ uri }) => {
      const a = await this.analysisOf(uri);
      return a ? { version: a.version, timings: a.timings, diagnostics: a.diagnostics.length } : null;
    });

    this.documents.listen(c);
    c.listen();
  }

  private initialize(options: ServerOptions | undefined): InitializeResult {
    if (typeof options?.debounceMs === 'number' && options.debounceMs >= 0) this.debounceMs = options.debounceMs;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: completionTriggerCharacters, resolveProvider: false },
        definitionProvider: true,
        referencesProvider: true,
        documentHighlightProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        codeLensProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'cnm-language-server', version: '0.1.0' },
    };
  }

  /** A request handler that runs on the analysis of the document's current version and never throws (unless `rethrow`). */
  private feature<P extends { textDocument: { uri: string } }, R>(run: (a: Analysis, params: P) => R, fallback: R, rethrow = false, provisional = false) {
    return async (params: P): Promise<R> => {
      try {
        const a = provisional ? await this.provisionalAnalysisOf(params.textDocument.uri) : await this.analysisOf(params.textDocument.uri);
        return a ? run(a, params) : fallback;
      } catch (err) {
        if (rethrow) throw err;
        this.connection.console.error(`cnm: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        return fallback;
      }
    };
  }

  /**
   * A hover or completion: the current version's analysis when it is complete; else the last complete one
   * where the edits since leave the entry under the cursor alone (big files: lastReading.ts), its ranges
   * moved to the new text; else the version's provisional reading.
   */
  private quick<R>(answer: (a: Analysis, offset: number) => R, move: (r: R, range: (x: Range) => Range) => R, fallback: R) {
    return async (p: TextDocumentPositionParams): Promise<R> => {
      try {
        const last = this.lastReadingAt(p.textDocument.uri, p.position);
        if (last) return move(answer(last.reading.analysis, last.offset), (x) => last.reading.range(x));
        const a = await this.provisionalAnalysisOf(p.textDocument.uri);
        return a ? answer(a, a.lines.offset(p.position)) : fallback;
      } catch (err) {
        this.connection.console.error(`cnm: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        return fallback;
      }
    };
  }

  private lastReadingAt(uri: string, position: Position): { reading: LastReading; offset: number } | undefined {
    const doc = this.documents.get(uri);
    const s = this.sessions.get(uri);
    const last = s?.latest;
    if (!doc || !s || !last || last.version === doc.version || last.text.length < LAST_READING_MIN_CHARS) return undefined;
    // Once a newer text is read, the last reading's tree has moved with it: the provisional reading answers.
    if (s.analyzer.parsedVersion !== last.version) return undefined;
    if (s.lastReading?.version !== doc.version || s.lastReading.from !== last) {
      s.lastReading = { version: doc.version, from: last, reading: LastReading.of(last, doc.getText()) };
    }
    const reading = s.lastReading.reading;
    if (!reading) return undefined; // the same text: the current version's own run answers at once
    const offset = reading.oldOffset(doc.offsetAt(position));
    return offset === undefined ? undefined : { reading, offset };
  }

  private session(uri: string): Session {
    let s = this.sessions.get(uri);
    if (!s) {
      s = { analyzer: new DocumentAnalyzer(uri), lastBuildMs: 0 };
      this.sessions.set(uri, s);
    }
    return s;
  }

  private schedule(uri: string): void {
    if (isComposeUri(uri)) return this.scheduleCompose(uri);
    const s = this.session(uri);
    if (s.timer) clearTimeout(s.timer);
    // The debounce is for bursts of typing: a file just opened (nothing published yet) and the first
    // edit after a pause (no edit and no analysis for the debounce time) are analysed at once; edits
    // that follow wait for a pause. (A run made stale by the next edit stops at its next pause.)
    let delay = 0;
    if (s.published !== undefined) {
      const now = performance.now();
      if (s.lastActivity !== undefined && now - s.lastActivity < this.debounceMs) delay = this.debounceMs;
      s.lastActivity = now;
      // An editor asks for completion right with the edit: on a big file, reading the new text first would make
      // it wait 50-300 ms; a few ms' grace lets the last complete reading answer it (lastReadingAt).
      if (s.latest && s.latest.text.length >= LAST_READING_MIN_CHARS) delay = Math.max(delay, EDIT_GRACE_MS);
    }
    s.timer = setTimeout(() => {
      s.timer = undefined;
      void this.analysisOf(uri, true);
    }, delay);
  }

  private close(uri: string): void {
    if (isComposeUri(uri)) {
      clearTimeout(this.composeTimers.get(uri));
      this.composeTimers.delete(uri);
      this.composeLatest.delete(uri);
      this.rescheduleProject(uri);
      void this.connection.sendDiagnostics({ uri, diagnostics: [] });
      return;
    }
    const s = this.sessions.get(uri);
    if (s?.timer) clearTimeout(s.timer);
    this.sessions.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /**
   * The analysis of the document's current version: the latest one if it is current, the run in
   * flight for this version, or a new run. `publish` sends its diagnostics.
   */
  private async analysisOf(uri: string, publish = false): Promise<Analysis | undefined> {
    const doc = this.documents.get(uri);
    if (!doc || isComposeUri(uri)) return undefined;
    const s = this.session(uri);
    // A request that comes before an opened file's scheduled analysis (the editor asks for outline and
    // folding at once) publishes as that analysis would: the parser's diagnostics first, then the rest.
    if (s.published === undefined && s.timer !== undefined) publish = true;
    let analysis: Analysis | undefined;
    if (s.latest?.version === doc.version) analysis = s.latest;
    else if (s.running?.version === doc.version) analysis = await s.running.promise;
    if (!analysis) {
      let onParsed!: () => void;
      const parsed = new Promise<void>((resolve) => (onParsed = resolve));
      const promise = this.run(uri, doc.version, doc.getText(), s, publish, onParsed);
      s.running = { version: doc.version, promise, parsed };
      try {
        analysis = await promise;
      } finally {
        if (s.running?.promise === promise) s.running = undefined;
      }
    }
    if (analysis && publish) this.publish(s, analysis);
    return analysis;
  }

  /**
   * The analysis of the document's current version if it is complete, else, once the version is
   * parsed, its provisional reading (the last build's engine): a request never waits for a rebuild.
   */
  private async provisionalAnalysisOf(uri: string): Promise<Analysis | undefined> {
    const doc = this.documents.get(uri);
    if (!doc || isComposeUri(uri)) return undefined;
    const s = this.session(uri);
    const now = () => (s.latest?.version === doc.version ? s.latest : s.provisional?.version === doc.version ? s.provisional.get() : undefined);
    const ready = now();
    if (ready) return ready;
    // Starts the run if none is in flight, and waits for it to read this version (not for its build).
    const running = this.analysisOf(uri);
    const parsed = s.running?.version === doc.version ? s.running.parsed : undefined;
    if (parsed) await Promise.race([parsed, running]);
    return now() ?? (await running);
  }

  /** One analysis, in steps; stops as soon as the document has moved on. */
  private async run(uri: string, version: number, text: string, s: Session, publish: boolean, onParsed: () => void): Promise<Analysis | undefined> {
    const stale = () => this.documents.get(uri)?.version !== version || this.sessions.get(uri) !== s;
    let buildStart = 0;
    try {
      // Answers already made (a hover that the last reading answered as this run was asked for) go out
      // before the reading of the new text, which takes 50-100 ms on a big file.
      await yieldToRequests();
      if (stale()) return undefined;
      const steps = s.analyzer.steps(version, text);
      for (;;) {
        const r = steps.next();
        if (r.done) {
          s.lastActivity = performance.now();
          if (buildStart) s.lastBuildMs = performance.now() - buildStart;
          if (s.provisional?.version === version) s.provisional = undefined;
          if (!stale()) s.latest = r.value;
          return r.value;
        }
        if (r.value.phase === 'parsed') {
          const make = r.value.provisional;
          let made: Analysis | undefined;
          s.provisional = { version, get: () => (made ??= make()) };
          onParsed();
          // Only big files, whose engine build takes long, get the parser's diagnostics first: on opening
          // (no build measured yet), and after a slow build.
          if (publish && r.value.size >= PRELIMINARY_MIN_OBJECTS && (s.lastBuildMs > 50 || s.published === undefined)) {
            void this.connection.sendDiagnostics({ uri, version, diagnostics: r.value.preliminary() });
          }
          buildStart = performance.now();
        }
        if (r.value.phase === 'built' && s.provisional?.version === version) s.provisional = undefined;
        await yieldToRequests();
        if (stale()) {
          steps.return(undefined as never);
          return undefined;
        }
      }
    } catch (err) {
      // A bug must not leave the file without feedback: say so on its first line.
      const message = err instanceof Error ? err.message : String(err);
      this.connection.console.error(`cnm: analysis failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (publish && !stale()) {
        void this.connection.sendDiagnostics({
          uri,
          version,
          diagnostics: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 1, source: 'cnm', code: 'internal', message: `Internal error in the CNM language server: ${message}` }],
        });
      }
      return undefined;
    }
  }

  /** Compose files: what the other files of the project say comes from the open documents first, then the disk. */
  private composeReader(): ComposeReader {
    const open = new Map(this.documents.all().map((d) => [pathOfUri(d.uri), d]));
    return {
      readFile(path) {
        const d = open.get(path);
        if (d) return d.getText();
        try {
          return readFileSync(path, 'utf8');
        } catch {
          return undefined;
        }
      },
      exists: (path) => open.has(path) || existsSync(path),
    };
  }

  private composeAnalysisOf(uri: string): ComposeAnalysis | undefined {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    const last = this.composeLatest.get(uri);
    if (last?.version === doc.version) return last;
    const a = analyzeCompose(uri, doc.version, doc.getText(), this.composeReader(), this.composeEnv);
    this.composeLatest.set(uri, a);
    return a;
  }

  private async composeFeature<R>(uri: string, run: (a: ComposeAnalysis) => R, fallback: R): Promise<R> {
    try {
      const a = this.composeAnalysisOf(uri);
      return a ? run(a) : fallback;
    } catch (err) {
      this.connection.console.error(`cnm: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return fallback;
    }
  }

  private scheduleCompose(uri: string): void {
    clearTimeout(this.composeTimers.get(uri));
    this.composeTimers.set(uri, setTimeout(() => {
      this.composeTimers.delete(uri);
      this.publishCompose(uri);
    }, this.debounceMs));
    this.rescheduleProject(uri);
  }

  /** The other open Compose files of the same directory read this one: analyse them again. */
  private rescheduleProject(uri: string): void {
    const dir = pathOfUri(uri).replace(/\/[^/]*$/, '');
    for (const other of this.composeLatest.keys()) {
      if (other === uri || pathOfUri(other).replace(/\/[^/]*$/, '') !== dir) continue;
      this.composeLatest.delete(other);
      clearTimeout(this.composeTimers.get(other));
      this.composeTimers.set(other, setTimeout(() => {
        this.composeTimers.delete(other);
        this.publishCompose(other);
      }, this.debounceMs));
    }
  }

  private publishCompose(uri: string): void {
    const doc = this.documents.get(uri);
    if (!doc) return;
    try {
      const a = this.composeAnalysisOf(uri)!;
      void this.connection.sendDiagnostics({ uri, version: a.version, diagnostics: a.diagnostics });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.connection.console.error(`cnm: analysis failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      void this.connection.sendDiagnostics({
        uri,
        version: doc.version,
        diagnostics: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 1, source: 'cnm', code: 'internal', message: `Internal error in the CNM language server: ${message}` }],
      });
    }
  }

  private publish(s: Session, a: Analysis): void {
    if (s.published === a.version || this.sessions.get(a.uri) !== s) return;
    s.published = a.version;
    const sent = this.connection.sendDiagnostics({ uri: a.uri, version: a.version, diagnostics: a.diagnostics });
    // The incremental parser's cache is filled after the first diagnostics, and after the answers to the
    // requests that waited for this analysis: the connection writes one message per turn of the event
    // loop, so those answers are out by the turn after the diagnostics' write.
    void sent.then(() => setImmediate(() => s.analyzer.prepareForEdits()), () => s.analyzer.prepareForEdits());
  }
}

/**
 * Turns of the event loop a step waits: the connection takes three setImmediate turns from a request read to
 * its answer written (decoding, dispatch, writing), a second request read with it one more; the next step
 * waits for both, so a request waits for the step in progress only. (A turn with nothing else to do costs µs.)
 */
const YIELD_TURNS = 5;

/** Lets the requests that came during a step be answered before the next one. */
function yieldToRequests(): Promise<void> {
  return new Promise<void>((resolve) => {
    let turns = YIELD_TURNS;
    const next = () => (--turns > 0 ? setImmediate(next) : resolve());
    setImmediate(next);
  });
}
