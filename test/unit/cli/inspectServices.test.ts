// `cnm inspect` lists swarm services (SPEC.md, CLI contract): each with its endpoint mode, virtual IPs by
// network and tasks on their nodes with their endpoints — run in-process (runCli), as cli.test.ts runs
// the process itself for the shape on every example.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../../src/cli/run';
import type { CliIo } from '../../../src/cli/io';

const ROOT = join(__dirname, '../../..');
const FILES: Record<string, string> = {
  'rr.cnm.yaml': [
    'hosts:', '  n1: { interfaces: { eth0: 192.168.60.10/24 }, swarm: manager }',
    'networks:', '  back: { driver: overlay, host: n1 }',
    'services:', '  rr: { image: busybox, replicas: 2, networks: [back], endpoint_mode: dnsrr }', '',
  ].join('\n'),
};

async function cnm(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const io: CliIo = {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    readFile: (p) => FILES[p] ?? readFileSync(join(ROOT, p), 'utf8'),
    exists: (p) => p in FILES || (() => { try { readFileSync(join(ROOT, p)); return true; } catch { return false; } })(),
  };
  const status = await runCli(argv, io);
  return { status, stdout, stderr };
}

describe('cnm inspect: swarm services', () => {
  it('lists services with their VIPs and their tasks on their nodes (examples/07)', async () => {
    const r = await cnm('inspect', 'examples/07-swarm-overlay.cnm.yaml', '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const svc = (name: string) => out.services.find((s: { name: string }) => s.name === name);
    assert.deepEqual(out.services.map((s: { name: string }) => s.name), ['hostname', 'api']);
    // The VIP is what the service's name resolves to; the ingress VIP comes first for a publishing service.
    const resolved = JSON.parse((await cnm('resolve', 'examples/07-swarm-overlay.cnm.yaml', '--from', 'probe', 'api', '--json')).stdout).addresses;
    assert.match(resolved[0], /^10\.0\.1\.\d+$/);
    assert.deepEqual(svc('api').vips, [{ network: 'backend', ipv4_address: resolved[0] }]);
    assert.deepEqual(svc('hostname').vips.map((v: { network: string }) => v.network), ['myingress11', 'backend']);
    assert.equal(svc('hostname').endpoint_mode, 'vip');
    assert.deepEqual(svc('hostname').ports, [{ published: 8080, target: 8000, protocol: 'tcp', mode: 'ingress' }]);
    // Three replicas spread as swarmkit spreads them; each task's endpoints are its container's.
    const tasks = svc('hostname').tasks as { name: string; host: string; endpoints: { network: string; ipv4_address: string }[] }[];
    assert.deepEqual(tasks.map((t) => t.name.split('.').slice(0, 2).join('.')), ['hostname.1', 'hostname.2', 'hostname.3']);
    assert.deepEqual(tasks.map((t) => t.host).sort(), ['node1', 'node1', 'node2']);
    for (const t of tasks) {
      const c = out.containers.find((x: { name: string }) => x.name === t.name);
      assert.ok(c, `task container ${t.name} is listed`);
      assert.equal(c.host, t.host);
      assert.deepEqual(t.endpoints, c.endpoints);
      assert.deepEqual(t.endpoints.map((e) => e.network), ['myingress11', 'backend']);
    }
  });

  it('a dnsrr service has no VIPs; a file without services lists none', async () => {
    const out = JSON.parse((await cnm('inspect', 'rr.cnm.yaml', '--json')).stdout);
    assert.equal(out.services.length, 1);
    assert.equal(out.services[0].endpoint_mode, 'dnsrr');
    assert.deepEqual(out.services[0].vips, []);
    assert.equal(out.services[0].tasks.length, 2);
    assert.ok(out.services[0].tasks.every((t: { endpoints: { ipv4_address: string }[] }) => /^10\.0\.\d+\.\d+$/.test(t.endpoints[0]!.ipv4_address)));
    assert.deepEqual(JSON.parse((await cnm('inspect', 'examples/02-custom-bridge.cnm.yaml', '--json')).stdout).services, []);
  });

  it('prints a services table after the containers when the file has services', async () => {
    const r = await cnm('inspect', 'examples/07-swarm-overlay.cnm.yaml');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^SERVICE +MODE +VIPS +TASK +NODE +ADDRESSES$/m);
    assert.match(r.stdout, /^api +vip +backend:10\.0\.1\.\d+ +api\.1\.\S+ +node\d +backend:10\.0\.1\.\d+$/m);
    assert.doesNotMatch((await cnm('inspect', 'examples/06-port-mapping.cnm.yaml')).stdout, /^SERVICE/m);
  });
});
