// The create forms' results, as scripts give them (the form's answers are the same named arguments): every
// network option a driver takes reaches the file (the seed's ingress overlay and macvlan LAN), Create
// Service, Run Container with -P; what Docker refuses is refused in its words and the file is left alone;
// undo takes each change back. The menus offer Create Service on a host and Remove Container on a container.
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, cleanScratch, EXTENSION_ID, eventually, find, openEditor, scratchWrite, undo, workspaceRoot } from './support';

type Result = { ok: true; text: string; warnings: string[] } | { ok: false; error: string } | undefined;

const run = (command: string, args: Record<string, unknown>) => vscode.commands.executeCommand<Result>(`cnm.${command}`, args);
const textOf = async (file: string) => (await vscode.workspace.openTextDocument(file)).getText();
const errorOf = (r: Result) => (r && !r.ok ? r.error : `not refused: ${JSON.stringify(r)}`);

const SWARM = `# a manager and a worker, nothing on them yet
hosts:
  node1:
    interfaces: { eth0: 192.168.50.10/24 }
    daemon: { version: "20.10" }
    swarm: manager
  node2:
    interfaces: { eth0: 192.168.50.11/24 }
    daemon: { version: "20.10" }
    swarm: worker
`;

const LAN = `hosts:
  host1:
    interfaces: { eth0: 192.168.50.10/24 }
    daemon: { version: "20.10" }
containers:
  web: { image: nginx, expose: ["80"] }
`;

