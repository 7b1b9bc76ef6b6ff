// `cnm inspect --docker` and `cnm resolve --docker` as a user runs them (a real process) on the live host.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import type { InspectResult } from '../../../src/engine';
import { client, IMAGE, LIVE_LABELS, liveScenario, requireLive, SLEEP } from './support';

const ROOT = join(__dirname, '../../..');

function cnm(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('cnm inspect, resolve, trace, matrix and rules with --docker work on the live host', { timeout: 240_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  await liveScenario(c, 'cnmlive-cli-', async (made) => {
    const lan = made.net('lan');
    await c.createNetwork({ name: lan, labels: LIVE_LABELS, ipamConfig: [{ subnet: '10.241.0.0/24', gateway: '10.241.0.1', auxAddresses: {} }] });
    const web = made.ctr('web'), app = made.ctr('app');
    await c.runContainer({ name: web, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: lan, endpoint: { ipv4Address: '10.241.0.10', aliases: ['www'] } });
    await c.runContainer({ name: app, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: lan, endpoint: { ipv4Address: '10.241.0.11' } });

    const inspected = await cnm('inspect', '--docker', '--json');
    assert.equal(inspected.status, 0, inspected.stderr);
    const result = JSON.parse(inspected.stdout) as InspectResult;
    const net = result.networks.find((n) => n.name === lan);
    assert.deepEqual([net?.subnet, net?.gateway, net?.host], ['10.241.0.0/24', '10.241.0.1', 'host1']);
    const w = result.containers.find((x) => x.name === web);
    assert.deepEqual(w?.endpoints.map((e) => [e.network, e.ipv4_address, e.mac_address]), [[lan, '10.241.0.10', '02:42:0a:f1:00:0a']]);

    // An explicit ENDPOINT, and the table form.
    const table = await cnm('inspect', '--docker', 'unix:///var/run/docker.sock');
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`${web}\\s+host1\\s+${lan}\\s+eth0\\s+10\\.241\\.0\\.10/24`));

    const resolved = await cnm('resolve', '--docker', '--from', app, 'www', '--json');
    assert.equal(resolved.status, 0, resolved.stderr);
    assert.deepEqual(JSON.parse(resolved.stdout), { addresses: ['10.241.0.10'] });

    // trace, matrix and rules read the live host the same way.
    const traced = await cnm('trace', '--docker', '--from', app, '--to', 'www', '--json');
    assert.equal(traced.status, 0, traced.stderr);
    assert.equal((JSON.parse(traced.stdout) as { verdict: string }).verdict, 'delivered');
    const lanId = (await c.inspectNetwork(lan)).id;
    const rules = await cnm('rules', '--docker');
    assert.equal(rules.status, 0, rules.stderr);
    assert.ok(rules.stdout.includes(`-A DOCKER-ISOLATION-STAGE-1 -i br-${lanId.slice(0, 12)} ! -o br-${lanId.slice(0, 12)} -j DOCKER-ISOLATION-STAGE-2`), 'rules name the real bridge device');
    const matrix = await cnm('matrix', '--docker', '--pairs');
    assert.equal(matrix.status, 0, matrix.stderr);
    assert.match(matrix.stdout, new RegExp(`${app}\\s+${web}\\s+10\\.241\\.0\\.10\\s+icmp delivered`));
    const checked = await cnm('check', '--docker');
    assert.equal(checked.status, 2, 'check needs a file with expect: entries');

    const unreachable = await cnm('inspect', '--docker', 'unix:///nonexistent/docker.sock', '--json');
    assert.equal(unreachable.status, 2);
    assert.equal(unreachable.stdout, '');
    assert.match(unreachable.stderr, /^cnm: inspect: Docker host: .*cannot reach Docker \(ENOENT/);
    assert.equal(unreachable.stderr.trimEnd().split('\n').length, 1);
  });
});
