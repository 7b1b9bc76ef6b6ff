// Entry point of the CNM language server (bundled to dist/server.js). The transport comes from the
// command line, as vscode-languageclient passes it: --node-ipc, --stdio or --socket=N.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { TopologyLanguageServer } from './languageServer';

const connection = createConnection(ProposedFeatures.all);
new TopologyLanguageServer(connection).listen();

// A bug must cost one request, not the server: log it and keep serving.
process.on('uncaughtException', (err) => connection.console.error(`cnm: uncaught ${err.stack ?? err.message}`));
process.on('unhandledRejection', (err) => connection.console.error(`cnm: unhandled ${String(err)}`));
