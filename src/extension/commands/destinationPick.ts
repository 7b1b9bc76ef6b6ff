// "To where?" for a trace or a verify: a QuickPick of the likely destinations (containers by name,
// their addresses, published ports, the host's own addresses) that also takes a typed destination in
// the tracer's own syntax (`web`, `10.0.0.2:80`, `db:5432/tcp`, `[fd00::2]:80/tcp6`).
import * as vscode from 'vscode';
import { parseDestination } from '../../engine';
import type { TraceProto } from '../../protocol/trace';

export interface Destination extends vscode.QuickPickItem {
  to: string;
  elementId?: string;
  port?: number;
  proto?: TraceProto;
}

/** What the user typed, as a destination; undefined when the tracer would not understand it. */
export function typedDestination(typed: string): Destination | undefined {
  const d = parseDestination(typed);
  if ('error' in d) return undefined;
  // A bare name keeps no protocol: the caller then asks, or uses the user's default protocol.
  const saidProto = d.port !== undefined || typed.includes('/');
  return { label: typed, to: d.to, ...(d.port !== undefined ? { port: d.port } : {}), ...(saidProto ? { proto: d.proto } : {}) };
}

export function pickDestination(title: string, items: readonly (Destination | vscode.QuickPickItem)[]): Promise<Destination | undefined> {
  const qp = vscode.window.createQuickPick<Destination | vscode.QuickPickItem>();
  qp.title = title;
  qp.placeholder = 'To where? Pick one, or type a name or an address (optionally :port, /tcp, /udp, /icmp)';
  qp.items = items;
  qp.matchOnDescription = true;
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      const chosen = qp.selectedItems[0];
      const typed = qp.value.trim();
      if (chosen && 'to' in chosen) resolve(chosen as Destination);
      else if (typed) resolve(typedDestination(typed));
      else return;
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}
