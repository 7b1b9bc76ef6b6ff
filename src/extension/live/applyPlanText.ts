// The apply plan as the user reviews it before anything runs, and the sentence that says where a run
// stopped. No `vscode` here (unit-tested).
import type { ApplyResult, Plan } from '../../live';

/** The review document: the ordered steps as docker CLI commands, then what is left out and why. */
export function renderPlan(plan: Plan, fileName: string, hostLabel: string): string {
  const lines = [
    `# Apply ${fileName} (host ${plan.host}) to the Docker host ${hostLabel}`,
    '#',
    plan.steps.length
      ? `# ${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}, run in this order; the first error stops the run (nothing after it runs, nothing before it is undone).`
      : '# Nothing to do: everything the file declares already exists on the host.',
    '',
    ...plan.steps.map((s, i) => `${String(i + 1).padStart(String(plan.steps.length).length)}. ${s.description}`),
  ];
  if (plan.skipped.length) lines.push('', '# Left out:', ...plan.skipped.map((s) => `#   ${s}`));
  return `${lines.join('\n')}\n`;
}

/** One line for the end of a run: all done, or which step failed and why (Docker's text), and what was done before it. */
export function describeApplyResult(plan: Plan, result: ApplyResult, hostLabel: string): string {
  const total = plan.steps.length;
  if (!result.failed) return `Applied ${total} step${total === 1 ? '' : 's'} to ${hostLabel}.`;
  const { index, step, error } = result.failed;
  const before = index === 0 ? 'Nothing was changed.' : `Step${index === 1 ? ' 1 was' : `s 1–${index} were`} done and stay${index === 1 ? 's' : ''}.`;
  if (error === 'cancelled') return `Apply cancelled before step ${index + 1} of ${total} (${step.description}). ${before}`;
  return `Apply stopped at step ${index + 1} of ${total} (${step.description}): ${error}. ${before} Nothing after it was run.`;
}
