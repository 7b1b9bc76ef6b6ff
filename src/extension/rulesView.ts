// The rules view: a host's filter and nat rules as `iptables-save` prints them (the engine's own
// engineRules + formatIptablesSave, as `cnm rules FILE --host H`), in a read-only editor that follows
// the source. The latest trace of the source marks what it went through: every rule it passed, the one
// that decided each netfilter hop, and (in the error colour) the rule that dropped it.
//   cnm.showRules({ file, host? })  →  { uri, host, text, marks }
import * as vscode from 'vscode';
import { engineRules, formatIptablesSave } from '../engine';
import type { TraceView } from '../protocol/trace';
import { ruleLine, ruleMarks, type RuleMark } from './rulesMarks';
import type { SourceStore } from './live/sourceStore';
import type { TopologySource } from './topologyStore';

export const RULES_SCHEME = 'cnm-rules';

/** What cnm.showRules answers (the tests read it). */
export interface RulesShown {
  uri: string;
  host: string;
  text: string;
  marks: RuleMark[];
}

export class RulesView implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  /** The latest trace per source (URI string), with the host it started on. */
  private readonly traces = new Map<string, { host: string; trace: TraceView }>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly passed = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editor.findRangeHighlightBackground'),
    isWholeLine: true,
    after: { color: new vscode.ThemeColor('descriptionForeground'), margin: '0 0 0 2em' },
  });
  private readonly decided = new vscode.ThemeColor('diffEditor.insertedLineBackground');
  private readonly decidedType = vscode.window.createTextEditorDecorationType({
    backgroundColor: this.decided,
    isWholeLine: true,
    overviewRulerColor: new vscode.ThemeColor('charts.green'),
    overviewRulerLane: vscode.OverviewRulerLane.Full,
    after: { color: new vscode.ThemeColor('charts.green'), margin: '0 0 0 2em', fontWeight: 'bold' },
  });
  private readonly droppedType = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('diffEditor.removedLineBackground'),
    isWholeLine: true,
    overviewRulerColor: new vscode.ThemeColor('errorForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Full,
    after: { color: new vscode.ThemeColor('errorForeground'), margin: '0 0 0 2em', fontWeight: 'bold' },
  });

  constructor(private readonly store: SourceStore) {
    this.disposables.push(
      this.changed, this.passed, this.decidedType, this.droppedType,
      vscode.workspace.registerTextDocumentContentProvider(RULES_SCHEME, this),
      // The rules follow the file: an edit that adds a network or a port changes them.
      store.onDidChange((uri) => this.refreshFor(uri)),
      store.onDidChangeLive((uri) => this.refreshFor(uri)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.decorateAll()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme === RULES_SCHEME) setTimeout(() => this.decorateAll(), 0);
      }),
    );
  }

  /** The rules document of a host of a source. */
  uriOf(source: vscode.Uri, fileName: string, host: string): vscode.Uri {
    return vscode.Uri.from({ scheme: RULES_SCHEME, path: `/${host} rules (${fileName}).iptables`, query: new URLSearchParams({ source: source.toString(), host }).toString() });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const { source, host } = this.parse(uri);
    if (!source) return '# not a rules document\n';
    const src = await this.store.get(source);
    return this.textOf(src, host);
  }

  /** A trace was made on a source: its marks replace the previous trace's. */
  traced(source: vscode.Uri, host: string, trace: TraceView): void {
    this.traces.set(source.toString(), { host, trace });
    this.decorateAll();
  }

  /** Opens the rules of `host` (default: the host whose rules decided the latest trace, else the first). */
  async show(src: TopologySource, host?: string, at?: { table: string; chain: string; rule: string | null }): Promise<RulesShown & { line?: number }> {
    const last = this.traces.get(src.uri.toString());
    const hosts = src.loaded.engine.hostNames();
    const chosen = host ?? (last ? this.hostOfDecision(src, last) : undefined) ?? hosts[0] ?? src.firstHost;
    const uri = this.uriOf(src.uri, src.fileName, chosen);
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
    const marks = this.decorate(editor);
    // A hop's own rule (jumped to from the diagram), else the trace's strongest mark.
    const asked = at ? ruleLine(doc.getText(), at.table, at.chain, at.rule) : -1;
    const strongest = marks.find((m) => m.kind === 'dropped') ?? [...marks].reverse().find((m) => m.kind === 'decided');
    const line = asked >= 0 ? asked : strongest?.line;
    if (line !== undefined) {
      const pos = new vscode.Position(line, 0);
      editor.selection = new vscode.Selection(pos, new vscode.Position(line, doc.lineAt(line).text.length));
      editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
    return { uri: uri.toString(), host: chosen, text: doc.getText(), marks, ...(asked >= 0 ? { line: asked } : {}) };
  }

  private textOf(src: TopologySource, host: string): string {
    const names = src.loaded.engine.hostNames();
    if (!names.includes(host)) return `# ${src.fileName} has no host "${host}" (hosts: ${names.join(', ') || 'none'})\n`;
    const sets = engineRules(src.loaded.engine.state, host);
    const version = src.loaded.engine.state.hosts.get(host)?.daemon.version.text ?? '';
    const head = `# ${host}: the filter and nat rules dockerd ${version} programs for ${src.fileName}, as iptables-save prints them (cnm rules FILE --host ${host})\n`;
    return head + sets.map((rs) => formatIptablesSave(rs)).join('');
  }

  /** The host whose rules the trace's last netfilter decision is in (a trace across hosts ends elsewhere). */
  private hostOfDecision(src: TopologySource, last: { host: string; trace: TraceView }): string {
    const hosts = src.loaded.engine.hostNames();
    let at = last.host;
    for (const hop of last.trace.hops) if (hosts.includes(hop.node) && /^(filter|nat|raw|mangle) /.test(hop.action)) at = hop.node;
    return at;
  }

  private parse(uri: vscode.Uri): { source?: vscode.Uri; host: string } {
    const q = new URLSearchParams(uri.query);
    const source = q.get('source');
    return { ...(source ? { source: vscode.Uri.parse(source) } : {}), host: q.get('host') ?? '' };
  }

  private refreshFor(source: vscode.Uri): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme === RULES_SCHEME && this.parse(doc.uri).source?.toString() === source.toString()) this.changed.fire(doc.uri);
    }
  }

  private decorateAll(): void {
    for (const editor of vscode.window.visibleTextEditors) if (editor.document.uri.scheme === RULES_SCHEME) this.decorate(editor);
  }

  private decorate(editor: vscode.TextEditor): RuleMark[] {
    const { source, host } = this.parse(editor.document.uri);
    const src = source ? this.store.peek(source) : undefined;
    const last = source ? this.traces.get(source.toString()) : undefined;
    const marks = last && src ? ruleMarks(editor.document.getText(), last.trace, host, src.loaded.engine.hostNames()) : [];
    const options = (kind: RuleMark['kind']) => marks.filter((m) => m.kind === kind).map((m) => ({
      range: new vscode.Range(m.line, 0, m.line, 0),
      renderOptions: { after: { contentText: m.note } },
      hoverMessage: `${last!.trace.from} → ${last!.trace.to}${last!.trace.port ? `:${last!.trace.port}` : ''}/${last!.trace.proto}: ${last!.trace.verdict}`,
    }));
    editor.setDecorations(this.passed, options('passed'));
    editor.setDecorations(this.decidedType, options('decided'));
    editor.setDecorations(this.droppedType, options('dropped'));
    return marks;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
