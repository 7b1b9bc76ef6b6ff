// Reading an ssh host's rules, routes and sysctls: the script runs for real under sh here (fake
// iptables-save on PATH stand in for a host's), and its output becomes the local path's models.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseSshReading, sshReadCommand, SSH_READ_SCRIPT, type SshEndpoint } from '../../../src/docker/sshHost';
import { parseIpRouteTables, parseIpRules, withTables } from '../../../src/docker/routes';

const EP: SshEndpoint = { kind: 'ssh', host: 'box', user: 'ops', port: 2222, source: { from: 'explicit' } };
const bin = mkdtempSync(join(tmpdir(), 'cnm-sshhost-'));
after(() => rmSync(bin, { recursive: true, force: true }));

function fake(name: string, body: string): void {
  writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
}

/** The script under sh with only `bin` (and the system's basic tools) on PATH; sbin is added by the script. */
function runScript(): string {
  const r = spawnSync('/bin/sh', ['-s'], { input: SSH_READ_SCRIPT, encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const SAVE = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ':DOCKER - [0:0]', ':DOCKER-USER - [0:0]', '-A FORWARD -j DOCKER-USER', '-A DOCKER-USER -s 10.1.0.2/32 -j DROP', '-A DOCKER-USER -j RETURN', 'COMMIT', ''].join('\n');

describe('reading an ssh host (cnm.live.readHostOverSsh / --read-host)', () => {
  it('runs with the daemon connection\'s ssh options: BatchMode, its user and port, host keys checked as usual', () => {
    const { file, args } = sshReadCommand(EP);
    assert.equal(file, 'ssh');
    assert.deepEqual(args, ['-o', 'ConnectTimeout=30', '-o', 'BatchMode=yes', '-T', '-l', 'ops', '-p', '2222', '--', 'box', 'sh', '-s']);
    assert.ok(!args.some((a) => /StrictHostKeyChecking|UserKnownHostsFile/.test(a)), 'never loosens host key checking');
  });

  it('the script\'s sections become the rules, sysctls, routes, rp_filter and MTUs, as the local path reads them', () => {
    fake('iptables-save', `cat <<'X'\n${SAVE}X\necho "# Warning: something on stderr" >&2`);
    fake('iptables-legacy-save', 'exit 0');
    fake('ip6tables-save', 'echo "ip6tables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)" >&2; exit 4');
    fake('ip6tables-legacy-save', 'exit 127');
    const r = parseSshReading(runScript(), EP);
    assert.ok('text' in r.iptables, JSON.stringify(r.iptables));
    assert.equal(r.iptables.command, 'iptables-save over ssh');
    assert.match(r.iptables.text, /^-A DOCKER-USER -s 10\.1\.0\.2\/32 -j DROP$/m);
    assert.doesNotMatch(r.iptables.text, /Warning|@@cnm/, 'stderr and the markers stay out of the rules');
    assert.deepEqual(r.ip6tables, { error: 'ip6tables-save on ops@box: ip6tables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root) (reading the rules needs root or CAP_NET_ADMIN: connect as root, e.g. ssh://root@host)' });
    // This machine's kernel stands in for the host's: the values are whatever /proc says here.
    for (const n of ['net.ipv4.ip_forward'] as const) assert.match(r.sysctls[n] ?? '', /^[012]$/);
    assert.equal(r.routing?.routes.state, 'read');
    assert.ok(r.routing!.routes.state === 'read' && r.routing!.routes.via === 'ssh');
    assert.equal(typeof r.routing!.rpFilter.all, 'number');
    assert.ok(!('lo' in r.routing!.mtu));
  });

  it('a save that is not installed, or prints nothing, says so; the legacy backend is taken when it holds dockerd\'s chains', () => {
    fake('iptables-save', 'exit 0');
    fake('iptables-legacy-save', `cat <<'X'\n${SAVE}X`);
    fake('ip6tables-save', 'exit 0');
    fake('ip6tables-legacy-save', 'exit 0');
    const r = parseSshReading(runScript(), EP);
    assert.ok('text' in r.iptables && r.iptables.command === 'iptables-legacy-save over ssh', JSON.stringify(r.iptables));
    assert.deepEqual(r.ip6tables, { error: 'ip6tables-save on ops@box printed nothing (not permitted: it needs root or CAP_NET_ADMIN)' });
  });

  it('output cut short is unknown, never a half-read ruleset', () => {
    const r = parseSshReading('@@cnm iptables-save\n*filter\n:INPUT ACCEPT [0:0]\n', EP);
    assert.deepEqual(r.iptables, { error: 'iptables-save on ops@box: no exit status (the script ended early)' });
    assert.deepEqual(r.routing?.routes, { state: 'unknown', why: 'cat /proc/net/route on ops@box printed no table' });
    assert.equal(r.sysctls['net.ipv4.ip_forward'], null);
  });
});

describe('ip rule and the tables it names (policy routing on a live host)', () => {
  it('keeps the rules beyond the kernel\'s three defaults, with their selectors, and the IPv4 routes of their tables', () => {
    const rules = parseIpRules(JSON.stringify([
      { priority: 0, src: 'all', table: 'local' },
      { priority: 100, src: '10.1.0.0', srclen: 24, table: '100' },
      { priority: 200, src: 'all', fwmark: '0x1', table: '7' },
      { priority: 32766, src: 'all', table: 'main' },
      { priority: 32767, src: 'all', table: 'default' },
    ]));
    assert.equal(rules.state, 'read');
    const extra = rules.state === 'read' ? rules.extra : [];
    assert.deepEqual(extra.map((r) => [r.text, r.from, r.more, r.table]), [
      ['100: from 10.1.0.0/24 lookup 100', { address: '10.1.0.0', prefix: 24 }, false, '100'],
      ['200: from all fwmark 0x1 lookup 7', undefined, true, '7'],
    ]);
    const tables = parseIpRouteTables(JSON.stringify([
      { type: 'blackhole', dst: '10.2.0.0/24', table: '100', flags: [] },
      { dst: 'default', gateway: '10.9.0.1', dev: 'eth1', table: '100', flags: [] },
      { dst: '10.1.0.0/24', dev: 'br-x', protocol: 'kernel', flags: [] },
      { type: 'local', dst: '10.1.0.1', dev: 'br-x', table: 'local', flags: [] },
    ]));
    assert.deepEqual(tables?.get('100'), [
      { destination: '10.2.0.0', prefix: 24, gateway: null, dev: '*', metric: 0, reject: true },
      { destination: '0.0.0.0', prefix: 0, gateway: '10.9.0.1', dev: 'eth1', metric: 0, reject: false },
    ]);
    assert.equal(tables?.has('main'), false, 'main is /proc/net/route\'s');
    const joined = withTables(rules, tables);
    assert.ok(joined.state === 'read' && joined.extra[0]!.routes?.length === 2 && joined.extra[1]!.routes?.length === 0);
    assert.deepEqual(parseIpRules('not json'), { state: 'unknown', why: 'ip -j rule show printed what is not JSON: not json' });
  });
});
