// Differential test of Compose projects: real `docker compose up` (v2, Debian 13's 2.26.1) plays each
// stack in stacks/ on a fresh lab host (its own dockerd in network namespaces: fresh address cursors,
// the main dockerd untouched), with every image replaced by busybox:local listening on the declared
// ports (an override file given with -f; the originals stay as written), while the engine reads the
// original files. Networks (names, driver, subnets, gateways, flags), containers (names, network
// mode), endpoints (addresses, MACs, DNS aliases) and published ports must agree. Addresses the engine
// says depend on start timing (its warnings) are compared as a set among the containers that race.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, type TestContext } from 'node:test';
import { docker as mainDocker, run } from '../harness/exec';
import { labMissing, startLab, type LabHost, type LabVersion } from '../harness/lab';
import { unavailable } from '../../support/exclusions.mjs';
import { loadCompose, type ComposeReader, type LoadedCompose } from '../../../src/topology/compose';

const HERE = dirname(fileURLToPath(import.meta.url));
const STACKS = join(HERE, 'stacks');
const IMAGE = 'busybox:local';
const COMPOSE_PLUGIN = '/usr/libexec/docker/cli-plugins/docker-compose';
const VERSIONS: LabVersion[] = (process.env.CNM_COMPOSE_VERSIONS?.split(',') as LabVersion[] | undefined) ?? ['20.10', '26.1'];
const ONLY = process.env.CNM_SCENARIO?.split(',');

const diskReader: ComposeReader = {
  readFile: (p) => (existsSync(p) && statSync(p).isFile() ? readFileSync(p, 'utf8') : undefined),
  exists: (p) => existsSync(p),
};

async function ready(t: TestContext): Promise<boolean> {
  const missing = labMissing(VERSIONS);
  if (!existsSync(COMPOSE_PLUGIN)) missing.push(`the Compose plugin ${COMPOSE_PLUGIN} is missing (apt-get install -t trixie docker-compose)`);
  const image = await mainDocker(['image', 'inspect', '--format', '{{.Id}}', IMAGE], { timeoutMs: 30_000 });
  if (image.code !== 0) missing.push(`the main dockerd has no ${IMAGE} (bash scripts/busybox-image.sh)`);
  if (missing.length === 0) return true;
  unavailable(t, `Compose differential cannot run here: ${missing.join('; ')}`);
  return false;
}

/** The override that swaps every service's image for busybox listening on its TCP ports. */
function testOverride(loaded: LoadedCompose): string {
  const lines = ['services:'];
  for (const s of loaded.project.services) {
    const ports = new Set<number>();
    for (const e of s.expose) if (!/\/udp$/.test(e.value)) ports.add(Number(e.value.split('/')[0]!.split('-')[0]));
    for (const p of s.ports) {
      const m = /(?:^|:)(\d+)(?:-\d+)?(?:\/(tcp|udp))?$/.exec(p.value);
      if (m && m[2] !== 'udp') ports.add(Number(m[1]));
    }
    const serve = [...ports].filter((p) => p > 0).map((p) => `httpd -p ${p} -h /tmp;`).join(' ');
    lines.push(`  ${JSON.stringify(s.name)}:`, `    image: ${IMAGE}`, '    build: !reset null', '    pull_policy: never', `    command: ["sh", "-c", ${JSON.stringify(`${serve} exec sleep 3600`)}]`, '    healthcheck: !reset null');
  }
  return lines.join('\n') + '\n';
}

interface Side {
  networks: Map<string, Record<string, unknown>>;
  containers: Map<string, { network_mode: string; endpoints: Map<string, { ipv4: string | null; ipv6: string | null; mac: string | null; aliases: string[] }>; ports: string[] }>;
}

const SHORT_ID = /^[0-9a-f]{12}$/;

/** What the comparison reads of `docker network inspect` and `docker inspect`. */
interface DockerNetwork {
  Id: string;
  Name: string;
  Driver: string;
  Internal: boolean;
  EnableIPv6: boolean;
  Options?: Record<string, string>;
  IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] | null };
}
interface DockerContainer {
  Id: string;
  Name: string;
  HostConfig: { NetworkMode: string };
  NetworkSettings: {
    Networks?: Record<string, { IPAddress?: string; GlobalIPv6Address?: string; MacAddress?: string; Aliases?: string[] | null }>;
    Ports?: Record<string, { HostIp: string; HostPort: string }[] | null>;
  };
}

