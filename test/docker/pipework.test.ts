// pipework, for real: containers are started on the real dockerd (busybox:local, `--network none` and the
// default bridge), then pipework's own steps (jpetazzo/pipework, the `pipework` script: bridge creation,
// the veth pair v<if>pl<pid>/v<if>pg<pid>, the move into the container's namespace, rename, address,
// gateway) are run with `ip` in their namespaces. The same attachments, written under `pipework:` in a
// topology file, are built by the engine; then, value by value, the interfaces (names, addresses), the
// routing tables and the host-side veth names are compared, and real pings between the containers and
// from the host are compared with the tracer's verdicts.
//
//   flock /tmp/cnm-docker.lock node --import tsx --test test/docker/pipework.test.ts
//
// Everything it makes (containers, the bridge, veths) has a name unique to this run, and is removed in
// `after`, also when a step fails. Test traffic goes only to addresses on its own bridge and containers.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { Tracer } from '../../src/engine/trace';
import type { SandboxState } from '../../src/engine';
import { loadTopology } from '../../src/topology/index';
import { isCI } from '../support/ci.mjs';

const RUN = String(process.pid % 100000).padStart(5, '0');
const BRIDGE = `brpw${RUN}`;
const NET = '10.213.77';
const HOST_ADDR = `${NET}.254`;
const NAMES = { a: `cnm-pw${RUN}-a`, b: `cnm-pw${RUN}-b`, c: `cnm-pw${RUN}-c` };

/** The attachments, once for the file and once for the real steps. */
const ATTACH = [
  { ctr: NAMES.a, ip: `${NET}.10/24`, gateway: undefined as string | undefined, iface: 'eth1' },
  { ctr: NAMES.b, ip: `${NET}.11/24`, gateway: undefined, iface: 'eth1' },
  // A --network none container whose only way out is the host's address on the bridge.
  { ctr: NAMES.c, ip: `${NET}.12/24`, gateway: HOST_ADDR, iface: 'eth7' },
];

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
}

function ok(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore', timeout: 15_000 }).status === 0;
}

function available(): string | null {
  if (!ok('docker', ['info'])) return 'dockerd does not answer';
  if (!ok('docker', ['image', 'inspect', 'busybox:local'])) return 'the image busybox:local is missing';
  if (!ok('ip', ['-V'])) return 'iproute2 (ip) is missing';
  if (!ok('nsenter', ['--version'])) return 'nsenter is missing';
  if (!ok('busybox', ['true'])) return 'busybox (the host ping) is missing';
  return null;
}

const pids = new Map<string, number>();

function nsIp(ctr: string, ...args: string[]): string {
  return sh('nsenter', ['-t', String(pids.get(ctr)), '-n', 'ip', ...args]);
}

/** pipework <bridge> -i <iface> <ctr> <ip>[@gateway], step by step as the script does them. */
function pipework(att: (typeof ATTACH)[number]): void {
  const pid = pids.get(att.ctr)!;
  if (!ok('ip', ['link', 'show', BRIDGE])) {
    sh('ip', ['link', 'add', 'dev', BRIDGE, 'type', 'bridge']);
    sh('ip', ['link', 'set', BRIDGE, 'up']);
  }
  const mtu = /mtu (\d+)/.exec(sh('ip', ['link', 'show', BRIDGE]))![1]!;
  const local = `v${att.iface}pl${pid}`;
  const guest = `v${att.iface}pg${pid}`;
  sh('ip', ['link', 'add', 'name', local, 'mtu', mtu, 'type', 'veth', 'peer', 'name', guest, 'mtu', mtu]);
  sh('ip', ['link', 'set', local, 'master', BRIDGE]);
  sh('ip', ['link', 'set', local, 'up']);
  sh('ip', ['link', 'set', guest, 'netns', String(pid)]);
  nsIp(att.ctr, 'link', 'set', guest, 'name', att.iface);
  nsIp(att.ctr, 'addr', 'add', att.ip, 'dev', att.iface);
  if (att.gateway) spawnSync('nsenter', ['-t', String(pid), '-n', 'ip', 'route', 'delete', 'default'], { stdio: 'ignore' });
  nsIp(att.ctr, 'link', 'set', att.iface, 'up');
  if (att.gateway) {
    if (spawnSync('nsenter', ['-t', String(pid), '-n', 'ip', 'route', 'get', att.gateway], { stdio: 'ignore' }).status !== 0) {
      nsIp(att.ctr, 'route', 'add', `${att.gateway}/32`, 'dev', att.iface);
    }
    nsIp(att.ctr, 'route', 'replace', 'default', 'via', att.gateway, 'dev', att.iface);
  }
}

