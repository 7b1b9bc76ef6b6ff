// Remove Container on a file: the question before it says that what still names the container stays in the
// file, flagged; the removal must then go through, and only those errors may come with it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { planContainerRemoval } from '../../../src/extension/topologyChanges';
import { loadTopology } from '../../../src/topology';

const read = (path: string) => readFileSync(join(import.meta.dirname, '../../..', path), 'utf8');

describe('planContainerRemoval', () => {
  it('removes a container an expect entry names; the entry stays, flagged', () => {
    const text = read('test/fixtures/remove-container/remove-lab.cnm.yaml');
    const plan = planContainerRemoval(text, 'probe');
    assert.ok(plan.ok, plan.ok ? '' : plan.error);
    assert.equal(plan.change.newText, text.replace('  probe:\n    image: busybox\n    networks: [appnet]        # 10.20.0.3\n', ''));
    assert.deepEqual(loadTopology(plan.change.newText).diagnostics.map((d) => d.message), ['"probe" is neither a container nor a host of this file.']);
  });

  it('removes a container another one joins (network_mode: container:b1); the joiner stays, flagged', () => {
    const text = read('examples/05-container-mode.cnm.yaml');
    const plan = planContainerRemoval(text, 'b1');
    assert.ok(plan.ok, plan.ok ? '' : plan.error);
    assert.ok(!/^ {2}b1:/m.test(plan.change.newText));
    assert.ok(loadTopology(plan.change.newText).diagnostics.some((d) => d.severity === 'error' && d.message.startsWith('Container "b1" is not defined in this file.')));
  });

  it('a name the file does not have: refused, in words', () => {
    assert.deepEqual(planContainerRemoval(read('examples/05-container-mode.cnm.yaml'), 'nosuch'), { ok: false, error: 'The file has no container named "nosuch".' });
  });
});
