// The host's edge against the real host, without sending anything: the engine's trace of a container's
// packet to an address outside the topology (1.1.1.1:443) must leave by the interface, gateway and
// masqueraded source address that the real host's own routes (`ip route get`, a netlink question that
// sends no packet) and dockerd's rules (`iptables-save`) give; a bridge with masquerading off must leave
// with the container's own address, as the real rules (no MASQUERADE for its subnet) say.
// Nothing here sends a packet: `ip route get` asks the kernel's routing table, in the host's and in the
// container's namespace.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TEST_IMAGE, TEST_LABEL_ARG, requireDaemon } from './harness/daemon';
import { docker, dockerOk, hostRun } from './harness/exec';
import { loadTopology } from '../../src/topology';
import { Tracer } from '../../src/engine/trace';
import { listeningFromSpec } from '../../src/cli/commands/tracing';

const OUT = '1.1.1.1';
const tag = `cnm-edge-${process.pid}`;
const NETS = { masq: { name: `${tag}-masq`, subnet: '10.99.97.0/24' }, raw: { name: `${tag}-raw`, subnet: '10.99.96.0/24' } };

/** `ip route get` as `{ via, dev, src }` (the kernel's answer; nothing is sent). */
function routeGet(text: string): { via: string | null; dev: string; src: string } {
  const via = /\bvia (\S+)/.exec(text)?.[1] ?? null;
  const dev = /\bdev (\S+)/.exec(text)?.[1];
  const src = /\bsrc (\S+)/.exec(text)?.[1];
  assert.ok(dev && src, `ip route get answered: ${text}`);
  return { via, dev, src };
}

async function natRules(): Promise<string> {
  for (const tool of ['iptables-save', 'iptables-legacy-save']) {
    const r = await hostRun(tool, ['-t', 'nat'], { timeoutMs: 30_000 });
    if (r.code === 0 && r.stdout.includes(':DOCKER')) return r.stdout;
  }
  throw new Error('iptables-save shows none of dockerd\'s nat chains');
}

