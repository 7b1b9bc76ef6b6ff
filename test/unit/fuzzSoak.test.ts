// The bounded CI slice of the fuzz soak (bench/fuzz.bench.ts runs 12,000 documents): 300 mutated
// topology files and 300 mutated Compose projects, a seed of their own per run of the suite (printed, so
// a failure can be replayed with FUZZ_SOAK_SEED). No throw, no diagnostic outside its document, no
// internal error. The language server's slice is test/lsp/fuzz.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeSeeds, fuzzCompose, fuzzTopology, topologySeeds } from '../../bench/fuzzCore';

const SEED = Number(process.env.FUZZ_SOAK_SEED ?? 20261207);

describe(`fuzz soak slice (seed ${SEED})`, () => {
  it('the seeds are every example of the folder', () => {
    assert.ok(topologySeeds().length >= 10);
    assert.ok(composeSeeds().length >= 2);
  });

  it('300 mutated topology files: no failure', () => {
    const r = fuzzTopology(300, SEED);
    assert.deepEqual(r.failures, []);
    assert.ok(r.withErrors > 50, `the mutations break files (${r.withErrors} of 300)`);
  });

  it('300 mutated Compose projects: no failure', () => {
    const r = fuzzCompose(300, SEED + 1);
    assert.deepEqual(r.failures, []);
    assert.ok(r.withErrors > 50, `the mutations break files (${r.withErrors} of 300)`);
  });
});
