// The multi-host differential: a real two-node swarm on lab hosts (harness/lab.ts: node1 manager, node2
// worker, joined by the lab LAN as eth0 192.168.213.11 and .12), an attachable overlay with containers on
// both nodes, played and observed for real and compared with the engine's multi-host model of the same
// topology (two hosts, swarm manager and worker, one overlay network; MULTIHOST below). Compared per node:
// the overlay's, docker_gwbridge's and ingress's subnet, gateway and VXLAN id, swarm's own endpoints on them
// (`lb-backend`, the node's load-balancer endpoint, and `ingress-sbox`: address and MAC); per container its
// overlay endpoint (address, prefix, MAC, gateway, aliases), its interfaces with their MTU, its routing
// table, /etc/hosts and resolv.conf; the names of the overlay's bridge and VXLAN device in the node's
// overlay namespace; every container's DNS answer for every container name (the embedded DNS across
// nodes); and real ping and TCP probes between the containers, across nodes and on one node, against the
// packet tracer's verdicts. Swarm services (VIPs, dnsrr, tasks.<svc>, the routing mesh, a node leaving) are played by services.test.ts. It never touches the main dockerd beyond `docker save` of busybox:local (read-only):
// no docker lock, and scripts/test.mjs runs it beside the main-dockerd files.
//
//   node --import tsx --test test/docker/lab/multihost.test.ts
//   CNM_MULTIHOST_VERSIONS=20.10 node --import tsx --test test/docker/lab/multihost.test.ts
//
// Records go to $CNM_DIFF_OUT/multihost-<version>.json.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { InspectNetwork } from '../../../src/engine/inspectTypes';
import { Tracer } from '../../../src/engine/trace';
import { loadTopology } from '../../../src/topology/index';
import { listeningFromSpec } from '../../../src/cli/commands/tracing';
import { run, useDockerTarget } from '../harness/exec';
import { labMissing, startLab, type Lab, type LabHost, type LabVersion } from '../harness/lab';
import { normaliseResolvConf, normaliseRoute, parseNslookup } from '../harness/observe';
import { compareField, eventually, type Disagreement } from '../harness/fieldCompare';
import { CLOSED_PORT, runProbes } from '../harness/probe';
import { isCI } from '../../support/ci.mjs';

const OUT_DIR = process.env.CNM_DIFF_OUT ?? join(tmpdir(), 'cnm-differential');
const VERSIONS = (process.env.CNM_MULTIHOST_VERSIONS ?? '20.10,26.1').split(',').map((v) => v.trim()) as LabVersion[];
const IMAGE = 'busybox:local';
const NET = 'backend';

/** The topology both sides play: c1 and c3 on node1, c2 on node2, in this order; c1 and c2 serve TCP 80. */
const MULTIHOST = (version: string) => `
hosts:
  node1:
    interfaces: { eth0: 192.168.213.11/24 }
    daemon: { version: "${version}" }
    swarm: manager
  node2:
    interfaces: { eth0: 192.168.213.12/24 }
    daemon: { version: "${version}" }
    swarm: worker
networks:
  ${NET}: { driver: overlay, host: node1, attachable: true }
containers:
  c1: { host: node1, image: busybox, networks: [${NET}], listen: ["80"] }
  c2: { host: node2, image: busybox, networks: [${NET}], listen: ["80"] }
  c3: { host: node1, image: busybox, networks: [${NET}] }
`;
const CONTAINERS: { name: string; host: 'node1' | 'node2'; serves: boolean }[] = [
  { name: 'c1', host: 'node1', serves: true },
  { name: 'c2', host: 'node2', serves: true },
  { name: 'c3', host: 'node1', serves: false },
];


/** The network as `docker network inspect` shows it on one node, in the engine's words. */
interface NetView {
  subnet: string | null;
  gateway: string | null;
  vxlan_id: string | null;
  swarm_endpoints: { key: string; name: string; ipv4_address: string | null; mac_address: string | null }[];
}

