// Starts the CNM language server (dist/server.js, its own Node process over IPC) for `cnm-topology`
// documents and for Compose files. Compose files are matched by name only: they keep their language
// (`yaml`, `dockercompose`) and whatever other extension serves it; the server adds only its
// networking diagnostics, hovers and lenses. Protocol tracing follows the `cnm.languageServer.trace` setting.
import * as vscode from 'vscode';
import { LanguageClient, Trace, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

const TRACE_SETTING = 'cnm.languageServer.trace';
/** The names `docker compose` finds by itself, and their override files (as the server reads them). */
export const COMPOSE_FILE_PATTERN = '**/{compose,docker-compose}{,.override}.{yaml,yml}';

export async function startLanguageClient(context: vscode.ExtensionContext, output: vscode.OutputChannel): Promise<LanguageClient> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    // The server reads `${VAR}` in Compose files from its environment before `.env`, as the tree does
    // from the extension host's: it gets the same one.
    run: { module, transport: TransportKind.ipc, options: { env: process.env } },
    debug: { module, transport: TransportKind.ipc, options: { env: process.env, execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'cnm-topology' }, { scheme: 'file', pattern: COMPOSE_FILE_PATTERN }],
    // vscode-languageclient 11 logs to a LogOutputChannel; a plain channel gets one of the client's own.
    ...(isLogChannel(output) ? { outputChannel: output } : {}),
    initializationOptions: { debounceMs: 100 },
  };
  const client = new LanguageClient('cnm.languageServer', 'CNM Language Server', serverOptions, clientOptions);
  await client.start();
  await client.setTrace(traceLevel());
  context.subscriptions.push(
    client,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(TRACE_SETTING)) void client.setTrace(traceLevel());
    }),
  );
  return client;
}

function isLogChannel(c: vscode.OutputChannel): c is vscode.LogOutputChannel {
  return 'logLevel' in c && 'onDidChangeLogLevel' in c;
}

function traceLevel(): Trace {
  return Trace.fromString(vscode.workspace.getConfiguration().get<string>(TRACE_SETTING, 'off'));
}
