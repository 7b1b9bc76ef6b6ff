// `cnm trace`, `cnm check`, `cnm rules` and `cnm matrix` as a user runs them: a real process, its exit
// code, stdout (with --json nothing but the JSON) and one clear line on stderr for misuse.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { TWO_LANS } from '../../fixtures/twoLans';

const ROOT = join(__dirname, '../../..');

function cnm(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function usageError(r: ReturnType<typeof cnm>, pattern: RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^cnm: /);
  assert.match(lines[0]!, pattern);
}

const tmp = mkdtempSync(join(tmpdir(), 'cnm-trace-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const FILE = join(tmp, 'lab.cnm.yaml');
writeFileSync(FILE, `
hosts: { host1: { daemon: { version: "20.10" } } }
networks:
  red: { subnet: 10.101.0.0/24 }
  blue: { subnet: 10.102.0.0/24 }
containers:
  r1: { networks: [red], expose: ["80"] }
  b1: { networks: [blue], ports: ["18080:80"], expose: ["80"] }
expect:
  - { from: r1, to: "10.102.0.2:80", verdict: dropped }
  - { from: r1, to: "10.101.0.1:18080", verdict: delivered }
  - { from: r1, to: "b1", verdict: delivered }
`);

describe('cnm trace', () => {
  it('--json prints exactly verdict, reason, fix and hops', () => {
    const r = cnm('trace', FILE, '--from', 'r1', '--to', '10.102.0.2:80', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(j), ['verdict', 'reason', 'fix', 'hops']);
    assert.equal(j.verdict, 'dropped');
    assert.match(j.reason, /DOCKER-ISOLATION-STAGE-2/);
    assert.match(j.fix, /docker network connect blue r1/);
    for (const h of j.hops) assert.deepEqual(Object.keys(h), ['node', 'interface', 'action', 'detail']);
    assert.ok(j.hops.some((h: { action: string }) => h.action === 'filter FORWARD'));
  });

  it('prints numbered hops, then the verdict, the reason and the fix', () => {
    const r = cnm('trace', FILE, '--from', 'r1', '--to', 'b1');
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^1\. r1 {2}resolve: /);
    assert.match(r.stdout, /\nUNRESOLVED: b1 is not on any network r1 is on/);
    assert.match(r.stdout, /\nfix: connect it to a network they can share: docker network connect red b1/);
  });

  it('a published port from another network goes through docker-proxy', () => {
    const r = cnm('trace', FILE, '--from', 'r1', '--to', '10.101.0.1:18080/tcp', '--json');
    const j = JSON.parse(r.stdout);
    assert.equal(j.verdict, 'delivered');
    assert.ok(j.hops.some((h: { action: string }) => h.action === 'docker-proxy'));
  });

  it('misuse: exit 2 with one line', () => {
    usageError(cnm('trace', FILE, '--from', 'r1'), /--to is required/);
    usageError(cnm('trace', FILE, '--from', 'r1', '--to', 'b1:http'), /invalid port "http"/);
    usageError(cnm('trace', FILE, '--from', 'r1', '--to', 'b1/tcp'), /TCP needs a port/);
    usageError(cnm('trace', FILE, '--from', 'zz', '--to', 'b1'), /no container or host named "zz"/);
    usageError(cnm('trace', join(tmp, 'missing.cnm.yaml'), '--from', 'r1', '--to', 'b1'), /cannot read/);
  });
});

describe('cnm check', () => {
  it('prints each entry and exits 1 naming the failing ones', () => {
    const r = cnm('check', FILE);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^ok {4}.*:10: r1 → 10\.102\.0\.2:80 dropped$/m);
    assert.match(r.stdout, /^ok {4}.*:11: r1 → 10\.101\.0\.1:18080 delivered$/m);
    assert.match(r.stdout, /^FAIL {2}.*:12: r1 → b1 delivered: got unresolved: /m);
    assert.match(r.stdout, /2 of 3 expectations hold; failing: r1 → b1 \(line 12\)\n$/);
  });

  it('exits 0 when every expectation holds (the examples)', () => {
    const r = cnm('check', 'examples/02-custom-bridge.cnm.yaml');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /3 of 3 expectations hold/);
  });

  // Every shipped example teaches with its expect: entries, so each one must hold (macvlan modes,
  // ipvlan, IPv6 dual stack … included): a newcomer who runs `cnm check` on it sees all of them pass.
  const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.cnm.yaml'));
  for (const f of examples) {
    it(`every expectation of examples/${f} holds`, () => {
      const entries = ((parse(readFileSync(join(ROOT, 'examples', f), 'utf8')) as { expect?: unknown[] }).expect ?? []).length;
      const r = cnm('check', `examples/${f}`);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /^FAIL/m);
      if (entries > 0) assert.match(r.stdout, new RegExp(`${entries} of ${entries} expectations? hold`));
    });
  }
  // Compose projects among the examples (a folder holding a compose.yaml, at any depth): their
  // x-cnm-expect entries, and none of them may be missing.
  const composeDirs = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .flatMap((e) => {
        const sub = `${dir}/${e.name}`;
        return [...(readdirSync(join(ROOT, sub)).includes('compose.yaml') ? [sub] : []), ...composeDirs(sub)];
      });
  const projects = composeDirs('examples');
  it('the examples hold Compose projects (the seed cases among them)', () => {
    assert.ok(projects.some((p) => p.startsWith('examples/15-compose-seed/')), projects.join(', '));
  });
  for (const dir of projects) {
    it(`every x-cnm-expect entry of ${dir} holds`, () => {
      const entries = ((parse(readFileSync(join(ROOT, dir, 'compose.yaml'), 'utf8')) as { 'x-cnm-expect'?: unknown[] })['x-cnm-expect'] ?? []).length;
      const r = cnm('check', dir);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /^FAIL/m);
      assert.ok(entries > 0, `${dir} teaches with x-cnm-expect entries`);
      assert.match(r.stdout, new RegExp(`${entries} of ${entries} expectations? hold`));
    });
  }
});