async function networkView(host: LabHost, name: string): Promise<NetView | null> {
  const r = await host.docker(['network', 'inspect', name]);
  if (r.code !== 0) return null;
  const n = (JSON.parse(r.stdout) as {
    IPAM: { Config: { Subnet?: string; Gateway?: string }[] | null };
    Options: Record<string, string> | null;
    Containers: Record<string, { Name: string; MacAddress: string; IPv4Address: string }> | null;
  }[])[0]!;
  const cfg = n.IPAM.Config?.[0];
  return {
    subnet: cfg?.Subnet ?? null,
    gateway: cfg?.Gateway ?? null,
    vxlan_id: n.Options?.['com.docker.network.driver.overlay.vxlanid_list'] ?? null,
    swarm_endpoints: Object.entries(n.Containers ?? {})
      .filter(([k]) => k.startsWith('lb-') || k === 'ingress-sbox')
      .map(([k, c]) => ({ key: k, name: c.Name, ipv4_address: c.IPv4Address.split('/')[0] || null, mac_address: c.MacAddress || null }))
      .sort((a, b) => a.key.localeCompare(b.key)),
  };
}

function engineNetView(n: InspectNetwork | undefined): NetView | null {
  if (!n) return null;
  return {
    subnet: n.subnet,
    gateway: n.gateway,
    vxlan_id: n.options['com.docker.network.driver.overlay.vxlanid_list'] ?? null,
    swarm_endpoints: [...(n.swarm_endpoints ?? [])].sort((a, b) => a.key.localeCompare(b.key)),
  };
}

/** A container's overlay endpoint, interfaces, routes, /etc/hosts and resolv.conf, read on its node. */
async function containerView(host: LabHost, name: string): Promise<Record<string, unknown> & { id: string; address: string | null }> {
  const c = (JSON.parse(await host.dockerOk(['inspect', name])) as {
    Id: string;
    NetworkSettings: { Networks: Record<string, { IPAddress: string; IPPrefixLen: number; MacAddress: string; Gateway: string; Aliases: string[] | null }> };
  }[])[0]!;
  const ep = c.NetworkSettings.Networks[NET];
  const short = c.Id.slice(0, 12);
  const script = 'for f in /sys/class/net/*; do echo "${f##*/} $(cat $f/mtu)"; done; echo @@; ip route; echo @@; cat /etc/hosts; echo @@; cat /etc/resolv.conf';
  const text = await host.dockerOk(['exec', name, 'sh', '-c', script]);
  const [ifs, routes, hosts, resolv] = text.split('@@\n').map((s) => s.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '' && !l.startsWith('#')));
  const hostResolv = readFileSync('/etc/resolv.conf', 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  return {
    id: c.Id,
    address: ep?.IPAddress || null,
    endpoint: ep
      ? { ipv4_address: ep.IPAddress || null, ipv4_prefix: ep.IPPrefixLen, mac_address: ep.MacAddress || null, gateway: ep.Gateway || null, aliases: (ep.Aliases ?? []).map((a) => (a === short ? '<own short id>' : a)) }
      : null,
    interfaces: (ifs ?? []).map((l) => l.split(' ')).map(([n, mtu]) => `${n} mtu ${mtu}`).sort(),
    routes: (routes ?? []).map(normaliseRoute).sort(),
    hosts_file: (hosts ?? []).map((l) => l.replace(short, '<own short id>').split(/\s+/).join(' ')),
    resolv_conf: normaliseResolvConf(resolv ?? [], ['127.0.0.1'], hostResolv),
  };
}

/** The names of the overlay's bridge and VXLAN device in the node's overlay namespace (ids → <id>). */
async function overlayDevices(host: LabHost, networkId: string): Promise<string[]> {
  const ns = `${host.paths.execRoot}/netns/1-${networkId.slice(0, 10)}`;
  const r = await run('nsenter', [`--net=${ns}`, '--', 'ip', '-o', 'link', 'show'], { timeoutMs: 15_000 });
  if (r.code !== 0) return [`(no overlay namespace ${ns}: ${r.stderr.trim()})`];
  return r.stdout.split('\n').map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1]).filter((n): n is string => !!n && n !== 'lo' && !n.startsWith('veth'))
    .map((n) => n.replace(networkId.slice(0, 5), '<id5>')).sort();
}

