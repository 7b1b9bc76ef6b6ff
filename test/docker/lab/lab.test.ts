// Lab hosts, proven for what the multi-host features rely on: dockerd 20.10 and 26.1 side by side on this
// machine without disturbing the main dockerd; a real two-node swarm over the lab LAN carrying ping, TCP and
// DNS between nodes, dnsrr services and tasks.<svc>; Docker Compose v2 playing a project on a lab host.
// Each test starts its own lab and removes it, also when it fails (stop() in finally; the harness also
// tears labs down on exit and signals).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { docker as mainDocker, run } from '../harness/exec';
import { labMissing, startLab, type Lab, type LabHost, type LabVersion } from '../harness/lab';
import { labDataDir, labRunDir } from '../harness/labPaths';
import { unavailable } from '../../support/exclusions.mjs';

const IMAGE = 'busybox:local';
const COMPOSE_PLUGIN = '/usr/libexec/docker/cli-plugins/docker-compose';

/** Under CI a missing part fails the test; elsewhere it is a loud skip. */
async function labReady(t: TestContext, versions: LabVersion[], more: string[] = []): Promise<boolean> {
  const missing = [...labMissing(versions), ...more];
  const image = await mainDocker(['image', 'inspect', '--format', '{{.Id}}', IMAGE], { timeoutMs: 30_000 });
  if (image.code !== 0) missing.push(`the main dockerd has no ${IMAGE} to copy into lab hosts (bash scripts/busybox-image.sh)`);
  if (!missing.length) return true;
  unavailable(t, `lab hosts cannot run here: ${missing.join('; ')}`);
  return false;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries `fn` until it stops throwing (overlay peers and DNS records spread over a few seconds). */
async function eventually<T>(what: string, fn: () => Promise<T>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > end) throw new Error(`${what}: still failing after ${ms / 1000} s: ${e instanceof Error ? e.message : String(e)}`);
      await sleep(1000);
    }
  }
}

async function withLab(opts: Parameters<typeof startLab>[0], fn: (lab: Lab) => Promise<void>): Promise<Lab> {
  const lab = await startLab({ log: (l) => console.log(`  ${l}`), ...opts });
  try {
    await fn(lab);
  } finally {
    await lab.stop();
  }
  return lab;
}