describe('cnm rules and cnm matrix', () => {
  it('rules prints iptables-save; an unknown --host is a usage error', () => {
    const r = cnm('rules', FILE);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\*filter\n:INPUT ACCEPT \[0:0\]\n:FORWARD DROP \[0:0\]/);
    assert.match(r.stdout, /-A DOCKER ! -i br-\w+ -p tcp -m tcp --dport 18080 -j DNAT --to-destination 10\.102\.0\.2:80\n/);
    usageError(cnm('rules', FILE, '--host', 'nope'), /no host "nope"/);
  });

  it('matrix --pairs --json lists every pair and probe', () => {
    const r = cnm('matrix', FILE, '--pairs', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.containers.map((c: { name: string }) => c.name), ['r1', 'b1']);
    const cell = j.results.find((x: { from: string; to: string; probe: string }) => x.from === 'r1' && x.to === 'b1' && x.probe === '80/tcp');
    assert.deepEqual(cell, { from: 'r1', to: 'b1', address: '10.102.0.2', probe: '80/tcp', verdict: 'dropped' });
  });
});

describe('cnm matrix, grouped (the default)', () => {
  const f = join(tmp, 'groups.cnm.yaml');
  writeFileSync(f, `
hosts: { host1: { daemon: { version: "20.10" } } }
networks:
  red: { subnet: 10.101.0.0/24 }
  blue: { subnet: 10.102.0.0/24 }
containers:
  r1: { networks: [red], expose: ["80"] }
  r2: { networks: [red], expose: ["80"] }
  r3: { networks: [red], expose: ["80"] }
  b1: { networks: [blue], expose: ["80"] }
  b2: { networks: [blue], expose: ["80"] }
  side: { network_mode: "container:r1" }
`);

  it('text: the groups, then the verdicts per pair of networks with the rule that decides', () => {
    const r = cnm('matrix', f);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^6 containers in 3 groups that behave alike; 30 pairs, 55 probes \(cnm matrix --pairs lists every pair\)$/m);
    assert.match(r.stdout, /^g1 +3 +red +icmp,80\/tcp +r1, r2, r3$/m);
    assert.match(r.stdout, /^red +red +12 +21 +0 +0 +0 +0 +-$/m);
    // side shares r1's namespace: one of red's sources.
    assert.match(r.stdout, /^red +blue +8 +0 +0 +16 +0 +0 +dropped: -A DOCKER-ISOLATION-STAGE-2 -o br-[0-9a-f]{12} -j DROP$/m);
    assert.match(r.stdout, /^side +r1 +10\.101\.0\.2 +icmp delivered, 80\/tcp delivered$/m, 'a shared namespace is a pair of its own');
  });

  it('--json: expanding the groups gives exactly the pairs of --pairs --json', () => {
    const g = JSON.parse(cnm('matrix', f, '--json').stdout);
    const p = JSON.parse(cnm('matrix', f, '--pairs', '--json').stdout);
    const names: string[] = g.containers.map((c: { name: string }) => c.name);
    const expanded = new Map<string, { address: string | null; verdicts: string[] }>();
    for (const c of g.cells) {
      for (const from of g.groups[c.from].members) {
        for (const to of g.groups[c.to].members) {
          if (from === to) continue;
          const target = g.containers[names.indexOf(to)];
          expanded.set(`${from}>${to}`, { address: c.network ? target.addresses[c.network] : c.address, verdicts: c.verdicts });
        }
      }
    }
    for (const e of g.exceptions) expanded.set(`${e.from}>${e.to}`, { address: e.address, verdicts: e.verdicts });
    const pairs = new Map<string, { address: string | null; verdicts: string[] }>();
    for (const x of p.results) {
      if (x.from === x.to) continue;
      const k = `${x.from}>${x.to}`;
      const cell: { address: string | null; verdicts: string[] } = pairs.get(k) ?? { address: x.address, verdicts: [] };
      cell.verdicts.push(x.verdict);
      pairs.set(k, cell);
    }
    assert.equal(pairs.size, 30);
    assert.deepEqual(new Map([...expanded].sort()), new Map([...pairs].sort()));
    const red = g.networkPairs.find((x: { from: string; to: string }) => x.from === 'red' && x.to === 'blue');
    assert.deepEqual(red.verdicts, { delivered: 0, refused: 0, dropped: 16, unresolved: 0, unknown: 0 });
    assert.match(red.decidedBy.dropped, /^-A DOCKER-ISOLATION-STAGE-2 -o br-[0-9a-f]{12} -j DROP$/);
  });
});

