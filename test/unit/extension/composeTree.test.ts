// Compose projects as sources of the explorer: which files are projects, a project read from files
// (its override, .env), and the tree a user reads under compose.yaml — the project, Docker's names for
// its networks and containers, addresses, the warnings of a concurrent start, an external network,
// Compose's own words for a file it refuses. Also a live host's containers grouped by their Compose labels.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { composeProjects, isComposePath, loadComposeFiles, type FileProbe } from '../../../src/extension/composeFiles';
import { buildComposeTree } from '../../../src/extension/composeTree';
import { buildLiveHostTree, composeLabelsOf, liveHostViewOf, walk, type TreeNode } from '../../../src/extension/treeNodes';
import { topologyCountText } from '../../../src/extension/live/statusText';
import { LIVE_CONTEXT } from '../../../src/extension/live/liveHostsApi';
import { parseContainerInspect, parseNetworkInspect, parseVersionAnswer } from '../../../src/docker/validate';
import { snapshotToEngine } from '../../../src/live/replay';
import type { Snapshot } from '../../../src/docker/snapshot';

const EXAMPLE = join(__dirname, '../../../examples/11-compose-web-api-db/compose.yaml');

/** Files in memory (folders implied), read as the store reads them, counting the reads. */
function files(map: Record<string, string>) {
  const reads: string[] = [];
  const dirs = new Set<string>();
  for (const f of Object.keys(map)) for (let i = f.lastIndexOf('/'); i > 0; i = f.lastIndexOf('/', i - 1)) dirs.add(f.slice(0, i));
  const read = async (p: string): Promise<FileProbe> => {
    reads.push(p);
    return p in map ? { exists: true, text: map[p] } : { exists: dirs.has(p) };
  };
  return { read, reads };
}

async function tree(map: Record<string, string>, main = '/w/shop/compose.yaml'): Promise<TreeNode> {
  const { loaded } = await loadComposeFiles(main, files(map).read);
  return buildComposeTree({ key: `file://${main}`, fileName: main.slice(main.lastIndexOf('/') + 1), folder: 'shop', loaded, path: main, uriOf: (p) => `file://${p}` });
}

const child = (node: TreeNode | undefined, label: string) => node?.children.find((c) => c.label === label);
const path = (node: TreeNode | undefined, ...labels: string[]) => labels.reduce((n, l) => child(n, l), node);
const labels = (node: TreeNode | undefined) => node?.children.map((c) => c.label) ?? [];

describe('which files are Compose projects', () => {
  it('knows the names docker compose finds by itself, not overrides or other YAML', () => {
    assert.ok(isComposePath('/w/a/compose.yaml'));
    assert.ok(isComposePath('/w/a/docker-compose.yml'));
    assert.ok(!isComposePath('/w/a/compose.override.yaml'));
    assert.ok(!isComposePath('/w/a/app.cnm.yaml'));
    assert.ok(!isComposePath('/w/a/my-compose.yaml'));
  });

  it('takes one project per folder, the file Compose would use there', () => {
    assert.deepEqual(composeProjects([
      '/w/a/docker-compose.yml', '/w/a/compose.yaml', '/w/a/compose.override.yaml',
      '/w/b/docker-compose.yaml', '/w/b/docker-compose.yml', '/w/c/compose.yml',
    ]).sort(), ['/w/a/compose.yaml', '/w/b/docker-compose.yml', '/w/c/compose.yml']);
  });
});

