// A user's ingress network and services publishing a port, on a real two-node swarm (lab hosts: node1
// manager, node2 worker) against the engine played step by step the same way: `docker network rm ingress`,
// the seed's `myingress11` (`network create --ingress`, 10.11.0.0/16), an attachable `backend`, the swarm
// left to settle, then
// 1. `one`: one replica publishing 8081 (one node gets a task, the other none);
// 2. `pub`: three replicas publishing 8080 on backend too (the other node's first tasks).
// After each step, per node: the ingress sandbox's addresses (`myingress11-sbox` on myingress11, its join on
// docker_gwbridge), every task's addresses on myingress11 and backend and on docker_gwbridge, the VIPs.
// What it shows (20.10 and 26.1): a node's user-ingress sandbox comes with the node's first task, its
// address on myingress11 allocated after the service's VIP and tasks (as lb-<network>), while on the
// node's docker_gwbridge the sandbox joins before the tasks.
//
// Which of two equally loaded nodes gets `one`, and which slot lands on which node, is Go map order in
// swarmkit: the real nodes are named after the engine's by where `one` runs, tasks are counted per node
// and service, their addresses compared as the set over the nodes (on docker_gwbridge too). Records: $CNM_DIFF_OUT/user-ingress-<version>.json.
//
//   CI=true node --import tsx --test test/docker/lab/userIngress.test.ts
//   CNM_USER_INGRESS_VERSIONS=20.10 node --import tsx --test test/docker/lab/userIngress.test.ts
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { EngineState } from '../../../src/engine/model';
import { INGRESS_SANDBOX_ID } from '../../../src/engine/swarm/services';
import { loadTopology } from '../../../src/topology/index';
import { labMissing, startLab, type Lab, type LabHost, type LabVersion } from '../harness/lab';
import { realTasks, realVips, servicesConverged } from '../harness/labSwarm';
import { engineNetView, networkView } from '../harness/overlayCompare';
import { compareField, eventually, sleep, type Disagreement } from '../harness/fieldCompare';
import { isCI } from '../../support/ci.mjs';

const OUT_DIR = process.env.CNM_DIFF_OUT ?? join(tmpdir(), 'cnm-differential');
const VERSIONS = (process.env.CNM_USER_INGRESS_VERSIONS ?? '26.1,20.10').split(',').map((v) => v.trim()) as LabVersion[];
const IMAGE = 'busybox:local';
const NODES = ['node1', 'node2'] as const;
const INGRESS = 'myingress11';
const SERVE = 'httpd -p 80 -h /tmp; sleep 3600 & wait';

const TOPOLOGY = (version: string) => `
hosts:
  node1:
    interfaces: { eth0: 192.168.213.11/24 }
    daemon: { version: "${version}" }
    swarm: manager
  node2:
    interfaces: { eth0: 192.168.213.12/24 }
    daemon: { version: "${version}" }
    swarm: worker
`;

const STEPS = [
  // Which node gets `one` is Go map order in swarmkit: the real nodes are named after the engine's by it.
  { name: 'one', replicas: 1, ports: ['8081:80'], networks: [] as string[], constraints: [] as string[] },
  { name: 'pub', replicas: 3, ports: ['8080:80'], networks: ['backend'], constraints: [] as string[] },
];

/** `one 1`, `pub 2`: how many tasks of each service run on a node. */
function perService(services: readonly string[]): string[] {
  return [...new Set(services)].sort().map((s) => `${s} ${services.filter((x) => x === s).length}`);
}

/** Per node, what a user sees of the ingress: the sandbox on each network, the tasks' addresses, by label. */
type NodeView = Record<string, string[]>;

