// Compose files in the editor: the real server over a real LSP connection. Only networking diagnostics
// (what Docker or Compose would refuse, the play's warnings, failing x-cnm-expect entries), hovers on
// services and networks, and "Trace ▸" lenses — on Compose texts, and on a project with an override file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type CodeLens, type Diagnostic, type Hover } from 'vscode-languageserver/node';
import { LspSession, messageOf, positionOf } from './lspHarness';

const root = join(__dirname, '..', '..');

function at(text: string, needle: string, occurrence = 0) {
  const start = positionOf(text, needle, 0, occurrence);
  return { start, end: { line: start.line, character: start.character + needle.length } };
}

function find(diags: Diagnostic[], pattern: RegExp | string): Diagnostic {
  const d = diags.find((x) => (typeof pattern === 'string' ? messageOf(x).includes(pattern) : pattern.test(messageOf(x))));
  assert.ok(d, `no diagnostic matching ${String(pattern)} in:\n${diags.map((x) => `${x.range.start.line + 1}: ${messageOf(x)}`).join('\n')}`);
  return d;
}

function hoverText(h: Hover | null): string {
  assert.ok(h, 'no hover');
  const c = h.contents as { value: string };
  return c.value;
}

const MISTAKES = `name: shop
services:
  web:
    image: nginx
    networks:
      front: { ipv4_address: 10.9.0.5 }
  side:
    image: busybox
    network_mode: service:api
    expose: ["80"]
  api:
    image: busybox
    networks: [back, nowhere]
  worker:
    image: busybox
    networks: [back]
  edge:
    image: busybox
    networks: [outside]
networks:
  front:
    ipam: { config: [{ subnet: 10.1.0.0/16 }] }
  back:
    ipam: { config: [{ subnet: 10.2.0.0/24 }] }
  outside:
    external: true
`;

