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
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadTopology } from '../../../src/topology/index';
import { useDockerTarget } from '../harness/exec';
import { labMissing, startLab, type Lab, type LabVersion } from '../harness/lab';
import type { Disagreement } from '../harness/fieldCompare';
import { compareOverlay, type OverlayContainer, type ProbeRecord } from '../harness/overlayCompare';
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
const CONTAINERS: OverlayContainer[] = [
  { name: 'c1', host: 'node1', serves: true },
  { name: 'c2', host: 'node2', serves: true },
  { name: 'c3', host: 'node1', serves: false },
];


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
        const probes: ProbeRecord[] = [];
        await compareOverlay(lab, loaded, NET, CONTAINERS, out, probes);
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
