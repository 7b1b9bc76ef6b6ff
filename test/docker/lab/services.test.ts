// Swarm services on a real two-node swarm (lab hosts: node1 manager, node2 worker, LAN 192.168.213.0/24)
// against the engine's model of the same topology (SERVICES below), value by value and probe by probe:
// a VIP-mode service and a DNS-round-robin one, three replicas each over the nodes, on an attachable
// overlay with a client container on each node, and a service publishing a port on the routing mesh.
// Compared: each service's virtual IPs, its tasks (names, addresses, how many per node), swarm's own
// endpoints (lb-<network>, ingress-sbox) per node, the task endpoints; DNS from a client on each node for
// `<service>`, `tasks.<service>`, every task's name; real ping and TCP probes from each client to the
// service names and every task (by name and address), and to the published port from each node's own
// namespace (LAN addresses and loopback). A second service sits alone on an internal overlay: its VIP,
// tasks and each node's lb-<network>, which there come after the tasks' addresses. Then node2 leaves the
// swarm (docker swarm leave; the engine's leaveSwarm): the tasks started again on node1, their new ids and
// addresses, node2's networks and its container, DNS and probes from c1 to every task.
//
// What swarmkit decides at random is compared where it is decided: which slot gets which address and which
// of two equally loaded nodes gets the odd replica are Go map order, so addresses are compared as the
// service's set, placement as tasks per node, and DNS answers and probes by what the address is (the VIP,
// task web.2, client c1) rather than by the number.
//
// IPVS: a VIP and the routing mesh carry traffic only through the kernel's IPVS. Where dockerd says at
// start-up that the kernel has none, those probes are still played and printed beside the engine's verdict,
// but are left out under the exclusion kernel-no-ipvs (test/EXCLUSIONS.md); everything else counts.
//
//   node --import tsx --test test/docker/lab/services.test.ts
//   CNM_SERVICES_VERSIONS=20.10 node --import tsx --test test/docker/lab/services.test.ts
//
// Records go to $CNM_DIFF_OUT/services-<version>.json. Only lab hosts (no docker lock). About 1.5 min per
// version on an idle machine (of which ~30 s is swarmkit noticing that node2 left).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { EngineState, ServiceState } from '../../../src/engine/model';
import { Tracer } from '../../../src/engine/trace';
import { loadTopology } from '../../../src/topology/index';
import { listeningFromSpec } from '../../../src/cli/commands/tracing';
import { useDockerTarget } from '../harness/exec';
import { labMissing, startLab, type Lab, type LabHost, type LabVersion } from '../harness/lab';
import { ipvsMissing, realTasks, realVips, servicesConverged, swarmEndpointsOn } from '../harness/labSwarm';
import { parseNslookup } from '../harness/observe';
import { compareField, eventually, type Disagreement } from '../harness/fieldCompare';
import { CLOSED_PORT, runProbes } from '../harness/probe';
import { exclude } from '../../support/exclusions.mjs';
import { isCI } from '../../support/ci.mjs';

const OUT_DIR = process.env.CNM_DIFF_OUT ?? join(tmpdir(), 'cnm-differential');
const VERSIONS = (process.env.CNM_SERVICES_VERSIONS ?? '26.1,20.10').split(',').map((v) => v.trim()) as LabVersion[];
const IMAGE = 'busybox:local';
const NET = 'backend';
/** An internal overlay only a service's tasks join: each node's lb-<network> comes after the tasks' addresses. */
const INTERNAL = 'front';
/** The services on NET, which the clients resolve and probe. */
const ON_NET = new Set(['web', 'rr']);
const NODES = ['node1', 'node2'] as const;
const PUBLISHED = 8080;
const LAN = { node1: '192.168.213.11', node2: '192.168.213.12' } as const;

