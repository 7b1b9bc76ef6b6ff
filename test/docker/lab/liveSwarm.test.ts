// A live swarm as a source: `cnm inspect --docker` on the manager of a real two-node lab swarm (node1
// manager, node2 worker; Docker 26.1) lists what the swarm has, value by value against the docker CLI on
// the lab daemons: the nodes (docker node ls / node inspect: role, address, availability, state, leader),
// the services (service inspect: endpoint mode, VIPs by network name, published ports, replicas), their
// running tasks on their nodes (service ps) with the addresses the manager gave them, and — for a task on
// the manager's own node — the task container's MAC and interface as the node's `docker inspect` gives
// them. A worker is asked too: it says it cannot list services. The manager's event stream reports a
// service scaled (service:update), which is what keeps the live picture current.
//
//   node --import tsx --test test/docker/lab/liveSwarm.test.ts
//
// Only lab hosts (no docker lock). About 1 min on an idle machine.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { connectDocker, takeSnapshot, type DockerEvent } from '../../../src/docker';
import { liveSwarm } from '../../../src/live';
import { swarmTreeNode } from '../../../src/extension/swarmTree';
import type { TreeNode } from '../../../src/extension/treeNodes';
import { labMissing, startLab, type Lab, type LabHost } from '../harness/lab';
import { realTasks, realVips, servicesConverged } from '../harness/labSwarm';
import { isCI } from '../../support/ci.mjs';

const ROOT = join(__dirname, '../../..');
const VERSION = '26.1' as const;
const IMAGE = 'busybox:local';
const NET = 's7net';
const SERVE = 'httpd -p 80 -h /tmp; sleep 3600 & wait';
const SPECS = [
  { name: 's7web', replicas: 3, args: ['--network', NET, '--endpoint-mode', 'vip'] },
  { name: 's7rr', replicas: 2, args: ['--network', NET, '--endpoint-mode', 'dnsrr'] },
  { name: 's7pub', replicas: 1, args: ['-p', '8080:80'] },
] as const;

interface Endpoint { network: string; ipv4_address: string | null; ipv4_prefix: number | null; mac_address: string | null; interface: string | null }
interface Inspect {
  services: { name: string; endpoint_mode: string; replicas?: number; vips: { network: string; ipv4_address: string }[]; ports?: { published: number; target: number; protocol: string; mode: string }[]; tasks: { name: string; host: string; endpoints: Endpoint[] }[] }[];
  nodes?: { name: string; role: string; address: string | null; availability: string; state: string; leader: boolean }[];
  containers: { name: string }[];
}

function cnm(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_TLS']) delete env[k];
  return { ...env, DOCKER_CONFIG: join(tmpdir(), 'cnm-no-docker-config') };
}

