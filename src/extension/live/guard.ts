// Workspace trust, in one place: in an untrusted workspace nothing changes a Docker host (create,
// remove, connect, disconnect, run, apply). Reading — the tree, diagrams, traces, import, drift —
// still works. No `vscode` here: the caller passes how to ask (vscode.workspace.isTrusted), so the
// rule is unit-tested on its own.

/** What the user reads when an action is refused for want of trust. */
export function untrustedMessage(action: string): string {
  return `${action}: this workspace is not trusted, so CNM Explorer does not change Docker hosts from it. `
    + 'Reading hosts (the tree, diagrams, traces, import, drift) still works. To change a host, trust the workspace (Workspaces: Manage Workspace Trust).';
}

export interface Refusal {
  ok: false;
  error: string;
}

/**
 * Runs `change` only in a trusted workspace; otherwise `change` is never called and the refusal is
 * returned (and handed to `report`, which shows it).
 */
export async function guardHostChange<T>(isTrusted: () => boolean, action: string, change: () => Promise<T>, report?: (message: string) => void): Promise<T | Refusal> {
  if (!isTrusted()) {
    const error = untrustedMessage(action);
    report?.(error);
    return { ok: false, error };
  }
  return change();
}
