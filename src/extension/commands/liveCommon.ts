// What every command that acts on a live Docker host shares: which host it was invoked on (a live
// tree node, named arguments, or a pick), the trust guard, the progress notification, Docker's own
// refusal shown plainly, the confirmation of destructive actions, and the refresh afterwards.
import * as vscode from 'vscode';
import { CREATED_BY_LABEL, takeSnapshot, type Snapshot } from '../../docker';
import type { Ctx } from '../ctx';
import { guardHostChange, type Refusal } from '../live/guard';
import type { LiveHostEntry, LiveHostsApi } from '../live/liveHostsApi';

export type LiveResult = { ok: true; message: string } | Refusal | undefined;

/** Labels on what the extension creates on a host (so it can be told apart later). */
export const CREATED_LABELS = { [CREATED_BY_LABEL]: 'vscode' };

/** The connection manager (ctx.live), through its interface: all these commands need of it. */
export function liveHostsOf(ctx: Ctx): LiveHostsApi {
  return ctx.live;
}

export interface LiveInvocation {
  entry: LiveHostEntry;
  args: Record<string, unknown>;
  /** Named arguments (tests, scripts): no questions except the confirmation of what cannot be undone. */
  scripted: boolean;
}

/** The argument names a live host: a live tree node (it carries `liveHost`) or `{ liveHost: key, … }`. */
export function isLiveInvocation(arg: unknown): boolean {
  return typeof arg === 'object' && arg !== null && typeof (arg as { liveHost?: unknown }).liveHost === 'string';
}

/** Resolves the host of a live invocation; a message when it is not known (any more). */
export function resolveLive(ctx: Ctx, arg: unknown): LiveInvocation | { error: string } {
  const args = { ...(arg as Record<string, unknown>) };
  // A tree node carries a contextValue; named arguments do not.
  const scripted = typeof args.contextValue !== 'string';
  const key = String(args.liveHost);
  const entry = liveHostsOf(ctx).get(key);
  if (!entry) return { error: `the Docker host ${key} is not connected in CNM Explorer` };
  return { entry, args, scripted };
}

/** Asks which live host (the only one is taken without asking). */
export async function pickLiveHost(ctx: Ctx, title: string): Promise<LiveHostEntry | undefined> {
  const live = liveHostsOf(ctx);
  const hosts = live.list();
  if (hosts.length === 0) {
    void vscode.window.showInformationMessage(`${title}: no Docker host is connected (see the Docker hosts in the CNM view, and the setting cnm.docker.hosts).`);
    return undefined;
  }
  if (hosts.length === 1) return hosts[0];
  const picked = await vscode.window.showQuickPick(
    hosts.map((h) => ({
      label: h.label,
      description: h.status.kind === 'connected' ? `Docker ${h.status.version ?? ''}`.trim() : h.status.kind,
      detail: h.key,
      entry: h,
    })),
    { title, placeHolder: 'Which Docker host?' },
  );
  return picked?.entry;
}

/**
 * The host as last read (the tree's: current to the last event), or read now when there is none yet
 * or when `fresh` (import and apply must not miss a change whose event is still on its way).
 */
export async function snapshotOf(entry: LiveHostEntry, fresh = false): Promise<Snapshot> {
  return (!fresh && entry.state?.snapshot) || takeSnapshot(entry.client);
}

/** The trust guard, bound to VS Code's answer: the one place commands that change a host go through. */
export async function whenTrusted<T>(ctx: Ctx, action: string, change: () => Promise<T>, scripted = false): Promise<T | Refusal> {
  return guardHostChange(() => vscode.workspace.isTrusted, action, change, (message) => {
    ctx.output.warn(message);
    if (!scripted) void vscode.window.showWarningMessage(message);
  });
}

/**
 * Sends one change to Docker under a progress notification; Docker's refusal is reported in its
 * own words; the host is read again afterwards either way (so the tree does not wait for the event).
 */
export async function sendToHost(ctx: Ctx, inv: LiveInvocation, title: string, progress: string, send: () => Promise<string>): Promise<LiveResult> {
  try {
    const message = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${progress} on ${inv.entry.label}…` }, send);
    ctx.output.info(`${title} on ${inv.entry.label}: ${message}`);
    if (!inv.scripted) void vscode.window.showInformationMessage(message);
    return { ok: true, message };
  } catch (err) {
    return refuseLive(ctx, inv, title, errorText(err));
  } finally {
    await inv.entry.refresh().catch((e: unknown) => ctx.output.warn(`refresh of ${inv.entry.label} failed: ${errorText(e)}`));
  }
}

/** Docker's text as it gave it (a DockerApiError's message is the daemon's own). */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function refuseLive(ctx: Ctx, inv: { scripted: boolean; entry?: LiveHostEntry } | undefined, title: string, error: string): Refusal {
  const where = inv?.entry ? ` (${inv.entry.label})` : '';
  ctx.output.warn(`${title}${where}: ${error}`);
  if (!inv?.scripted) void vscode.window.showErrorMessage(`${title}${where}: ${error}`);
  return { ok: false, error };
}

/** A modal warning with one explicit button; true only when that button was chosen. */
export async function confirmDestructive(message: string, detail: string, button: string): Promise<boolean> {
  const answer = await vscode.window.showWarningMessage(message, { modal: true, detail }, button);
  return answer === button;
}