/** docker_gwbridge on a lab node: the sandbox's join and each task's, labelled (`sandbox`, `task one.1`). */
async function realGwbridge(h: LabHost): Promise<string[]> {
  // A node whose own ingress sandbox had not been made before `network rm ingress` has no docker_gwbridge
  // until its first task (a race in the setup, not in what is compared): nothing has joined it there.
  const r = await h.docker(['network', 'inspect', 'docker_gwbridge']);
  if (r.code !== 0 && /not found|No such network/i.test(r.stderr)) return [];
  if (r.code !== 0) throw new Error(`lab host ${h.name}: docker network inspect docker_gwbridge failed: ${r.stderr.trim()}`);
  const n = (JSON.parse(r.stdout) as { Containers: Record<string, { Name: string; IPv4Address: string }> | null }[])[0]!;
  const names = new Map((await h.dockerOk(['ps', '--no-trunc', '--format', '{{.ID}} {{.Names}}'])).split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
  return Object.entries(n.Containers ?? {}).map(([k, c]) => {
    const label = k.endsWith('-sbox') || k.endsWith('_sbox') ? 'sandbox' : names.get(k) ? 'task' : c.Name;
    return `${label} ${c.IPv4Address.split('/')[0]}`;
  }).sort();
}

/**
 * Waits until the manager's view of the nodes has held still for 3 s (at most 30 s). Creating a service
 * within a second or two of `network create --ingress` on a loaded machine, dockerd 20.10 took one more
 * address on myingress11 before the first task (.5, not .3: 4 runs of 4 under CPU load, 0 of 9 quiet, 0 of
 * 3 under load once the swarm had settled); what takes it is not known yet (test/docker/KNOWN-DISAGREEMENTS.md).
 */
async function swarmSettled(mgr: LabHost, hosts: readonly LabHost[]): Promise<void> {
  const snapshot = async () => JSON.stringify([
    await mgr.dockerOk(['node', 'ls', '--format', '{{.ID}} {{.Status}} {{.Availability}}']),
    await mgr.dockerOk(['node', 'inspect', '--format', '{{.Version.Index}}', ...NODES]),
    ...(await Promise.all(hosts.map((h) => h.dockerOk(['network', 'ls', '--format', '{{.Name}}'])))),
  ]);
  const end = Date.now() + 30_000;
  let last = await snapshot();
  let since = Date.now();
  while (Date.now() < end && Date.now() - since < 3000) {
    await sleep(500);
    const now = await snapshot();
    if (now !== last) [last, since] = [now, Date.now()];
  }
}

/**
 * A node that gets its ingress sandbox and two tasks at once joins all three to docker_gwbridge together:
 * the sandbox is usually first (as the engine has it), but a task can be (2 runs of 16 on 20.10). The same
 * joins with the same addresses in another order is that race, not a disagreement; anything else is.
 */
function sameJoinsOtherOrder(real: readonly string[] | undefined, mine: readonly string[]): boolean {
  if (!real || real.length !== mine.length || real.join() === mine.join()) return false;
  const labels = (xs: readonly string[]) => xs.map((x) => x.split(' ')[0]).sort().join();
  const addrs = (xs: readonly string[]) => xs.map((x) => x.split(' ').pop()).sort().join();
  return labels(real) === labels(mine) && addrs(real) === addrs(mine) && mine.filter((x) => x.startsWith('task ')).length >= 2;
}

async function realView(lab: Lab, nodeOf: (real: string) => string): Promise<Record<string, NodeView>> {
  const hosts = NODES.map((n) => lab.host(n));
  const tasks = await realTasks(hosts);
  const out: Record<string, NodeView> = {};
  for (const h of hosts) {
    const ing = await networkView(h, INGRESS);
    out[nodeOf(h.name)] = {
      [`${INGRESS} on the node`]: [ing ? 'seen' : 'not seen'],
      [`${INGRESS} sandbox`]: (ing?.swarm_endpoints ?? []).map((e) => `${e.key} ${e.name} ${e.ipv4_address}`),
      'docker_gwbridge': await realGwbridge(h),
      'tasks per service': perService(tasks.filter((x) => x.node === h.name).map((x) => x.service)),
    };
  }
  out['all nodes'] = { 'task addresses': tasks.flatMap((x) => Object.entries(x.addresses).map(([n, a]) => `${x.service} ${n} ${a}`)).sort() };
  return out;
}

function engineView(loaded: ReturnType<typeof loadTopology>): Record<string, NodeView> {
  const state: EngineState = loaded.engine.state;
  const inspect = loaded.engine.inspect();
  const out: Record<string, NodeView> = {};
  for (const h of NODES) {
    const host = state.hosts.get(h)!;
    const ing = engineNetView(inspect.networks.find((n) => n.host === h && n.name === INGRESS));
    const gw: string[] = [];
    for (const sb of host.sandboxes.values()) {
      const ctr = [...host.containers.values()].find((c) => c.sandboxId === sb.id);
      const label = sb.id === INGRESS_SANDBOX_ID ? 'sandbox' : ctr ? 'task' : sb.id;
      for (const ep of sb.endpoints) if (ep.networkName === 'docker_gwbridge' && ep.ipv4) gw.push(`${label} ${ep.ipv4.address}`);
    }
    const services = [...state.swarm.services.values()];
    out[h] = {
      [`${INGRESS} on the node`]: [ing ? 'seen' : 'not seen'],
      [`${INGRESS} sandbox`]: (ing?.swarm_endpoints ?? []).map((e) => `${e.key} ${e.name} ${e.ipv4_address}`),
      docker_gwbridge: gw.sort(),
      'tasks per service': perService(services.flatMap((s) => s.tasks.filter((x) => x.host === h).map(() => s.name))),
    };
  }
  const netName = (id: string) => state.hosts.get('node1')!.networks.get(id)?.name ?? id;
  out['all nodes'] = { 'task addresses': [...state.swarm.services.values()].flatMap((s) => s.tasks.flatMap((x) => x.addresses.map((a) => `${s.name} ${netName(a.networkId)} ${a.address}`))).sort() };
  return out;
}

describe('a user ingress network and publishing services: a real two-node swarm against the engine', { concurrency: 1 }, () => {
  for (const version of VERSIONS) {
    test(`myingress11, the sandboxes, VIPs and tasks per node (Docker ${version})`, { timeout: 600_000 }, async (t) => {
      const missing = labMissing([version]);
      if (missing.length) {
        const msg = `lab hosts of Docker ${version} cannot run here: ${missing.join('; ')}`;
        if (isCI()) throw new Error(msg);
        console.warn(`\n*** SKIPPING the user ingress differential (${version}): ${msg} ***\n`);
        return t.skip(msg);
      }
      mkdirSync(OUT_DIR, { recursive: true });
      const t0 = Date.now();
      let lab: Lab | undefined;
      try {
        lab = await startLab({ hosts: NODES.map((name) => ({ name, version })), lan: true, swarm: { manager: 'node1', workers: ['node2'] } });
        const mgr = lab.host('node1');
        const hosts = NODES.map((n) => lab!.host(n));
        const loaded = loadTopology(TOPOLOGY(version));
        assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), [], 'the topology loads without errors');
        const engine = loaded.engine;

        await mgr.dockerOk(['network', 'rm', 'ingress'], { input: 'y\n' });
        await eventually(async () => {
          await mgr.dockerOk(['network', 'create', '-d', 'overlay', '--ingress', '--subnet', '10.11.0.0/16', '--gateway', '10.11.0.1', INGRESS]);
        }, 30_000);
        await mgr.dockerOk(['network', 'create', '-d', 'overlay', '--attachable', 'backend']);
        await swarmSettled(mgr, hosts);
        engine.removeNetwork('node1', 'ingress');
        engine.createNetwork('node1', { name: INGRESS, driver: 'overlay', ingress: true, ipam: { config: [{ subnet: '10.11.0.0/16', gateway: '10.11.0.1' }] } });
        engine.createNetwork('node1', { name: 'backend', driver: 'overlay', attachable: true });

        const out: Disagreement[] = [];
        const records: unknown[] = [];
        const races: string[] = [];
        let nodeOf = (real: string) => real;
        const want: Record<string, number> = {};
        for (const s of STEPS) {
          await mgr.dockerOk(['service', 'create', '-d', '--quiet', '--no-resolve-image', '--name', s.name, '--replicas', String(s.replicas),
            ...s.ports.flatMap((p) => ['-p', p]), ...s.networks.flatMap((n) => ['--network', n]), ...s.constraints.flatMap((c) => ['--constraint', c]), IMAGE, 'sh', '-c', SERVE], { timeoutMs: 60_000 });
          engine.createService('node1', { name: s.name, image: 'busybox', replicas: s.replicas, ports: s.ports, networks: s.networks, listen: ['80'] });
          want[s.name] = s.replicas;
          await servicesConverged(mgr, hosts, want);
          if (s.name === 'one') {
            // Name the real nodes after the engine's by where `one` runs (map order in swarmkit).
            const realNode = (await realTasks(hosts)).find((x) => x.service === 'one')!.node;
            const mineNode = [...engine.state.swarm.services.values()].find((x) => x.name === 'one')!.tasks[0]!.host;
            if (realNode !== mineNode) nodeOf = (real: string) => (real === 'node1' ? 'node2' : 'node1');
          }
          // A node's sandbox comes with its agent's next message from the manager: wait until every node that runs a task shows it.
          const real = await eventually(async () => {
            const v = await realView(lab!, nodeOf);
            if (NODES.some((n) => v[n]!['tasks per service']!.length > 0 && v[n]![`${INGRESS} sandbox`]!.length === 0)) throw Object.assign(new Error('a node with a task has no sandbox yet'), { v });
            return v;
          }, 120_000).catch((e: Error & { v?: Record<string, NodeView> }) => {
            // Still no sandbox after two minutes: compare what the nodes show; a view that could not be read is an error.
            if (!e.v) throw new Error(`after ${s.name}: the nodes' view could not be read: ${e.message}`);
            return e.v;
          });
          const mine = engineView(loaded);
          for (const n of Object.keys(mine)) {
            for (const k of Object.keys(mine[n]!)) {
              // Whether a node with no task lists the ingress network yet is a race in swarm (seen both ways
              // on 20.10 and 26.1 for the same steps: the network's attachment can reach the node before it
              // has anything on it, never its sandbox): not compared there. Its sandbox and gwbridge are.
              if (k === `${INGRESS} on the node` && mine[n]!['tasks per service']!.length === 0) continue;
              const field = `after ${s.name}: ${n}: ${k}`;
              if (k === 'docker_gwbridge' && sameJoinsOtherOrder(real[n]?.[k], mine[n]![k]!)) {
                races.push(`${field}: dockerd ${JSON.stringify(real[n]![k])}, engine ${JSON.stringify(mine[n]![k])}`);
                continue;
              }
              compareField(out, field, real[n]?.[k] ?? null, mine[n]![k]);
            }
          }
          for (const done of STEPS.slice(0, STEPS.indexOf(s) + 1)) {
            const mineSvc = [...engine.state.swarm.services.values()].find((x) => x.name === done.name);
            const mineVips = (mineSvc?.vips ?? []).map((v) => ({ network: engine.state.hosts.get('node1')!.networks.get(v.networkId)?.name ?? v.networkId, ipv4_address: v.address })).sort((a, b) => a.network.localeCompare(b.network));
            compareField(out, `after ${s.name}: services.${done.name}.vips`, await realVips(mgr, done.name), mineVips);
          }
          records.push({ step: s.name, real, engine: mine });
        }
        writeFileSync(join(OUT_DIR, `user-ingress-${version}.json`), JSON.stringify({ version, disagreements: out, races, steps: records }, null, 2));
        for (const r of races) t.diagnostic(`Docker ${version}: a join order dockerd raced (not compared): ${r}`);
        t.diagnostic(`Docker ${version}: ${out.length} disagreement(s); ${((Date.now() - t0) / 1000).toFixed(0)} s; the last step: ${JSON.stringify(records[records.length - 1])}`);
        assert.equal(out.length, 0, `user ingress (Docker ${version}): ${out.length} disagreement(s):\n  ${out.map((d) => `${d.field}: dockerd ${JSON.stringify(d.dockerd)}, engine ${JSON.stringify(d.engine)}`).join('\n  ')}`);
      } finally {
        await lab?.stop();
      }
    });
  }
});