/** What a user would see of the main dockerd: its pid, its containers and its networks. */
async function mainState(): Promise<{ pid: string; containers: string[]; networks: string[] }> {
  const list = async (args: string[]) => {
    const r = await mainDocker(args, { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).sort();
  };
  return { pid: readPid('/var/run/docker.pid'), containers: await list(['ps', '-aq', '--no-trunc']), networks: await list(['network', 'ls', '-q', '--no-trunc']) };
}

function assertGone(lab: Lab): void {
  assert.ok(!existsSync(labRunDir(lab.id)), `${labRunDir(lab.id)} is removed`);
  assert.ok(!existsSync(labDataDir(lab.id)), `${labDataDir(lab.id)} is removed`);
  for (const h of lab.hosts) assert.ok(!existsSync(h.paths.netnsPath), `namespace ${h.netns} is removed`);
  if (lab.lan) assert.ok(!existsSync(`/run/netns/${lab.lan.netns}`), `the LAN namespace ${lab.lan.netns} is removed`);
}

async function containerAddress(host: LabHost, container: string, network: string): Promise<string> {
  return (await host.dockerOk(['inspect', '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container])).trim();
}

/** The IPv4 addresses busybox nslookup prints for `name` (the server's own address comes first and is dropped). */
async function resolve(host: LabHost, container: string, name: string): Promise<string[]> {
  const r = await host.docker(['exec', container, 'nslookup', name], { timeoutMs: 20_000 });
  if (r.code !== 0) throw new Error(`nslookup ${name} in ${container}: ${(r.stdout + r.stderr).trim()}`);
  const answer = r.stdout.split(/\n\s*\n/).slice(1).join('\n');
  return [...answer.matchAll(/Address(?: \d+)?:\s*(\d+\.\d+\.\d+\.\d+)/g)].map((m) => m[1]!).sort();
}

const httpd = (text: string) => ['sh', '-c', `mkdir -p /www && echo '${text}' > /www/index.html && exec httpd -f -p 80 -h /www`];

test('a 20.10 and a 26.1 lab host run side by side, and the main dockerd is left as it was', { timeout: 180_000 }, async (t) => {
  if (!(await labReady(t, ['20.10', '26.1']))) return;
  const before = await mainState();
  let daemonPids: string[] = [];
  const lab = await withLab({ hosts: [{ name: 'old', version: '20.10' }, { name: 'new', version: '26.1' }], lan: true }, async (lab) => {
    const [oldHost, newHost] = [lab.host('old'), lab.host('new')];
    assert.match((await oldHost.dockerOk(['version', '--format', '{{.Server.Version}}'])).trim(), /^20\.10\./);
    assert.match((await newHost.dockerOk(['version', '--format', '{{.Server.Version}}'])).trim(), /^26\.1\./);
    // Each daemon is the lab host by name (its own UTS namespace), and the CLIs are those of their releases.
    assert.equal((await oldHost.dockerOk(['info', '--format', '{{.Name}}'])).trim(), 'old');
    assert.equal((await newHost.dockerOk(['info', '--format', '{{.Name}}'])).trim(), 'new');
    assert.match((await oldHost.dockerOk(['version', '--format', '{{.Client.Version}}'])).trim(), /^20\.10\./);
    assert.match((await newHost.dockerOk(['version', '--format', '{{.Client.Version}}'])).trim(), /^26\.1\./);
    // The image came from the main dockerd, and containers run on both.
    for (const h of [oldHost, newHost]) assert.equal((await h.dockerOk(['run', '--rm', IMAGE, 'echo', `hello from ${h.name}`])).trim(), `hello from ${h.name}`);
    // The LAN: each host has its address on eth0 and reaches the other.
    const addr = await oldHost.inNamespace('ip', ['-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    assert.match(addr.stdout, new RegExp(`inet ${oldHost.lanAddress!.replace(/\./g, '\\.')}/24`));
    // busybox-static (a .ci/run package) has ping; iputils-ping is not installed.
    const ping = await oldHost.inNamespace('busybox', ['ping', '-c', '1', '-W', '2', newHost.lanAddress!]);
    assert.equal(ping.code, 0, `old pings new over the LAN: ${ping.stdout}${ping.stderr}`);
    // Containers made on a lab host are not on the main dockerd.
    await newHost.dockerOk(['run', '-d', '--name', 'only-in-the-lab', IMAGE, 'sleep', '600']);
    const onMain = await mainDocker(['ps', '-aq', '--filter', 'name=only-in-the-lab'], { timeoutMs: 30_000 });
    assert.equal(onMain.stdout.trim(), '', 'the lab container is not on the main dockerd');
    daemonPids = lab.hosts.map((h) => readPid(h.paths.pidfile));
  });
  assertGone(lab);
  for (const pid of daemonPids) assert.ok(pid && !running(pid), `lab dockerd ${pid} is stopped`);
  const after = await mainState();
  assert.equal(after.pid, before.pid, 'the main dockerd was not restarted');
  assert.deepEqual(after.containers, before.containers, "the main dockerd's containers are unchanged");
  assert.deepEqual(after.networks, before.networks, "the main dockerd's networks are unchanged");
});

/** A process that exists and is not a zombie (a stopped lab dockerd is our child until Node reaps it). */
function running(pid: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function readPid(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

test('a two-node swarm over the LAN: an attachable overlay carries ping, TCP and DNS across nodes; dnsrr tasks resolve', { timeout: 240_000 }, async (t) => {
  if (!(await labReady(t, ['20.10']))) return;
  const lab = await withLab({
    hosts: [{ name: 'node1', version: '20.10' }, { name: 'node2', version: '20.10' }],
    lan: true,
    swarm: { manager: 'node1', workers: ['node2'] },
  }, async (lab) => {
    const [node1, node2] = [lab.host('node1'), lab.host('node2')];
    const nodes = (await node1.dockerOk(['node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.ManagerStatus}}'])).split('\n').map((l) => l.trim()).filter(Boolean).sort();
    assert.deepEqual(nodes, ['node1 Ready Leader', 'node2 Ready']);
    const addrs = (await node1.dockerOk(['node', 'inspect', '--format', '{{.Description.Hostname}} {{.Status.Addr}}', 'node1', 'node2'])).trim().split('\n').sort();
    assert.deepEqual(addrs, [`node1 ${node1.lanAddress}`, `node2 ${node2.lanAddress}`], 'the nodes are on the LAN');

    await node1.dockerOk(['network', 'create', '-d', 'overlay', '--attachable', '--subnet', '10.213.7.0/24', 'labnet']);
    await node1.dockerOk(['run', '-d', '--name', 'alpha', '--network', 'labnet', IMAGE, ...httpd('hello from alpha on node1')]);
    await node2.dockerOk(['run', '-d', '--name', 'bravo', '--network', 'labnet', IMAGE, ...httpd('hello from bravo on node2')]);
    const alphaIp = await containerAddress(node1, 'alpha', 'labnet');
    const bravoIp = await containerAddress(node2, 'bravo', 'labnet');
    assert.match(alphaIp, /^10\.213\.7\.\d+$/);
    assert.match(bravoIp, /^10\.213\.7\.\d+$/);

    // DNS of the other node's container, ICMP and TCP, both ways.
    assert.deepEqual(await eventually('bravo resolves alpha', () => resolve(node2, 'bravo', 'alpha').then((a) => (a.length ? a : Promise.reject(new Error('no address'))))), [alphaIp]);
    assert.deepEqual(await eventually('alpha resolves bravo', () => resolve(node1, 'alpha', 'bravo').then((a) => (a.length ? a : Promise.reject(new Error('no address'))))), [bravoIp]);
    const ping = await node2.docker(['exec', 'bravo', 'ping', '-c', '1', '-W', '2', 'alpha'], { timeoutMs: 20_000 });
    assert.equal(ping.code, 0, `bravo (node2) pings alpha (node1): ${ping.stdout}${ping.stderr}`);
    // An HTTP request over nc (busybox-static's wget crashes on a static glibc's resolver); the body is the page.
    const get = async (host: LabHost, from: string, to: string) => {
      const r = await host.docker(['exec', from, 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${to} 80`], { timeoutMs: 20_000 });
      if (r.code !== 0 || !r.stdout.startsWith('HTTP/1.')) throw new Error(`GET http://${to}/ from ${from}: exit ${r.code} ${r.stdout}${r.stderr}`.trim());
      return r.stdout.split(/\r?\n\r?\n/).slice(1).join('\n').trim();
    };
    assert.equal(await eventually('TCP node2 → node1', () => get(node2, 'bravo', 'alpha')), 'hello from alpha on node1');
    assert.equal(await eventually('TCP node1 → node2', () => get(node1, 'alpha', 'bravo')), 'hello from bravo on node2');

    // A dnsrr service: tasks.<svc> resolves to each task's own address, one task per node.
    await node1.dockerOk(['service', 'create', '--detach', '--no-resolve-image', '--name', 'web', '--endpoint-mode', 'dnsrr',
      '--replicas', '2', '--network', 'labnet', IMAGE, 'sleep', '3600']);
    const taskNodes = await eventually('2 tasks of web running', async () => {
      const tasks = (await node1.dockerOk(['service', 'ps', 'web', '--filter', 'desired-state=running', '--format', '{{.Node}} {{.CurrentState}}']))
        .trim().split('\n').filter((l) => /\sRunning/.test(l));
      if (tasks.length !== 2) throw new Error(`running: ${tasks.join('; ') || 'none'}`);
      return tasks.map((l) => l.split(' ')[0]!).sort();
    }, 60_000);
    assert.deepEqual(taskNodes, ['node1', 'node2'], 'the replicas are spread over both nodes');
    const taskIps = await eventually('tasks.web has 2 addresses', async () => {
      const a = await resolve(node2, 'bravo', 'tasks.web');
      if (a.length !== 2) throw new Error(`tasks.web: ${a.join(', ') || 'none'}`);
      return a;
    });
    for (const ip of taskIps) assert.match(ip, /^10\.213\.7\.\d+$/);
    assert.equal(new Set(taskIps).size, 2);
    assert.deepEqual(await resolve(node1, 'alpha', 'tasks.web'), taskIps, 'both nodes resolve the same tasks');

    // wipe(): the hosts are empty again, the swarm stays.
    await lab.wipe();
    assert.equal((await node1.dockerOk(['service', 'ls', '-q'])).trim(), '');
    for (const h of [node1, node2]) assert.equal((await h.dockerOk(['ps', '-aq'])).trim(), '', `${h.name} has no containers after wipe`);
    assert.equal((await node1.docker(['network', 'inspect', 'labnet'])).code === 0, false, 'labnet is removed');
    assert.equal((await node1.dockerOk(['info', '--format', '{{.Swarm.Nodes}}'])).trim(), '2', 'the swarm keeps its 2 nodes');
  });
  assertGone(lab);
});

test('docker compose (v2, Debian 13) plays a two-service project on a lab host and takes it down', { timeout: 180_000 }, async (t) => {
  const compose = existsSync(COMPOSE_PLUGIN) ? [] : [`the Compose plugin ${COMPOSE_PLUGIN} is missing (.ci/run step "installing docker-compose v2 from trixie")`];
  if (!(await labReady(t, ['26.1'], compose))) return;
  const dir = mkdtempSync(join(tmpdir(), 'cnmlab-compose-'));
  const project = 'cnmlabdemo';
  writeFileSync(join(dir, 'compose.yaml'), [
    'services:',
    '  web:',
    `    image: ${IMAGE}`,
    '    command: ["sleep", "3600"]',
    '  db:',
    `    image: ${IMAGE}`,
    '    command: ["sleep", "3600"]',
    '',
  ].join('\n'));
  try {
    const lab = await withLab({ hosts: [{ name: 'composer', version: '26.1' }], lan: false }, async (lab) => {
      const host = lab.host('composer');
      // The plugin through the host's own CLI, pointed at the lab host by DOCKER_HOST only.
      const composeRun = (args: string[]) => run(host.cli, ['compose', '-p', project, '-f', join(dir, 'compose.yaml'), ...args], { env: host.env, timeoutMs: 120_000 });
      const version = await run(host.cli, ['compose', 'version', '--short'], { env: host.env });
      assert.equal(version.code, 0, version.stderr);
      assert.match(version.stdout.trim(), /^2\./);

      const up = await composeRun(['up', '-d']);
      assert.equal(up.code, 0, `compose up: ${up.stderr}`);
      const listed = (await host.dockerOk(['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}} {{.State}}']))
        .trim().split('\n').sort();
      assert.deepEqual(listed, [`${project}-db-1 running`, `${project}-web-1 running`]);
      assert.equal((await host.docker(['network', 'inspect', `${project}_default`])).code, 0, 'the project network exists');
      const dbIp = await containerAddress(host, `${project}-db-1`, `${project}_default`);
      assert.deepEqual(await eventually('web resolves db', () => resolve(host, `${project}-web-1`, 'db')), [dbIp], 'services find each other by name');
      const onMain = await mainDocker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`], { timeoutMs: 30_000 });
      assert.equal(onMain.stdout.trim(), '', 'nothing of the project is on the main dockerd');

      const down = await composeRun(['down']);
      assert.equal(down.code, 0, `compose down: ${down.stderr}`);
      assert.equal((await host.dockerOk(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])).trim(), '', 'the containers are removed');
      assert.notEqual((await host.docker(['network', 'inspect', `${project}_default`])).code, 0, 'the project network is removed');
    });
    assertGone(lab);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
