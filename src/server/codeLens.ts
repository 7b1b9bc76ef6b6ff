// "Trace ▸" lenses: above every container and every host (trace from it: the extension asks for a
// destination) and every `expect` entry (trace that packet).
// The command runs in the extension: `cnm.traceFrom` with one argument, TraceFromArgs.
import type { CodeLens } from 'vscode-languageserver';
import type { Analysis } from './analysis';
import { traceTarget } from './expectations';

/** The argument of `cnm.traceFrom` as the lenses send it. */
export interface TraceFromArgs {
  /** The topology file. */
  uri: string;
  /** A container or host name. */
  from: string;
  /** A name or an address; absent: the extension asks for a destination. */
  to?: string;
  /** The port and protocol of an expect entry's destination (NAME|IP[:PORT][/proto], taken apart). */
  port?: number;
  proto?: string;
  /** A user clicked it: ask for what is missing (the destination) and show the verdict. */
  interactive: true;
}

export const TRACE_COMMAND = 'cnm.traceFrom';

export function codeLenses(analysis: Analysis): CodeLens[] {
  const out: CodeLens[] = [];
  const symbols = analysis.symbols();
  for (const o of symbols.occurrences) {
    if (!o.definition || (o.kind !== 'container' && o.kind !== 'host')) continue;
    const args: TraceFromArgs = { uri: analysis.uri, from: o.name, interactive: true };
    out.push({ range: analysis.lines.range(o.span), command: { title: 'Trace ▸', command: TRACE_COMMAND, arguments: [args] } });
  }
  for (const entry of analysis.parsed.spec.expect) {
    const target = traceTarget(entry);
    const args: TraceFromArgs = { uri: analysis.uri, ...target, interactive: true };
    const range = analysis.parsed.rangeOf(entry.path, 'key');
    out.push({ range: { start: range.start, end: range.start }, command: { title: `Trace ▸ ${entry.from} → ${entry.to}`, command: TRACE_COMMAND, arguments: [args] } });
  }
  return out;
}
