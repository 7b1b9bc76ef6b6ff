// The TextMate grammar, tokenized by the same vscode-textmate and Oniguruma that VS Code runs
// (taken from the installed code-server, together with its built-in YAML grammars).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { codeServerHome } from '../../scripts/lib/code-server.mjs';
import { root } from '../../scripts/lib/paths.mjs';

const vscodeDir = join(codeServerHome, 'lib', 'vscode');
const load = createRequire(join(vscodeDir, 'package.json'));

interface Token { startIndex: number; endIndex: number; scopes: string[] }
interface Grammar { tokenizeLine(line: string, state: unknown): { tokens: Token[]; ruleStack: unknown } }
let grammar: Grammar;
let initial: unknown;

before(async () => {
  const textmate = load('vscode-textmate');
  const oniguruma = load('vscode-oniguruma');
  await oniguruma.loadWASM(readFileSync(join(vscodeDir, 'node_modules/vscode-oniguruma/release/onig.wasm')).buffer);
  const grammarFiles: Record<string, string> = { 'source.cnm-topology': join(root, 'syntaxes/cnm-topology.tmLanguage.json') };
  const yamlDir = join(vscodeDir, 'extensions/yaml/syntaxes');
  for (const f of ['yaml', 'yaml-1.3', 'yaml-1.2', 'yaml-1.1', 'yaml-1.0', 'yaml-embedded']) {
    const path = join(yamlDir, `${f}.tmLanguage.json`);
    grammarFiles[JSON.parse(readFileSync(path, 'utf8')).scopeName] = path;
  }
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope: string) => {
      const path = grammarFiles[scope];
      return path ? textmate.parseRawGrammar(readFileSync(path, 'utf8'), path) : null;
    },
  });
  grammar = await registry.loadGrammar('source.cnm-topology');
  initial = textmate.INITIAL;
});

/** The tokens of `text` as "text=innermost scope" for those our grammar adds, plus YAML's scopes by text. */
function tokenize(text: string): { ours: string[]; scopesOf: (piece: string) => string[] } {
  const ours: string[] = [];
  const all: { text: string; scopes: string[] }[] = [];
  let state = initial;
  for (const line of text.split('\n')) {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    for (const t of r.tokens) {
      const piece = line.slice(t.startIndex, t.endIndex);
      all.push({ text: piece, scopes: t.scopes });
      const innermost = t.scopes.at(-1)!;
      if (innermost.endsWith('.cnm-topology') && innermost !== 'source.cnm-topology') ours.push(`${piece}=${innermost.replace('.cnm-topology', '')}`);
    }
  }
  return { ours, scopesOf: (piece) => all.find((t) => t.text === piece)?.scopes ?? [] };
}

test('the grammar file is valid JSON with the scope package.json names', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const contributed = manifest.contributes.grammars.find((g: { language: string }) => g.language === 'cnm-topology');
  const file = JSON.parse(readFileSync(join(root, contributed.path), 'utf8'));
  assert.equal(file.scopeName, contributed.scopeName);
});

test('network drivers and network modes stand out', () => {
  const { ours } = tokenize('networks:\n  a:\n    driver: bridge\n  b:\n    driver: macvlan\ncontainers:\n  c:\n    network_mode: container:web\n  d:\n    network_mode: host\n');
  assert.ok(ours.includes('bridge=support.type.driver'), ours.join(' '));
  assert.ok(ours.includes('macvlan=support.type.driver'));
  assert.ok(ours.includes('container=support.type.network-mode'));
  assert.ok(ours.includes('web=variable.other.container'));
  assert.ok(ours.includes('host=support.type.network-mode'));
});

test('a key named like a driver stays a YAML key', () => {
  const { ours, scopesOf } = tokenize('containers:\n  c:\n    host: host1\n');
  assert.deepEqual(ours, []);
  assert.ok(scopesOf('host').some((s) => s.startsWith('entity.name.tag')), scopesOf('host').join(' '));
});

test('subnets, addresses and MACs are highlighted, in block and flow style', () => {
  const { ours } = tokenize([
    'networks:',
    '  n:',
    '    subnet: 10.10.0.0/16',
    '    gateway: 10.10.0.1',
    '    aux_addresses: { router: 10.10.0.254 }',
    '  v6:',
    '    subnet: 2001:db8::/64',
    '    gateway: "fd00::1"',
    'containers:',
    '  c:',
    '    mac_address: 02:42:ac:11:00:02',
  ].join('\n'));
  for (const expected of ['10.10.0.0=constant.numeric.ipv4', '16=constant.numeric.prefix-length', '10.10.0.1=constant.numeric.ipv4',
    '10.10.0.254=constant.numeric.ipv4', '2001:db8::=constant.numeric.ipv6', '64=constant.numeric.prefix-length',
    'fd00::1=constant.numeric.ipv6', '02:42:ac:11:00:02=constant.numeric.mac-address']) {
    assert.ok(ours.includes(expected), `${expected} in ${ours.join(' ')}`);
  }
});

test('port specs: host and container ports, ranges, protocols, a host IP', () => {
  const { ours } = tokenize('containers:\n  c:\n    ports: ["8080:80", "127.0.0.1:9090:90/udp", 8000-8010:8000-8010]\n    expose: ["80/tcp"]\n');
  for (const expected of ['8080=constant.numeric.port.host', '80=constant.numeric.port.container', '127.0.0.1=constant.numeric.ipv4',
    '9090=constant.numeric.port.host', 'udp=keyword.other.protocol', '8000-8010=constant.numeric.port.host',
    '8000-8010=constant.numeric.port.container', 'tcp=keyword.other.protocol']) {
    assert.ok(ours.includes(expected), `${expected} in ${ours.join(' ')}`);
  }
});

test('listen entries: ports with a protocol, as in expose', () => {
  const { ours } = tokenize('containers:\n  j:\n    network_mode: container:c\n    listen: ["8081/tcp", "53/udp", 8000-8010/tcp]\n');
  for (const expected of ['8081=constant.numeric.port.container', '53=constant.numeric.port.container', 'udp=keyword.other.protocol',
    '8000-8010=constant.numeric.port.container', 'tcp=keyword.other.protocol']) {
    assert.ok(ours.includes(expected), `${expected} in ${ours.join(' ')}`);
  }
});

test('comments stay comments', () => {
  const { ours } = tokenize('# driver: bridge on 10.0.0.0/8, ports 8080:80\nname: lab\n');
  assert.deepEqual(ours, []);
});
