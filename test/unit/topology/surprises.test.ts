// The build's port checks read a small view of each container that publishes ports (portView) instead
// of its whole inspect view: that view must say what inspectContainer says, for every container of
// every example and of a generated file (host mode, container: joiners, internal networks, macvlan…).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inspectContainer } from '../../../src/engine';
import { buildTopology, parseTopology } from '../../../src/topology';
import { portView } from '../../../src/topology/surprises';
import { generateTopology } from '../../../bench/generate';

const examples = join(__dirname, '../../../examples');

function sameAsInspect(text: string): number {
  const parsed = parseTopology(text);
  const { engine } = buildTopology(parsed.spec, parsed);
  let checked = 0;
  for (const [hostName, host] of engine.state.hosts) {
    for (const c of host.containers.values()) {
      const full = inspectContainer(host, c);
      const view = portView(engine, hostName, c.name);
      assert.deepEqual(view, { running: full.running, warnings: full.warnings, published: full.ports.length, gatewayNetwork: full.default_gateway_network }, `${hostName}/${c.name}`);
      checked++;
    }
  }
  return checked;
}

describe('portView', () => {
  it('says what inspectContainer says, for every container of every example', () => {
    const files = readdirSync(examples).filter((f) => f.endsWith('.cnm.yaml'));
    assert.ok(files.length > 0);
    let checked = 0;
    for (const f of files) checked += sameAsInspect(readFileSync(join(examples, f), 'utf8'));
    assert.ok(checked > files.length, `only ${checked} containers checked`);
  });

  it('and for a generated file with published ports', () => {
    assert.ok(sameAsInspect(generateTopology({ containers: 300, networks: 30 })) >= 300);
  });

  it('is undefined for a container that does not exist', () => {
    const parsed = parseTopology(generateTopology({ containers: 2, networks: 1 }));
    assert.equal(portView(buildTopology(parsed.spec, parsed).engine, 'host1', 'nope'), undefined);
  });
});
