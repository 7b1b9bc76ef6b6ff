// "Apply to Docker Host": the file turned into an ordered plan of Docker operations (planApply), shown
// for review in a read-only document, confirmed, then run with progress (cancellable between steps);
// the first error stops the run and says which step failed and why. Changes a host: trusted only.
//   cnm.docker.applyToHost({ file, liveHost, host?, labels?, command?, image? })
import * as vscode from 'vscode';
import { applyPlan, planApply, type ApplyResult, type Plan } from '../../live';
import type { Ctx } from '../ctx';
import { resolveInvocation } from '../commands/args';
import { confirmDestructive, CREATED_LABELS, errorText, isLiveInvocation, pickLiveHost, refuseLive, resolveLive, snapshotOf, whenTrusted } from '../commands/liveCommon';
import { splitCommand } from '../commands/liveArgs';
import { describeApplyResult, renderPlan } from './applyPlanText';
import type { LiveHostEntry } from './liveHostsApi';

const APPLY = 'Apply to Docker Host';
export const PLAN_SCHEME = 'cnm-plan';

export type ApplyOutcome =
  | { ok: true; done: number; total: number; message: string; plan: string }
  | { ok: false; error: string; done?: number; total?: number; failedStep?: number; plan?: string }
  | undefined;

/** Read-only documents with the plans shown for review. */
class PlanDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private seq = 0;
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
  add(title: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${title}.plan`, query: String(++this.seq) });
    this.texts.set(uri.toString(), text);
    return uri;
  }
}

const plans = new WeakMap<Ctx, PlanDocuments>();
function planDocs(ctx: Ctx): PlanDocuments {
  let p = plans.get(ctx);
  if (!p) {
    p = new PlanDocuments();
    ctx.track(vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, p));
    plans.set(ctx, p);
  }
  return p;
}

export function applyToHostCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<ApplyOutcome> => {
    const inv = await resolveInvocation(ctx, arg, APPLY);
    if (!inv) return undefined;
    return whenTrusted(ctx, APPLY, async (): Promise<ApplyOutcome> => {
      let entry: LiveHostEntry | undefined;
      if (isLiveInvocation(arg)) {
        const live = resolveLive(ctx, arg);
        if ('error' in live) return refuseLive(ctx, { scripted: inv.scripted }, APPLY, live.error);
        entry = live.entry;
      } else {
        entry = await pickLiveHost(ctx, `${APPLY}: ${inv.source.fileName}`);
      }
      if (!entry) return undefined;
      const scope = { scripted: inv.scripted, entry };
      if (inv.source.errors > 0) return refuseLive(ctx, scope, APPLY, `${inv.source.fileName} has ${inv.source.errors} error(s): fix them first (see Problems)`);
      const a = inv.args;
      const host = typeof a.host === 'string' ? a.host : inv.source.firstHost;
      let plan: Plan;
      try {
        plan = planApply(inv.source.loaded.spec, {
          host,
          current: await snapshotOf(entry, true),
          labels: { ...CREATED_LABELS, ...(typeof a.labels === 'object' && a.labels !== null ? Object.fromEntries(Object.entries(a.labels).map(([k, v]) => [k, String(v)])) : {}) },
          ...(Array.isArray(a.command) ? { command: a.command.map(String) } : typeof a.command === 'string' ? { command: splitCommand(a.command) } : {}),
          ...(typeof a.image === 'string' ? { image: a.image } : {}),
        });
      } catch (err) {
        return refuseLive(ctx, scope, APPLY, errorText(err));
      }
      const text = renderPlan(plan, inv.source.fileName, entry.label);
      const total = plan.steps.length;
      if (total === 0) {
        const message = `Nothing to apply: everything ${inv.source.fileName} declares already exists on ${entry.label}.`;
        if (!inv.scripted) void vscode.window.showInformationMessage(message);
        return { ok: true, done: 0, total: 0, message, plan: text };
      }
      // The plan for review, beside the file; then the question.
      const doc = await vscode.workspace.openTextDocument(planDocs(ctx).add(`Apply ${inv.source.fileName} to ${entry.label.replace(/[/\\]/g, '_')}`, text));
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
      const shown = plan.steps.slice(0, 8).map((s, i) => `${i + 1}. ${s.description}`).join('\n');
      const ok = await confirmDestructive(
        `Apply ${inv.source.fileName} to ${entry.label}? ${total} step${total === 1 ? '' : 's'} will run in order.`,
        `${shown}${total > 8 ? `\n… ${total - 8} more (see the plan)` : ''}\n\nThe first error stops the run; what was done before it stays.`,
        'Apply',
      );
      if (!ok) return undefined;
      const target = entry;
      let result: ApplyResult;
      try {
        result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Applying ${inv.source.fileName} to ${target.label}`, cancellable: true },
          (progress, token) => {
            const signal = { cancelled: token.isCancellationRequested };
            token.onCancellationRequested(() => { signal.cancelled = true; });
            return applyPlan(target.client, plan, (p) => {
              if (p.state === 'running') progress.report({ message: `${p.index + 1}/${p.total}: ${p.step.description}` });
              else if (p.state === 'done') progress.report({ increment: 100 / p.total });
              ctx.output.info(`apply ${p.index + 1}/${p.total} ${p.state}: ${p.step.description}${p.error ? ` — ${p.error}` : ''}`);
            }, signal);
          },
        );
      } finally {
        await target.refresh().catch((e: unknown) => ctx.output.warn(`refresh of ${target.label} failed: ${errorText(e)}`));
      }
      const message = describeApplyResult(plan, result, target.label);
      if (result.failed) {
        const r = refuseLive(ctx, scope, APPLY, message);
        return { ...r, done: result.done, total, failedStep: result.failed.index + 1, plan: text };
      }
      ctx.output.info(message);
      if (!inv.scripted) void vscode.window.showInformationMessage(message);
      return { ok: true, done: result.done, total, message, plan: text };
    }, inv.scripted);
  };
}
