// yaml-language-server (Red Hat's YAML server, the one VS Code's YAML extension runs) as the baseline of
// the language-server figures: its own process over LSP stdio, with nothing but this project's JSON
// Schema (schemas/cnm-topology.schema.json) associated with *.cnm.yaml, the schema store and
// Kubernetes detection off (nothing is fetched). Found through CNM_YLS_PATH (the package folder, a
// folder holding node_modules/yaml-language-server, or its bin file), else this project's node_modules.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type MessageConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver/node';

const root = join(__dirname, '..');

/**
 * yaml-language-server validates a document 200 ms after its last change (`validationDelayMs`, fixed:
 * no setting changes it). The bench subtracts it from every sample, so both servers are timed on their
 * work alone (the cnm server runs with debounce 0); the raw samples are kept beside.
 */
export const YLS_VALIDATION_DELAY_MS = 200;

/** The bin file of yaml-language-server, or why there is none. */
export function findYamlLanguageServer(): { bin: string; version: string } | { missing: string } {
  const given = process.env.CNM_YLS_PATH;
  const candidates = given
    ? [given, join(given, 'bin', 'yaml-language-server'), join(given, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server')]
    : [join(root, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server')];
  for (const c of candidates.map((p) => resolve(p))) {
    if (existsSync(c) && statSync(c).isFile()) {
      const pkg = join(dirname(c), '..', 'package.json');
      const version = existsSync(pkg) ? (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version : 'unknown';
      return { bin: c, version };
    }
  }
  return {
    missing: given
      ? `yaml-language-server not found at CNM_YLS_PATH=${given}`
      : 'yaml-language-server is not installed (a devDependency; or set CNM_YLS_PATH to an installed copy)',
  };
}

export class YamlLanguageServer {
  private readonly connection: MessageConnection;
  private waiters: { uri: string; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private readonly versions = new Map<string, number>();
  readonly stderr: string[] = [];

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    child.stderr.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      const keep: typeof this.waiters = [];
      for (const w of this.waiters) {
        if (w.uri === p.uri) w.resolve(p);
        else keep.push(w);
      }
      this.waiters = keep;
    });
    const schema = pathToFileURL(join(root, 'schemas', 'cnm-topology.schema.json')).href;
    const yaml = {
      schemas: { [schema]: '*.cnm.yaml' },
      validate: true,
      hover: false,
      completion: false,
      schemaStore: { enable: false },
      kubernetesCRDStore: { enable: false },
    };
    // It pulls its settings: [yaml, http, [yaml], editor].
    this.connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
      params.items.map((i) => (i.section === 'yaml' ? yaml : i.section === 'http' ? { proxy: '', proxyStrictSSL: false } : {})),
    );
    for (const method of ['window/logMessage', 'telemetry/event', 'yaml/schemaStore/initialized']) this.connection.onNotification(method, () => undefined);
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.listen();
  }

  static async start(bin: string): Promise<YamlLanguageServer> {
    const child = spawn(process.execPath, [bin, '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    const s = new YamlLanguageServer(child);
    await s.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } }, textDocument: { publishDiagnostics: {} } },
    });
    await s.connection.sendNotification(InitializedNotification.type, {});
    await s.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: {} });
    return s;
  }

  private next(uri: string, timeoutMs = 60_000): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`yaml-language-server: no diagnostics for ${uri} within ${timeoutMs} ms; stderr: ${this.stderr.join('').slice(-1000)}`)), timeoutMs);
      this.waiters.push({ uri, resolve: (p) => (clearTimeout(timer), resolve(p)) });
    });
  }

  /** Opens a document; resolves with its first diagnostics. */
  async open(uri: string, text: string): Promise<Diagnostic[]> {
    this.versions.set(uri, 1);
    const waiting = this.next(uri);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    return (await waiting).diagnostics;
  }

  /** Sends a change; resolves with the diagnostics published after it. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<Diagnostic[]> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    const waiting = this.next(uri);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
    return (await waiting).diagnostics;
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 1000))]);
      this.connection.sendNotification('exit').catch(() => undefined);
    } catch {
      // Already gone: killing it below is what matters.
    }
    this.connection.dispose();
    this.child.kill();
  }
}