describe('a live two-node swarm as a source (lab hosts)', { concurrency: 1 }, () => {
  test(`cnm inspect --docker on the manager lists the swarm's nodes, services and tasks (Docker ${VERSION})`, { timeout: 400_000 }, async (t) => {
    const missing = labMissing([VERSION]);
    if (missing.length) {
      const msg = `lab hosts of Docker ${VERSION} cannot run here: ${missing.join('; ')}`;
      if (isCI()) throw new Error(msg);
      console.warn(`\n*** SKIPPING the live swarm test: ${msg} ***\n`);
      return t.skip(msg);
    }
    let lab: Lab | undefined;
    try {
      lab = await startLab({ hosts: [{ name: 'node1', version: VERSION }, { name: 'node2', version: VERSION }], lan: true, swarm: { manager: 'node1', workers: ['node2'] } });
      const manager = lab.host('node1');
      const worker = lab.host('node2');
      const hosts: LabHost[] = [manager, worker];
      await manager.dockerOk(['network', 'create', '-d', 'overlay', '--attachable', NET]);
      await manager.dockerOk(['run', '-d', '--name', 's7c1', '--network', NET, IMAGE, 'sleep', '3600'], { timeoutMs: 120_000 });
      await worker.dockerOk(['run', '-d', '--name', 's7c2', '--network', NET, IMAGE, 'sleep', '3600'], { timeoutMs: 120_000 });
      for (const s of SPECS) {
        await manager.dockerOk(['service', 'create', '-d', '--quiet', '--no-resolve-image', '--name', s.name, '--replicas', String(s.replicas), ...s.args, IMAGE, 'sh', '-c', SERVE], { timeoutMs: 60_000 });
      }
      await servicesConverged(manager, hosts, Object.fromEntries(SPECS.map((s) => [s.name, s.replicas])));

      const r = await cnm(['inspect', '--docker', manager.dockerHost, '--json'], cleanEnv());
      assert.equal(r.status, 0, r.stderr);
      const got = JSON.parse(r.stdout) as Inspect;
      if (r.stderr) console.log(`cnm inspect --docker notes:\n${r.stderr}`);

      // ── nodes, as docker node ls / node inspect on the manager say ───────────
      const nodeIds = (await manager.dockerOk(['node', 'ls', '-q'])).split('\n').map((l) => l.trim()).filter(Boolean);
      const realNodes = (JSON.parse(await manager.dockerOk(['node', 'inspect', ...nodeIds])) as {
        Description: { Hostname: string }; Spec: { Role: string; Availability: string }; Status: { State: string; Addr: string }; ManagerStatus?: { Leader?: boolean; Addr: string };
      }[]).map((n) => ({
        name: n.Description.Hostname, role: n.Spec.Role, availability: n.Spec.Availability, state: n.Status.State, leader: n.ManagerStatus?.Leader ?? false,
        address: n.Status.Addr === '0.0.0.0' && n.ManagerStatus ? n.ManagerStatus.Addr.replace(/:\d+$/, '') : n.Status.Addr,
      })).sort((a, b) => a.name.localeCompare(b.name));
      assert.deepEqual((got.nodes ?? []).map((n) => ({ name: n.name, role: n.role, availability: n.availability, state: n.state, leader: n.leader, address: n.address })), realNodes);
      assert.deepEqual(realNodes.map((n) => [n.name, n.role, n.address]), [['node1', 'manager', manager.lanAddress], ['node2', 'worker', worker.lanAddress]]);

      // ── services: endpoint mode, VIPs, ports, replicas ─────────────────────────
      assert.deepEqual(got.services.map((s) => s.name).sort(), SPECS.map((s) => s.name).sort());
      const tasks = await realTasks(hosts);
      for (const spec of SPECS) {
        const s = got.services.find((x) => x.name === spec.name)!;
        const real = JSON.parse(await manager.dockerOk(['service', 'inspect', spec.name]))[0] as { Spec: { EndpointSpec?: { Mode?: string }; Mode: { Replicated?: { Replicas: number } } }; Endpoint: { Ports?: { PublishedPort: number; TargetPort: number; Protocol: string; PublishMode: string }[] } };
        assert.equal(s.endpoint_mode, real.Spec.EndpointSpec?.Mode ?? 'vip', `${spec.name}: endpoint mode`);
        assert.equal(s.replicas, real.Spec.Mode.Replicated?.Replicas, `${spec.name}: replicas`);
        assert.deepEqual([...s.vips].sort((a, b) => a.network.localeCompare(b.network)), await realVips(manager, spec.name), `${spec.name}: VIPs`);
        assert.deepEqual(s.ports ?? [], (real.Endpoint.Ports ?? []).map((p) => ({ published: p.PublishedPort, target: p.TargetPort, protocol: p.Protocol, mode: p.PublishMode })), `${spec.name}: ports`);
        // ── its running tasks: names, nodes, addresses; MAC and interface where the manager runs them ──
        const mine = tasks.filter((x) => x.service === spec.name);
        assert.deepEqual(s.tasks.map((x) => [x.name, x.host]).sort(), mine.map((x) => [x.name, x.node]).sort(), `${spec.name}: tasks on their nodes`);
        for (const x of mine) {
          const task = s.tasks.find((y) => y.name === x.name)!;
          assert.deepEqual(Object.fromEntries(task.endpoints.map((e) => [e.network, e.ipv4_address])), x.addresses, `${x.name}: addresses`);
          assert.deepEqual(Object.fromEntries(task.endpoints.map((e) => [e.network, e.ipv4_prefix])), x.prefixes, `${x.name}: prefixes`);
          if (x.node === 'node1') assert.deepEqual(Object.fromEntries(task.endpoints.map((e) => [e.network, e.mac_address])), x.macs, `${x.name}: MACs on the manager`);
          else assert.ok(task.endpoints.every((e) => e.mac_address === null), `${x.name}: a worker's MAC is not known from the manager`);
        }
      }
      // The services table a person reads names each task's node.
      const text = await cnm(['inspect', '--docker', manager.dockerHost], cleanEnv());
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, /^NODE +ROLE +ADDRESS +AVAILABILITY +STATE$/m);
      assert.match(text.stdout, /^node1 +manager \(leader\) +192\.168\.\d+\.\d+ +active +ready$/m);
      assert.match(text.stdout, /^s7rr +dnsrr +- +s7rr\.1\.\S+ +node[12] +s7net:10\.0\.\d+\.\d+$/m);

      // ── the tree under the live host: Swarm → Nodes → tasks on each node; Services → tasks ──
      const snap = await takeSnapshot(connectDocker(manager.dockerHost, { timeoutMs: 20_000 }));
      const parent = { kind: 'host', id: 'cnm-live:/lab', label: 'lab', contextValue: 'live.host', icon: { id: 'x' }, children: [] } as TreeNode;
      const tree = swarmTreeNode('cnm-live:/lab', 'lab', liveSwarm(snap), parent)!;
      const [nodesGroup, servicesGroup] = tree.children;
      assert.deepEqual(nodesGroup!.children.map((n) => n.label), ['node1', 'node2']);
      for (const n of nodesGroup!.children) {
        assert.deepEqual(n.children.map((c) => c.label).sort(), tasks.filter((x) => x.node === n.label).map((x) => x.name).sort(), `${n.label}: its tasks`);
      }
      assert.match(nodesGroup!.children[0]!.description ?? '', /^manager \(leader\) · 192\.168\.\d+\.\d+ · active · ready · this host$/);
      assert.deepEqual(servicesGroup!.children.map((s) => s.label), ['s7pub', 's7rr', 's7web']);
      assert.match(servicesGroup!.children[1]!.description ?? '', /^2\/2 · dnsrr$/);
      assert.match(servicesGroup!.children[0]!.description ?? '', /^1\/1 · vip · ingress 10\.0\.0\.\d+ · 8080→80\/tcp$/);

      // ── a worker knows it is in a swarm, and says it cannot list services ──
      const w = await cnm(['inspect', '--docker', worker.dockerHost, '--json'], cleanEnv());
      assert.equal(w.status, 0, w.stderr);
      assert.match(w.stderr, /swarm worker: only a manager lists services/);
      assert.deepEqual((JSON.parse(w.stdout) as Inspect).services, []);

      // ── the event stream reports a service scaled ──
      const client = connectDocker(manager.dockerHost, { timeoutMs: 20_000 });
      const seen: DockerEvent[] = [];
      const sub = await client.events((e) => seen.push(e), () => undefined);
      try {
        await manager.dockerOk(['service', 'scale', '-d', 's7rr=3']);
        const end = Date.now() + 20_000;
        while (!seen.some((e) => e.kind === 'service:update' && e.name === 's7rr') && Date.now() < end) await new Promise((res) => setTimeout(res, 200));
        assert.ok(seen.some((e) => e.kind === 'service:update' && e.name === 's7rr'), `service:update for s7rr, saw ${seen.map((e) => e.kind).join(', ')}`);
      } finally {
        sub.close();
      }
    } finally {
      await lab?.stop();
    }
  });
});
