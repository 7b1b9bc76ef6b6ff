// `cnm lab` as a user runs it (a real process, as root): a topology file played on a lab host, its
// containers running with the addresses the engine predicts, `compare` finding prediction and reality in
// agreement (addresses and real ping/nc verdicts), and `down` leaving no namespace, daemon, process or
// folder of the lab. Also the refusals: not root (the CLI run as `nobody`), and a swarm file.
//
//   CI=true node --import tsx --test test/docker/lab/labUp.test.ts
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labMissing } from '../harness/lab';
import { teardownLabSync } from '../harness/labTeardown';
import { loadTopology } from '../../../src/topology';
import { isCI } from '../../support/ci.mjs';

const ROOT = join(__dirname, '../../..');
const FILE = 'examples/02-custom-bridge.cnm.yaml';
const NOT_ROOT = 'cnm lab needs root (it starts dockerd in network namespaces): run it with sudo';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI from source, as `prefix` (e.g. runuser -u nobody --) when given. */
function cnm(args: string[], prefix: string[] = []): Run {
  const argv = [...prefix, process.execPath, '--import', 'tsx', 'src/cli/main.ts', ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function oneLine(r: Run, line: string | RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  if (typeof line === 'string') assert.equal(lines[0], line);
  else assert.match(lines[0]!, line);
}

/** Every process whose command line names the lab's folders (its dockerd, containerd, shims). */
function labProcesses(id: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(`/cnmlab/${id}`)) out.push(`${d}: ${cmd}`);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('cnm lab: a topology file on lab hosts', { concurrency: 1 }, () => {
  const missing = labMissing(['20.10']);
  let id: string | undefined;

  before(() => {
    if (!missing.length) return;
    const msg = `lab hosts cannot run here: ${missing.join('; ')}`;
    if (isCI()) throw new Error(msg);
    console.warn(`\n*** SKIPPING cnm lab: ${msg} ***\n`);
  });

  // Whatever a failed test left: the lab goes, by its id only.
  after(() => {
    if (id) teardownLabSync(id);
  });

  test('refuses a user who is not root, in one line', () => {
    // The shipped bundle and the file in a folder `nobody` can read (a clone's own folder may not be).
    const dir = mkdtempSync(join(tmpdir(), 'cnm-labup-nobody-'));
    try {
      chmodSync(dir, 0o755);
      for (const f of ['cli.js', 'cli-lab.js', 'cli-docker.js']) copyFileSync(join(ROOT, 'dist', f), join(dir, f));
      copyFileSync(join(ROOT, FILE), join(dir, 'topology.cnm.yaml'));
      const asNobody = (args: string[]): Run => {
        const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, join(dir, 'cli.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
        return { status: r.status, stdout: r.stdout, stderr: r.stderr };
      };
      oneLine(asNobody(['lab', 'up', 'topology.cnm.yaml']), NOT_ROOT);
      oneLine(asNobody(['lab', 'down', 'topology.cnm.yaml']), NOT_ROOT);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('refuses a swarm file and a Compose project with the reason, in one line', () => {
    oneLine(cnm(['lab', 'up', 'examples/07-swarm-overlay.cnm.yaml']), /^cnm: lab up: cannot play examples\/07-swarm-overlay\.cnm\.yaml: swarm services \(.*\) cannot be played on lab hosts yet$/);
    oneLine(cnm(['lab', 'compare', 'examples/11-compose-web-api-db']), /^cnm: lab compare: examples\/11-compose-web-api-db is a Compose file: lab hosts cannot play Compose projects yet/);
  });

  test('up --compare plays the file with the engine\'s addresses, and prediction and reality agree', { timeout: 600_000 }, (t) => {
    if (missing.length) return t.skip('lab hosts cannot run here');
    const up = cnm(['lab', 'up', '--compare', FILE]);
    id = /^lab ([0-9a-f]+) plays /m.exec(up.stdout)?.[1];
    assert.ok(id, `no lab id in:\n${up.stdout}\n${up.stderr}`);
    assert.equal(up.status, 0, `${up.stdout}\n${up.stderr}`);
    assert.match(up.stdout, /containers: 3 agree, 0 disagree\naddresses: \d+ agree, 0 disagree\nprobes: \d+ agree, 0 disagree\nprediction and reality agree\n$/);
    assert.match(up.stdout, /probes: [1-9]\d* agree/, 'probes were run');

    // The containers run on the lab host, each with the address the engine gives it.
    const sock = /DOCKER_HOST=(unix:\/\/\S+)/.exec(up.stdout)?.[1];
    assert.ok(sock, up.stdout);
    const predicted = loadTopology(readFileSync(join(ROOT, FILE), 'utf8')).engine.inspect();
    for (const c of predicted.containers) {
      const r: SpawnSyncReturns<string> = spawnSync('/usr/bin/docker', ['-H', sock, 'container', 'inspect', '--format', '{{.State.Running}} {{json .NetworkSettings.Networks}}', c.name], { encoding: 'utf8', env: { ...process.env, DOCKER_CONTEXT: '' } });
      assert.equal(r.status, 0, r.stderr);
      const [running, json] = [r.stdout.slice(0, r.stdout.indexOf(' ')), r.stdout.slice(r.stdout.indexOf(' ') + 1)];
      assert.equal(running, 'true', `${c.name} runs`);
      const nets = JSON.parse(json) as Record<string, { IPAddress: string }>;
      assert.deepEqual(
        Object.fromEntries(Object.entries(nets).map(([n, e]) => [n, e.IPAddress])),
        Object.fromEntries(c.endpoints.map((e) => [e.network, e.ipv4_address])),
        `${c.name}'s addresses`,
      );
    }
  });

  test('compare on the running lab agrees; up again is refused while it runs', { timeout: 300_000 }, (t) => {
    if (missing.length || !id) return t.skip('no lab');
    const again = cnm(['lab', 'compare', FILE]);
    assert.equal(again.status, 0, `${again.stdout}\n${again.stderr}`);
    assert.match(again.stderr, new RegExp(`comparing with lab ${id}`));
    assert.match(again.stdout, /prediction and reality agree\n$/);
    oneLine(cnm(['lab', 'up', FILE]), new RegExp(`^cnm: lab up: ${FILE.replace(/\./g, '\\.')} is already up as lab ${id} `));
  });

  test('down leaves no namespace, daemon, process or folder of the lab', { timeout: 120_000 }, (t) => {
    if (missing.length || !id) return t.skip('no lab');
    const down = cnm(['lab', 'down', FILE]);
    assert.equal(down.status, 0, down.stderr);
    assert.match(down.stdout, /stopping dockerd \d+ \(host1\)/);
    const labId = id;
    id = undefined;
    assert.deepEqual(readdirSync('/run/netns').filter((n) => n.startsWith(`cnmlab-${labId}-`)), []);
    assert.equal(existsSync(`/run/cnmlab/${labId}`), false);
    assert.equal(existsSync(`/var/lib/cnmlab/${labId}`), false);
    assert.deepEqual(labProcesses(labId), []);
    oneLine(cnm(['lab', 'down', FILE]), /^cnm: lab down: no lab plays examples\/02-custom-bridge\.cnm\.yaml$/);
  });
});