/** Played in this order on both sides: the overlay, one client per node, then the services. */
const SERVICES = (version: string) => `
hosts:
  node1:
    interfaces: { eth0: ${LAN.node1}/24 }
    daemon: { version: "${version}" }
    swarm: manager
  node2:
    interfaces: { eth0: ${LAN.node2}/24 }
    daemon: { version: "${version}" }
    swarm: worker
networks:
  ${NET}: { driver: overlay, host: node1, attachable: true }
  ${INTERNAL}: { driver: overlay, host: node1, internal: true }
containers:
  c1: { host: node1, image: busybox, networks: [${NET}] }
  c2: { host: node2, image: busybox, networks: [${NET}] }
services:
  web: { image: busybox, replicas: 3, networks: [${NET}], endpoint_mode: vip, listen: ["80"] }
  rr: { image: busybox, replicas: 3, networks: [${NET}], endpoint_mode: dnsrr, listen: ["80"] }
  pub: { image: busybox, replicas: 2, ports: ["${PUBLISHED}:80"], listen: ["80"] }
  solo: { image: busybox, replicas: 2, networks: [${INTERNAL}], listen: ["80"] }
`;
const CLIENTS = [{ name: 'c1', host: 'node1' }, { name: 'c2', host: 'node2' }] as const;
const SERVICE_SPECS = [
  { name: 'web', replicas: 3, args: ['--network', NET, '--endpoint-mode', 'vip'] },
  { name: 'rr', replicas: 3, args: ['--network', NET, '--endpoint-mode', 'dnsrr'] },
  { name: 'pub', replicas: 2, args: ['-p', `${PUBLISHED}:80`] },
  { name: 'solo', replicas: 2, args: ['--network', INTERNAL] },
];
const SERVE = 'httpd -p 80 -h /tmp; sleep 3600 & wait';

const slotOf = (taskName: string) => taskName.split('.').slice(0, 2).join('.');

/**
 * Names for addresses, so that answers and probes compare by what an address is: `VIP web@backend`,
 * `task web.2`, `client c1`, `lb node1`. Each side labels its own addresses.
 */
class Labels {
  private readonly byAddr = new Map<string, string>();
  add(addr: string | null | undefined, label: string): void {
    if (addr) this.byAddr.set(addr, label);
  }
  of(addr: string): string {
    return this.byAddr.get(addr) ?? addr;
  }
  list(addrs: readonly string[]): string[] {
    return addrs.map((a) => this.of(a)).sort();
  }
}

function engineLabels(state: EngineState): Labels {
  const l = new Labels();
  for (const svc of state.swarm.services.values()) {
    for (const v of svc.vips) l.add(v.address, `VIP ${svc.name}@${netName(state, v.networkId)}`);
    for (const t of svc.tasks) for (const a of t.addresses) l.add(a.address, `task ${slotOf(t.name)}@${netName(state, a.networkId)}`);
  }
  for (const h of state.hosts.values()) {
    for (const c of h.containers.values()) {
      const sb = c.sandboxId ? h.sandboxes.get(c.sandboxId) : undefined;
      if (!c.name.includes('.')) for (const ep of sb?.endpoints ?? []) l.add(ep.ipv4?.address, `client ${c.name}@${ep.networkName}`);
    }
  }
  return l;
}

function netName(state: EngineState, id: string): string {
  for (const h of state.hosts.values()) {
    const n = h.networks.get(id);
    if (n) return n.name;
  }
  return id.slice(0, 12);
}

function tasksPerNode(nodes: readonly string[], hosts: readonly string[]): Record<string, number> {
  return Object.fromEntries(hosts.map((h) => [h, nodes.filter((n) => n === h).length]));
}

