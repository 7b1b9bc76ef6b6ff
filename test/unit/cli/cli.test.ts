// The `cnm` CLI as a user runs it: a real process (node --import tsx src/cli/main.ts), its exit code,
// what it prints on stdout (with --json: nothing but the JSON) and on stderr (one clear line on misuse).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';

const ROOT = join(__dirname, '../../..');
const EXAMPLES = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.cnm.yaml'))
  .map((f) => `examples/${f}`);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cnm(...args: string[]): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A misuse: exit 2, exactly one line on stderr starting with "cnm:", nothing on stdout, no stack trace. */
function assertUsageError(r: Run, pattern: RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^cnm: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

const tmp = mkdtempSync(join(tmpdir(), 'cnm-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
function tempFile(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

describe('cnm: help and misuse', () => {
  it('--help lists every command of the contract', () => {
    const r = cnm('--help');
    assert.equal(r.status, 0);
    for (const c of ['validate', 'inspect', 'resolve', 'trace', 'matrix', 'check', 'rules']) assert.match(r.stdout, new RegExp(`cnm ${c} `));
    assert.equal(cnm('validate', '--help').status, 0);
  });

  it('--version and -V print the package version, one line', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = cnm(flag);
      assert.equal(r.status, 0);
      assert.equal(r.stdout, `${version}\n`);
      assert.equal(r.stderr, '');
    }
  });

  it('no command, an unknown command, an unknown option, a missing argument: exit 2, one line', () => {
    assertUsageError(cnm(), /missing command/);
    assertUsageError(cnm('frobnicate'), /unknown command "frobnicate"/);
    assertUsageError(cnm('validate', EXAMPLES[0]!, '--bogus'), /unknown option '--bogus'/i);
    assertUsageError(cnm('validate'), /missing FILE/);
    assertUsageError(cnm('inspect', EXAMPLES[0]!, 'extra'), /unexpected argument "extra"/);
    assertUsageError(cnm('resolve', EXAMPLES[0]!, 'b2'), /--from is required/);
  });

  it('an unreadable file: exit 2, one line that says why', () => {
    assertUsageError(cnm('validate', 'no/such/file.cnm.yaml'), /cannot read no\/such\/file.cnm.yaml: no such file/);
    assertUsageError(cnm('inspect', 'examples', '--json'), /cannot read examples: it is a directory/);
  });
});

describe('cnm validate', () => {
  it('every example validates clean: no errors, no warnings (exit 0, nothing printed)', () => {
    assert.ok(EXAMPLES.length >= 12, `examples/ holds the 12 shipped topologies (01–10, overlay-ingress, two-host-lab), got ${EXAMPLES.length}`);
    for (const f of EXAMPLES) {
      const r = cnm('validate', f);
      assert.equal(r.status, 0, `${f}:\n${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '', `${f} has diagnostics:\n${r.stdout}`);
    }
  });

  it('prints FILE:LINE:COL: severity: message, 1-based, and exits 1 on errors', () => {
    const file = tempFile('broken.cnm.yaml', 'networks:\n  n1:\n    subnet: 10.0.0.0/33\ncontainers:\n  c1:\n    netwroks: [n1]\n');
    const r = cnm('validate', file);
    assert.equal(r.status, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.ok(lines.includes(`${file}:3:13: error: Subnet "10.0.0.0/33" is not a CIDR address (such as 10.10.0.0/16).`), r.stdout);
    assert.ok(lines.some((l) => l.startsWith(`${file}:6:5: error: Unknown key "netwroks"`)), r.stdout);
    for (const l of lines) assert.match(l, /^.+:\d+:\d+: (error|warning|information): .+$/);
  });

  it('warnings alone exit 0', () => {
    const file = tempFile('warn.cnm.yaml', 'containers:\n  web:\n    network_mode: host\n    ports: ["8080:80"]\n');
    const r = cnm('validate', file);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /warn.cnm.yaml:4:5: warning: Published ports are discarded when using host network mode/);
  });

  it('--json gives the diagnostics as JSON and nothing else', () => {
    const file = tempFile('json.cnm.yaml', 'containers:\n  c1: { prots: [] }\n');
    const r = cnm('validate', file, '--json');
    assert.equal(r.status, 1);
    const out = JSON.parse(r.stdout);
    assert.equal(out.file, file);
    assert.deepEqual(
      out.diagnostics.map((d: { line: number; column: number; severity: string; code: string }) => [d.line, d.column, d.severity, d.code]),
      [[2, 9, 'error', 'unknown-key']],
    );
  });
});

describe('cnm inspect', () => {
  it('--json on every example: only JSON on stdout, in the InspectResult shape', () => {
    for (const f of EXAMPLES) {
      const r = cnm('inspect', f, '--json');
      assert.equal(r.status, 0, `${f}: ${r.stderr}`);
      assert.equal(r.stderr, '', f);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(Object.keys(out).sort(), ['containers', 'networks', 'services']);
      for (const s of out.services) {
        for (const k of ['name', 'endpoint_mode', 'vips', 'tasks']) assert.ok(k in s, `${f}: service lacks ${k}`);
        for (const v of s.vips) assert.deepEqual(Object.keys(v).sort(), ['ipv4_address', 'network'], f);
        for (const t of s.tasks) for (const k of ['name', 'host', 'endpoints']) assert.ok(k in t, `${f}: task lacks ${k}`);
      }
      for (const n of out.networks) for (const k of ['name', 'host', 'driver', 'subnet', 'gateway']) assert.ok(k in n, `${f}: network lacks ${k}`);
      for (const c of out.containers) {
        for (const k of ['name', 'host', 'endpoints']) assert.ok(k in c, `${f}: container lacks ${k}`);
        for (const ep of c.endpoints) for (const k of ['network', 'ipv4_address', 'mac_address', 'interface']) assert.ok(k in ep, `${f}: endpoint lacks ${k}`);
      }
    }
  });

  it('gives the addresses Docker 20.10 gives for the custom-bridge example (file order decides)', () => {
    const out = JSON.parse(cnm('inspect', 'examples/02-custom-bridge.cnm.yaml', '--json').stdout);
    const net = out.networks.find((n: { name: string }) => n.name === 'mybridge10');
    assert.equal(net.subnet, '10.10.0.0/16');
    assert.equal(net.gateway, '10.10.0.1');
    const ep = (c: string, n: string) =>
      out.containers.find((x: { name: string }) => x.name === c).endpoints.find((e: { network: string }) => e.network === n);
    assert.equal(ep('10_b1', 'mybridge10').ipv4_address, '10.10.0.2');
    assert.equal(ep('10_b1', 'mybridge10').mac_address, '02:42:0a:0a:00:02');
    assert.equal(ep('10_b1', 'mybridge10').interface, 'eth0');
    assert.equal(ep('b1', 'bridge').ipv4_address, '172.17.0.2');
    assert.equal(ep('b1', 'mybridge10').ipv4_address, '10.10.0.3');
    assert.equal(ep('b1', 'mybridge10').interface, 'eth1');
    assert.equal(ep('web', 'mybridge10').ipv4_address, '10.10.0.100');
  });

  it('without --json prints tables', () => {
    const r = cnm('inspect', 'examples/06-port-mapping.cnm.yaml');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^NETWORK +HOST +DRIVER +SUBNET/m);
    assert.match(r.stdout, /^CONTAINER +HOST +NETWORK/m);
    assert.match(r.stdout, /mynginx .*0\.0\.0\.0:8080->80\/tcp/);
  });

  it('a file with errors still gives JSON on stdout, and a note on stderr', () => {
    const file = tempFile('partial.cnm.yaml', 'networks:\n  good: {}\n  bad: { driver: bridge, subnet: 10.0.0.0/33 }\ncontainers:\n  c1: { networks: [good] }\n');
    const r = cnm('inspect', file, '--json');
    assert.equal(r.status, 0);
    const out = JSON.parse(r.stdout);
    assert.ok(out.networks.some((n: { name: string }) => n.name === 'good'));
    assert.ok(out.containers.some((c: { name: string }) => c.name === 'c1'));
    assert.match(r.stderr, /has \d+ errors?; .*cnm validate/);
  });
});

describe('cnm resolve', () => {
  it('--json gives {"addresses": [...]} from the embedded DNS of a user-defined network', () => {
    const r = cnm('resolve', 'examples/02-custom-bridge.cnm.yaml', '--from', '10_b1', 'b1', '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { addresses: ['10.10.0.3'] });
    assert.deepEqual(JSON.parse(cnm('resolve', 'examples/02-custom-bridge.cnm.yaml', '--from', 'b1', 'www', '--json').stdout), { addresses: ['10.10.0.100'] });
  });

  it('an empty list when the name does not resolve (the default bridge has no DNS)', () => {
    const r = cnm('resolve', 'examples/01-default-bridge.cnm.yaml', '--from', 'b1', 'b2', '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { addresses: [] });
  });

  it('an unknown source: exit 2, one line', () => {
    assertUsageError(cnm('resolve', 'examples/01-default-bridge.cnm.yaml', '--from', 'nobody', 'b2', '--json'), /no container "nobody"/);
  });
});

describe('a Compose project given by a path relative to where cnm runs', () => {
  it('is named after its directory, as docker compose names it (`cnm validate compose.yaml` in the folder)', () => {
    const dir = join(tmp, 'My.App');
    mkdirSync(dir);
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: nginx\n');
    for (const target of ['compose.yaml', '.', './compose.yaml']) {
      const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, join(ROOT, 'src/cli/main.ts'), 'inspect', '--json', target], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, `${target}: ${r.stderr}`);
      const names = (JSON.parse(r.stdout) as { containers: { name: string }[] }).containers.map((c) => c.name);
      assert.deepEqual(names, ['myapp-web-1'], target);
    }
  });
});
