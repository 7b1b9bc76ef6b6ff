// A live host as a topology file (SPEC format, version 1): the spec built from the snapshot, written
// out with a comment that says where and when it was read. Applying the file to a clean daemon
// reproduces the networks and the addresses.
import type { Snapshot } from '../docker';
import { writeTopology } from '../topology/edit/writer';
import { snapshotToSpec, type ImportOptions } from './snapshotSpec';

export type { ImportOptions } from './snapshotSpec';

export function importTopology(snapshot: Snapshot, opts: ImportOptions = {}): string {
  const { spec, stopped } = snapshotToSpec(snapshot, opts);
  return writeTopology(spec, { comment: importComment(snapshot, stopped) });
}

function importComment(snapshot: Snapshot, stopped: readonly string[]): string {
  return ` Imported from ${snapshot.endpoint} (Docker ${snapshot.daemon.version}) at ${snapshot.takenAt}.` +
    (stopped.length > 0 ? `\n Not running, so not imported: ${stopped.join(', ')}.` : '');
}