describe('a Compose project read from files', () => {
  it('merges the override and reads .env, and depends on every file it looked for', async () => {
    const fs = files({
      '/w/shop/compose.yaml': 'services:\n  web:\n    image: nginx\n    ports: ["${WEB_PORT}:80"]\n',
      '/w/shop/compose.override.yaml': 'services:\n  web:\n    networks: [front]\nnetworks:\n  front: {}\n',
      '/w/shop/.env': 'WEB_PORT=8081\n',
    });
    const r = await loadComposeFiles('/w/shop/compose.yaml', fs.read);
    assert.deepEqual(r.loaded.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual(r.loaded.spec.containers.map((c) => [c.name, c.networks.map((n) => n.network), c.ports]), [['shop-web-1', ['shop_front'], ['8081:80']]]);
    for (const f of ['/w/shop/compose.yaml', '/w/shop/compose.override.yaml', '/w/shop/.env', '/w/shop/docker-compose.override.yml']) {
      assert.ok(r.files.has(f), `depends on ${f}`);
    }
    // Each file is read once, however many rounds the reader needed.
    assert.equal(fs.reads.length, new Set(fs.reads).size);
    const again = await loadComposeFiles('/w/shop/compose.yaml', files({
      '/w/shop/compose.yaml': 'services:\n  web:\n    image: nginx\n    ports: ["${WEB_PORT}:80"]\n',
      '/w/shop/compose.override.yaml': 'services:\n  web:\n    networks: [front]\nnetworks:\n  front: {}\n',
      '/w/shop/.env': 'WEB_PORT=9090\n',
    }).read);
    assert.notEqual(again.fingerprint, r.fingerprint, 'a change of .env is a change of the project');
  });

  it('follows include and extends into other files', async () => {
    const r = await loadComposeFiles('/w/p/compose.yaml', files({
      '/w/p/compose.yaml': 'include: [db/compose.yaml]\nservices:\n  api:\n    extends: { file: base.yaml, service: base }\n',
      '/w/p/base.yaml': 'services:\n  base:\n    image: api\n    networks: [default]\n',
      '/w/p/db/compose.yaml': 'services:\n  db:\n    image: postgres\n',
    }).read);
    assert.deepEqual(r.loaded.spec.containers.map((c) => c.name).sort(), ['p-api-1', 'p-db-1']);
    assert.ok(r.files.has('/w/p/base.yaml') && r.files.has('/w/p/db/compose.yaml'));
  });

  it('turns what Compose refuses into diagnostics in its words, never an exception', async () => {
    for (const [text, message] of [
      ['- a\n- b\n', /Top-level object must be a mapping/],
      ['services:\n  web: [\n', /./],
      ['', /empty compose file/],
      ['services:\n  web:\n    image: x\n    networks: [nope]\n', /nope/],
    ] as const) {
      const t = await tree({ '/w/shop/compose.yaml': text });
      const problems = child(t, 'Problems');
      assert.ok(problems?.children.some((p) => message.test(p.label)), `${JSON.stringify(text)}: ${labels(problems).join(' | ')}`);
      assert.equal(t.icon.id, 'error');
    }
    const missing = await loadComposeFiles('/w/none/compose.yaml', files({}).read);
    assert.match(missing.loaded.diagnostics[0]!.message, /cannot read \/w\/none\/compose.yaml/);
  });
});

describe('the tree of a Compose project', () => {
  it('shows the example as docker compose up makes it', async () => {
    const t = await tree({ '/w/shop/compose.yaml': readFileSync(EXAMPLE, 'utf8') });
    assert.equal(t.label, 'compose.yaml');
    assert.equal(t.description, 'project shop · 3 containers · shop');
    assert.equal(t.contextValue, 'cnm.source.compose');
    // api is on two networks: a note (not a warning) that its interface names follow no fixed order.
    assert.deepEqual(labels(t), ['Problems', 'shop']);
    const notes = child(t, 'Problems');
    assert.equal(notes?.description, '1 note');
    assert.deepEqual(notes?.icon, { id: 'info' });
    assert.match(notes?.children[0]?.label ?? '', /"api" is on 2 networks/);
    const project = child(t, 'shop');
    assert.equal(project?.kind, 'project');
    assert.match(project?.description ?? '', /^Compose project · Docker 20\.10/);
    assert.deepEqual(labels(project), ['Networks', 'Services']);
    assert.deepEqual(labels(child(project, 'Networks')), ['shop_back', 'shop_front']);
    const back = path(project, 'Networks', 'shop_back');
    assert.match(back?.description ?? '', /^bridge · 10\.30\.0\.0\/24 · internal · 2 endpoints/);
    assert.deepEqual(back?.children.map((e) => `${e.label} ${e.description}`), ['shop-db-1 10.30.0.2 · eth0 · aka db', 'shop-api-1 10.30.0.3 · eth0 · aka api, backend']);
    assert.deepEqual(labels(child(project, 'Services')), ['web', 'api', 'db']);
    const api = path(project, 'Services', 'api');
    assert.equal(api?.kind, 'service');
    assert.equal(api?.container, 'shop-api-1', 'a service stands for its first replica');
    assert.deepEqual(labels(api), ['shop-api-1']);
    assert.match(path(api, 'shop-api-1')?.description ?? '', /172\.18\.0\.2, 10\.30\.0\.3/);
    const web = path(project, 'Services', 'web', 'shop-web-1');
    assert.ok(web?.children.some((c) => c.kind === 'port' && c.label === '0.0.0.0:8080 → 80/tcp'));
  });

  it('gives its nodes Compose contextValues (topology file edits do not apply) and unique ids', async () => {
    const t = await tree({ '/w/shop/compose.yaml': readFileSync(EXAMPLE, 'utf8') });
    for (const n of walk(child(t, 'shop')!)) assert.match(n.contextValue, /^cnm\.compose\./, `${n.label}: ${n.contextValue}`);
    const ids = [...walk(t)].map((n) => n.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(path(t, 'shop', 'Services', 'db', 'shop-db-1')?.elementId, 'c/host1/shop-db-1', 'the same element ids as the diagram');
  });

  it('shows replicas, a concurrent start as a warning, and an external network as unknown', async () => {
    const t = await tree({
      '/w/shop/compose.yaml': [
        'services:',
        '  a:\n    image: x\n    deploy: { replicas: 2 }',
        '  b:\n    image: x',
        '  c:\n    image: x\n    networks: [ext]',
        'networks:\n  ext:\n    external: true',
      ].join('\n'),
    });
    const services = path(t, 'shop', 'Services');
    assert.deepEqual(labels(child(services, 'a')), ['shop-a-1', 'shop-a-2']);
    const b = child(services, 'b');
    assert.equal(b?.icon.id, 'warning');
    assert.match(b?.description ?? '', /depends on start order/);
    assert.match(b?.tooltip ?? '', /"b" and "a" start at the same time/);
    const def = path(t, 'shop', 'Networks', 'shop_default');
    assert.ok(def?.children.some((e) => /depends on start order/.test(e.description ?? '')), 'the endpoints say their address depends on the order');
    // The external network exists with an unknown subnet: c is on it, its address there unknown (never invented).
    const ext = path(t, 'shop', 'Networks', 'ext');
    assert.equal(ext?.description, 'bridge · external · subnet unknown · 1 endpoint');
    assert.match(ext?.tooltip ?? '', /subnet, gateway and the addresses on it are unknown/);
    const onExt = ext?.children.find((e) => /shop-c-1/.test(e.label));
    assert.match(onExt?.description ?? '', /address unknown/);
    assert.match(onExt?.tooltip ?? '', /IPv4 and MAC unknown/);
    assert.match(child(services, 'c')?.children[0]?.description ?? '', /unknown on ext/);
    assert.ok(child(t, 'Problems')?.children.some((p) => /external/.test(p.label)));
  });

  it('says which file a problem is in when it is not the main file', async () => {
    const t = await tree({
      '/w/shop/compose.yaml': 'services:\n  web:\n    image: x\n',
      '/w/shop/compose.override.yaml': 'services:\n  web:\n    networks: [missing]\n',
    });
    const p = child(t, 'Problems')?.children.find((n) => /missing/.test(n.label));
    assert.ok(p, labels(child(t, 'Problems')).join(' | '));
    assert.match(p.description ?? '', /^compose\.override\.yaml:\d+$/);
    assert.equal(p.file, 'file:///w/shop/compose.override.yaml');
  });

  it('lists a service of an inactive profile as not started', async () => {
    const t = await tree({ '/w/shop/compose.yaml': 'services:\n  web:\n    image: x\n  debug:\n    image: x\n    profiles: [debug]\n' });
    const debug = path(t, 'shop', 'Services', 'debug');
    assert.equal(debug?.description, 'not started · profile debug');
    assert.deepEqual(labels(debug), []);
  });
});

describe('a live host groups Compose containers under their project', () => {
  interface Recorded { version: unknown; networks: unknown[]; containers: unknown[] }
  const recorded = JSON.parse(readFileSync(join(__dirname, '../docker/fixtures/host-20.10.json'), 'utf8')) as Recorded;
  const snapshot: Snapshot = {
    endpoint: 'unix:///var/run/docker.sock', daemon: parseVersionAnswer(recorded.version),
    networks: recorded.networks.map(parseNetworkInspect), containers: recorded.containers.map(parseContainerInspect), takenAt: '2026-11-28T07:54:00.000Z',
  };
  // Two containers of one project, as docker compose labels them (replica 2 listed first).
  const label = (name: string, service: string, n: number) => {
    const c = snapshot.containers.find((x) => x.name === name)!;
    c.labels = { ...c.labels, 'com.docker.compose.project': 'shop', 'com.docker.compose.service': service, 'com.docker.compose.container-number': String(n) };
  };
  label('fx-web', 'web', 2);
  label('fx-b2', 'web', 1);
  label('fx-side', 'side', 1);
  const state = { snapshot, model: snapshotToEngine(snapshot, 'default'), why: null };
  const root = buildLiveHostTree(liveHostViewOf({ key: 'k', label: 'default', endpoint: 'unix:///var/run/docker.sock', status: { kind: 'connected', version: '20.10.24' }, state }, 'cnm-live:/k'));

  it('reads the labels', () => {
    assert.deepEqual([...composeLabelsOf(snapshot.containers).keys()].sort(), ['fx-b2', 'fx-side', 'fx-web']);
  });

  it('shows project → services → containers (replica 1 first), the others as before', () => {
    const containers = child(root, 'Containers');
    assert.ok(child(containers, 'fx-stopped'), 'a container without labels stays where it was');
    assert.ok(!child(containers, 'fx-web'), 'a Compose container is under its project');
    const shop = child(containers, 'shop');
    assert.equal(shop?.contextValue, LIVE_CONTEXT.composeProject);
    assert.equal(shop?.description, 'Compose project · 2 services');
    const web = child(shop, 'web');
    assert.equal(web?.contextValue, LIVE_CONTEXT.composeService);
    assert.deepEqual(labels(web), ['fx-b2', 'fx-web']);
    assert.equal(web?.container, 'fx-b2');
    assert.equal(child(web, 'fx-web')?.contextValue, LIVE_CONTEXT.container);
    const ids = [...walk(root)].map((n) => n.id);
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe('the status bar counts each kind of source', () => {
  it('says topologies and Compose projects apart', () => {
    assert.equal(topologyCountText(12, 0, 1), '$(type-hierarchy) CNM: 12 topologies · 1 Compose project');
    assert.equal(topologyCountText(0, 2, 2), '$(type-hierarchy) CNM: 0 topologies · 2 Compose projects $(error) 2');
    assert.equal(topologyCountText(1, 0), '$(type-hierarchy) CNM: 1 topology');
  });
});