describe('swarm services: a real two-node swarm on lab hosts against the engine', { concurrency: 1 }, () => {
  for (const version of VERSIONS) {
    test(`VIP and dnsrr services, the routing mesh (Docker ${version})`, { timeout: 600_000 }, async (t) => {
      const missing = labMissing([version]);
      if (missing.length) {
        const msg = `lab hosts of Docker ${version} cannot run here: ${missing.join('; ')}`;
        if (isCI()) throw new Error(msg);
        console.warn(`\n*** SKIPPING the swarm services differential (${version}): ${msg} ***\n`);
        return t.skip(msg);
      }
      mkdirSync(OUT_DIR, { recursive: true });
      const t0 = Date.now();
      let lab: Lab | undefined;
      try {
        lab = await startLab({ hosts: NODES.map((name) => ({ name, version })), lan: true, swarm: { manager: 'node1', workers: ['node2'] } });
        const tUp = Date.now();
        const node = (n: string): LabHost => lab!.host(n);
        const manager = node('node1');
        const hosts = NODES.map(node);

        // Play, in the topology file's order.
        await manager.dockerOk(['network', 'create', '-d', 'overlay', '--attachable', NET]);
        await manager.dockerOk(['network', 'create', '-d', 'overlay', '--internal', INTERNAL]);
        for (const c of CLIENTS) await node(c.host).dockerOk(['run', '-d', '--name', c.name, '--network', NET, IMAGE, 'sleep', '3600'], { timeoutMs: 120_000 });
        for (const s of SERVICE_SPECS) {
          await manager.dockerOk(['service', 'create', '-d', '--quiet', '--no-resolve-image', '--name', s.name, '--replicas', String(s.replicas), ...s.args, IMAGE, 'sh', '-c', SERVE], { timeoutMs: 60_000 });
        }
        await servicesConverged(manager, hosts, Object.fromEntries(SERVICE_SPECS.map((s) => [s.name, s.replicas])));

        const loaded = loadTopology(SERVICES(version));
        assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), [], 'the topology loads without errors');
        const state = loaded.engine.state;
        const engine = loaded.engine.inspect();
        const services = [...state.swarm.services.values()];
        const svcByName = (n: string): ServiceState | undefined => services.find((s) => s.name === n);
        const engineTasksBefore = services.flatMap((s) => s.tasks.map((x) => x.name));
        const engineTaskAddrsBefore = services.flatMap((s) => s.tasks.flatMap((x) => x.addresses.map((a) => a.address)));
        const out: Disagreement[] = [];

        // ── services: VIPs, task names, addresses, placement ───────────────────
        const tasks = await realTasks(hosts);
        const realLabels = new Labels();
        for (const s of SERVICE_SPECS) {
          const mine = svcByName(s.name);
          const vips = await realVips(manager, s.name);
          for (const v of vips) realLabels.add(v.ipv4_address, `VIP ${s.name}@${v.network}`);
          compareField(out, `services.${s.name}.vips`, vips, (mine?.vips ?? []).map((v) => ({ network: netName(state, v.networkId), ipv4_address: v.address })).sort((a, b) => a.network.localeCompare(b.network)));
          const real = tasks.filter((x) => x.service === s.name);
          for (const x of real) for (const [n, a] of Object.entries(x.addresses)) realLabels.add(a, `task ${slotOf(x.name)}@${n}`);
          compareField(out, `services.${s.name}.tasks (slots)`, real.map((x) => slotOf(x.name)).sort(), (mine?.tasks ?? []).map((x) => slotOf(x.name)).sort());
          compareField(out, `services.${s.name}.tasks (name form)`, real.every((x) => /^[a-z]+\.\d+\.[0-9a-z]{25}$/.test(x.name)), (mine?.tasks ?? []).every((x) => /^[a-z]+\.\d+\.[0-9a-z]{25}$/.test(x.name)));
          // The set of addresses the service's tasks got (which slot gets which is map order in swarmkit).
          const realAddrs = real.flatMap((x) => Object.entries(x.addresses).map(([n, a]) => `${n} ${a}`)).sort();
          const mineAddrs = (mine?.tasks ?? []).flatMap((x) => x.addresses.map((a) => `${netName(state, a.networkId)} ${a.address}`)).sort();
          compareField(out, `services.${s.name}.task addresses`, realAddrs, mineAddrs);
          // Replicas per node, sorted (which of two equally loaded nodes gets the odd one is map order).
          const realCounts = Object.values(tasksPerNode(real.map((x) => x.node), NODES)).sort();
          const mineCounts = Object.values(tasksPerNode((mine?.tasks ?? []).map((x) => x.host), NODES)).sort();
          compareField(out, `services.${s.name}: replicas per node (sorted)`, realCounts, mineCounts);
          // Each task's endpoint, the engine's task at the same address (prefix, gateway, MAC).
          for (const x of real) {
            for (const [n, a] of Object.entries(x.addresses)) {
              const et = (mine?.tasks ?? []).find((y) => y.addresses.some((z) => z.address === a && netName(state, z.networkId) === n));
              const ec = et ? engine.containers.find((c) => c.host === et.host && c.name === et.name) : undefined;
              const ep = ec?.endpoints.find((e) => e.network === n);
              compareField(out, `services.${s.name}: the task at ${a} on ${n} (endpoint)`,
                { prefix: x.prefixes[n], gateway: x.gateways[n] || null, mac: x.macs[n] || null },
                ep ? { prefix: ep.ipv4_prefix, gateway: ep.gateway, mac: ep.mac_address } : null);
            }
          }
        }
        // Tasks per node over all services: swarmkit balances each node's total, so this is decided.
        compareField(out, 'tasks per node (all services)', tasksPerNode(tasks.map((x) => x.node), NODES), tasksPerNode(services.flatMap((s) => s.tasks.map((x) => x.host)), NODES));

        // ── swarm's own endpoints per node ──────────────────────────────────────
        for (const h of hosts) {
          for (const n of [NET, 'ingress', 'docker_gwbridge']) {
            const real = await swarmEndpointsOn(h, n);
            for (const e of real ?? []) realLabels.add(e.ipv4_address, `${e.key} ${h.name}@${n}`);
            const mine = engine.networks.find((x) => x.host === h.name && x.name === n);
            compareField(out, `${h.name}: networks.${n} swarm endpoints`, real, mine ? [...(mine.swarm_endpoints ?? [])].sort((a, b) => a.key.localeCompare(b.key)) : null);
          }
        }
        // On the service-only overlay the nodes' lb endpoints follow the tasks in the order the tasks were
        // assigned (map order): compared as the set over the nodes, each with its key, name and MAC.
        const lbOf = (list: { key: string; name: string; ipv4_address: string | null; mac_address: string | null }[] | null | undefined) =>
          (list ?? []).filter((e) => e.key.startsWith('lb-')).map((e) => `${e.key} ${e.name} ${e.ipv4_address} ${e.mac_address}`);
        const realLbs: string[] = [];
        for (const h of hosts) realLbs.push(...lbOf(await swarmEndpointsOn(h, INTERNAL)));
        compareField(out, `networks.${INTERNAL}: lb endpoints over the nodes (sorted)`, realLbs.sort(), engine.networks.filter((x) => x.name === INTERNAL).flatMap((x) => lbOf(x.swarm_endpoints)).sort());
        const mineLabels = engineLabels(state);
        for (const n of engine.networks) for (const e of n.swarm_endpoints ?? []) mineLabels.add(e.ipv4_address, `${e.key} ${n.host}@${n.name}`);
        const realClientAddr = new Map<string, string>();
        for (const c of CLIENTS) {
          const a = (await node(c.host).dockerOk(['inspect', '--format', `{{(index .NetworkSettings.Networks "${NET}").IPAddress}}`, c.name])).trim();
          realClientAddr.set(c.name, a);
          realLabels.add(a, `client ${c.name}@${NET}`);
          const mine = engine.containers.find((x) => x.name === c.name)?.endpoints.find((e) => e.network === NET)?.ipv4_address ?? null;
          compareField(out, `containers.${c.name} address`, a, mine);
        }

        // ── DNS from a client on each node ──────────────────────────────────────
        const engineTaskName = (realName: string) => services.flatMap((s) => s.tasks).find((x) => slotOf(x.name) === slotOf(realName))?.name;
        const names: { real: string; mine: string | undefined; label: string }[] = [
          ...['web', 'tasks.web', 'rr', 'tasks.rr', 'pub', 'tasks.pub', 'solo', 'tasks.solo'].map((n) => ({ real: n, mine: n, label: n })),
          ...tasks.map((x) => ({ real: x.name, mine: engineTaskName(x.name), label: `<task ${slotOf(x.name)}>` })),
        ];
        // One `docker exec` per client asks for every name (a name the client should know is asked again
        // until it answers: the records spread over the nodes within seconds).
        const wanted = (n: string) => ON_NET.has(n.replace(/^tasks\./, '').split('.')[0]!);
        const lookUp = async (c: (typeof CLIENTS)[number]): Promise<Map<string, string[]>> => {
          const script = 'for n; do echo "@@CNM-DNS $n"; nslookup "$n" 2>&1; done';
          const r = await node(c.host).docker(['exec', c.name, 'sh', '-c', script, 'sh', ...names.map((n) => n.real)], { timeoutMs: 60_000 });
          const got = new Map<string, string[]>();
          for (const block of r.stdout.split('@@CNM-DNS ').slice(1)) {
            const [first, ...rest] = block.split('\n');
            got.set(first!.trim(), parseNslookup(rest.join('\n')));
          }
          const silent = names.filter((n) => wanted(n.real) && !got.get(n.real)?.length).map((n) => n.real);
          if (silent.length) throw Object.assign(new Error(`no answer from ${c.name} for ${silent.join(', ')}`), { got });
          return got;
        };
        for (const c of CLIENTS) {
          const answers = await eventually(() => lookUp(c)).catch((e: Error & { got?: Map<string, string[]> }) => e.got ?? new Map<string, string[]>());
          for (const n of names) {
            const mine = n.mine ? loaded.engine.resolve(c.host, c.name, n.mine) : [];
            compareField(out, `${c.host}: DNS ${n.label} from ${c.name}`, realLabels.list(answers.get(n.real) ?? []), mineLabels.list(mine));
          }
        }

        // ── probes ──────────────────────────────────────────────────────────────
        const tracer = new Tracer(state, { listening: listeningFromSpec(loaded.spec) });
        const noIpvs = hosts.map((h) => ({ host: h.name, line: ipvsMissing(h) })).filter((x) => x.line !== null);
        interface ProbeRow { from: string; to: string; proto: 'icmp' | 'tcp'; port?: number; dockerd: string; engine: string; reason: string; ipvs: boolean }
        const probes: ProbeRow[] = [];
        const ownAddresses = new Set<string>([...tasks.flatMap((x) => Object.values(x.addresses)), ...realClientAddr.values()]);
        const webVip = (await realVips(manager, 'web')).find((v) => v.network === NET)?.ipv4_address;
        if (webVip) ownAddresses.add(webVip);
        const mineWebVip = svcByName('web')?.vips.map((v) => v.address)[0];
        for (const c of CLIENTS) {
          const h = node(c.host);
          useDockerTarget({ label: `lab ${lab.id} ${c.host}`, cli: h.cli, env: h.env, netnsPath: h.paths.netnsPath, dnsServers: ['127.0.0.1'] });
          const jobs: { proto: 'icmp' | 'tcp'; dest: string; port?: number; engineDest: string | undefined; to: string; ipvs: boolean }[] = [];
          const both = (dest: string, engineDest: string | undefined, to: string, ipvs: boolean, port = 80) => {
            jobs.push({ proto: 'icmp', dest, engineDest, to, ipvs });
            jobs.push({ proto: 'tcp', dest, port, engineDest, to: `${to}:${port}`, ipvs });
          };
          // Network safety: names of the lab's own services and tasks, and the lab's own addresses only.
          if (webVip && ownAddresses.has(webVip)) both(webVip, mineWebVip, 'web (VIP address)', true);
          both('web', 'web', 'web (name, the VIP)', true);
          both('rr', 'rr', 'rr (name, dnsrr)', false);
          both('tasks.web', 'tasks.web', 'tasks.web', false);
          for (const x of tasks.filter((y) => ON_NET.has(y.service))) {
            const a = x.addresses[NET]!;
            if (!ownAddresses.has(a)) continue;
            both(x.name, engineTaskName(x.name), `<task ${slotOf(x.name)}> (name)`, false);
            both(a, a, `<task ${slotOf(x.name)}> (address ${a})`, false);
          }
          const closed = tasks.find((y) => y.service === 'rr' && y.node !== c.host)?.addresses[NET];
          if (closed) jobs.push({ proto: 'tcp', dest: closed, port: CLOSED_PORT, engineDest: closed, to: `an rr task on the other node:${CLOSED_PORT}`, ipvs: false });
          const results = await eventually(async () => {
            const res = await runProbes(c.name, false, jobs.map((j) => ({ proto: j.proto, dest: j.dest, ...(j.port !== undefined ? { port: j.port } : {}) })));
            // The overlay's peers spread over a few seconds: retry while a probe that IPVS does not carry is still dropped.
            if (res.some((r, i) => !jobs[i]!.ipvs && (r.verdict === 'dropped' || r.verdict === 'unresolved'))) throw Object.assign(new Error('not settled'), { res });
            return res;
          }, 15_000).catch((e: Error & { res?: Awaited<ReturnType<typeof runProbes>> }) => e.res ?? []);
          jobs.forEach((j, i) => {
            const traced = j.engineDest ? tracer.trace({ host: c.host, from: c.name, to: j.engineDest, proto: j.proto, ...(j.port !== undefined ? { port: j.port } : {}) }) : { verdict: 'unknown', reason: 'the engine has no such task' };
            const real = results[i] ?? { verdict: 'error', output: 'no result' };
            probes.push({ from: c.name, to: j.to, proto: j.proto, ...(j.port !== undefined ? { port: j.port } : {}), dockerd: real.verdict, engine: traced.verdict, reason: traced.reason, ipvs: j.ipvs });
            if (j.ipvs && noIpvs.length) return;
            if (traced.verdict === 'unknown' || real.verdict !== traced.verdict) out.push({ field: `probe ${c.name} → ${j.to} ${j.proto}`, dockerd: `${real.verdict} (${real.output.trim().split('\n').slice(-1)[0]})`, engine: `${traced.verdict}: ${traced.reason}` });
          });
          useDockerTarget(undefined);
        }
        // The routing mesh, from each node's own namespace: every node's LAN address and its loopback.
        for (const h of hosts) {
          useDockerTarget({ label: `lab ${lab.id} ${h.name}`, cli: h.cli, env: h.env, netnsPath: h.paths.netnsPath, dnsServers: ['127.0.0.1'] });
          const dests = [LAN.node1, LAN.node2, '127.0.0.1'];
          const results = await runProbes(h.name, true, dests.map((d) => ({ proto: 'tcp' as const, dest: d, port: PUBLISHED })));
          dests.forEach((d, i) => {
            const traced = tracer.trace({ host: h.name, from: h.name, to: d, proto: 'tcp', port: PUBLISHED });
            const real = results[i]!;
            probes.push({ from: h.name, to: `${d}:${PUBLISHED}`, proto: 'tcp', port: PUBLISHED, dockerd: real.verdict, engine: traced.verdict, reason: traced.reason, ipvs: true });
            if (noIpvs.length) return;
            if (traced.verdict === 'unknown' || real.verdict !== traced.verdict) out.push({ field: `probe ${h.name} (namespace) → ${d}:${PUBLISHED} tcp`, dockerd: `${real.verdict} (${real.output.trim().split('\n').slice(-1)[0]})`, engine: `${traced.verdict}: ${traced.reason}` });
          });
          useDockerTarget(undefined);
        }

        // ── node2 leaves the swarm: its tasks start again on node1 ─────────────────
        const tLeave = Date.now();
        await node('node2').dockerOk(['swarm', 'leave'], { timeoutMs: 60_000 });
        loaded.engine.leaveSwarm('node2');
        // (`service ls` still counts the tasks of the node that left as running: the task containers decide.)
        const after = await eventually(async () => {
          const now = await realTasks(hosts);
          if (!SERVICE_SPECS.every((s) => now.filter((x) => x.service === s.name && x.node === 'node1').length === s.replicas)) throw new Error(`tasks not started again on node1 after node2 left: ${now.map((x) => `${slotOf(x.name)}@${x.node}`).join(' ')}`);
          return now;
        }, 120_000);
        const leaveSeconds = ((Date.now() - tLeave) / 1000).toFixed(0);
        const afterLabels = new Labels();
        afterLabels.add(webVip, `VIP web@${NET}`);
        for (const x of after) for (const [n, a] of Object.entries(x.addresses)) afterLabels.add(a, `task ${slotOf(x.name)}@${n}`);
        const mineAfter = engineLabels(state);
        // Which tasks were on node2 was map order (above), so what started again is compared over all services:
        // how many tasks have a new id, and the addresses they got (serial, after every address given so far).
        const realOld = new Set(tasks.flatMap((x) => Object.values(x.addresses)));
        const mineOld = new Set(engineTaskAddrsBefore);
        const renamed = (list: { name: string }[], old: string[]) => list.filter((x) => !old.includes(x.name)).length;
        const mineTasksAfter = services.flatMap((x) => x.tasks);
        compareField(out, 'after node2 left: tasks started again (new ids)', renamed(after, tasks.map((x) => x.name)), renamed(mineTasksAfter, engineTasksBefore));
        compareField(out, 'after node2 left: the addresses of the tasks started again',
          after.flatMap((x) => Object.entries(x.addresses).filter(([, a]) => !realOld.has(a)).map(([n, a]) => `${n} ${a}`)).sort(),
          mineTasksAfter.flatMap((x) => x.addresses.filter((a) => !mineOld.has(a.address)).map((a) => `${netName(state, a.networkId)} ${a.address}`)).sort());
        for (const s of SERVICE_SPECS) {
          compareField(out, `after node2 left: services.${s.name}.tasks (slots)`, after.filter((x) => x.service === s.name).map((x) => slotOf(x.name)).sort(), (svcByName(s.name)?.tasks ?? []).map((x) => slotOf(x.name)).sort());
        }
        compareField(out, 'after node2 left: tasks per node (all services)', tasksPerNode(after.map((x) => x.node), NODES), tasksPerNode(services.flatMap((s) => s.tasks.map((x) => x.host)), NODES));
        const realNets = (await node('node2').dockerOk(['network', 'ls', '--format', '{{.Name}}'])).split('\n').map((l) => l.trim()).filter(Boolean).sort();
        compareField(out, 'after node2 left: node2 networks', realNets, loaded.engine.inspect().networks.filter((n) => n.host === 'node2').map((n) => n.name).sort());
        const c2Nets = Object.keys((JSON.parse(await node('node2').dockerOk(['inspect', 'c2'])) as { NetworkSettings: { Networks: Record<string, unknown> } }[])[0]!.NetworkSettings.Networks).sort();
        compareField(out, 'after node2 left: c2 networks', c2Nets, (loaded.engine.inspect().containers.find((c) => c.name === 'c2')?.endpoints ?? []).map((e) => e.network).sort());
        const afterNames = [...['web', 'tasks.web', 'rr', 'tasks.rr'].map((n) => ({ real: n, mine: n, label: n })),
          ...after.filter((x) => ON_NET.has(x.service)).map((x) => ({ real: x.name, mine: services.flatMap((y) => y.tasks).find((y) => slotOf(y.name) === slotOf(x.name))?.name, label: `<task ${slotOf(x.name)}>` }))];
        const answers = await eventually(async () => {
          const r = await manager.docker(['exec', 'c1', 'sh', '-c', 'for n; do echo "@@CNM-DNS $n"; nslookup "$n" 2>&1; done', 'sh', ...afterNames.map((n) => n.real)], { timeoutMs: 60_000 });
          const got = new Map<string, string[]>();
          for (const block of r.stdout.split('@@CNM-DNS ').slice(1)) {
            const [first, ...rest] = block.split('\n');
            got.set(first!.trim(), parseNslookup(rest.join('\n')));
          }
          // The records of the tasks that went away leave the other nodes' tables within seconds.
          const wantCount = (n: string) => (n === 'tasks.web' || n === 'tasks.rr' || n === 'rr' ? 3 : 1);
          if (afterNames.some((n) => (got.get(n.real)?.length ?? 0) !== wantCount(n.real))) throw Object.assign(new Error('not settled'), { got });
          return got;
        }).catch((e: Error & { got?: Map<string, string[]> }) => e.got ?? new Map<string, string[]>());
        for (const n of afterNames) {
          compareField(out, `after node2 left: DNS ${n.label} from c1`, afterLabels.list(answers.get(n.real) ?? []),
            mineAfter.list(n.mine ? loaded.engine.resolve('node1', 'c1', n.mine) : []));
        }
        useDockerTarget({ label: `lab ${lab.id} node1`, cli: manager.cli, env: manager.env, netnsPath: manager.paths.netnsPath, dnsServers: ['127.0.0.1'] });
        const afterJobs = after.filter((x) => ON_NET.has(x.service)).flatMap((x) => {
          const a = x.addresses[NET]!;
          const mineTask = mineTasksAfter.find((y) => slotOf(y.name) === slotOf(x.name));
          const mine = mineTask?.addresses.find((z) => netName(state, z.networkId) === NET)?.address;
          return [{ proto: 'icmp' as const, dest: a, mine, to: `<task ${slotOf(x.name)}> (address)` }, { proto: 'tcp' as const, dest: a, port: 80, mine, to: `<task ${slotOf(x.name)}> (address):80` }];
        });
        const afterResults = await runProbes('c1', false, afterJobs.map((j) => ({ proto: j.proto, dest: j.dest, ...('port' in j ? { port: j.port } : {}) })));
        const tracerAfter = new Tracer(state, { listening: listeningFromSpec(loaded.spec) });
        afterJobs.forEach((j, i) => {
          const traced = j.mine ? tracerAfter.trace({ host: 'node1', from: 'c1', to: j.mine, proto: j.proto, ...('port' in j ? { port: j.port } : {}) }) : { verdict: 'unknown', reason: 'the engine has no task in that slot' };
          const real = afterResults[i]!;
          probes.push({ from: 'c1', to: `after node2 left: ${j.to}`, proto: j.proto, ...('port' in j ? { port: j.port } : {}), dockerd: real.verdict, engine: traced.verdict, reason: traced.reason, ipvs: false });
          if (traced.verdict === 'unknown' || real.verdict !== traced.verdict) out.push({ field: `after node2 left: probe c1 → ${j.to} ${j.proto}`, dockerd: `${real.verdict} (${real.output.trim().split('\n').slice(-1)[0]})`, engine: `${traced.verdict}: ${traced.reason}` });
        });
        useDockerTarget(undefined);

        const seconds = ((Date.now() - t0) / 1000).toFixed(0);
        writeFileSync(join(OUT_DIR, `services-${version}.json`), JSON.stringify({ version, disagreements: out, probes, tasks, engine: { services: services.map((s) => ({ ...s })) } }, null, 2));
        const counted = probes.filter((p) => !(p.ipvs && noIpvs.length));
        t.diagnostic(`Docker ${version}: ${counted.length} probes compared (${counted.filter((p) => p.dockerd === p.engine).length} agree), ${probes.length - counted.length} through IPVS left out; ${out.length} disagreement(s); lab up in ${((tUp - t0) / 1000).toFixed(0)} s, node2 leaving ${leaveSeconds} s, ${seconds} s in all`);
        if (noIpvs.length) await excludeIpvs(t, version, noIpvs, probes.filter((p) => p.ipvs));
        assert.equal(out.length, 0, `swarm services (Docker ${version}): ${out.length} disagreement(s):\n  ${out.map((d) => `${d.field}: dockerd ${d.dockerd}, engine ${d.engine}`).join('\n  ')}`);
      } finally {
        useDockerTarget(undefined);
        await lab?.stop();
      }
    });
  }
});

/** One excluded subtest (kernel-no-ipvs) that lists every probe left out, with both verdicts, loudly. */
async function excludeIpvs(t: TestContext, version: string, noIpvs: { host: string; line: string | null }[], left: { from: string; to: string; proto: string; dockerd: string; engine: string }[]): Promise<void> {
  const rows = left.map((p) => `${p.from} → ${p.to} ${p.proto}: dockerd ${p.dockerd}, engine ${p.engine}`);
  const detail = `Docker ${version}: ${left.length} probes through a service VIP or the routing mesh (dockerd on ${noIpvs.map((x) => x.host).join(', ')}: "${noIpvs[0]!.line}")`;
  console.error(`\n  !!! excluded [kernel-no-ipvs] ${detail}:\n      ${rows.join('\n      ')}\n  !!!\n`);
  await t.test('probes through IPVS (service VIPs, the routing mesh)', (st) => exclude(st, 'kernel-no-ipvs', `${detail}: ${rows.join('; ')}`));
}