describe('unknown: what the engine cannot know, shown as its own state', () => {
  // node2 has no route to node1's LAN in the topology: its own default route (not described) decides.
  const f = join(tmp, 'unknown.cnm.yaml');
  writeFileSync(f, `${TWO_LANS}expect:
  - { from: b2, to: "192.168.60.128:80", verdict: dropped }
  - { from: b2, to: "192.168.60.128", verdict: unknown }
`);

  it('trace --json: verdict "unknown", the reason says what the engine cannot know, the last hop is where it stops', () => {
    const r = cnm('trace', f, '--from', 'b2', '--to', '192.168.60.128:80', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.verdict, 'unknown');
    assert.match(j.reason, /^192\.168\.60\.128 is c1 on node1, but the topology gives node2 no route to it: a real host would send it by its own default route, which the topology does not describe, so the engine cannot know/);
    assert.deepEqual(j.hops.at(-1), { node: 'node2', interface: '', action: 'unknown', detail: j.reason });
    const text = cnm('trace', f, '--from', 'b2', '--to', '192.168.60.128:80');
    assert.match(text.stdout, /^UNKNOWN: 192\.168\.60\.128 is c1 on node1, but/m);
  });

  it('check: an entry whose trace is unknown is UNKNOWN, never "got dropped", and fails the run; `verdict: unknown` records it', () => {
    const r = cnm('check', f);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /^UNKNOWN .*:11: b2 → 192\.168\.60\.128:80 dropped: cannot check: the engine cannot know whether it is dropped: 192\.168\.60\.128 is c1 on node1/m);
    assert.match(r.stdout, /^ok {4}.*:12: b2 → 192\.168\.60\.128 unknown$/m);
    assert.doesNotMatch(r.stdout, /got dropped|^FAIL/m);
    assert.match(r.stdout, /^1 of 2 expectations hold; cannot check \(unknown\): b2 → 192\.168\.60\.128:80 \(line 11\)$/m);
  });

  it('matrix --pairs: unknown in text (with its legend) and in --json', () => {
    const text = cnm('matrix', f, '--pairs');
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^node2\/b2 +node1\/c1 +192\.168\.60\.128 +icmp unknown, 80\/tcp unknown$/m);
    assert.match(text.stdout, /^unknown: the engine cannot know \(a path it does not model, or a destination beyond the topology\)/m);
    const j = JSON.parse(cnm('matrix', f, '--pairs', '--json').stdout);
    assert.deepEqual(j.results.filter((x: { from: string; to: string }) => x.from === 'b2' && x.to === 'c1').map((x: { verdict: string }) => x.verdict), ['unknown', 'unknown']);
    assert.doesNotMatch(cnm('matrix', FILE, '--pairs').stdout, /^unknown:/m, 'no legend when nothing is unknown');
    const summary = cnm('matrix', f);
    assert.match(summary.stdout, /^unknown: the engine cannot know/m, 'the summary has the legend too');
  });
});

