// The verify reports shown so far, each a read-only virtual document (`cnm-verify:`). Owned by Ctx;
// the verify command adds to it.
import * as vscode from 'vscode';

export const VERIFY_SCHEME = 'cnm-verify';

/** The reports shown so far (a read-only virtual document each). */
export class VerifyReports implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private next = 1;
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(VERIFY_SCHEME, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  add(name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: VERIFY_SCHEME, path: `/${this.next++}-${name.replace(/[^A-Za-z0-9_.-]+/g, '-')}.md` });
    this.texts.set(uri.toString(), text);
    return uri;
  }

  dispose(): void {
    this.registration.dispose();
    this.texts.clear();
  }
}
