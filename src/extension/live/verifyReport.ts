// The verify report: a predicted trace (the CNM engine on the live host's state) beside what the real
// probe observed on the host, as a markdown document. Says plainly when they disagree. Pure.
import type { VerifyRequest, VerifyResult } from '../../live';

function cell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ') || '—';
}

/** One line for a notification: agree, disagree, inconclusive, or nothing predicted (unknown). */
export function verifyHeadline(r: VerifyResult): string {
  if (r.outcome === 'unpredicted') return `Not predicted: the engine cannot know this path; the real probe observed ${r.observed.verdict}.`;
  if (r.observed.verdict === 'inconclusive') return `Not verified: the probe was inconclusive (${r.observed.detail}); the tracer predicted ${r.predicted.verdict}.`;
  if (r.agree) return `Verified: the real probe agrees with the prediction — ${r.observed.verdict}.`;
  return `They disagree: the tracer predicted ${r.predicted.verdict}, the real probe observed ${r.observed.verdict}.`;
}

const OUTCOME_ICON: Record<VerifyResult['outcome'], string> = { agree: '✅', disagree: '❌', inconclusive: '❔', unpredicted: '❓' };

export function verifyReport(host: string, request: VerifyRequest, r: VerifyResult, at: Date): string {
  const dest = `${request.to}${request.proto !== 'icmp' && request.port !== undefined ? `:${request.port}` : ''}/${request.proto}`;
  const p = r.predicted;
  const o = r.observed;
  const out: string[] = [
    `# Verify: ${request.from} → ${dest} on ${host}`,
    '',
    `${OUTCOME_ICON[r.outcome]} **${verifyHeadline(r)}**`,
    '',
    r.explanation.charAt(0).toUpperCase() + r.explanation.slice(1) + '.',
    '',
    '| | Predicted (CNM tracer on the host\'s state) | Observed (real probe on the host) |',
    '|---|---|---|',
    `| Verdict | **${p.verdict}** | **${o.verdict}** |`,
    `| Address | ${cell(p.address)} | ${cell(o.address)} |`,
    `| Why | ${cell(p.reason)} | ${cell(o.detail)} |`,
    `| How | ${p.hops.length} hop${p.hops.length === 1 ? '' : 's'} through the model${p.rule ? `; rule \`${cell(p.rule)}\`` : ''} | ${o.command ? `\`${cell(o.command)}\`` : '—'}${o.exitCode !== null ? ` (exit ${o.exitCode})` : ''} |`,
  ];
  if (p.fix) out.push(`| Fix | ${cell(p.fix)} | |`);
  out.push('', '## Predicted path', '');
  if (p.hops.length === 0) out.push('_No hop: the packet does not leave the source._');
  p.hops.forEach((h, i) => out.push(`${i + 1}. **${h.node}**${h.interface ? ` \`${h.interface}\`` : ''} — ${h.action}: ${h.detail}`));
  out.push('', '## Observed output', '', '```text', o.output.trim() || '(no output)', '```', '', `_Probed ${at.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}._`, '');
  return out.join('\n');
}