test('the engine leaves by the real host\'s uplink with the source address its routes and MASQUERADE give', { timeout: 300_000 }, async (t) => {
  const st = await requireDaemon();
  if (!st.reachable) return t.skip('dockerd is not reachable');
  const made: { nets: string[]; containers: string[] } = { nets: [], containers: [] };
  try {
    // The real host's edge: its default route and that interface's address.
    const hostRoute = await hostRun('ip', ['-4', 'route', 'get', OUT], { timeoutMs: 15_000 });
    assert.equal(hostRoute.code, 0, `this machine has a route to ${OUT} (a default route): ${hostRoute.stderr}`);
    const real = routeGet(hostRoute.stdout);
    assert.ok(real.via, `the host reaches ${OUT} through a gateway: ${hostRoute.stdout}`);
    const addr = (await hostRun('ip', ['-4', '-o', 'addr', 'show', 'dev', real.dev], { timeoutMs: 15_000 })).stdout;
    const cidr = new RegExp(`inet (${real.src.replace(/\./g, '\\.')}/\\d+)`).exec(addr)?.[1];
    assert.ok(cidr, `${real.dev} has ${real.src}: ${addr}`);

    for (const [key, n] of Object.entries(NETS)) {
      const opts = key === 'raw' ? ['-o', 'com.docker.network.bridge.enable_ip_masquerade=false'] : [];
      await dockerOk(['network', 'create', '--label', TEST_LABEL_ARG, '--subnet', n.subnet, ...opts, n.name], { timeoutMs: 60_000 });
      made.nets.push(n.name);
      const c = `${n.name}-c`;
      await dockerOk(['run', '-d', '--label', TEST_LABEL_ARG, '--name', c, '--network', n.name, TEST_IMAGE, 'sleep', '600'], { timeoutMs: 60_000 });
      made.containers.push(c);
    }

    const yaml = `
hosts:
  host1:
    interfaces: { ${real.dev}: ${cidr} }
    gateway: ${real.via}
    daemon: { version: "${st.version!.split('.').slice(0, 2).join('.')}" }
networks:
  ${NETS.masq.name}: { subnet: ${NETS.masq.subnet} }
  ${NETS.raw.name}: { subnet: ${NETS.raw.subnet}, driver_opts: { com.docker.network.bridge.enable_ip_masquerade: "false" } }
containers:
  ${NETS.masq.name}-c: { image: busybox, networks: [${NETS.masq.name}] }
  ${NETS.raw.name}-c: { image: busybox, networks: [${NETS.raw.name}] }
`;
    const loaded = loadTopology(yaml);
    assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
    const tracer = new Tracer(loaded.engine.state, { listening: listeningFromSpec(loaded.spec) });
    const rules = await natRules();

    // A masquerading bridge: the container's own route, the MASQUERADE rule, and the source it leaves with.
    const c = `${NETS.masq.name}-c`;
    const inside = routeGet(await dockerOk(['exec', c, 'ip', 'route', 'get', OUT], { timeoutMs: 30_000 }));
    const r = tracer.trace({ from: c, to: OUT, proto: 'tcp', port: 443 });
    console.log(`  real: host ${real.dev} via ${real.via} src ${real.src}; ${c}: via ${inside.via} src ${inside.src}\n  engine: ${r.reason}`);
    assert.equal(r.verdict, 'unknown', 'beyond the uplink the engine cannot know');
    const first = r.hops.find((h) => h.action === 'route');
    assert.equal(first?.detail, `${OUT}: no on-link network has it, so the default route: default via ${inside.via} dev ${inside.dev}`, 'the container\'s route is the kernel\'s');
    const masq = r.hops.find((h) => h.action === 'nat POSTROUTING')?.detail ?? '';
    const ruleText = /-A POSTROUTING -s \S+ ! -o \S+ -j MASQUERADE/.exec(masq)?.[0];
    const realBridge = (await dockerOk(['network', 'inspect', '--format', '{{.Id}}', NETS.masq.name])).trim().slice(0, 12);
    const engineBridge = /! -o (\S+)/.exec(ruleText ?? '')?.[1];
    assert.ok(ruleText && engineBridge, `the engine's POSTROUTING hop names the MASQUERADE rule: ${masq}`);
    assert.ok(rules.split('\n').includes(ruleText.replace(engineBridge, `br-${realBridge}`)), `iptables-save has the engine's rule ${ruleText} (bridge br-${realBridge})`);
    const uplink = r.hops.find((h) => h.action === 'uplink');
    assert.equal(uplink?.interface, real.dev);
    assert.equal(uplink?.detail, `out ${real.dev} to the gateway ${real.via}: ${OUT}:443/tcp leaves host1 with source ${real.src} (MASQUERADE of ${inside.src})`);

    // Masquerading off: no MASQUERADE rule for the subnet on the real host, and the engine leaves with the container's address.
    const c2 = `${NETS.raw.name}-c`;
    const inside2 = routeGet(await dockerOk(['exec', c2, 'ip', 'route', 'get', OUT], { timeoutMs: 30_000 }));
    assert.ok(!rules.includes(`-A POSTROUTING -s ${NETS.raw.subnet} `), 'dockerd wrote no MASQUERADE rule for the unmasqueraded bridge');
    const r2 = tracer.trace({ from: c2, to: OUT, proto: 'tcp', port: 443 });
    assert.equal(r2.verdict, 'unknown');
    assert.equal(r2.hops.find((h) => h.action === 'uplink')?.detail, `out ${real.dev} to the gateway ${real.via}: ${OUT}:443/tcp leaves host1 with source ${inside2.src}`);
  } finally {
    for (const c of made.containers) await docker(['rm', '-f', c], { timeoutMs: 60_000 });
    for (const n of made.nets) await docker(['network', 'rm', n], { timeoutMs: 60_000 });
  }
});
