// Remove Container (docker rm -f): on a file, its entry goes (undo brings it back); on a live host,
// through the API after a modal confirmation, in a trusted workspace only.
//   cnm.removeContainer({ file, container })       cnm.removeContainer({ liveHost, container })
import * as vscode from 'vscode';
import { removeContainer as removeLiveContainer } from '../../docker';
import type { Ctx } from '../ctx';
import { planContainerRemoval } from '../topologyChanges';
import { referencesToContainer } from '../../topology/edit';
import { refuse, resolveInvocation, type Invocation } from './args';
import { applyChange, type AppliedChange } from './applyChange';
import { confirmDestructive, isLiveInvocation, refuseLive, resolveLive, sendToHost, snapshotOf, whenTrusted, type LiveResult } from './liveCommon';

const REMOVE = 'Remove Container';

type Result = AppliedChange | LiveResult | { ok: false; error: string } | undefined;

export function removeContainerCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<Result> => {
    if (isLiveInvocation(arg)) return removeOnHost(ctx, arg);
    const inv = await resolveInvocation(ctx, arg, REMOVE);
    if (!inv) return undefined;
    const name = typeof inv.args.container === 'string' ? inv.args.container : await pickContainer(inv);
    if (!name) return undefined;
    if (!inv.source.loaded.spec.containers.some((c) => c.name === name)) return refuse(ctx, inv, REMOVE, `No such container: ${name}`);
    const refs = referencesToContainer(inv.source.text, name);
    if (!inv.scripted && (refs.joiners.length || refs.expects)) {
      const lines = [
        refs.joiners.length ? `${refs.joiners.join(', ')} ${refs.joiners.length === 1 ? 'shares' : 'share'} its network namespace (network_mode: container:${name}) and will have none to join.` : '',
        refs.expects ? `${refs.expects} expect ${refs.expects === 1 ? 'entry names' : 'entries name'} it.` : '',
      ].filter(Boolean);
      const ok = await confirmDestructive(`Remove container "${name}" from ${inv.source.fileName}?`, `${lines.join(' ')} They stay in the file, flagged, until you change them; Undo brings the container back.`, 'Remove');
      if (!ok) return undefined;
    }
    const plan = planContainerRemoval(inv.source.text, name, inv.source.loaded);
    if (!plan.ok) return refuse(ctx, inv, REMOVE, plan.error);
    const applied = await applyChange(ctx, inv.source, plan.change, `${REMOVE} ${name}`, !inv.scripted);
    return applied.ok ? applied : refuse(ctx, inv, REMOVE, applied.error);
  };
}

async function pickContainer(inv: Invocation): Promise<string | undefined> {
  const items = inv.source.loaded.spec.containers.map((c) => ({ label: c.name, description: c.host }));
  return (await vscode.window.showQuickPick(items, { title: REMOVE, placeHolder: 'Which container?' }))?.label;
}

function removeOnHost(ctx: Ctx, arg: unknown): Promise<LiveResult> {
  const inv = resolveLive(ctx, arg);
  if ('error' in inv) return Promise.resolve(refuseLive(ctx, undefined, REMOVE, inv.error));
  return whenTrusted(ctx, REMOVE, async () => {
    const s = await snapshotOf(inv.entry);
    let container = typeof inv.args.container === 'string' ? inv.args.container : undefined;
    if (!container && !inv.scripted) {
      const p = await vscode.window.showQuickPick(s.containers.map((c) => ({ label: c.name, description: c.status })), { title: `${REMOVE} on ${inv.entry.label}`, placeHolder: 'Which container?' });
      container = p?.label;
      if (!container) return undefined;
    }
    if (!container) return refuseLive(ctx, inv, REMOVE, 'pass { container }');
    const c = s.containers.find((x) => x.name === container || x.id === container);
    const joiners = c ? s.containers.filter((x) => x.networkMode === `container:${c.id}` || x.networkMode === `container:${c.name}`).map((x) => x.name) : [];
    const ok = await confirmDestructive(
      `Remove container ${container} from ${inv.entry.label}?`,
      `docker rm -f: ${c?.running ? 'it is running and is stopped first; ' : ''}its endpoints are released.${joiners.length ? ` ${joiners.join(', ')} ${joiners.length === 1 ? 'shares' : 'share'} its network namespace.` : ''} This cannot be undone.`,
      'Remove',
    );
    if (!ok) return undefined;
    const name = container;
    return sendToHost(ctx, inv, REMOVE, `Removing ${name}`, async () => {
      await removeLiveContainer(inv.entry.client, name);
      return `Removed ${name} from ${inv.entry.label}.`;
    });
  }, inv.scripted);
}
