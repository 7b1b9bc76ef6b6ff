// Drift on the file: each difference between a topology file and a recorded Docker host lands on the
// text it is about — the changed value, the missing network's key, the endpoint — and what exists
// only on the host on the section it would be written in.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { computeDrift } from '../../../src/live/drift';
import { importTopology } from '../../../src/live/import';
import type { Snapshot } from '../../../src/docker/snapshot';
import { parseContainerInspect, parseNetworkInspect, parseVersionAnswer } from '../../../src/docker/validate';
import { driftDiagnostics, driftSummary } from '../../../src/extension/live/driftRanges';
import { loadTopology } from '../../../src/topology';

const recorded = JSON.parse(readFileSync(join(__dirname, '../docker/fixtures/host-20.10.json'), 'utf8')) as { version: unknown; networks: unknown[]; containers: unknown[] };
const snapshot = (): Snapshot => ({
  endpoint: 'unix:///var/run/docker.sock',
  daemon: parseVersionAnswer(recorded.version),
  networks: recorded.networks.map(parseNetworkInspect),
  containers: recorded.containers.map(parseContainerInspect),
  takenAt: 'now',
});

/** The text a diagnostic's range covers. */
function textAt(text: string, r: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
  const lines = text.split('\n');
  if (r.start.line === r.end.line) return lines[r.start.line]!.slice(r.start.character, r.end.character);
  return [lines[r.start.line]!.slice(r.start.character), ...lines.slice(r.start.line + 1, r.end.line), lines[r.end.line]!.slice(0, r.end.character)].join('\n');
}

describe('drift on the file', () => {
  it('puts each item on its range, with a severity and the host in the message', () => {
    const s = snapshot();
    let text = importTopology(s, { label: 'cnm-explorer.live-test=1' });
    text = text.replace('ipv4_address: 10.203.0.10', 'ipv4_address: 10.203.0.11').replace('subnet: 10.203.0.0/16', 'subnet: 10.203.0.0/17');
    text = text.replace(/\n {6}fx-auto:[^\n]*/, '');
    text = text.replace('networks:\n', 'networks:\n  fx-new: { subnet: 10.209.0.0/24 }\n');
    const loaded = loadTopology(text);
    const items = computeDrift(loaded.spec, loaded.engine, s, { label: 'cnm-explorer.live-test=1' });
    const diags = driftDiagnostics(items, loaded.rangeOf, 'local');
    const shown = diags.map((d) => `${d.severity} ${textAt(text, d.range)} ← ${d.message}`).sort();
    assert.deepEqual(shown, [
      'information fx-web ← Drift with local: container "fx-web" is connected to "fx-auto" on the host, not in the file',
      'warning 10.203.0.0/17 ← Drift with local: network "fx-lan": subnet is 10.203.0.0/17 in the file, 10.203.0.0/16 on the host',
      'warning 10.203.0.11 ← Drift with local: container "fx-web" on "fx-lan": ipv4_address is 10.203.0.11 in the file, 10.203.0.10 on the host',
      'warning fx-new ← Drift with local: network "fx-new" is in the file but not on the host',
    ]);
    assert.equal(driftSummary(items), '1 missing, 2 different, 1 extra');
  });

  it('a field the file does not write is shown on its owner\'s key, never on a whole block', () => {
    const text = 'networks:\n  cnmx-a:\n    driver: bridge\n';
    const loaded = loadTopology(text);
    const [d] = driftDiagnostics([{ kind: 'different', object: 'network', network: 'cnmx-a', field: 'internal', file: false, live: true, message: 'internal differs', path: ['networks', 'cnmx-a', 'internal'] }], loaded.rangeOf, 'h');
    assert.equal(textAt(text, d!.range), 'cnmx-a');
  });

  it('what is only on the host goes on the section it would be written in', () => {
    const text = 'networks:\n  cnmx-a: {}\ncontainers:\n  c1: { image: busybox }\n';
    const loaded = loadTopology(text);
    const diags = driftDiagnostics([
      { kind: 'extra', object: 'network', network: 'other', message: 'network "other" is on the host but not in the file', path: [] },
      { kind: 'extra', object: 'container', container: 'x', message: 'container "x" is running on the host but is not in the file', path: [] },
    ], loaded.rangeOf, 'h');
    assert.deepEqual(diags.map((d) => textAt(text, d.range)), ['networks', 'containers']);
    assert.equal(driftSummary([]), 'no drift: the host matches the file');
  });
});
