// What the trace, matrix and check commands share: the listening ports from the file (`listen`, else
// `expose` and the published container ports), and the text form of a trace.
import { listeningFromTopology, type ListeningLookup, type TraceResult } from '../../engine';
import type { TopologySpec } from '../../topology';
import type { VerifyResult } from '../../live/verify';

export function listeningFromSpec(spec: TopologySpec): ListeningLookup {
  return listeningFromTopology(spec.containers);
}

/** Numbered hops, then the verdict with its reason and the fix. */
export function formatTrace(r: TraceResult): string {
  const lines: string[] = [];
  const width = String(r.hops.length).length;
  r.hops.forEach((h, i) => {
    const where = h.interface ? `${h.node} [${h.interface}]` : h.node;
    lines.push(`${String(i + 1).padStart(width)}. ${where}  ${h.action}: ${h.detail}`);
  });
  if (lines.length > 0) lines.push('');
  lines.push(`${r.verdict.toUpperCase()}: ${r.reason}`);
  if (r.fix) lines.push(`fix: ${r.fix}`);
  return lines.join('\n') + '\n';
}

/** The JSON the CLI contract fixes: verdict, reason, fix (if any), hops. */
export function traceJson(r: TraceResult): object {
  return {
    verdict: r.verdict,
    reason: r.reason,
    ...(r.fix ? { fix: r.fix } : {}),
    hops: r.hops.map((h) => ({ node: h.node, interface: h.interface, action: h.action, detail: h.detail })),
  };
}

const OUTCOME_WORD: Record<VerifyResult['outcome'], string> = { agree: 'AGREE', disagree: 'DISAGREE', inconclusive: 'NOT VERIFIED', unpredicted: 'NOT PREDICTED' };

/** Predicted beside observed, after the trace's own lines. */
export function formatVerify(v: VerifyResult): string {
  const o = v.observed;
  const width = Math.max(v.predicted.verdict.length, o.verdict.length);
  const lines = [
    '',
    'verified on the live host:',
    `  predicted  ${v.predicted.verdict.toUpperCase().padEnd(width)}  ${v.predicted.reason}`,
    `  observed   ${o.verdict.toUpperCase().padEnd(width)}  ${o.detail}`,
  ];
  if (o.command) lines.push(`  probe      ${o.command}${o.exitCode !== null ? ` (exit ${o.exitCode})` : ''}`);
  lines.push(`${OUTCOME_WORD[v.outcome]}: ${v.explanation}`);
  return lines.join('\n') + '\n';
}

/** What `--verify --json` adds to the trace's JSON. */
export function verifyJson(v: VerifyResult): object {
  const o = v.observed;
  return { observed: { verdict: o.verdict, detail: o.detail, command: o.command, exitCode: o.exitCode, output: o.output }, agree: v.agree, outcome: v.outcome, explanation: v.explanation };
}