describe('cnm trace across hosts, drivers and services (issue 5)', () => {
  it('the overlay crossing prints the encapsulation and decapsulation hops', () => {
    const r = cnm('trace', 'examples/two-host-lab.cnm.yaml', '--from', 'api', '--to', 'db');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /node1 \[vxlan0\] {2}encapsulate: .* VNI 4097: outer UDP 192\.168\.50\.10 → 192\.168\.50\.11:4789/);
    assert.match(r.stdout, /node2 \[vxlan0\] {2}decapsulate: /);
    assert.match(r.stdout, /\nDELIVERED: db answered the ping/);
  });

  it('a routing-mesh trace names the replica, and --json carries the same hops', () => {
    const r = cnm('trace', 'examples/overlay-ingress.cnm.yaml', '--from', 'node3', '--to', '192.168.50.10:8080', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { verdict: string; hops: { action: string; node: string }[] };
    assert.equal(j.verdict, 'delivered');
    assert.deepEqual(j.hops.filter((h) => h.action === 'ipvs').map((h) => h.node), ['ingress-sbox on node1']);
  });

  it('IPv6 with /icmp6 resolves the AAAA answer', () => {
    const f = join(tmp, 'six.cnm.yaml');
    writeFileSync(f, `
hosts: { host1: { daemon: { version: "20.10" } } }
networks:
  dual: { enable_ipv6: true, ipam: { config: [ { subnet: 10.74.0.0/24 }, { subnet: "fd00:74::/64" } ] } }
containers:
  six1: { networks: [dual] }
  six2: { networks: [dual] }
expect:
  - { from: six1, to: six2/icmp6, verdict: delivered }
`);
    const r = cnm('trace', f, '--from', 'six1', '--to', 'six2/icmp6');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /resolve: six2 \(AAAA\) → fd00:74::3/);
    assert.match(r.stdout, /DELIVERED: six2 answered the ping over IPv6/);
    assert.equal(cnm('check', f).status, 0);
  });

  it('ipvlan l3 (examples/09): the route reads "default dev eth0"; a reply the far host sends by a route the topology does not describe is unknown, with a route fix', () => {
    const r = cnm('trace', 'examples/09-ipvlan.cnm.yaml', '--from', 'r1', '--to', '192.168.60.11');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /the default route: default dev eth0$/m);
    assert.match(r.stdout, /out eth0, an ipvlan child of eth1, l3 mode/);
    assert.match(r.stdout, /UNKNOWN: the request arrives, but the engine cannot follow the echo reply back: 10\.1\.214\.2 is r1 on node1, but the topology gives node2 no route to it: a real host would send it by its own default route, which the topology does not describe/);
    assert.match(r.stdout, /^fix: to be sure it gets there, give node2 a route to 10\.1\.214\.2 \(ip route add/m);
    assert.doesNotMatch(r.stdout, /docker network connect <network> r1/);
  });

  it('IPv6 across networks in 20.10 (examples/10): delivered, with the missing ip6tables rules as the reason', () => {
    const r = cnm('trace', 'examples/10-ipv6-dual-stack.cnm.yaml', '--from', 'other', '--to', '[fd00:20::10]:80');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /filter6 FORWARD: .*installs no ip6tables rules .*reference §1\.9.*IPv6 crosses between networks/);
    assert.match(r.stdout, /DELIVERED: web accepts \[fd00:20::10\]:80\/tcp over IPv6/);
    const input = cnm('trace', 'examples/10-ipv6-dual-stack.cnm.yaml', '--from', 'client', '--to', 'fd00:20::1/icmp6');
    assert.match(input.stdout, /filter6 INPUT: .*so ip6tables INPUT keeps the host's policy ACCEPT/);
  });
});

describe('cnm on a Compose project with an external network of unknown subnet', () => {
  const dir = join(tmp, 'ext-unknown');
  const file = join(dir, 'compose.yaml');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, 'name: shop\nservices:\n  web: { image: x, networks: [proxy, back], expose: ["80"] }\n  edge: { image: x, networks: [proxy], depends_on: [web] }\nnetworks:\n  back: {}\n  proxy: { external: true, name: traefik-public }\n');

  it('inspect --json: the network and its endpoints are there, their addresses null and marked unknown', () => {
    const r = cnm('inspect', dir, '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { networks: { name: string; subnet: string | null; addresses_unknown?: boolean }[]; containers: { name: string; endpoints: { network: string; ipv4_address: string | null; mac_address: string | null; address_unknown?: boolean }[] }[] };
    assert.deepEqual(j.networks.filter((n) => n.name === 'traefik-public').map((n) => [n.subnet, n.addresses_unknown]), [[null, true]]);
    const edge = j.containers.find((c) => c.name === 'shop-edge-1')!;
    assert.deepEqual(edge.endpoints.map((e) => [e.network, e.ipv4_address, e.mac_address, e.address_unknown]), [['traefik-public', null, null, true]]);
    const text = cnm('inspect', dir).stdout;
    assert.match(text, /traefik-public +host1 +bridge +unknown +unknown/);
    assert.match(text, /shop-edge-1 +host1 +traefik-public +eth0 +unknown +unknown/);
  });

  it('resolve says the name resolves to an unknown address; trace says unknown and names the network', () => {
    const r = cnm('resolve', dir, '--from', 'edge', 'web', '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { addresses: [], unknown: 'traefik-public' });
    const t = cnm('trace', dir, '--from', 'edge', '--to', 'web:80', '--json');
    const j = JSON.parse(t.stdout) as { verdict: string; reason: string };
    assert.equal(j.verdict, 'unknown');
    assert.match(j.reason, /traefik-public/);
  });
});
