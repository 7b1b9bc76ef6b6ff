// Reading a Compose project as docker compose 2.26 does: files found, override merged, interpolation,
// .env, extends, include, profiles, names; keys that do not touch networking kept and ignored.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpolate, normalizeProjectName, parseDotEnv } from '../../../src/topology/compose';
import { endpoints, load, messages, noErrors } from './helpers';

describe('interpolation (compose-go template)', () => {
  const env: Record<string, string> = { A: 'a', EMPTY: '' };
  const look = (n: string) => env[n];
  const cases: [string, string][] = [
    ['$A', 'a'],
    ['${A}', 'a'],
    ['x${A}y$A', 'xaya'],
    ['$$A', '$A'],
    ['${B:-dflt}', 'dflt'],
    ['${EMPTY:-dflt}', 'dflt'],
    ['${EMPTY-dflt}', ''],
    ['${B-dflt}', 'dflt'],
    ['${A:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${B:-${A}}', 'a'],
    ['$1 and $ alone', '$1 and $ alone'],
  ];
  for (const [t, want] of cases) it(`${t} → ${JSON.stringify(want)}`, () => assert.equal(interpolate(t, look).value, want));
  it('required variables fail with compose-go text', () => {
    assert.equal(interpolate('${B:?need B}', look).error, 'required variable B is missing a value: need B');
    assert.equal(interpolate('${EMPTY?x}', look).error, undefined);
    assert.equal(interpolate('${EMPTY:?}', look).error, 'required variable EMPTY is missing a value');
  });
  it('unset variables are listed (Compose warns and uses "")', () => assert.deepEqual(interpolate('${B}$C', look), { value: '', unset: ['B', 'C'] }));
  it('invalid templates', () => assert.equal(interpolate('${}', look).error, 'Invalid template: "${}"'));
});

describe('.env', () => {
  it('reads quotes, export, comments and earlier keys; the environment wins', () => {
    const { values } = parseDotEnv('# c\nexport A=1\nB="x ${A}\\n"\nC=\'${A}\'\nD=plain # comment\nE=${HOME}\n', (n) => (n === 'HOME' ? '/root' : undefined));
    assert.deepEqual(Object.fromEntries(values), { A: '1', B: 'x 1\n', C: '${A}', D: 'plain', E: '/root' });
  });
});

describe('project name', () => {
  it('is normalised as compose-go does', () => {
    assert.equal(normalizeProjectName('My.Shop_2-x'), 'myshop_2-x');
    assert.equal(normalizeProjectName('__-Shop'), 'shop');
  });
  it('name: wins over the directory; COMPOSE_PROJECT_NAME over name:', () => {
    const files = { '/p/My Shop/compose.yaml': 'services:\n  web: { image: x }\n' };
    assert.equal(load(files, '/p/My Shop').project.name, 'myshop');
    assert.equal(load({ '/p/d/compose.yaml': 'name: Other\nservices: {}\n' }, '/p/d').project.name, 'other');
    assert.equal(load({ '/p/d/compose.yaml': 'name: other\nservices: {}\n' }, '/p/d', { env: { COMPOSE_PROJECT_NAME: 'envname' } }).project.name, 'envname');
  });
});

describe('files', () => {
  it('compose.yaml wins over docker-compose.yml (with Compose\'s warning); the override is merged', () => {
    const l = load({
      '/p/shop/compose.yaml': 'services:\n  web:\n    image: x\n    ports: ["80:80"]\n    expose: ["1"]\n',
      '/p/shop/docker-compose.yml': 'services:\n  other: { image: y }\n',
      '/p/shop/compose.override.yaml': 'services:\n  web:\n    ports: ["80:80", "443:443"]\n    expose: ["1", 2]\n',
    });
    assert.deepEqual(l.project.services.map((s) => s.name), ['web']);
    assert.deepEqual(l.project.services[0]!.ports.map((p) => `${p.value}@${p.loc.file.split('/').pop()}:${p.loc.path.join('.')}`), ['80:80@compose.override.yaml:services.web.ports.0', '443:443@compose.override.yaml:services.web.ports.1']);
    assert.deepEqual(l.project.services[0]!.expose.map((p) => p.value), ['1', '2']);
    assert.match(messages(l).join('\n'), /Found multiple config files with supported names/);
  });
  it('a directory without a Compose file is an error for the caller', () => {
    assert.throws(() => load({ '/p/shop/x.txt': '' }), /it is a directory with no Compose file \(compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml\)/);
  });
  it('version: is dropped with Compose\'s warning; unknown keys are refused with its text; other keys are kept', () => {
    const l = load({ '/p/shop/compose.yaml': 'version: "3.8"\nfoo: 1\nservices:\n  web:\n    image: x\n    build: .\n    volumes: [a:/b]\n    healthcheck: { test: [CMD, true] }\n    bogus: 1\n' });
    assert.deepEqual(messages(l), [
      'compose.yaml:1: /p/shop/compose.yaml: `version` is obsolete',
      'compose.yaml:2: validating /p/shop/compose.yaml: (root) Additional property foo is not allowed',
      'compose.yaml:9: validating /p/shop/compose.yaml: services.web Additional property bogus is not allowed',
    ]);
  });
  it('YAML errors and duplicate keys are reported on their line', () => {
    const l = load({ '/p/shop/compose.yaml': 'services:\n  web: { image: x }\n  web: { image: y }\n' });
    assert.deepEqual(messages(l, 'error'), ['compose.yaml:3: mapping key "web" already defined at line 2']);
  });
});

