// The CNM language server (dist/server.js), its own process. Placeholder: it answers `initialize`
// and syncs documents; diagnostics, hover and the rest arrive with the language-server issue.
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

connection.onInitialize(() => ({
  capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental },
  serverInfo: { name: 'cnm-language-server', version: '0.1.0' },
}));

documents.listen(connection);
connection.listen();