suite('Create forms: every option, services, -P', () => {
  suiteTeardown(cleanScratch);

  test('the seed\'s overlay: myingress11 with --ingress and MTU 1200 on the manager (an idle worker sees it with its first endpoint); undo', async () => {
    const file = scratchWrite('forms-overlay.cnm.yaml', SWARM);
    const explorer = await api();
    await openEditor(file);
    const r = await run('createNetwork', { file, name: 'myingress11', driver: 'overlay', subnet: '10.11.0.0/16', gateway: '10.11.0.1', ingress: true, options: { 'com.docker.network.driver.mtu': '1200' } });
    assert.equal(r?.ok, true, JSON.stringify(r));
    assert.equal(await textOf(file), `${SWARM}\nnetworks:\n  myingress11:\n    driver: overlay\n    subnet: 10.11.0.0/16\n    gateway: 10.11.0.1\n    ingress: true\n    driver_opts: { com.docker.network.driver.mtu: "1200" }\n`);
    const tree = await explorer.tree(file);
    assert.match(find(tree, 'node1', 'Networks', 'myingress11')?.description ?? '', /overlay · 10\.11\.0\.0\/16/, 'on the manager that made it');
    // As lab swarms show it: a worker sees a swarm network only with its first endpoint on an overlay.
    assert.equal(find(tree, 'node2', 'Networks', 'myingress11'), undefined, 'not yet on the idle worker');
    await undo(file, SWARM);
  });

  test('an overlay on a worker, an unknown IPAM driver: Docker\'s refusals, the file untouched', async () => {
    const file = scratchWrite('forms-overlay-bad.cnm.yaml', SWARM);
    assert.match(errorOf(await run('createNetwork', { file, name: 'ov', driver: 'overlay', host: 'node2' })), /This node is not a swarm manager/);
    assert.match(errorOf(await run('createNetwork', { file, name: 'n', subnet: '10.40.0.0/24', ipamDriver: 'nope' })), /plugin "nope" not found/);
    assert.equal(await textOf(file), SWARM);
  });

  test('the seed\'s macvlan (lan-bridge): parent, mode, ip_range, aux addresses; a second network on eth0 is refused', async () => {
    const file = scratchWrite('forms-macvlan.cnm.yaml', LAN);
    await openEditor(file);
    const r = await run('createNetwork', {
      file, name: 'lan-bridge', driver: 'macvlan', subnet: '192.168.50.0/24', gateway: '192.168.50.1', ipRange: '192.168.50.192/27',
      auxAddresses: { router: '192.168.50.254' }, options: { parent: 'eth0', macvlan_mode: 'bridge' },
    });
    assert.equal(r?.ok, true, JSON.stringify(r));
    const after = await textOf(file);
    assert.ok(after.includes('  lan-bridge:\n    driver: macvlan\n    subnet: 192.168.50.0/24\n    gateway: 192.168.50.1\n    ip_range: 192.168.50.192/27\n    aux_addresses: { router: 192.168.50.254 }\n    driver_opts: { parent: "eth0", macvlan_mode: "bridge" }\n'), after);
    assert.match(errorOf(await run('createNetwork', { file, name: 'again', driver: 'macvlan', options: { parent: 'eth0' } })), /already using parent interface eth0/);
    assert.match(errorOf(await run('createNetwork', { file, name: 'odd', driver: 'macvlan', options: { parent: 'eth1', macvlan_mode: 'hairpin' } })), /requested macvlan mode 'hairpin' is not valid/);
    assert.equal(await textOf(file), after, 'refusals leave the file alone');
    await undo(file, LAN);
  });

  test('Create Service on the manager: the service and its tasks; refused on a worker in Docker\'s words; undo', async () => {
    const base = `${SWARM}networks:\n  appnet: { driver: overlay, subnet: 10.20.0.0/24 }\n`;
    const file = scratchWrite('forms-service.cnm.yaml', base);
    await api();
    await openEditor(file);
    assert.equal(errorOf(await run('createService', { file, host: 'node2', name: 'web' })),
      'Error response from daemon: This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.');
    assert.match(errorOf(await run('createService', { file, name: 'web', ports: ['8080:80'], endpointMode: 'dnsrr' })), /port published with ingress mode can't be used with dnsrr mode/);
    assert.match(errorOf(await run('createService', { file, name: 'web', networks: ['bridge'] })), /network bridge not found/);
    assert.equal(await textOf(file), base);
    const r = await run('createService', { file, name: 'web', image: 'nginx', replicas: 3, networks: ['appnet'], ports: ['8080:80'] });
    assert.equal(r?.ok, true, JSON.stringify(r));
    assert.equal(await textOf(file), `${base}\nservices:\n  web:\n    image: nginx\n    replicas: 3\n    networks: [appnet]\n    ports: ["8080:80"]\n`);
    assert.match(errorOf(await run('createService', { file, name: 'web' })), /service web already exists/);
    await undo(file, base);
  });

  test('Run Container with -P (publish_all): every exposed port gets a host port', async () => {
    const file = scratchWrite('forms-publish-all.cnm.yaml', LAN);
    await openEditor(file);
    const r = await run('runContainer', { file, name: 'api', image: 'busybox', expose: ['9000'], publishAll: true });
    assert.equal(r?.ok, true, JSON.stringify(r));
    assert.ok((await textOf(file)).endsWith('  api:\n    image: busybox\n    expose: ["9000"]\n    publish_all: true\n'), await textOf(file));
    const explorer = await api();
    await eventually(async () => JSON.stringify(find(await explorer.tree(file), 'host1', 'Containers', 'api') ?? {}).includes('9000'), 'the tree shows the published port 9000');
    await undo(file, LAN);
  });

  test('the menus: Create Service on a file\'s host, Remove Container on a file\'s container', () => {
    const menus = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.menus['view/item/context'] as { command: string; when: string }[];
    const when = (command: string) => menus.filter((m) => m.command === command).map((m) => m.when).join(' | ');
    assert.match(when('cnm.createService'), /viewItem == cnm\.host/);
    assert.ok(when('cnm.removeContainer').includes('cnm\\.container'), when('cnm.removeContainer'));
    assert.match(when('cnm.createNetwork'), /host\|networks/);
  });
});

suite('Create Network on a Compose source: the driver\'s options', () => {
  let dir: string;
  suiteSetup(() => {
    dir = join(workspaceRoot(), 'forms-compose');
    mkdirSync(dir, { recursive: true });
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
    await vscode.commands.executeCommand('cnm.refresh');
  });

  test('driver_opts and ip_range are written as Compose has them; undo', async () => {
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, readFileSync(join(workspaceRoot(), '11-compose-web-api-db', 'compose.yaml'), 'utf8'));
    await api();
    await openEditor(file);
    const before = await textOf(file);
    const r = await run('createNetwork', { file, name: 'lan', subnet: '10.41.0.0/24', ipRange: '10.41.0.128/25', options: { 'com.docker.network.driver.mtu': '1400' } });
    assert.equal(r?.ok, true, JSON.stringify(r));
    const after = await textOf(file);
    assert.ok(after.includes('  lan:\n    driver_opts: { com.docker.network.driver.mtu: "1400" }\n    ipam:\n      config:\n        - subnet: 10.41.0.0/24\n          ip_range: 10.41.0.128/25\n'), after);
    await undo(file, before);
  });

  test('the IPAM driver, aux addresses and labels are written where Compose reads them, comments kept; undo', async () => {
    const file = join(dir, 'compose.yaml');
    await openEditor(file);
    const before = await textOf(file);
    const r = await run('createNetwork', { file, name: 'lab', subnet: '10.42.0.0/24', gateway: '10.42.0.1', auxAddresses: { router: '10.42.0.254' }, ipamDriver: 'default', labels: { team: 'payments' } });
    assert.equal(r?.ok, true, JSON.stringify(r));
    const after = await textOf(file);
    assert.ok(after.includes('  lab:\n    labels: { team: "payments" }\n    ipam:\n      driver: default\n      config:\n        - subnet: 10.42.0.0/24\n          gateway: 10.42.0.1\n          aux_addresses: { router: 10.42.0.254 }\n'), after);
    assert.deepEqual(after.split('\n').filter((l) => l.includes('#')), before.split('\n').filter((l) => l.includes('#')));
    await undo(file, before);
  });
});