describe('merging (compose-go override rules)', () => {
  it('networks per service merge; aliases append and de-duplicate; scalars are replaced; ipam pools merge by subnet', () => {
    const l = load({
      '/p/shop/compose.yaml': 'services:\n  web:\n    image: x\n    networks:\n      a: { aliases: [one] }\nnetworks:\n  a:\n    ipam: { config: [{ subnet: 10.1.0.0/24 }] }\n  b: {}\n',
      '/p/shop/compose.override.yaml': 'services:\n  web:\n    image: y\n    networks:\n      a: { aliases: [one, two], ipv4_address: 10.1.0.9 }\n      b:\nnetworks:\n  a:\n    ipam: { config: [{ subnet: 10.1.0.0/24, gateway: 10.1.0.254 }] }\n',
    });
    noErrors(l);
    const web = l.project.services[0]!;
    assert.equal(web.image, 'y');
    assert.deepEqual(web.networks.map((n) => [n.key, n.aliases.join(','), n.ipv4Address]), [['a', 'one,two', '10.1.0.9'], ['b', '', undefined]]);
    assert.deepEqual(l.project.networks.get('a')!.ipamConfig.map((c) => [c.subnet, c.gateway]), [['10.1.0.0/24', '10.1.0.254']]);
  });
});

describe('interpolation and .env in a project', () => {
  it('the environment first, then .env; errors and warnings name the path', () => {
    const l = load(
      {
        '/p/shop/.env': 'NET=back\nSUB=10.9.0.0/24\nPORT=8080\n',
        '/p/shop/compose.yaml': 'services:\n  web:\n    image: x:${TAG}\n    ports: ["${PORT}:80"]\n    networks: [$NET]\n  db:\n    image: ${DB:?set DB}\nnetworks:\n  back:\n    ipam: { config: [{ subnet: "${SUB}" }] }\n',
      },
      '/p/shop',
      { env: { PORT: '9090' } },
    );
    assert.deepEqual(l.project.services[0]!.ports.map((p) => p.value), ['9090:80']);
    assert.equal(l.project.networks.get('back')!.ipamConfig[0]!.subnet, '10.9.0.0/24');
    assert.deepEqual(messages(l), [
      'compose.yaml:3: The "TAG" variable is not set. Defaulting to a blank string.',
      'compose.yaml:7: error while interpolating services.db.image: required variable DB is missing a value: set DB',
    ]);
  });
});

describe('extends and include', () => {
  it('extends (same file and another file) merges the base under the service', () => {
    const l = load({
      '/p/shop/base.yaml': 'services:\n  common:\n    image: base\n    expose: ["9000"]\n',
      '/p/shop/compose.yaml': 'services:\n  api:\n    extends: { file: base.yaml, service: common }\n    expose: ["9001"]\n  worker:\n    extends: api\n',
    });
    noErrors(l);
    const [api, worker] = l.project.services;
    assert.deepEqual([api!.image, api!.expose.map((e) => e.value)], ['base', ['9000', '9001']]);
    assert.deepEqual([worker!.image, worker!.expose.map((e) => e.value)], ['base', ['9000', '9001']]);
  });
  it('include adds another project\'s services and networks (its own .env); a clash is an error', () => {
    const l = load({
      '/p/shop/db/compose.yaml': 'services:\n  db:\n    image: pg:${V}\n    networks: [data]\nnetworks:\n  data: {}\n',
      '/p/shop/db/.env': 'V=16\n',
      '/p/shop/compose.yaml': 'include: [db/compose.yaml]\nservices:\n  api:\n    image: x\n    networks: [data]\n',
    });
    noErrors(l);
    assert.deepEqual(l.project.services.map((s) => `${s.name} ${s.image}`).sort(), ['api x', 'db pg:16']);
    assert.deepEqual([...l.project.networks.values()].map((n) => n.name), ['shop_data']);
  });
});

describe('profiles', () => {
  it('services with profiles are inactive unless chosen; a required dependency on one is Compose\'s error', () => {
    const files = { '/p/shop/compose.yaml': 'services:\n  web: { image: x, depends_on: [debug] }\n  debug: { image: y, profiles: [dev] }\n' };
    const off = load(files);
    assert.deepEqual(messages(off, 'error'), ['compose.yaml:2: service "debug" is required by "web" but is disabled. Can be enabled by profiles [dev]']);
    const on = load(files, '/p/shop', { profiles: ['dev'] });
    noErrors(on);
    assert.deepEqual(on.spec.containers.map((c) => c.name), ['shop-debug-1', 'shop-web-1']);
  });
});

describe('Compose\'s refusals', () => {
  it('undefined networks and services, network_mode with networks', () => {
    const l = load({ '/p/shop/compose.yaml': 'services:\n  web:\n    image: x\n    networks: [nope]\n    depends_on: [ghost]\n  side:\n    image: x\n    network_mode: service:web\n    networks: [default]\n' });
    assert.deepEqual(messages(l, 'error'), [
      'compose.yaml:4: service "web" refers to undefined network nope: invalid compose project',
      'compose.yaml:5: service "web" depends on undefined service "ghost": invalid compose project',
      'compose.yaml:8: service side declares mutually exclusive `network_mode` and `networks`: invalid compose project',
    ]);
  });
});

void endpoints;
