// The host's ip6tables rules in live IPv6 traces, on real daemons: lab hosts (their own dockerd in a
// network namespace of their own) started with --ip6tables --experimental, Docker 20.10 and 26.1. cnm runs
// inside the host's namespace (where ip6tables-save shows that daemon's rules), as it would on the host.
// A DROP added to ip6tables' DOCKER-USER between two containers of one IPv6 network stops the IPv6
// trace, with the rule named in the hop that decides; `--verify`'s real ping6 agrees before and after.
// Traffic stays inside the lab's namespaces. Lab only: no docker lock.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { run } from '../harness/exec';
import { startLab, type Lab, type LabHost } from '../harness/lab';
import { releaseMissing, type LabVersion } from '../harness/labPaths';
import { isCI } from '../../support/ci.mjs';
import type { VerifiedTraceJson as VerifiedJson } from './support';

const ROOT = join(__dirname, '..', '..', '..');
const FLAGS = ['--ip6tables', '--experimental'];
const VERSIONS: LabVersion[] = ['20.10', '26.1'];
const missing = VERSIONS.map((v) => releaseMissing(v)).find(Boolean);


let lab: Lab | undefined;

before(async () => {
  if (missing) {
    if (isCI()) throw new Error(missing);
    return;
  }
  lab = await startLab({ hosts: VERSIONS.map((v) => ({ name: `six${v.replace('.', '')}`, version: v, flags: FLAGS })), lan: false });
});
after(async () => {
  await lab?.stop();
});

/** `cnm trace --docker --verify --json` inside the host's network namespace. */
async function verified(h: LabHost, from: string, to: string): Promise<VerifiedJson> {
  const r = await run('nsenter', [`--net=/run/netns/${h.netns}`, '--', process.execPath, '--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'trace', `--docker=${h.dockerHost}`, '--from', from, '--to', to, '--verify', '--json'], { timeoutMs: 90_000 });
  assert.equal(r.code, 0, `cnm trace failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as VerifiedJson;
}

/**
 * The ip6tables of the backend the daemon wrote its chains with (nft, else legacy), in its namespace,
 * and the chain for the user's rules: DOCKER-USER where dockerd makes one for IPv6 (26.1), else the top
 * of FORWARD (20.10 writes DOCKER and the isolation chains to ip6tables, but no DOCKER-USER).
 */
async function ip6tables(h: LabHost): Promise<{ cmd: string; chain: string }> {
  for (const cmd of ['ip6tables', 'ip6tables-legacy']) {
    const r = await h.inNamespace(`${cmd}-save`, []);
    if (r.code === 0 && /^:DOCKER-USER\b/m.test(r.stdout)) return { cmd, chain: 'DOCKER-USER' };
    if (r.code === 0 && /^:DOCKER\b/m.test(r.stdout)) return { cmd, chain: 'FORWARD' };
  }
  throw new Error(`no ip6tables-save in ${h.name}'s namespace shows dockerd's chains: dockerd did not write ip6tables rules`);
}

for (const [i, version] of VERSIONS.entries()) {
  test(`Docker ${version} --ip6tables: a DOCKER-USER DROP in ip6tables stops the IPv6 trace, named, and a real ping6 agrees`, { timeout: 300_000, skip: missing ? `${missing}` : false }, async () => {
    const h = lab!.host(`six${version.replace('.', '')}`);
    const net = 'cnm6';
    const [a6, b6] = [`fd00:6${i}:1::10`, `fd00:6${i}:1::11`];
    await h.dockerOk(['network', 'create', '--ipv6', '--subnet', `10.247.${i}.0/24`, '--subnet', `fd00:6${i}:1::/64`, net]);
    await h.dockerOk(['run', '-d', '--name', 'six-a', '--network', net, '--ip6', a6, 'busybox:local', 'sleep', '3600']);
    await h.dockerOk(['run', '-d', '--name', 'six-b', '--network', net, '--ip6', b6, 'busybox:local', 'sleep', '3600']);
    // A just-made IPv6 address is tentative (duplicate address detection) for a moment: wait till both answer.
    for (let k = 0; k < 20 && (await h.docker(['exec', 'six-a', 'ping', '-c1', '-W1', b6])).code !== 0; k++) await new Promise((r) => setTimeout(r, 500));

    const open = await verified(h, 'six-a', b6);
    assert.deepEqual([open.verdict, open.observed.verdict, open.agree], ['delivered', 'delivered', true], `${open.reason} / ${open.observed.detail}`);
    assert.ok(open.hops.some((x) => x.action === 'filter6 FORWARD' && /read by ip6tables-save/.test(x.detail)), `the host's ip6tables rules were evaluated: ${JSON.stringify(open.hops)}`);

    const { cmd, chain } = await ip6tables(h);
    if (version === '26.1') assert.equal(chain, 'DOCKER-USER', 'dockerd 26.1 --ip6tables makes DOCKER-USER in ip6tables');
    const spec = ['-s', `${a6}/128`, '-d', `${b6}/128`, '-j', 'DROP'];
    const added = await h.inNamespace(cmd, ['-I', chain, ...spec]);
    assert.equal(added.code, 0, added.stderr);
    const dropped = await verified(h, 'six-a', b6);
    assert.deepEqual([dropped.verdict, dropped.observed.verdict, dropped.agree], ['dropped', 'dropped', true], `${dropped.reason} / ${dropped.observed.detail}`);
    const rule = `-A ${chain} -s ${a6}/128 -d ${b6}/128 -j DROP`;
    assert.ok(dropped.reason.startsWith(`dropped by ${rule} (ip6tables filter FORWARD, the host's rule (not dockerd's), read from `), dropped.reason);
    assert.match(dropped.fix ?? '', new RegExp(`^ip6tables -D ${chain} -s ${a6}/128 -d ${b6}/128 -j DROP`));
    assert.ok(dropped.hops.some((x) => x.action === 'filter6 FORWARD' && x.detail.includes(`${rule} [the host's rule, not dockerd's]`)), JSON.stringify(dropped.hops));
    // The other way the rule (no conntrack match) drops the echo replies: lost, by trace and by ping.
    const back = await verified(h, 'six-b', a6);
    assert.deepEqual([back.verdict, back.observed.verdict, back.agree], ['dropped', 'dropped', true], `${back.reason} / ${back.observed.detail}`);
    assert.ok(back.reason.startsWith(`the echo reply from ${a6} is lost on the way back: dropped by ${rule}`), back.reason);
  });
}