describe('multi-host: a real two-node swarm on lab hosts against the engine', { concurrency: 1 }, () => {
  for (const version of VERSIONS) {
    test(`overlay across two nodes (Docker ${version})`, { timeout: 600_000 }, async (t) => {
      const missing = labMissing([version]);
      if (missing.length) {
        const msg = `lab hosts of Docker ${version} cannot run here: ${missing.join('; ')}`;
        if (isCI()) throw new Error(msg);
        console.warn(`\n*** SKIPPING the multi-host differential (${version}): ${msg} ***\n`);
        return t.skip(msg);
      }
      mkdirSync(OUT_DIR, { recursive: true });
      const t0 = Date.now();
      let lab: Lab | undefined;
      try {
        lab = await startLab({ hosts: [{ name: 'node1', version }, { name: 'node2', version }], lan: true, swarm: { manager: 'node1', workers: ['node2'] } });
        const tUp = Date.now();
        const node = (n: string) => lab!.host(n);
        // Play: the network on the manager, then the containers in the file's order.
        await node('node1').dockerOk(['network', 'create', '-d', 'overlay', '--attachable', NET]);
        for (const c of CONTAINERS) {
          const cmd = c.serves ? 'httpd -p 80 -h /tmp; sleep 3600 & wait' : 'sleep 3600 & wait';
          await node(c.host).dockerOk(['run', '-d', '--name', c.name, '--network', NET, IMAGE, 'sh', '-c', cmd], { timeoutMs: 120_000 });
        }

        const loaded = loadTopology(MULTIHOST(version));
        assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), [], 'the topology loads without errors');
        const engine = loaded.engine.inspect();
        const out: Disagreement[] = [];

        // Networks per node.
        const realIds = new Map<string, string>();
        for (const h of ['node1', 'node2']) {
          for (const n of [NET, 'docker_gwbridge', 'ingress']) {
            const real = await networkView(node(h), n);
            compareField(out, `${h}: networks.${n}`, real, engineNetView(engine.networks.find((x) => x.host === h && x.name === n)));
          }
          realIds.set(h, (await node(h).dockerOk(['network', 'inspect', '--format', '{{.Id}}', NET])).trim());
        }
        // The overlay's devices in each node's overlay namespace.
        for (const h of ['node1', 'node2']) {
          const ns = loaded.engine.state.hosts.get(h)?.overlays.get(engine.networks.find((x) => x.host === h && x.name === NET)?.id ?? '');
          const engineDevs = ns ? [ns.bridge, ns.vxlan].map((d) => d.replace(ns.networkId.slice(0, 5), '<id5>')).sort() : [];
          compareField(out, `${h}: overlay namespace devices`, await overlayDevices(node(h), realIds.get(h)!), engineDevs);
        }
        // Containers.
        const realAddr = new Map<string, string | null>();
        for (const c of CONTAINERS) {
          const real = await containerView(node(c.host), c.name);
          realAddr.set(c.name, real.address);
          const e = engine.containers.find((x) => x.name === c.name && x.host === c.host);
          const ep = e?.endpoints.find((x) => x.network === NET);
          const short = e?.id.slice(0, 12) ?? '';
          const mine = {
            endpoint: ep ? { ipv4_address: ep.ipv4_address, ipv4_prefix: ep.ipv4_prefix, mac_address: ep.mac_address, gateway: ep.gateway, aliases: ep.aliases.map((a) => (a === short ? '<own short id>' : a)) } : null,
            interfaces: (e?.interfaces ?? []).map((i) => `${i.name} mtu ${i.mtu}`).sort(),
            routes: [...(e?.routes ?? [])].sort(),
            hosts_file: (e?.hosts_file ?? []).map((l) => l.replace(short, '<own short id>').split(/\s+/).join(' ')),
            resolv_conf: e?.resolv_conf ?? null,
          };
          for (const k of Object.keys(mine) as (keyof typeof mine)[]) compareField(out, `${c.host}: containers.${c.name}.${k}`, real[k], mine[k]);
        }
        // The embedded DNS across nodes: every container asks for every container's name.
        for (const from of CONTAINERS) {
          for (const to of CONTAINERS) {
            const real = await eventually(async () => {
              const r = await node(from.host).docker(['exec', from.name, 'nslookup', to.name], { timeoutMs: 20_000 });
              const got = parseNslookup(r.stdout);
              if (got.length === 0) throw new Error(`nslookup ${to.name} from ${from.name}: ${(r.stdout + r.stderr).trim()}`);
              return got;
            }).catch(() => [] as string[]);
            compareField(out, `${from.host}: DNS ${to.name} from ${from.name}`, real, [...loaded.engine.resolve(from.host, from.name, to.name)].sort());
          }
        }
        // Probes: ping by name and address, TCP to each served port and to a closed port, every pair.
        const tracer = new Tracer(loaded.engine.state, { listening: listeningFromSpec(loaded.spec) });
        const probes: { from: string; to: string; proto: 'icmp' | 'tcp'; port?: number; dockerd: string; engine: string; reason: string }[] = [];
        const ownAddresses = new Set([...realAddr.values()].filter((a): a is string => !!a));
        for (const from of CONTAINERS) {
          const h = node(from.host);
          useDockerTarget({ label: `lab ${lab.id} ${from.host}`, cli: h.cli, env: h.env, netnsPath: h.paths.netnsPath, dnsServers: ['127.0.0.1'] });
          const jobs: { proto: 'icmp' | 'tcp'; dest: string; port?: number; engineDest: string; to: string }[] = [];
          for (const to of CONTAINERS) {
            if (to.name === from.name) continue;
            const real = realAddr.get(to.name);
            const mine = engine.containers.find((x) => x.name === to.name)?.endpoints.find((x) => x.network === NET)?.ipv4_address;
            // Network safety: only the lab's own container addresses (or their names) are probed.
            if (!real || !ownAddresses.has(real) || !mine) {
              compareField(out, `probes ${from.name} → ${to.name}: target`, real ?? null, mine ?? null);
              continue;
            }
            jobs.push({ proto: 'icmp', dest: to.name, engineDest: to.name, to: `${to.name} (name)` });
            jobs.push({ proto: 'icmp', dest: real, engineDest: mine, to: `${to.name} (address)` });
            jobs.push({ proto: 'tcp', dest: real, port: to.serves ? 80 : CLOSED_PORT, engineDest: mine, to: `${to.name}:${to.serves ? 80 : CLOSED_PORT}` });
          }
          const results = await eventually(async () => {
            const res = await runProbes(from.name, false, jobs.map((j) => ({ proto: j.proto, dest: j.dest, ...(j.port !== undefined ? { port: j.port } : {}) })));
            // The overlay's peers spread over a few seconds: retry while anything is still dropped.
            if (res.some((r) => r.verdict === 'dropped' || r.verdict === 'unresolved')) throw Object.assign(new Error('not settled'), { res });
            return res;
          }, 15_000).catch((e: Error & { res?: Awaited<ReturnType<typeof runProbes>> }) => e.res ?? runProbes(from.name, false, jobs.map((j) => ({ proto: j.proto, dest: j.dest, ...(j.port !== undefined ? { port: j.port } : {}) }))));
          jobs.forEach((j, i) => {
            const traced = tracer.trace({ host: from.host, from: from.name, to: j.engineDest, proto: j.proto, ...(j.port !== undefined ? { port: j.port } : {}) });
            const real = results[i]!;
            probes.push({ from: from.name, to: j.to, proto: j.proto, ...(j.port !== undefined ? { port: j.port } : {}), dockerd: real.verdict, engine: traced.verdict, reason: traced.reason });
            if (traced.verdict === 'unknown' || real.verdict !== traced.verdict) out.push({ field: `probe ${from.name} → ${j.to} ${j.proto}`, dockerd: `${real.verdict} (${real.output.trim().split('\n').slice(-1)[0]})`, engine: `${traced.verdict}: ${traced.reason}` });
          });
          useDockerTarget(undefined);
        }
        const seconds = ((Date.now() - t0) / 1000).toFixed(0);
        writeFileSync(join(OUT_DIR, `multihost-${version}.json`), JSON.stringify({ version, disagreements: out, probes, engine }, null, 2));
        t.diagnostic(`Docker ${version}: ${probes.length} probes (${probes.filter((p) => p.dockerd === p.engine).length} agree), ${out.length} disagreement(s); lab up in ${((tUp - t0) / 1000).toFixed(0)} s, ${seconds} s in all`);
        assert.equal(out.length, 0, `multi-host (Docker ${version}): ${out.length} disagreement(s):\n  ${out.map((d) => `${d.field}: dockerd ${d.dockerd}, engine ${d.engine}`).join('\n  ')}`);
      } finally {
        useDockerTarget(undefined);
        await lab?.stop();
      }
    });
  }
});