describe('Compose files over LSP', () => {
  let lsp: LspSession;
  let dir: string;
  before(async () => {
    lsp = await LspSession.start();
    dir = mkdtempSync(join(tmpdir(), 'cnm-compose-lsp-'));
  });
  after(async () => {
    await lsp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the Compose examples open without errors and their x-cnm-expect entries hold', async () => {
    const examples = readdirSync(join(root, 'examples'), { withFileTypes: true }).filter((e) => e.isDirectory());
    assert.ok(examples.length > 0);
    for (const e of examples) {
      for (const name of readdirSync(join(root, 'examples', e.name)).filter((n) => /^(docker-)?compose\.ya?ml$/.test(n))) {
        const file = join(root, 'examples', e.name, name);
        const diags = await lsp.open(pathToFileURL(file).href, readFileSync(file, 'utf8'));
        assert.deepEqual(diags.filter((d) => d.severity === DiagnosticSeverity.Error).map(messageOf), [], file);
      }
    }
  });

  it('puts what Docker and Compose refuse at the key that causes it, in their words', async () => {
    const diags = await lsp.open('file:///w/mistakes/compose.yaml', MISTAKES);
    const undefinedNet = find(diags, 'service "api" refers to undefined network nowhere: invalid compose project');
    assert.equal(undefinedNet.severity, DiagnosticSeverity.Error);
    assert.deepEqual(undefinedNet.range, at(MISTAKES, 'nowhere'));
    // 10.9.0.5 is outside front's 10.1.0.0/16: dockerd refuses the container.
    const outside = find(diags, /no configured subnet|Invalid address|invalid address|not in/i);
    assert.equal(outside.severity, DiagnosticSeverity.Error);
    assert.equal(outside.range.start.line, at(MISTAKES, 'front: {').start.line);
    const expose = find(diags, /expose|conflicting options/i);
    assert.equal(expose.severity, DiagnosticSeverity.Error);
    assert.ok([at(MISTAKES, 'expose').start.line, at(MISTAKES, '"80"').start.line, at(MISTAKES, 'service:api').start.line].includes(expose.range.start.line), messageOf(expose));
    // The external network: its addresses are unknown, said where it is declared.
    const ext = find(diags, 'Network "outside" is external');
    assert.equal(ext.severity, DiagnosticSeverity.Warning);
  });

  it('refuses overlapping subnets at the subnet', async () => {
    const text = MISTAKES.replace('10.2.0.0/24', '10.1.2.0/24');
    const diags = await lsp.open('file:///w/overlap/compose.yaml', text);
    const d = find(diags, /^Pool overlaps with other one on this address space$/);
    // The container on it is not created either, said where it joins the network.
    find(diags, 'Network "shop_front" was not created (Pool overlaps with other one on this address space), so container "shop-web-1" was not created.');
    assert.equal(d.severity, DiagnosticSeverity.Error);
    assert.ok([at(text, '10.1.0.0/16').start.line, at(text, '10.1.2.0/24').start.line].includes(d.range.start.line));
  });

  it('warns on both services whose addresses race, saying how to pin them', async () => {
    const diags = await lsp.open('file:///w/race/compose.yaml', MISTAKES);
    const api = find(diags, /"api" and "worker" start at the same time/);
    const worker = find(diags, /"worker" and "api" start at the same time/);
    for (const d of [api, worker]) {
      assert.equal(d.severity, DiagnosticSeverity.Warning);
      assert.match(messageOf(d), /pin it with ipv4_address, or add a depends_on/);
    }
    assert.deepEqual(api.range, at(MISTAKES, 'api:\n'.slice(0, 3), 1));
    assert.deepEqual(worker.range, at(MISTAKES, 'worker'));
  });

  it('replicas behind a link: the replicas\' race on the replicated service, the link\'s on it and on the link', async () => {
    const text = 'name: shop\nservices:\n  api:\n    image: x\n    deploy: { replicas: 3 }\n  client:\n    image: y\n    links: ["api:backend"]\n';
    const diags = await lsp.open('file:///w/replica-links/compose.yaml', text);
    const replicas = find(diags, /The 3 replicas of "api" are created at the same time/);
    assert.deepEqual(replicas.range, at(text, 'api'));
    const links = diags.filter((d) => /"client" links "api", which has 3 replicas/.test(messageOf(d)));
    assert.deepEqual(links.map((d) => d.range), [at(text, 'api'), at(text, '"api:backend"')].sort((a, b) => a.start.line - b.start.line));
    for (const d of [replicas, ...links]) assert.equal(d.severity, DiagnosticSeverity.Warning);
    assert.match(messageOf(links[0]!), /which replica number that is depends on timing \(the engine shows shop-api-3\)/);
  });

  it('a failing x-cnm-expect entry is an error on its verdict; fixing it clears it', async () => {
    const file = join(root, 'examples', '11-compose-web-api-db', 'compose.yaml');
    const uri = pathToFileURL(file).href;
    const good = readFileSync(file, 'utf8');
    await lsp.open(uri, good);
    const bad = good.replace('{ from: web, to: "api:5000", verdict: refused }', '{ from: web, to: "api:5000", verdict: delivered }');
    const diags = (await lsp.change(uri, bad))!;
    const errors = diags.filter((d) => d.severity === DiagnosticSeverity.Error);
    assert.equal(errors.length, 1, errors.map(messageOf).join('\n'));
    assert.match(messageOf(errors[0]!), /^web → api:5000: expected delivered, got refused: nothing in shop-api-1 listens on 5000\/tcp/);
    const line = at(bad, 'to: "api:5000"').start.line;
    assert.equal(errors[0]!.range.start.line, line);
    assert.equal(bad.split('\n')[line]!.slice(errors[0]!.range.start.character, errors[0]!.range.end.character), 'delivered');
    const typo = good.replace('to: "db:5432", verdict: delivered', 'to: "dbb:5432", verdict: delivered');
    const t = (await lsp.change(uri, typo))!;
    const d = find(t, 'No service, container or alias named "dbb"');
    assert.equal(d.range.start.line, at(typo, 'dbb').start.line);
    assert.deepEqual((await lsp.change(uri, good))!.filter((x) => x.severity === DiagnosticSeverity.Error), []);
  });

  it('hovers a service: its containers, addresses, DNS names and published ports', async () => {
    const file = join(root, 'examples', '11-compose-web-api-db', 'compose.yaml');
    const uri = pathToFileURL(file).href;
    const text = readFileSync(file, 'utf8');
    await lsp.open(uri, text);
    const api = hoverText(await lsp.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, '  api:\n', 3) }));
    assert.match(api, /service `api`\*\* of project `shop`/);
    assert.match(api, /`shop-api-1`/);
    assert.match(api, /\| `shop_back` \| 10\.30\.0\.3\/24 \| .*`api`.*`backend`/);
    assert.match(api, /\| `shop_front` \| 172\.18\.0\.2\/16 \|/);
    assert.doesNotMatch(api.split('shop_front')[1]!, /backend/, 'backend is an alias on back only');
    const web = hoverText(await lsp.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, '  web:\n', 3) }));
    assert.match(web, /Published: 0\.0\.0\.0:8080 → 80\/tcp, \[::\]:8080 → 80\/tcp, 127\.0\.0\.1:8443 → 443\/tcp/);
  });

  it('hovers a network key: Docker\'s name, subnet, gateway, members', async () => {
    const file = join(root, 'examples', '11-compose-web-api-db', 'compose.yaml');
    const uri = pathToFileURL(file).href;
    const text = readFileSync(file, 'utf8');
    await lsp.open(uri, text);
    const back = hoverText(await lsp.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, '  back:\n    internal', 3) }));
    assert.match(back, /network `back`\*\* → Docker's `shop_back`/);
    assert.match(back, /subnet 10\.30\.0\.0\/24, gateway 10\.30\.0\.1, internal/);
    assert.match(back, /\| `shop-db-1` \| 10\.30\.0\.2 \|/);
    assert.match(back, /\| `shop-api-1` \| 10\.30\.0\.3 \|/);
    // The same from a service's list of networks.
    const fromList = hoverText(await lsp.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'networks: [back]', 12) }));
    assert.match(fromList, /Docker's `shop_back`/);
  });

  it('"Trace ▸" on every service and every x-cnm-expect entry, with the topology lenses\' command', async () => {
    const file = join(root, 'examples', '11-compose-web-api-db', 'compose.yaml');
    const uri = pathToFileURL(file).href;
    const text = readFileSync(file, 'utf8');
    await lsp.open(uri, text);
    const lenses = await lsp.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const services = lenses.filter((l) => l.command?.title === 'Trace ▸');
    assert.deepEqual(services.map((l) => [l.range.start.line, (l.command!.arguments![0] as { from: string }).from]), [
      [at(text, '  web:').start.line, 'shop-web-1'],
      [at(text, '  api:').start.line, 'shop-api-1'],
      [at(text, '\n  db:').start.line + 1, 'shop-db-1'],
    ]);
    const entries = lenses.filter((l) => l.command?.title.startsWith('Trace ▸ '));
    assert.equal(entries.length, 5);
    assert.equal(entries[0]!.command!.title, 'Trace ▸ web → api:3000');
    assert.deepEqual(entries[0]!.command!.arguments![0], { uri, from: 'shop-web-1', to: 'api', proto: 'tcp', port: 3000, interactive: true });
    assert.ok(lenses.every((l) => l.command?.command === 'cnm.traceFrom'));
  });

  it('an override file: its mistakes at its keys, the main file\'s on the closest key here', async () => {
    const main = join(dir, 'compose.yaml');
    const override = join(dir, 'compose.override.yaml');
    const mainText = 'name: ov\nservices:\n  web:\n    image: nginx\n    networks: [front]\nnetworks:\n  front:\n    ipam: { config: [{ subnet: 10.5.0.0/24 }] }\n';
    writeFileSync(main, mainText);
    const overrideText = 'services:\n  web:\n    networks:\n      front:\n        ipv4_address: 10.6.0.9   # outside front\n';
    writeFileSync(override, overrideText);
    const diags = await lsp.open(pathToFileURL(override).href, overrideText);
    const d = diags.find((x) => x.severity === DiagnosticSeverity.Error);
    assert.ok(d, JSON.stringify(diags));
    assert.match(messageOf(d), /no configured subnet or ip-range contain the IP address 10\.6\.0\.9/);
    assert.equal(d.range.start.line, 4, `on the address, in the override: ${messageOf(d)}`);
    // Opening the main file: the same error, named by the override's file and line.
    const mainDiags = await lsp.open(pathToFileURL(main).href, mainText);
    const m = mainDiags.find((x) => x.severity === DiagnosticSeverity.Error);
    assert.ok(m, JSON.stringify(mainDiags));
    assert.match(messageOf(m), /^compose\.override\.yaml:5: /);
    assert.equal(m.range.start.line, at(mainText, 'front', 0).start.line, 'the closest key: services.web.networks');
  });
});

