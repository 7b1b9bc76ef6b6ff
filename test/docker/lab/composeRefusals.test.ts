// Compose creates networks through the API, so what dockerd refuses in a Compose file is said in
// dockerd's words, not the docker CLI's, and differs by version: played with real `docker compose up` on a
// fresh lab host of each version (never the main dockerd) against the engine reading the same project.
// 20.10 refuses an aux address outside the subnet in its IPAM and (a libnetwork bug) keeps the pool, so
// every case uses a subnet of its own; it takes an ip_range outside the subnet (the CLI would refuse it).
//
//   CI=true node --import tsx --test test/docker/lab/composeRefusals.test.ts
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadCompose } from '../../../src/topology/compose';
import { run } from '../harness/exec';
import { labMissing, startLab, type LabVersion } from '../harness/lab';
import { unavailable } from '../../support/exclusions.mjs';

const COMPOSE_PLUGIN = '/usr/libexec/docker/cli-plugins/docker-compose';
const VERSIONS: LabVersion[] = ['20.10', '26.1'];

const project = (i: number, ipam: string) => `services:
  a:
    image: busybox:local
    command: sleep 600
    networks: [n]
networks:
  n:
    ipam:
      config:
        - subnet: 10.9${i}.0.0/24
          ${ipam}
`;

const CASES = [
  { name: 'an aux address outside the subnet', ipam: 'aux_addresses: { far: 10.7.7.7 }' },
  { name: 'a gateway outside the subnet', ipam: 'gateway: 10.9.9.9' },
  { name: 'an ip_range outside the subnet', ipam: 'ip_range: 10.8.0.0/24' },
  { name: 'an aux address that is not an address', ipam: 'aux_addresses: { x: nope }' },
];

describe('Compose files dockerd refuses: real `docker compose up` on lab hosts against the engine', { concurrency: 1 }, () => {
  for (const version of VERSIONS) {
    test(`the refusals in dockerd's words (Docker ${version})`, { timeout: 300_000 }, async (t) => {
      const missing = labMissing([version]);
      if (!existsSync(COMPOSE_PLUGIN)) missing.push(`the Compose plugin ${COMPOSE_PLUGIN} is missing`);
      if (missing.length) return unavailable(t, `Compose refusals cannot run here: ${missing.join('; ')}`);
      const lab = await startLab({ hosts: [{ name: 'node1', version }] });
      const root = mkdtempSync(join(tmpdir(), 'cnm-compose-refusals-'));
      try {
        const h = lab.host('node1');
        const out: string[] = [];
        for (const [i, c] of CASES.entries()) {
          const dir = join(root, `p${i}`);
          mkdirSync(dir);
          writeFileSync(join(dir, 'compose.yaml'), project(i, c.ipam));
          const up = await run(h.cli, ['compose', '-f', join(dir, 'compose.yaml'), 'up', '-d'], { env: h.env, timeoutMs: 120_000 });
          // "failed to create network p0_n: Error response from daemon: <dockerd's words>"
          const real = up.code === 0 ? 'made' : (/Error response from daemon: ([\s\S]*)$/.exec(up.stderr.trim())?.[1]?.trim() ?? `compose failed: ${up.stderr.trim()}`);
          await run(h.cli, ['compose', '-f', join(dir, 'compose.yaml'), 'down', '-t', '0'], { env: h.env, timeoutMs: 120_000 });
          const loaded = loadCompose({ readFile: (p) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined), exists: existsSync }, join(dir, 'compose.yaml'), { env: {}, daemonVersion: version });
          const errors = loaded.diagnostics.filter((d) => d.severity === 'error' && !d.message.startsWith('Network "'));
          const mine = errors.length === 0 ? 'made' : errors.map((d) => d.message).join(' | ');
          t.diagnostic(`${c.name}: dockerd ${JSON.stringify(real)}, engine ${JSON.stringify(mine)}`);
          if (real !== mine) out.push(`${c.name}: dockerd ${JSON.stringify(real)}, engine ${JSON.stringify(mine)}`);
        }
        assert.deepEqual(out, [], `Docker ${version}: the engine's refusals differ from dockerd's`);
      } finally {
        rmSync(root, { recursive: true, force: true });
        await lab.stop();
      }
    });
  }
});
