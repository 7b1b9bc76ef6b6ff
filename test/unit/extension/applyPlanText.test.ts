// The apply plan as the user reviews it, and the sentence that ends a run: the ordered docker commands,
// what is left out, and — when a step fails — which one, Docker's reason, and what was done before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planApply } from '../../../src/live/plan';
import { describeApplyResult, renderPlan } from '../../../src/extension/live/applyPlanText';
import { loadTopology } from '../../../src/topology';

const FILE = `
hosts:
  host1: {}
  host2: {}
networks:
  cnmx-lan: { subnet: 10.214.9.0/24 }
  cnmx-far: { subnet: 10.214.10.0/24, host: host2 }
containers:
  cnmx-web: { image: busybox, networks: { cnmx-lan: { ipv4_address: 10.214.9.10 } } }
`;

describe('the plan for review', () => {
  const plan = planApply(loadTopology(FILE).spec, { command: ['sleep', '3600'] });

  it('lists the steps in order as docker commands, and what is left out and why', () => {
    assert.equal(renderPlan(plan, 'two.cnm.yaml', 'local'), [
      '# Apply two.cnm.yaml (host host1) to the Docker host local',
      '#',
      '# 2 steps, run in this order; the first error stops the run (nothing after it runs, nothing before it is undone).',
      '',
      '1. docker network create --subnet 10.214.9.0/24 cnmx-lan',
      '2. docker run -d --name cnmx-web --network cnmx-lan --ip 10.214.9.10 busybox sleep 3600',
      '',
      '# Left out:',
      '#   network cnmx-far: on host host2, not host1',
      '',
    ].join('\n'));
  });

  it('says when there is nothing to do', () => {
    assert.match(renderPlan({ host: 'host1', steps: [], skipped: ['network a: already exists on the host'] }, 'f.cnm.yaml', 'local'), /Nothing to do/);
  });

  it('names the failed step, Docker\'s reason, and what stays done', () => {
    const failed = { index: 1, step: plan.steps[1]!, error: 'Address already in use' };
    assert.equal(describeApplyResult(plan, { done: 1, failed }, 'local'),
      'Apply stopped at step 2 of 2 (docker run -d --name cnmx-web --network cnmx-lan --ip 10.214.9.10 busybox sleep 3600): Address already in use. Step 1 was done and stays. Nothing after it was run.');
    assert.equal(describeApplyResult(plan, { done: 0, failed: { index: 0, step: plan.steps[0]!, error: 'network with name cnmx-lan already exists' } }, 'local'),
      'Apply stopped at step 1 of 2 (docker network create --subnet 10.214.9.0/24 cnmx-lan): network with name cnmx-lan already exists. Nothing was changed. Nothing after it was run.');
    assert.equal(describeApplyResult(plan, { done: 2, failed: null }, 'local'), 'Applied 2 steps to local.');
    assert.match(describeApplyResult(plan, { done: 1, failed: { index: 1, step: plan.steps[1]!, error: 'cancelled' } }, 'local'), /^Apply cancelled before step 2 of 2/);
  });
});