function cleanup(): void {
  for (const n of Object.values(NAMES)) spawnSync('docker', ['rm', '-f', n], { stdio: 'ignore', timeout: 30_000 });
  // The veths die with the namespaces; a host side left by a half-done step goes here.
  for (const [ctr, pid] of pids) {
    for (const att of ATTACH.filter((a) => a.ctr === ctr)) spawnSync('ip', ['link', 'del', `v${att.iface}pl${pid}`], { stdio: 'ignore' });
  }
  spawnSync('ip', ['link', 'del', BRIDGE], { stdio: 'ignore' });
}

function topologyText(): string {
  const entry = (ctr: string) =>
    ATTACH.filter((a) => a.ctr === ctr)
      .map((a) => `      - { bridge: ${BRIDGE}, ip: ${a.ip}, iface: ${a.iface}${a.gateway ? `, gateway: ${a.gateway}` : ''} }`)
      .join('\n');
  return `name: pipework-real
hosts:
  local:
    interfaces: { ${BRIDGE}: ${HOST_ADDR}/24 }
    daemon: { version: "20.10" }
containers:
  ${NAMES.a}:
    image: busybox
    network_mode: none
    pipework:
${entry(NAMES.a)}
  ${NAMES.b}:
    image: busybox
    pipework:
${entry(NAMES.b)}
  ${NAMES.c}:
    image: busybox
    network_mode: none
    pipework:
${entry(NAMES.c)}
`;
}

/** `ip -4 route` lines without the kernel's proto/linkdown noise, sorted. */
function normRoutes(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/ proto kernel/, '').replace(/ linkdown/, '').trim()).filter(Boolean).sort();
}

function modelRoutes(sb: SandboxState): string[] {
  return sb.routes
    .filter((r) => r.family === 4)
    .map((r) => r.destination === 'default' ? `default via ${r.gateway} dev ${r.dev}` : `${r.destination.replace(/\/32$/, '')} dev ${r.dev} scope link${r.src ? ` src ${r.src}` : ''}`)
    .sort();
}

