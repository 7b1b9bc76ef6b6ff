// Reading FILE and building it, shared by the commands that work on a topology file.
import { hasErrors, loadTopology, type LoadedTopology } from '../../topology';
import { readTopologyFile, type CliIo } from '../io';

export function loadFile(io: CliIo, file: string): LoadedTopology {
  return io.loadLive?.(file) ?? loadTopology(readTopologyFile(io, file));
}

/** A note on stderr when the file has errors: the output then shows only what could be built. */
export function noteErrors(io: CliIo, file: string, loaded: LoadedTopology): void {
  if (!hasErrors(loaded.diagnostics)) return;
  const n = loaded.diagnostics.filter((d) => d.severity === 'error').length;
  io.err(`cnm: ${file} has ${n} error${n === 1 ? '' : 's'}; this shows only what could be built (see: cnm validate ${file})\n`);
}
