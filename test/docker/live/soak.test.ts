// A bounded slice of the live soak (bench/soak.bench.ts runs 1,000 cycles and reports memory): the
// extension's connection follows a lab host (its own dockerd, never the main one) through 100 container
// create → network connect → remove cycles; at the end the followed state equals a new connection's
// snapshot, the tree's containers and networks are `docker ps -a` / `docker network ls`, and nothing
// was rejected unhandled. Memory and timings are the bench's to report, never asserted here.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { soak } from '../../../bench/soakCore';
import { startLab, type Lab } from '../harness/lab';
import { releaseMissing } from '../harness/labPaths';
import { isCI } from '../../support/ci.mjs';

const missing = releaseMissing('20.10');
let lab: Lab | undefined;

before(async () => {
  if (missing) {
    if (isCI()) throw new Error(missing);
    return;
  }
  lab = await startLab({ hosts: [{ name: 's8soakt', version: '20.10' }], lan: false });
});
after(async () => {
  await lab?.stop();
});

test('the live tree follows 100 container create/connect/remove cycles and ends equal to a fresh read', { timeout: 600_000, skip: missing ? `${missing}` : false }, async () => {
  const r = await soak({ host: lab!.host('s8soakt'), cycles: 100, sampleEvery: 0 });
  assert.deepEqual(r.differences, [], 'the followed state and the tree equal docker ps -a / network ls and a fresh read');
  assert.ok(r.modelMatches && r.treeMatches);
  assert.deepEqual(r.unhandledRejections, [], 'no unhandled rejections');
  assert.deepEqual(r.notConnected, [], 'the connection stayed up');
});