function engineSide(l: LoadedCompose): Side {
  const st = l.engine.inspect();
  const side: Side = { networks: new Map(), containers: new Map() };
  for (const n of st.networks) {
    if (['bridge', 'host', 'none'].includes(n.name)) continue;
    side.networks.set(n.name, { driver: n.driver, subnet: n.subnet, gateway: n.gateway, ipv6_subnet: n.ipv6_subnet ?? null, internal: n.internal, enable_ipv6: n.enable_ipv6 });
  }
  for (const c of st.containers) {
    side.containers.set(c.name, {
      network_mode: c.network_mode,
      endpoints: new Map(c.endpoints.filter((e) => e.network !== 'host' && e.network !== 'none').map((e) => [e.network, { ipv4: e.ipv4_address, ipv6: e.ipv6_address, mac: e.mac_address, aliases: e.aliases.filter((a) => !SHORT_ID.test(a)).sort() }])),
      ports: c.ports.map((p) => `${p.host_ip}:${p.host_port}->${p.container_port}/${p.protocol}`).sort(),
    });
  }
  return side;
}

async function dockerSide(host: LabHost, project: string): Promise<Side> {
  const side: Side = { networks: new Map(), containers: new Map() };
  const ids = (await host.dockerOk(['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`])).split('\n').filter(Boolean);
  for (const id of ids) {
    const [n] = JSON.parse(await host.dockerOk(['network', 'inspect', id])) as DockerNetwork[];
    if (!n) continue;
    const cfg = n.IPAM?.Config ?? [];
    const v4 = cfg.find((c) => c.Subnet && !c.Subnet.includes(':'));
    const v6 = cfg.find((c) => c.Subnet?.includes(':'));
    let gateway = v4?.Gateway || null;
    if (!gateway && v4 && n.Driver === 'bridge') {
      // inspect hides a gateway dockerd chose itself: read the bridge's address.
      const dev = n.Options?.['com.docker.network.bridge.name'] ?? `br-${String(n.Id).slice(0, 12)}`;
      const r = await host.inNamespace('ip', ['-j', '-4', 'addr', 'show', 'dev', dev]);
      gateway = (JSON.parse(r.stdout || '[]') as { addr_info?: { local?: string }[] }[])[0]?.addr_info?.[0]?.local ?? null;
    }
    side.networks.set(n.Name, { driver: n.Driver, subnet: v4?.Subnet ?? null, gateway, ipv6_subnet: v6?.Subnet ?? null, internal: n.Internal, enable_ipv6: n.EnableIPv6 });
  }
  const cids = (await host.dockerOk(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])).split('\n').filter(Boolean);
  const all = cids.length ? (JSON.parse(await host.dockerOk(['inspect', ...cids])) as DockerContainer[]) : [];
  const nameOf = new Map(all.map((c) => [c.Id, c.Name.replace(/^\//, '')]));
  for (const c of all) {
    let mode = String(c.HostConfig.NetworkMode);
    if (mode.startsWith('container:')) mode = `container:${nameOf.get(mode.slice(10)) ?? mode.slice(10)}`;
    const endpoints = new Map<string, { ipv4: string | null; ipv6: string | null; mac: string | null; aliases: string[] }>();
    for (const [net, e] of Object.entries(c.NetworkSettings.Networks ?? {})) {
      if (net === 'none' || net === 'host') continue;
      endpoints.set(net, { ipv4: e.IPAddress || null, ipv6: e.GlobalIPv6Address || null, mac: e.MacAddress || null, aliases: (e.Aliases ?? []).filter((a) => !SHORT_ID.test(a)).sort() });
    }
    const ports: string[] = [];
    for (const [k, binds] of Object.entries(c.NetworkSettings.Ports ?? {})) {
      const [port, proto] = k.split('/');
      for (const b of binds ?? []) ports.push(`${b.HostIp}:${b.HostPort}->${port}/${proto}`);
    }
    side.containers.set(nameOf.get(c.Id)!, { network_mode: mode, endpoints, ports: ports.sort() });
  }
  return side;
}

/** Every disagreement, as lines; timing-dependent values compared as a set. */
function compare(l: LoadedCompose, engine: Side, real: Side): string[] {
  const out: string[] = [];
  const { racing, racingSubnets } = l.played;
  const keys = (a: Map<string, unknown>, b: Map<string, unknown>) => [...new Set([...a.keys(), ...b.keys()])].sort();
  for (const name of keys(engine.networks, real.networks)) {
    const e = engine.networks.get(name);
    const r = real.networks.get(name);
    if (!e || !r) {
      out.push(`network ${name}: ${e ? 'only in the engine' : 'only in docker'}`);
      continue;
    }
    for (const k of Object.keys(r)) {
      if (racingSubnets.has(name) && (k === 'subnet' || k === 'gateway')) continue;
      if (JSON.stringify(e[k]) !== JSON.stringify(r[k])) out.push(`network ${name} ${k}: engine ${JSON.stringify(e[k])}, docker ${JSON.stringify(r[k])}`);
    }
  }
  const racySets = new Map<string, { e: string[]; r: string[] }>();
  for (const name of keys(engine.containers, real.containers)) {
    const e = engine.containers.get(name);
    const r = real.containers.get(name);
    if (!e || !r) {
      out.push(`container ${name}: ${e ? 'only in the engine' : 'only in docker'}`);
      continue;
    }
    const mode = (m: string) => (m === 'default' ? 'bridge' : m);
    if (mode(e.network_mode) !== mode(r.network_mode)) out.push(`container ${name} network_mode: engine ${e.network_mode}, docker ${r.network_mode}`);
    if (JSON.stringify(e.ports) !== JSON.stringify(r.ports)) out.push(`container ${name} ports: engine ${JSON.stringify(e.ports)}, docker ${JSON.stringify(r.ports)}`);
    for (const net of keys(e.endpoints, r.endpoints)) {
      const ee = e.endpoints.get(net);
      const re = r.endpoints.get(net);
      if (!ee || !re) {
        out.push(`endpoint ${name} on ${net}: ${ee ? 'only in the engine' : 'only in docker'}`);
        continue;
      }
      const racy = racing.get(net)?.has(name) || racingSubnets.has(net);
      for (const k of ['ipv4', 'ipv6', 'mac', 'aliases'] as const) {
        // MACs follow addresses on 20.10 (derived from the IPv4 address), so they race with them.
        if (racy && k !== 'aliases') {
          const set = racySets.get(`${net} ${k}`) ?? { e: [], r: [] };
          set.e.push(JSON.stringify(ee[k]));
          set.r.push(JSON.stringify(re[k]));
          racySets.set(`${net} ${k}`, set);
          continue;
        }
        if (JSON.stringify(ee[k]) !== JSON.stringify(re[k])) out.push(`endpoint ${name} on ${net} ${k}: engine ${JSON.stringify(ee[k])}, docker ${JSON.stringify(re[k])}`);
      }
    }
  }
  for (const [what, s] of racySets) {
    const [e, r] = [s.e.sort(), s.r.sort()];
    // Random MACs (26.1) differ anyway; only their presence is compared.
    if (what.endsWith(' mac') && e.every((x) => x !== 'null') && r.every((x) => x !== 'null') && e.length === r.length) continue;
    if (JSON.stringify(e) !== JSON.stringify(r)) out.push(`timing-dependent ${what} (compared as a set): engine ${e.join(' ')}, docker ${r.join(' ')}`);
  }
  return out;
}

const stacks = readdirSync(STACKS).filter((s) => existsSync(join(STACKS, s, 'compose.yaml'))).filter((s) => !ONLY || ONLY.some((o) => s.includes(o))).sort();

for (const version of VERSIONS) {
  test(`docker compose up on Docker ${version} agrees with the engine`, { timeout: 30 * 60_000 }, async (t) => {
    if (!(await ready(t))) return;
    for (const stack of stacks) {
      await t.test(stack, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'cnmcmp-'));
        const copy = join(dir, stack);
        cpSync(join(STACKS, stack), copy, { recursive: true });
        const loaded = loadCompose(diskReader, join(STACKS, stack), { daemonVersion: version, env: {} });
        assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), [], `the engine reads ${stack} without errors`);
        writeFileSync(join(copy, 'cnm-test.override.yaml'), testOverride(loaded));
        const lab = await startLab({ hosts: [{ name: 'cmp', version }], lan: false, log: (line) => console.log(`  ${line}`) });
        try {
          const host = lab.host('cmp');
          const compose = (args: string[]) =>
            run(host.cli, ['compose', '-f', join(copy, 'compose.yaml'), '-f', join(copy, 'cnm-test.override.yaml'), ...args], { env: host.env, timeoutMs: 180_000 });
          const up = await compose(['up', '-d']);
          assert.equal(up.code, 0, `docker compose up: ${up.stderr}`);
          const real = await dockerSide(host, loaded.project.name);
          const diff = compare(loaded, engineSide(loaded), real);
          const endpoints = [...real.containers.values()].reduce((n, c) => n + c.endpoints.size, 0);
          const ports = [...real.containers.values()].reduce((n, c) => n + c.ports.length, 0);
          console.log(`  ${stack} on ${version}: ${real.networks.size} networks, ${real.containers.size} containers, ${endpoints} endpoints, ${ports} port bindings compared; ${diff.length} disagreements`);
          assert.deepEqual(diff, [], `${stack} on ${version}:\n${diff.join('\n')}`);
          await compose(['down']);
        } finally {
          await lab.stop();
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  });
}
