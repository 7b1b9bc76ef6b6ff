// Malformed input of every kind: 2,000 random mutations of the examples (lines deleted, duplicated,
// swapped, re-indented; random characters) go through parse and build. Nothing may throw, and every
// diagnostic must sit inside the document with a message, or an editor could not show it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadTopology } from '../../../src/topology';
import { rangeInside } from './helpers';
import { mulberry32, mutate } from './mutate';

const EXAMPLES = join(__dirname, '../../../examples');
const texts = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.cnm.yaml'))
  .map((f) => readFileSync(join(EXAMPLES, f), 'utf8'));

describe('fuzz: mutated examples through parse + build', () => {
  it('2,000 mutations: no throw, every diagnostic inside the document', () => {
    const random = mulberry32(7);
    let withErrors = 0;
    for (let i = 0; i < 2000; i++) {
      let text = mutate(texts[i % texts.length]!, random);
      if (random() < 0.25) text = mutate(text, random);
      let loaded;
      try {
        loaded = loadTopology(text);
      } catch (err) {
        assert.fail(`mutation ${i} threw ${String(err)}\n${text}`);
      }
      for (const d of loaded.diagnostics) {
        assert.ok(rangeInside(text, d.range), `mutation ${i}: range ${JSON.stringify(d.range)} outside the document (${d.message})\n${text}`);
        assert.ok(d.message.length > 0 && ['error', 'warning', 'information'].includes(d.severity));
        assert.ok(!d.message.startsWith('Internal error'), `mutation ${i}: ${d.message}\n${text}`);
      }
      if (loaded.diagnostics.some((d) => d.severity === 'error')) withErrors++;
    }
    assert.ok(withErrors > 500, `the mutations should break many files (${withErrors} did)`);
  });
});
