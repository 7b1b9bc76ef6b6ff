// Hover and completion read one object without indexing or inspecting the whole file (symbolIndex.ts
// symbolAt, liveLookup.ts): the answers must be the whole index's and the whole inspect view's, on every
// example file (services, expectations, several hosts, swarm) and at every offset.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DocumentAnalyzer } from '../../../src/server/analysis';

const EXAMPLES = join(import.meta.dirname, '../../../examples');
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.cnm.yaml'));

describe('one-object lookups agree with the whole index and the whole inspect view', () => {
  it('has examples to read', () => assert.ok(files.length >= 10));
  for (const file of files) {
    it(file, () => {
      const text = readFileSync(join(EXAMPLES, file), 'utf8');
      // Two analyses of the same text: one answers one object at a time, the other from the whole views.
      const one = new DocumentAnalyzer(`file:///${file}`).analyzeNow(1, text);
      const whole = new DocumentAnalyzer(`file:///${file}`).analyzeNow(1, text);
      const index = whole.symbols();
      for (let offset = 0; offset <= text.length; offset++) {
        assert.deepEqual(one.symbolAt(offset), index.at(offset), `${file}: the occurrence at offset ${offset}`);
      }
      const inspect = whole.inspect();
      assert.ok(inspect);
      for (const c of inspect.containers) {
        assert.deepEqual(one.liveContainer(c.name, c.host), c, `${file}: container ${c.name} on ${c.host}`);
        assert.deepEqual(one.liveContainer(c.name), inspect.containers.find((x) => x.name === c.name), `${file}: container ${c.name}, any host`);
      }
      for (const n of inspect.networks) {
        assert.deepEqual(one.liveNetwork(n.name, n.host), inspect.networks.find((x) => x.name === n.name && x.host === n.host), `${file}: network ${n.name} on ${n.host}`);
      }
      assert.equal(one.liveContainer('no-such-container'), undefined);
      // Once the whole view is made, it answers (the same objects).
      const made = one.inspect();
      if (made?.containers[0]) assert.equal(one.liveContainer(made.containers[0].name, made.containers[0].host), made.containers[0]);
    });
  }
});