const why = available();
describe('pipework on the real dockerd', { skip: why !== null && !isCI ? why : false }, () => {
  let loaded: ReturnType<typeof loadTopology>;

  before(() => {
    if (why) assert.fail(`pipework differential: ${why}`);
    cleanup();
    assert.equal(ok('ip', ['link', 'show', BRIDGE]), false, `${BRIDGE} exists already`);
    try {
      sh('docker', ['run', '-d', '--name', NAMES.a, '--network', 'none', 'busybox:local', 'sleep', '600']);
      sh('docker', ['run', '-d', '--name', NAMES.b, 'busybox:local', 'sleep', '600']);
      sh('docker', ['run', '-d', '--name', NAMES.c, '--network', 'none', 'busybox:local', 'sleep', '600']);
      for (const n of Object.values(NAMES)) pids.set(n, Number(sh('docker', ['inspect', '-f', '{{.State.Pid}}', n]).trim()));
      // The host's own address on the bridge, as a user does to reach the containers (`ip addr add … dev br1`).
      for (const att of ATTACH) pipework(att);
      sh('ip', ['addr', 'add', `${HOST_ADDR}/24`, 'dev', BRIDGE]);
    } catch (e) {
      cleanup();
      throw e;
    }
    loaded = loadTopology(topologyText());
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors.map((d) => d.message), []);
  });

  after(cleanup);

  const sandboxOf = (name: string): SandboxState => {
    const host = loaded.engine.state.hosts.get('local')!;
    const ctr = [...host.containers.values()].find((c) => c.name === name)!;
    return host.sandboxes.get(ctr.sandboxId!)!;
  };

  test('interfaces and addresses inside each container match the model', () => {
    for (const n of Object.values(NAMES)) {
      const real = nsIp(n, '-o', '-4', 'addr', 'show').split('\n').filter(Boolean).map((l) => { const m = /^\d+: (\S+)\s+inet (\S+)/.exec(l)!; return `${m[1]} ${m[2]}`; }).sort();
      const model = sandboxOf(n).interfaces.filter((i) => i.ipv4).map((i) => `${i.name} ${i.ipv4!.address}/${i.ipv4!.prefixLength}`).sort();
      assert.deepEqual(model, real, `${n}: interfaces`);
    }
  });

  test('routing tables match the model (the gateway replaced the default route)', () => {
    for (const n of Object.values(NAMES)) assert.deepEqual(modelRoutes(sandboxOf(n)), normRoutes(nsIp(n, '-4', 'route', 'show')), `${n}: routes`);
  });

  test("host side: the veths on the bridge are pipework's v<if>pl<pid>, as the model names them", () => {
    const real = sh('ip', ['-o', 'link', 'show', 'master', BRIDGE]).split('\n').filter(Boolean).map((l) => /^\d+: ([^@:]+)/.exec(l)![1]!).sort();
    const host = loaded.engine.state.hosts.get('local')!;
    const model = [...host.bridges.get(BRIDGE)!.ports].map((p) => p.replace(/<pid:([^>]+)>/, (_m, c: string) => String(pids.get(c)))).sort();
    assert.deepEqual(model, real);
  });

  test('real pings agree with the tracer, probe by probe', () => {
    const ipOf = (n: string) => ATTACH.find((a) => a.ctr === n)!.ip.split('/')[0]!;
    const bDocker = sh('docker', ['inspect', '-f', '{{.NetworkSettings.Networks.bridge.IPAddress}}', NAMES.b]).trim();
    const probes: { from: string; to: string }[] = [
      { from: NAMES.a, to: ipOf(NAMES.b) },
      { from: NAMES.b, to: ipOf(NAMES.c) },
      { from: NAMES.a, to: HOST_ADDR },
      { from: NAMES.c, to: HOST_ADDR },
      { from: 'local', to: ipOf(NAMES.a) },
      { from: 'local', to: ipOf(NAMES.c) },
      { from: NAMES.c, to: bDocker },
    ];
    const tracer = new Tracer(loaded.engine.state);
    const rows: string[] = [];
    for (const p of probes) {
      // Only our bridge's subnet and our own container's docker0 address are ever pinged.
      assert.ok(p.to.startsWith(`${NET}.`) || p.to === bDocker);
      const real = p.from === 'local'
        ? spawnSync('busybox', ['ping', '-c1', '-W1', p.to], { stdio: 'ignore', timeout: 10_000 }).status === 0
        : spawnSync('docker', ['exec', p.from, 'ping', '-c1', '-W1', p.to], { stdio: 'ignore', timeout: 10_000 }).status === 0;
      const traced = tracer.trace({ host: 'local', from: p.from, to: p.to, proto: 'icmp' });
      assert.notEqual(traced.verdict, 'unknown', `${p.from} → ${p.to}: the tracer said unknown (${traced.reason})`);
      rows.push(`${p.from} → ${p.to}: real ${real ? 'delivered' : 'no answer'}, tracer ${traced.verdict}`);
      assert.equal(traced.verdict === 'delivered', real, rows.join('\n'));
    }
  });
});
