// Every command of package.json, as a table of factories (name -> (ctx) => handler) that
// extension.ts registers in one loop. The names are package.json's ids without the `cnm.` prefix.
import * as vscode from 'vscode';
import type { Ctx } from './ctx';

export type CommandFactory = (ctx: Ctx) => (...args: unknown[]) => unknown;

// TEMPORARY: each feature replaces its placeholder here when it is built.
function notYetBuilt(title: string): CommandFactory {
  return (ctx) => () => {
    ctx.output.info(`${title}: not built yet`);
    return vscode.window.showInformationMessage(`CNM Explorer: “${title}” is not built yet.`);
  };
}

export const commands: Record<string, CommandFactory> = {
  refresh: (ctx) => () => ctx.refresh(),
  openDiagram: notYetBuilt('Open Diagram'),
  createNetwork: notYetBuilt('Create Network'),
  removeNetwork: notYetBuilt('Remove Network'),
  connectContainer: notYetBuilt('Connect Container to Network'),
  disconnectContainer: notYetBuilt('Disconnect Container'),
  runContainer: notYetBuilt('Run Container'),
  traceFrom: notYetBuilt('Trace From Here'),
  revealInFile: notYetBuilt('Reveal in File'),
};