describe('Compose ${VAR} in the language server: the environment it is started with, then .env (as the tree reads them)', () => {
  const compose = 'name: envp\nservices:\n  web:\n    image: nginx\n    networks:\n      front: { ipv4_address: 10.77.0.5 }\nnetworks:\n  front:\n    ipam: { config: [{ subnet: "${CNM_TEST_FRONT_SUBNET}" }] }\n';
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnm-compose-env-'));
    writeFileSync(join(dir, 'compose.yaml'), compose);
    writeFileSync(join(dir, '.env'), 'CNM_TEST_FRONT_SUBNET=10.66.0.0/24\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const errors = (diags: Diagnostic[]) => diags.filter((d) => d.severity === DiagnosticSeverity.Error).map(messageOf);

  it('a variable of the environment wins over .env', async () => {
    const lsp = await LspSession.start({ env: { ...process.env, CNM_TEST_FRONT_SUBNET: '10.77.0.0/24' } });
    try {
      assert.deepEqual(errors(await lsp.open(pathToFileURL(join(dir, 'compose.yaml')).href, compose)), []);
    } finally {
      await lsp.stop();
    }
  });

  it('without it, .env gives the value', async () => {
    const env = { ...process.env };
    delete env.CNM_TEST_FRONT_SUBNET;
    const lsp = await LspSession.start({ env });
    try {
      const e = errors(await lsp.open(pathToFileURL(join(dir, 'compose.yaml')).href, compose));
      assert.equal(e.length, 1, e.join('\n'));
      assert.match(e[0]!, /10\.77\.0\.5/);
    } finally {
      await lsp.stop();
    }
  });
});
