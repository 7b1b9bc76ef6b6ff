// The diagram's layout: the same file always gives the same picture, an edit moves only what it must,
// and nothing is drawn on top of anything else.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildSnapshot } from '../../../src/extension/diagramSnapshot';
import { addNetwork, connectContainer, addContainer } from '../../../src/topology/edit';
import { loadTopology } from '../../../src/topology';
import { layoutDiagram, type BoxLayout, type DiagramLayout } from '../../../webview/layout';
import { generateTopology } from '../../../bench/generate';

const example = (name: string) => readFileSync(join(import.meta.dirname, '../../../examples', name), 'utf8');
const layoutOf = (text: string): DiagramLayout => layoutDiagram(buildSnapshot(loadTopology(text).engine.state, 't').snapshot);
const boxes = (l: DiagramLayout) => new Map(l.hosts.flatMap((h) => h.boxes).map((b) => [b.id, b]));
const overlaps = (a: BoxLayout, b: BoxLayout) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

test('the same file gives the same layout, to the pixel', () => {
  const text = example('02-custom-bridge.cnm.yaml');
  assert.deepEqual(layoutOf(text), layoutOf(text));
});

test('sandboxes sit above the bus of their first network, in creation order', () => {
  const l = layoutOf(example('02-custom-bridge.cnm.yaml'));
  const host = l.hosts[0]!;
  assert.deepEqual(host.buses.map((b) => b.id), ['n/host1/bridge', 'n/host1/mybridge10']);
  const [bridge, mybridge] = host.buses;
  const b = boxes(l);
  assert.ok(b.get('c/host1/b1')!.y + b.get('c/host1/b1')!.h < bridge!.y, 'b1 (eth0 on bridge) is above the bridge bus');
  assert.ok(b.get('c/host1/10_b1')!.y > bridge!.y && b.get('c/host1/10_b1')!.y + b.get('c/host1/10_b1')!.h < mybridge!.y);
  assert.ok(b.get('c/host1/10_b1')!.x < b.get('c/host1/web')!.x, '10_b1 was started before web');
});

test('a link to another network runs in the gutter, never through a box', () => {
  const l = layoutOf(generateTopology({ containers: 120, networks: 6 }));
  const all = [...boxes(l).values()];
  for (const link of l.hosts[0]!.links.filter((k) => k.crossing)) {
    // Vertical segment at busX from the box bottom to the bus: no box may straddle that x in between.
    const ys = [...link.path.matchAll(/[VH]?(-?\d+(?:\.\d+)?)/g)];
    assert.ok(ys.length > 0);
    for (const box of all) {
      const straddles = box.x < link.busX && link.busX < box.x + box.w;
      assert.ok(!straddles, `${link.id} runs through ${box.id}`);
    }
  }
});

test('no two boxes overlap, also for a big host', () => {
  const l = layoutOf(generateTopology({ containers: 400, networks: 12 }));
  const all = [...boxes(l).values()].sort((a, b) => a.y - b.y || a.x - b.x);
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length && all[j]!.y < all[i]!.y + all[i]!.h; j++) {
      assert.ok(!overlaps(all[i]!, all[j]!), `${all[i]!.id} overlaps ${all[j]!.id}`);
    }
  }
});

test('an edit moves only what comes after it', () => {
  const text = example('02-custom-bridge.cnm.yaml');
  const before = boxes(layoutOf(text));
  // A new network and a container on it come after everything else: nothing that was there moves.
  const grown = addContainer(addNetwork(text, { name: 'backend', subnet: '10.30.0.0/24' }), { name: 'db', image: 'postgres', network: 'backend' });
  const after = boxes(layoutOf(grown));
  for (const [id, b] of before) assert.deepEqual(after.get(id), b, `${id} stayed where it was`);
  assert.ok(after.has('c/host1/db'));
  // Connecting a container to another network adds a link but keeps the boxes in place.
  const connected = boxes(layoutOf(connectContainer(text, 'web', 'bridge')));
  assert.deepEqual(connected.get('c/host1/b1'), before.get('c/host1/b1'));
  assert.deepEqual(connected.get('c/host1/10_b1'), before.get('c/host1/10_b1'));
});

test('published ports are tabs on the host\'s left edge, joined to their sandbox', () => {
  const l = layoutOf(example('06-port-mapping.cnm.yaml'));
  const host = l.hosts[0]!;
  // 8080 on IPv4 and IPv6, 8081 on 127.0.0.1, and the publish_all container's 32768 on both.
  assert.equal(host.ports.length, 5);
  const leftmostBox = Math.min(...host.boxes.map((b) => b.x));
  for (const p of host.ports) {
    assert.ok(p.x + p.w < leftmostBox, 'the tab is left of every box');
    assert.match(p.path, /^M/);
  }
});

test('a host-mode container sits with the host network; none-mode with none', () => {
  const l = layoutOf(example('03-host-mode.cnm.yaml'));
  const b2 = boxes(l).get('c/host1/b2')!;
  assert.equal(b2.band, 'n/host1/host');
  assert.ok(l.hosts[0]!.buses.some((b) => b.id === 'n/host1/host'));
  const none = layoutOf(example('04-none-mode.cnm.yaml'));
  assert.equal(boxes(none).get('c/host1/n1')!.band, 'n/host1/none');
});
