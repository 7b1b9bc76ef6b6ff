// The explorer's containers with interfaces added by hand (pipework): Docker does not list them among
// the container's endpoints, but the user put them there, so the tree shows them under the container
// with their addresses instead of "no network".
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildSourceTree, walk, type TreeNode } from '../../../src/extension/treeNodes';
import { loadTopology } from '../../../src/topology';

const loaded = loadTopology(readFileSync(join(__dirname, '../../../examples/12-pipework.cnm.yaml'), 'utf8'));
const tree = buildSourceTree({ key: 'file:///12-pipework.cnm.yaml', fileName: '12-pipework.cnm.yaml', loaded });
const container = (name: string): TreeNode => [...walk(tree)].find((n) => n.kind === 'container' && n.label === name)!;

test('a network_mode none container with a pipework interface shows it, not "no network"', () => {
  const api = container('api');
  assert.match(api.description ?? '', /interfaces added by hand · 192\.168\.1\.11/);
  assert.deepEqual(api.children.filter((n) => n.kind === 'endpoint').map((n) => `${n.label} ${n.description}`), ['none loopback only', 'br1 192.168.1.11 · eth1']);
  assert.match(container('db').children.map((n) => n.description).join('|'), /192\.168\.1\.12 · eth7/);
});

test('a container on a Docker network lists its pipework interface beside its endpoint', () => {
  const web = container('web');
  assert.match(web.description ?? '', /^172\.17\.0\.2, 192\.168\.1\.10 · /);
  assert.deepEqual(web.children.filter((n) => n.kind === 'endpoint').map((n) => n.label), ['bridge', 'br1']);
});

test('a macvlan child by DHCP has no address to show, but is listed', () => {
  const cam = container('cam');
  assert.ok(cam.children.some((n) => n.kind === 'endpoint' && n.label === 'eth0' && /eth1/.test(n.description ?? '')));
});
