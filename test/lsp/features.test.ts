// Every editor feature of the language server, driven over a real LSP connection on the lab topology:
// hover, completion, definition, references, rename, outline, folding, quick fixes and trace lenses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CodeAction, CodeLens, CompletionItem, CompletionList, Diagnostic, DocumentSymbol, FoldingRange, Hover, Location, WorkspaceEdit } from 'vscode-languageserver/node';
import { LAB, MISTAKES } from './fixtures';
import { LspSession, applyEdits, cursor, messageOf, positionOf } from './lspHarness';

const LAB_URI = 'file:///w/lab.cnm.yaml';

describe('language features over LSP', () => {
  let lsp: LspSession;
  before(async () => {
    lsp = await LspSession.start();
    await lsp.open(LAB_URI, LAB);
  });
  after(async () => lsp.stop());

  const hover = async (needle: string, delta = 0, occurrence = 0): Promise<string> => {
    const h = await lsp.request<Hover | null>('textDocument/hover', { textDocument: { uri: LAB_URI }, position: positionOf(LAB, needle, delta, occurrence) });
    assert.ok(h, `a hover on ${needle}`);
    return typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : JSON.stringify(h.contents);
  };

  describe('hover', () => {
    it('on a network: driver, subnet, gateway, addresses used of available, members with address, MAC and interface', async () => {
      const text = await hover('mybridge10', 2, 2); // the reference in b1's networks list
      assert.match(text, /\*\*network `mybridge10`\*\* · bridge on host1/);
      assert.match(text, /\| subnet \| 10\.10\.0\.0\/16 \(ip_range 10\.10\.5\.0\/24\) \|/);
      assert.match(text, /\| gateway \| 10\.10\.0\.1 \|/);
      // gateway + web + b1 + the aux address
      assert.match(text, /\| addresses \| 4 used of 65,534 available \|/);
      assert.match(text, /\| web \| 10\.10\.5\.9 \| 02:42:0a:0a:05:09 \| eth0 ↔ veth[0-9a-f]{7} \|/);
      assert.match(text, /\| b1 \| 10\.10\.5\.0 \| 02:42:0a:0a:05:00 \| eth0 ↔ veth[0-9a-f]{7} \|/);
    });

    it('on a container: its endpoints, the default-route network and published ports', async () => {
      const text = await hover('b1:');
      assert.match(text, /\*\*container `b1`\*\* · busybox on host1 · running/);
      assert.match(text, /\| mybridge10 \| 10\.10\.5\.0\/16 \| 02:42:0a:0a:05:00 \| eth0/);
      // Docker gives the default route to the network whose name sorts first.
      assert.match(text, /\| backend \(default route\) \| 10\.20\.0\.2\/24 \| 02:42:0a:14:00:02 \| eth1/);
      const web = await hover('web:');
      assert.match(web, /\*\*Published:\*\* 0\.0\.0\.0:8080 → 80\/tcp/);
    });

    it('on an address: who owns it', async () => {
      assert.match(await hover('10.10.0.254', 2), /aux address `router` of network \*\*mybridge10\*\*/);
      assert.match(await hover('gateway: 10.10.0.1', 11), /the gateway of network \*\*mybridge10\*\* on host1 \(bridge `br-[0-9a-f]{12}`\)/);
      assert.match(await hover('10.10.5.9', 2), /container \*\*web\*\* on network mybridge10 \(eth0, MAC 02:42:0a:0a:05:09\)/);
    });

    it('on a port mapping: what it publishes, where, and how', async () => {
      const text = await hover('8080:80', 2);
      assert.match(text, /port \*\*8080\*\* on every address of host1/);
      assert.match(text, /container port \*\*80\/tcp\*\*/);
      assert.match(text, /DNATs it to 10\.10\.5\.9:80 on network \*\*mybridge10\*\*/);
      const loopback = await hover('127.0.0.1:9090', 2);
      assert.match(loopback, /on 127\.0\.0\.1 of host1 only/);
      assert.match(loopback, /\*\*90\/udp\*\*/);
    });

    it('on a driver option and on a driver', async () => {
      assert.match(await hover('enable_icc', 2), /drops traffic between containers of this network/);
      assert.match(await hover('driver: bridge', 10), /\*\*driver `bridge`\*\*\n\nA Linux bridge on one host/);
    });

    it('on any key: the schema description', async () => {
      assert.match(await hover('ip_range:', 2), /Dynamic addresses come from this range; static ones may be anywhere in the subnet/);
      assert.match(await hover('verdict', 2), /`refused` \(no listener/);
    });
  });

  describe('completion', () => {
    const complete = async (marked: string): Promise<CompletionItem[]> => {
      const { text, position } = cursor(marked);
      const uri = 'file:///w/complete.cnm.yaml';
      if (lsp.version(uri) === 0) await lsp.open(uri, text);
      else await lsp.change(uri, text);
      const r = await lsp.request<CompletionItem[] | CompletionList>('textDocument/completion', { textDocument: { uri }, position });
      return Array.isArray(r) ? r : r.items;
    };
    const labels = (items: CompletionItem[]) => items.map((i) => i.label);

    it('offers the keys a container takes, minus those it has', async () => {
      const items = await complete(LAB.replace('  b3:\n    image: busybox\n', '  b3:\n    image: busybox\n    ‸\n'));
      assert.deepEqual(labels(items), ['host', 'hostname', 'network_mode', 'networks', 'ports', 'publish_all', 'expose', 'listen', 'labels', 'pipework']);
      assert.match(String((items[2]!.documentation as { value: string }).value), /container:<name>/);
    });

    it('offers the missing top-level keys', async () => {
      assert.deepEqual(labels(await complete(LAB.replace('expect:', '‸\nexpect:'))), ['services', 'policies']);
    });

    it('offers network names where a network is referenced', async () => {
      assert.deepEqual(labels(await complete(LAB.replace('networks: [mybridge10, backend]', 'networks: [mybridge10, ‸]'))), ['backend']);
      const block = await complete(LAB.replace('  b3:\n    image: busybox\n', '  b3:\n    image: busybox\n    networks:\n      - ‸\n'));
      assert.deepEqual(labels(block), ['mybridge10', 'backend']);
      assert.equal(block[0]!.detail, 'bridge network 10.10.0.0/16');
    });

    it('offers drivers, and the options of the chosen driver', async () => {
      assert.deepEqual(labels(await complete(LAB.replace('driver: bridge\n    subnet: 10.20', 'driver: ‸\n    subnet: 10.20'))), ['bridge', 'overlay', 'macvlan', 'ipvlan', 'flannel', 'calico', 'pipework', 'weave', 'host', 'null']);
      const macvlan = LAB.replace(
        '    driver: bridge\n    subnet: 10.20.0.0/24\n    driver_opts: { com.docker.network.bridge.enable_icc: "false" }',
        '    driver: macvlan\n    subnet: 10.20.0.0/24\n    driver_opts:\n      ‸',
      );
      const opts = await complete(macvlan);
      assert.deepEqual(labels(opts).slice(0, 2), ['parent', 'macvlan_mode']);
      assert.ok(!labels(opts).includes('com.docker.network.bridge.enable_icc'), 'no bridge options for macvlan');
    });

    it('offers network_mode values: host, none, bridge, networks and container:<name>', async () => {
      const items = labels(await complete(LAB.replace('network_mode: container:b1', 'network_mode: ‸')));
      for (const v of ['bridge', 'host', 'none', 'mybridge10', 'backend', 'container:web', 'container:b1']) assert.ok(items.includes(v), `${v} in ${items.join(', ')}`);
      assert.ok(!items.includes('container:b2'), 'not itself');
    });

    it('offers the next free address of the network (inside ip_range)', async () => {
      const items = await complete(LAB.replace('  b3:\n    image: busybox\n', '  b3:\n    image: busybox\n    networks:\n      mybridge10: { ipv4_address: 10.‸ }\n'));
      // 10.10.5.0 is b1's, 10.10.5.9 is web's: the lowest free one in the range is 10.10.5.1.
      assert.deepEqual(labels(items), ['10.10.5.1']);
      assert.equal(items[0]!.detail, 'next free address of mybridge10');
    });

    it('offers a free subnet', async () => {
      const items = await complete(LAB.replace('    subnet: 10.20.0.0/24', '    subnet: ‸'));
      assert.deepEqual(labels(items), ['172.18.0.0/16']); // docker0 has 172.17.0.0/16
    });

    it('offers containers and hosts for expect from, and the ports they listen on for expect to', async () => {
      assert.deepEqual(labels(await complete(LAB.replace('from: b3', 'from: ‸'))), ['web', 'b1', 'b2', 'b3', 'b4', 'host1']);
      assert.ok(labels(await complete(LAB.replace('to: "b4"', 'to: ‸'))).includes('web:80'));
      assert.deepEqual(labels(await complete(LAB.replace('to: "b4", verdict: delivered', 'to: "b4", verdict: ‸'))), ['delivered', 'refused', 'dropped', 'unresolved', 'unknown']);
    });

    it('replaces the word being typed', async () => {
      const { text, position } = cursor(LAB.replace('network_mode: container:b1', 'network_mode: container:w‸'));
      const items = await complete(LAB.replace('network_mode: container:b1', 'network_mode: container:w‸'));
      const web = items.find((i) => i.label === 'container:web');
      assert.ok(web?.textEdit && 'range' in web.textEdit);
      assert.deepEqual(web.textEdit.range.end, position);
      assert.equal(applyEdits(text, [{ range: web.textEdit.range, newText: web.textEdit.newText }]).includes('network_mode: container:web\n'), true);
    });
  });

  describe('navigation', () => {
    it('goes from container:b1 to the definition of b1', async () => {
      const loc = await lsp.request<Location>('textDocument/definition', { textDocument: { uri: LAB_URI }, position: positionOf(LAB, 'container:b1', 11) });
      assert.deepEqual(loc.range.start, positionOf(LAB, 'b1:'));
    });

    it('goes from a network reference to the network', async () => {
      const loc = await lsp.request<Location>('textDocument/definition', { textDocument: { uri: LAB_URI }, position: positionOf(LAB, 'backend]', 1) });
      assert.deepEqual(loc.range.start, positionOf(LAB, 'backend:'));
    });

    it('finds every reference of a container: network_mode container:X and expect from', async () => {
      const refs = await lsp.request<Location[]>('textDocument/references', { textDocument: { uri: LAB_URI }, position: positionOf(LAB, 'b1:'), context: { includeDeclaration: true } });
      assert.deepEqual(
        refs.map((r) => r.range.start),
        [positionOf(LAB, 'b1:'), positionOf(LAB, 'container:b1', 10), positionOf(LAB, 'from: b1', 6)],
      );
    });

    it('renames a network everywhere it is named', async () => {
      const pos = positionOf(LAB, 'mybridge10', 2, 2);
      const prep = await lsp.request<{ placeholder: string }>('textDocument/prepareRename', { textDocument: { uri: LAB_URI }, position: pos });
      assert.equal(prep.placeholder, 'mybridge10');
      const edit = await lsp.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: LAB_URI }, position: pos, newName: 'frontnet' });
      const renamed = applyEdits(LAB, edit.changes![LAB_URI]!);
      assert.equal(renamed.match(/mybridge10/g), null);
      assert.equal(renamed.match(/frontnet/g)?.length, 3);
      assert.match(renamed, /frontnet: \{ ipv4_address: 10\.10\.5\.9/);
      assert.match(renamed, /networks: \[frontnet, backend\]/);
    });

    it('renames a container in network_mode and expect too, and refuses a bad name', async () => {
      const edit = await lsp.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: LAB_URI }, position: positionOf(LAB, 'web:'), newName: 'frontend' });
      const renamed = applyEdits(LAB, edit.changes![LAB_URI]!);
      assert.match(renamed, /^ {2}frontend:$/m);
      assert.match(renamed, /to: "frontend:80"/);
      const b1 = await lsp.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: LAB_URI }, position: positionOf(LAB, 'b1:'), newName: 'box1' });
      const renamedB1 = applyEdits(LAB, b1.changes![LAB_URI]!);
      assert.match(renamedB1, /network_mode: container:box1/);
      assert.match(renamedB1, /from: box1/);
      await assert.rejects(
        lsp.request('textDocument/rename', { textDocument: { uri: LAB_URI }, position: positionOf(LAB, 'b1:'), newName: 'b 1' }),
        /not a valid name/,
      );
      await assert.rejects(lsp.request('textDocument/rename', { textDocument: { uri: LAB_URI }, position: positionOf(LAB, 'b1:'), newName: 'b4' }), /already exists/);
    });
  });

  describe('services', () => {
    const SWARM = `hosts:
  node1:
    swarm: manager
networks:
  backend:
    driver: overlay
    attachable: true
services:
  api:
    image: busybox
    replicas: 2
    networks: [backend]
containers:
  probe:
    image: busybox
    networks: [backend]
expect:
  - { from: probe, to: "api:80", verdict: delivered }
`;
    const uri = 'file:///w/swarm.cnm.yaml';
    before(async () => {
      await lsp.open(uri, SWARM);
    });

    it("renames a network in services' networks too", async () => {
      const edit = await lsp.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri }, position: positionOf(SWARM, 'backend:'), newName: 'mesh' });
      const renamed = applyEdits(SWARM, edit.changes![uri]!);
      assert.equal(renamed.match(/networks: \[mesh\]/g)?.length, 2);
      assert.equal(renamed.includes('backend'), false);
    });

    it('goes from an expect target to the service, and lists services in the outline', async () => {
      const loc = await lsp.request<Location>('textDocument/definition', { textDocument: { uri }, position: positionOf(SWARM, 'api:80', 1) });
      assert.deepEqual(loc.range.start, positionOf(SWARM, 'api:'));
      const symbols = await lsp.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
      const services = symbols.find((s) => s.name === 'services')!.children!;
      assert.deepEqual(services.map((s) => [s.name, s.detail]), [['api', '2 × busybox · vip']]);
      const hover = await lsp.request<Hover>('textDocument/hover', { textDocument: { uri }, position: positionOf(SWARM, 'api:') });
      assert.match((hover.contents as { value: string }).value, /2 replicas · endpoint mode `vip`/);
    });
  });

  describe('outline and folding', () => {
    it('lists hosts, networks, containers and expect entries with details', async () => {
      const symbols = await lsp.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: LAB_URI } });
      const byName = new Map(symbols.map((s) => [s.name, s]));
      assert.deepEqual([...byName.keys()], ['name', 'hosts', 'networks', 'containers', 'expect']);
      const networks = byName.get('networks')!.children!;
      assert.deepEqual(networks.map((n) => [n.name, n.detail]), [
        ['mybridge10', 'bridge · 10.10.0.0/16'],
        ['backend', 'bridge · 10.20.0.0/24'],
      ]);
      const containers = byName.get('containers')!.children!;
      assert.deepEqual(containers.map((c) => c.name), ['web', 'b1', 'b2', 'b3', 'b4']);
      assert.equal(containers[1]!.detail, 'mybridge10 10.10.5.0, backend 10.20.0.2');
      assert.equal(containers[2]!.detail, 'network_mode container:b1');
      assert.deepEqual(byName.get('expect')!.children!.map((e) => `${e.name} ${e.detail}`), ['b1 → web:80 delivered', 'b3 → b4 delivered']);
    });

    it('folds every block that spans lines', async () => {
      const folds = await lsp.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri: LAB_URI } });
      const lineOf = (needle: string) => positionOf(LAB, needle).line;
      assert.ok(folds.some((f) => f.startLine === lineOf('containers:') && f.endLine === lineOf('  b4:') + 1), 'containers folds to its last line');
      assert.ok(folds.some((f) => f.startLine === lineOf('  web:') && f.endLine === lineOf('expose: ["80/tcp"]')), 'web folds');
    });
  });

  describe('trace lenses', () => {
    it('puts Trace ▸ on every container, every host and every expect entry', async () => {
      const lenses = await lsp.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: LAB_URI } });
      assert.equal(lenses.length, 5 + 1 + 2);
      // A host's lens traces from the host itself (the extension asks for a destination).
      const host = lenses.find((l) => l.range.start.line === positionOf(LAB, 'host1:').line)!;
      assert.deepEqual(host.command!.arguments, [{ uri: LAB_URI, from: 'host1', interactive: true }]);
      const web = lenses.find((l) => l.range.start.line === positionOf(LAB, 'web:').line)!;
      assert.equal(web.command!.title, 'Trace ▸');
      assert.equal(web.command!.command, 'cnm.traceFrom');
      assert.deepEqual(web.command!.arguments, [{ uri: LAB_URI, from: 'web', interactive: true }]);
      const expect = lenses.find((l) => l.range.start.line === positionOf(LAB, '{ from: b1').line)!;
      // cnm.traceFrom takes the destination apart: name, port, protocol; `interactive`: a user clicked it.
      assert.deepEqual(expect.command!.arguments, [{ uri: LAB_URI, from: 'b1', to: 'web', port: 80, proto: 'tcp', interactive: true }]);
      const byName = lenses.find((l) => l.range.start.line === positionOf(LAB, '{ from: b3').line)!;
      assert.deepEqual(byName.command!.arguments, [{ uri: LAB_URI, from: 'b3', to: 'b4', proto: 'icmp', interactive: true }], 'no port: an ICMP echo');
      assert.equal(expect.command!.title, 'Trace ▸ b1 → web:80');
    });
  });

  describe('quick fixes', () => {
    const MISTAKES_URI = 'file:///w/fix.cnm.yaml';
    let diagnostics: Diagnostic[];
    before(async () => {
      diagnostics = await lsp.open(MISTAKES_URI, MISTAKES);
    });
    const fixesFor = async (pattern: string) => {
      const d = diagnostics.find((x) => messageOf(x).includes(pattern));
      assert.ok(d, pattern);
      return lsp.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: MISTAKES_URI }, range: d.range, context: { diagnostics: [d] } });
    };
    const applied = (action: CodeAction) => applyEdits(MISTAKES, action.edit!.changes![MISTAKES_URI]!);

    it('creates the missing network, and the error goes away', async () => {
      const [fix] = await fixesFor('Network "frnot" is not defined');
      assert.equal(fix!.title, 'Create network "frnot"');
      const fixed = applied(fix!);
      assert.match(fixed, /\n {2}frnot:\n {4}driver: bridge\n/);
      const after = await lsp.open('file:///w/fixed1.cnm.yaml', fixed);
      assert.ok(!after.some((x) => messageOf(x).includes('"frnot" is not defined')));
    });

    it('picks a free subnet for an overlapping one', async () => {
      const [fix] = await fixesFor('Pool overlaps');
      assert.equal(fix!.title, 'Use the free subnet 10.11.0.0/24');
      const after = await lsp.open('file:///w/fixed2.cnm.yaml', applied(fix!));
      assert.ok(!after.some((x) => messageOf(x).includes('Pool overlaps')));
    });

    it('moves the gateway inside the subnet', async () => {
      const [fix] = await fixesFor('gateway 10.31.0.1');
      assert.equal(fix!.title, 'Move the gateway inside 10.30.0.0/24: 10.30.0.1');
      const after = await lsp.open('file:///w/fixed3.cnm.yaml', applied(fix!));
      assert.ok(!after.some((x) => messageOf(x).includes('gateway 10.31.0.1') || messageOf(x).includes('gateway (10.31.0.1)')));
      assert.ok(!after.some((x) => x.severity === 1 && x.range.start.line === positionOf(MISTAKES, '10.31.0.1').line), 'no error left on the gateway line');
    });

    it('connects two containers to a shared network when a name will not resolve', async () => {
      const [fix] = await fixesFor('"other" will not resolve from "loner"');
      assert.equal(fix!.title, 'Connect "loner" and "other" to a new network "loner-other"');
      const fixed = applied(fix!);
      assert.match(fixed, /\n {2}loner:\n {4}image: busybox\n {4}networks: \[loner-other\]\n/);
      const after = await lsp.open('file:///w/fixed4.cnm.yaml', fixed);
      assert.ok(!after.some((x) => messageOf(x).includes('will not resolve')), after.map((x) => x.message).join('\n'));
    });

    it('joins the network the other container is already on, when it has one', async () => {
      const text = LAB.replace('{ from: b3, to: "b4"', '{ from: b3, to: "web"');
      const diags = await lsp.open('file:///w/join.cnm.yaml', text);
      const d = diags.find((x) => messageOf(x).includes('"web" will not resolve from "b3"'));
      assert.ok(d);
      const [fix] = await lsp.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: 'file:///w/join.cnm.yaml' }, range: d.range, context: { diagnostics: [d] } });
      assert.equal(fix!.title, 'Connect "b3" to network "mybridge10" (shared with "web")');
      const fixed = applyEdits(text, fix!.edit!.changes!['file:///w/join.cnm.yaml']!);
      assert.match(fixed, /\n {2}b3:\n {4}image: busybox\n {4}networks: \[mybridge10\]\n/);
    });
  });
});
