// "Compare with Docker Host" for a Compose file against the project as the real `docker compose up`
// (2.26) runs it on the real dockerd: no drift for the running project; a disconnected service and a
// container started by hand with the project's label are named with Compose's names. Cleans up with
// `docker compose down` (and removes its own extra container), also on failure.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { takeSnapshot } from '../../../src/docker/snapshot';
import { computeComposeDrift } from '../../../src/live';
import { loadCompose } from '../../../src/topology/compose';
import { unavailable } from '../../support/exclusions.mjs';
import { client, dockerCli, IMAGE, LIVE_LABEL_ARG, requireLive } from './support';

const PROJECT = 'cnmcomposedriftlive';
const fixture = join(__dirname, '../../fixtures/compose-drift/compose.yaml');

test('a running Compose project compared with its file: no drift, then a disconnect and an extra container', { timeout: 240_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  if ((await dockerCli(['compose', 'version'])).code !== 0) return unavailable(t, '`docker compose` (v2) is not installed (shared/docs/testing-offline.md)');
  const dir = mkdtempSync(join(tmpdir(), 'cnm-compose-drift-'));
  const file = join(dir, 'compose.yaml');
  copyFileSync(fixture, file);
  const extra = `${PROJECT}-by-hand`;
  const compose = (...args: string[]) => dockerCli(['compose', '-p', PROJECT, '-f', file, ...args]);
  try {
    const up = await compose('up', '-d');
    assert.equal(up.code, 0, up.stderr);
    const project = loadCompose({ readFile: (p) => (p === file ? readFileSync(file, 'utf8') : undefined), exists: (p) => p === file || p === dir }, file, { projectName: PROJECT, daemonVersion: '20.10' });
    assert.deepEqual(project.diagnostics.filter((d) => d.severity === 'error'), []);

    assert.deepEqual(computeComposeDrift(project, await takeSnapshot(c)).map((i) => i.message), []);
    assert.deepEqual(computeComposeDrift(project, await takeSnapshot(c), { dynamic: true }).map((i) => i.message), []);

    const disconnect = await dockerCli(['network', 'disconnect', `${PROJECT}_back`, `${PROJECT}-api-1`]);
    assert.equal(disconnect.code, 0, disconnect.stderr);
    const run = await dockerCli(['run', '-d', '--name', extra, '--label', LIVE_LABEL_ARG, '--label', `com.docker.compose.project=${PROJECT}`, '--network', `${PROJECT}_front`, '--ip', '10.226.1.99', IMAGE, 'sleep', '3600']);
    assert.equal(run.code, 0, run.stderr);
    const items = computeComposeDrift(project, await takeSnapshot(c));
    assert.deepEqual(items.map((i) => `${i.kind} ${i.message}`), [
      `missing container "${PROJECT}-api-1" is not connected to "${PROJECT}_back" on the host`,
      `extra container "${extra}" is running on the host but is not in the file`,
    ]);
  } finally {
    await dockerCli(['rm', '-f', extra]);
    const down = await compose('down', '--timeout', '1');
    rmSync(dir, { recursive: true, force: true });
    assert.equal(down.code, 0, down.stderr);
  }
});
