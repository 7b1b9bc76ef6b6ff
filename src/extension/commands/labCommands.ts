// Play Topology in a Lab: the file played on lab hosts on this machine by the CLI (`cnm lab up --compare`,
// dist/cli-lab.js), in a terminal so the user watches it, with `sudo` in front when VS Code does not run
// as root (lab hosts are dockerd in network namespaces). When the play ends the terminal offers to tear
// the lab down (`cnm lab down`).
//   cnm.playInLab({ file })   { file, open: false }: only the terminal's command, nothing started
import { existsSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { untrustedMessage } from '../live/guard';
import { resolveInvocation } from './args';

export interface LabTerminal {
  name: string;
  shellPath: string;
  shellArgs: string[];
}

/** `node` on PATH: the CLI needs Node.js (VS Code's own runtime is not one a terminal can run). */
function nodeOnPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'node');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The terminal's command: up --compare, then (when the lab came up: exit 0 agree, 1 disagree) Enter tears
 * it down. The paths go in as positional parameters of sh, never into the script's text.
 */
export function labTerminal(file: string, cli: string, node: string, root: boolean): LabTerminal {
  const sudo = root ? '' : 'sudo ';
  const script = [
    `${sudo}"$1" "$2" lab up --compare "$3"`,
    'code=$?',
    'if [ "$code" -le 1 ]; then printf \'\\nPress Enter to tear the lab down (cnm lab down)… \'; read _; ' + `${sudo}"$1" "$2" lab down "$3"; fi`,
  ].join('; ');
  return { name: `CNM Lab: ${basename(file)}`, shellPath: '/bin/sh', shellArgs: ['-c', script, 'cnm-lab', node, cli, file] };
}

export function playInLabCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<LabTerminal | undefined> => {
    const inv = await resolveInvocation(ctx, arg, 'Play Topology in a Lab');
    if (!inv) return undefined;
    const say = (message: string) => {
      if (!inv.scripted) void vscode.window.showErrorMessage(message);
      throw new Error(message);
    };
    // It starts daemons on this machine, as root, from the workspace's file: not from an untrusted workspace.
    if (!vscode.workspace.isTrusted) return say(untrustedMessage('Play Topology in a Lab'));
    if (inv.source.uri.scheme !== 'file') return say('Play Topology in a Lab: the file must be on this machine\'s disk.');
    if (inv.source.isCompose) return say('Play Topology in a Lab: Compose projects cannot be played on lab hosts yet.');
    if (process.platform !== 'linux') return say('Play Topology in a Lab: lab hosts (dockerd in network namespaces) need Linux.');
    const node = nodeOnPath();
    if (!node) return say('Play Topology in a Lab: needs Node.js (`node`) on PATH to run the CNM command line.');
    const cli = vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'cli.js').fsPath;
    const term = labTerminal(inv.source.uri.fsPath, cli, node, process.getuid?.() === 0);
    if (inv.args.open === false) return term;
    const terminal = vscode.window.createTerminal({ name: term.name, shellPath: term.shellPath, shellArgs: term.shellArgs });
    terminal.show();
    return term;
  };
}
