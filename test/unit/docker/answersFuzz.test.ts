// Docker answers of the right shape with wrong contents (bench/answersFuzz.ts): a bounded, seeded slice of
// what bench/fuzz.bench.ts runs at volume. Every round must end in a picture of the host or a clear
// MalformedAnswerError naming the field; anything else thrown is what a user would see as a crash.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fuzzAnswers, mutateAnswers, readAnswers, seedAnswers } from '../../../bench/answersFuzz';
import { mulberry32 } from '../../../bench/generate';
import { MalformedAnswerError } from '../../../src/docker/types';

const ROUNDS = Number(process.env.CNM_FUZZ_ROUNDS ?? 60);

describe('Docker answers fuzzed', () => {
  it('the real answers (a 20.10 host made a swarm manager) read into a picture with the swarm', () => {
    const { snapshot, text } = readAnswers(seedAnswers());
    assert.equal(snapshot.swarm?.services[0]?.name, 'web');
    assert.ok(snapshot.containers.some((c) => c.name === 'web.1.t1'));
    assert.match(text, /fx-lan/);
  });

  it('mutations are seeded: the same seed changes the same places', () => {
    const a = mutateAnswers(seedAnswers(), mulberry32(7)).changes;
    const b = mutateAnswers(seedAnswers(), mulberry32(7)).changes;
    assert.deepEqual(a, b);
    assert.ok(a.length >= 1);
  });

  it(`${ROUNDS} mutated answer sets: a picture or a MalformedAnswerError, never a crash`, () => {
    let unhandled = 0;
    const count = () => unhandled++;
    process.on('unhandledRejection', count);
    try {
      const r = fuzzAnswers(ROUNDS, 20261207);
      assert.deepEqual(r.failures, []);
      // Both outcomes occur: the mutations reach fields that are checked and fields that are not needed.
      assert.ok(r.refused > 0 && r.pictured > 0, `refused ${r.refused}, pictured ${r.pictured}`);
    } finally {
      process.off('unhandledRejection', count);
    }
    assert.equal(unhandled, 0);
  });

  it('a refusal names where the answer is wrong', () => {
    const a = seedAnswers();
    (a.networks as { IPAM: { Config: { Subnet: string }[] } }[])[2]!.IPAM.Config[0]!.Subnet = '10.0.0.0/33';
    assert.throws(() => readAnswers(a), (e) => e instanceof MalformedAnswerError && /network "fx-lan": IPAM\.Config\[0\]: Subnet is not a CIDR, got "10\.0\.0\.0\/33"/.test(e.message));
  });

  // Found by the fuzz: a manager whose node list did not name it crashed the swarm model (TypeError in
  // swarmToEngine) instead of saying what is wrong with the answer.
  it('a swarm state Docker never gives, or a manager missing from its own node list, is refused by name', () => {
    const odd = seedAnswers();
    (odd.info as { Swarm: { LocalNodeState: string } }).Swarm.LocalNodeState = 'active:';
    assert.throws(() => readAnswers(odd), (e) => e instanceof MalformedAnswerError && /docker info: Swarm\.LocalNodeState is not one of inactive, pending, active, error, locked, got "active:"/.test(e.message));
    const pending = seedAnswers();
    (pending.info as { Swarm: { LocalNodeState: string } }).Swarm.LocalNodeState = 'pending';
    assert.throws(() => readAnswers(pending), (e) => e instanceof MalformedAnswerError && /ControlAvailable is true on a node whose state is pending/.test(e.message));
    const alone = seedAnswers();
    alone.nodes = (alone.nodes as { ID: string }[]).slice(1);
    assert.throws(() => readAnswers(alone), (e) => e instanceof MalformedAnswerError && /node ls: the manager's own node "n1a+" is not listed/.test(e.message));
  });
});
