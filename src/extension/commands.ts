// Every command of package.json, as a table of factories (name -> (ctx) => handler) that
// extension.ts registers in one loop. The names are package.json's ids without the `cnm.` prefix.
// Each command takes a tree node (menus), a file URI, named arguments ({ file, … }: tests and
// scripts, no questions asked) or nothing (the palette).
import type { Ctx } from './ctx';
import { publishPortCommand } from './commands/composeCommands';
import { connectContainerCommand, disconnectContainerCommand, runContainerCommand } from './commands/containerCommands';
import { createNetworkCommand, removeNetworkCommand } from './commands/networkCommands';
import { traceFromCommand } from './commands/traceCommands';
import { showMatrixCommand, showRulesCommand } from './commands/analysisCommands';
import { removeContainerCommand } from './commands/removeContainerCommand';
import { createServiceCommand } from './commands/serviceCommands';
import { openDiagramCommand, revealInFileCommand } from './commands/viewCommands';
import { applyToHostCommand } from './live/apply';
import { compareWithHostCommand, stopComparingCommand } from './live/drift';
import { importHostCommand } from './live/import';
import { playInLabCommand } from './commands/labCommands';

export type CommandFactory = (ctx: Ctx) => (...args: unknown[]) => unknown;

export const commands: Record<string, CommandFactory> = {
  refresh: (ctx) => () => ctx.refresh(),
  openDiagram: openDiagramCommand,
  createNetwork: createNetworkCommand,
  removeNetwork: removeNetworkCommand,
  connectContainer: connectContainerCommand,
  disconnectContainer: disconnectContainerCommand,
  runContainer: runContainerCommand,
  removeContainer: removeContainerCommand,
  publishPort: publishPortCommand,
  createService: createServiceCommand,
  traceFrom: traceFromCommand,
  showMatrix: showMatrixCommand,
  showRules: showRulesCommand,
  revealInFile: revealInFileCommand,
  // Lab hosts on this machine: the CLI's `cnm lab up --compare` in a terminal.
  playInLab: playInLabCommand,
  // Live Docker hosts (the network and container commands above also act on a live node).
  'docker.importHost': importHostCommand,
  'docker.compareWithHost': compareWithHostCommand,
  'docker.stopComparing': stopComparingCommand,
  'docker.applyToHost': applyToHostCommand,
};
