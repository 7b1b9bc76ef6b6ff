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
  /** An item that asks for the destination when picked (an address outside the topology). */
  ask?: 'outside';
}

/** The picker's "an address outside the topology…" item: an input box takes ADDRESS[:PORT][/PROTO]. */
export function outsideItem(where: string): Destination {
  return {
    label: '$(globe) An address outside the topology…',
    description: where,
    detail: 'the internet, the LAN, a service on a host: type an address, e.g. 1.1.1.1:443 or 192.168.1.20:5432',
    to: '', ask: 'outside',
  };
}

/** Asks for an address outside the topology, in the tracer's syntax (ADDRESS[:PORT][/tcp|udp|icmp]). */
export async function askOutside(title: string): Promise<Destination | undefined> {
  const value = await vscode.window.showInputBox({
    title,
    prompt: 'An address outside the topology, optionally with :port and /tcp, /udp or /icmp (no port: ping)',
    placeHolder: '1.1.1.1:443',
    validateInput: (v) => (v.trim() === '' ? 'an address, e.g. 1.1.1.1:443' : typedDestination(v.trim()) ? undefined : 'an address like 1.1.1.1, 8.8.8.8:53/udp or [2606:4700::1111]:443'),
  });
  if (value === undefined) return undefined;
  const d = typedDestination(value.trim());
  // An address with no port is a ping: no second question.
  return d && !d.proto ? { ...d, proto: 'icmp' } : d;
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
  let settled = false;
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      const chosen = qp.selectedItems[0];
      const typed = qp.value.trim();
      if (chosen && 'to' in chosen && (chosen as Destination).ask === 'outside') {
        // The input box replaces the picker: resolve with what it answers.
        const title = qp.title ?? 'Trace';
        settled = true;
        qp.hide();
        void askOutside(title).then(resolve);
        return;
      }
      if (chosen && 'to' in chosen) resolve(chosen as Destination);
      else if (typed) resolve(typedDestination(typed));
      else return;
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!settled) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}
